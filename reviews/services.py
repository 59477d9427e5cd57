"""Writes in reviews that are not state transitions: autosaved scores and report drafts."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from ee_portal.audit.services import audit_log
from network.models import User
from portfolios.models import Portfolio
from standards.models import Criterion

from .enums import COMMENT_MAX_CHARS, AssignmentState, ReportKind, VisitMode
from .models import Assignment, CriterionScore, Report

REPORT_FIELDS = {
    ReportKind.INTERIM: ("strengths", "areas_for_development", "action_points"),
    ReportKind.VISIT: ("visit_date", "visit_mode", "people_met", "findings"),
    ReportKind.SUMMARY: ("strengths", "areas_for_development", "action_points"),
    ReportKind.ANNUAL: ("strengths", "areas_for_development"),
}


def rating_values(portfolio: Portfolio) -> set[str]:
    return {value for value, _label in portfolio.framework.rating_choices}


def criterion_score_save(
    *, assignment: Assignment, criterion: Criterion, rating: str, comment: str, actor: User
) -> CriterionScore:
    """Save one criterion's rating and comment (the scoring page autosaves through this).

    Not a transition and not audited (it runs on every pause in typing). Only the assessor,
    only while scoring. Side effects: one upsert of CriterionScore.
    """
    if not actor.has_perm("reviews.score_assignment", assignment):
        raise PermissionDenied
    if assignment.state != AssignmentState.SCORING:
        raise ValidationError(
            gettext("Your scores have been submitted, so they can no longer be changed."),
            code="locked",
        )
    portfolio = assignment.portfolio
    if criterion.standard.framework_id != portfolio.framework_id:
        raise ValidationError(
            gettext("That criterion is not part of this portfolio."), code="criterion"
        )
    if rating and rating not in rating_values(portfolio):
        raise ValidationError(gettext("Choose a rating from the scale."), code="rating")
    if len(comment) > COMMENT_MAX_CHARS:
        raise ValidationError(
            gettext("Please keep the comment under %(limit)s characters.")
            % {"limit": f"{COMMENT_MAX_CHARS:,}"},
            code="comment",
        )
    score, _created = CriterionScore.objects.update_or_create(
        assignment=assignment,
        criterion=criterion,
        defaults={"rating": rating, "comment": comment.strip()},
    )
    return score


def report_save(*, portfolio: Portfolio, kind: str, actor: User, **fields: Any) -> Report:
    """Create or update the draft report of one kind for the portfolio.

    Released reports are frozen. A visit record needs a date and a mode. Side effects: one
    upsert of Report (status back to draft: the old PDF no longer matches) and one audit
    event.
    """
    if not actor.has_perm("reviews.write_report", portfolio):
        raise PermissionDenied
    allowed = REPORT_FIELDS[ReportKind(kind)]
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"Fields {sorted(unknown)} do not belong to a {kind} report")
    if kind == ReportKind.VISIT:
        if not fields.get("visit_date"):
            raise ValidationError({"visit_date": gettext("Give the date of the visit.")})
        if fields.get("visit_mode") not in VisitMode.values:
            raise ValidationError(
                {"visit_mode": gettext("Say whether the visit was in person or virtual.")}
            )
    with transaction.atomic():
        report = (
            Report.objects.select_for_update().filter(portfolio=portfolio, kind=kind).first()
        ) or Report(portfolio=portfolio, kind=kind)
        if report.released_at is not None:
            raise ValidationError(
                gettext("This report has been released to the unit and can no longer be changed."),
                code="released",
            )
        for name, value in fields.items():
            setattr(report, name, value.strip() if isinstance(value, str) else value)
        report.author = report.author or actor
        report.status = Report._meta.get_field("status").default
        report.full_clean(validate_unique=False)
        report.save()
        audit_log(
            actor=actor,
            verb="review.report_saved",
            obj=report,
            details={"portfolio": portfolio.pk, "kind": kind},
        )
    return report
