"""Calibration exercises (issue 16): a practice portfolio with reference ratings.

A CCQI admin publishes a complete, anonymised example (fixtures/calibration/). Assessors rate
it on the normal scoring page through an ordinary Assignment, which starts already cleared (no
real unit, so no conflict to declare). Practice is marked on every page that shows it and is
never counted in a real statistic: reviews.agreement.scored_against_agreed and
criterion_disagreement leave out every portfolio that has a CalibrationExercise, the review
queue and the reminders leave them out too, and submitting practice scores emails nobody.

Writes (publish, start) follow the transition pattern: permission, lock, state guard, audit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, FilteredRelation, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ee_portal.audit.services import audit_log
from network.enums import Region, SettingType
from network.models import Organisation, Unit, User
from portfolios.enums import Cycle, EvidenceKind, PortfolioState
from portfolios.models import CriterionResponse, Evidence, EvidenceLink, Portfolio
from standards.models import Criterion, Framework

from .agreement import Agreement, agreement_from_table, rating_scale
from .enums import AssignmentState
from .models import Assignment, CalibrationExercise, CriterionScore, ReferenceRating

EXAMPLE_FIXTURE = Path("fixtures") / "calibration" / "practice-ward.yaml"  # under BASE_DIR
PRACTICE_DUE_DAYS = 30


class CalibrationError(ValidationError):
    pass


# --- writes ------------------------------------------------------------------------------------


def _load_fixture(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CalibrationError(_("The practice example could not be read: %s") % exc) from exc
    if not isinstance(data, dict) or not isinstance(data.get("criteria"), list):
        raise CalibrationError(_("The practice example has no list of criteria."))
    return data


def calibration_publish_example(*, actor: User, path: Path | None = None) -> CalibrationExercise:
    """Publish the practice portfolio from a fixture, with its reference ratings.

    All or nothing: the fixture must give a narrative, a reference rating from the
    framework's scale and a comment for every criterion of its framework (matched by code).
    Publishing the same example again returns the existing exercise. Side effects: INSERT
    Organisation, Unit (kept off the register), Portfolio (submitted, never in the queue),
    one CriterionResponse, text Evidence and EvidenceLink per criterion, CalibrationExercise
    and a ReferenceRating per criterion; audit "review.calibration_published".
    """
    if not actor.has_perm("reviews.manage_calibration"):
        raise PermissionDenied
    data = _load_fixture(path or Path(settings.BASE_DIR) / EXAMPLE_FIXTURE)
    framework = Framework.objects.filter(code=data.get("framework", "")).first()
    if framework is None:
        framework = Framework.objects.current()
    if framework is None:
        raise CalibrationError(_("There is no published standards framework to practise on."))
    criteria = {
        c.code: c
        for c in Criterion.objects.filter(standard__framework=framework).select_related("standard")
    }
    entries = {str(item.get("code")): item for item in data["criteria"] if isinstance(item, dict)}
    scale = {value for value, _label in framework.rating_choices}
    problems = [
        _("criterion %(code)s is missing") % {"code": code}
        for code in criteria
        if code not in entries
    ]
    for code, item in entries.items():
        if code not in criteria:
            problems.append(_("criterion %(code)s is not in the framework") % {"code": code})
        elif item.get("reference") not in scale or not item.get("narrative"):
            problems.append(
                _("criterion %(code)s needs a narrative and a reference rating from the scale")
                % {"code": code}
            )
    if problems:
        raise CalibrationError(
            _("The practice example cannot be published: %(problems)s.")
            % {"problems": "; ".join(problems)}
        )
    with transaction.atomic():
        organisation, _created = Organisation.objects.get_or_create(
            name=data.get("organisation") or "CCQI practice examples"
        )
        unit, _created = Unit.objects.get_or_create(
            organisation=organisation,
            name=data.get("unit") or "Practice example",
            defaults={
                "setting_type": SettingType.HEALTH_INPATIENT,
                "region": Region.choices[0][0],
                "show_on_register": False,
            },
        )
        existing = (
            CalibrationExercise.objects.select_for_update()
            .filter(portfolio__unit=unit, portfolio__framework=framework)
            .first()
        )
        if existing is not None:
            return existing
        now = timezone.now()
        portfolio = Portfolio(
            unit=unit,
            framework=framework,
            cycle=Cycle.INITIAL,
            state=PortfolioState.SUBMITTED,
            title=data.get("title", ""),
            created_by=actor,
            submitted_at=now,
        )
        portfolio.full_clean()
        portfolio.save()
        CriterionResponse.objects.bulk_create(
            CriterionResponse(
                portfolio=portfolio, criterion=c, narrative=str(entries[code]["narrative"])
            )
            for code, c in criteria.items()
        )
        for code, criterion in criteria.items():
            title = str(entries[code].get("evidence") or "")
            if title:
                evidence = Evidence.objects.create(
                    portfolio=portfolio,
                    kind=EvidenceKind.TEXT,
                    title=title[:200],
                    text=_("Practice example: %(title)s (anonymised summary).") % {"title": title},
                    contains_identifiable=False,
                    uploaded_by=actor,
                )
                EvidenceLink.objects.create(evidence=evidence, criterion=criterion, linked_by=actor)
        exercise = CalibrationExercise.objects.create(
            portfolio=portfolio,
            title=str(data.get("title") or unit.name)[:200],
            published_at=now,
            created_by=actor,
        )
        ReferenceRating.objects.bulk_create(
            ReferenceRating(
                exercise=exercise,
                criterion=c,
                rating=str(entries[code]["reference"]),
                comment=str(entries[code].get("comment") or ""),
            )
            for code, c in criteria.items()
        )
        audit_log(
            actor=actor,
            verb="review.calibration_published",
            obj=exercise,
            details={"portfolio": portfolio.pk, "criteria": len(criteria)},
        )
    return exercise


def calibration_start(*, exercise: CalibrationExercise, actor: User) -> Assignment:
    """The assessor starts (or goes back to) a published practice portfolio.

    Returns their live practice assignment if there is one. Side effects: INSERT Assignment
    (state scoring, already declared: an anonymised example has no conflict); audit
    "review.calibration_started". No email.
    """
    if not actor.has_perm("reviews.take_calibration"):
        raise PermissionDenied
    with transaction.atomic():
        locked = CalibrationExercise.objects.select_for_update().get(pk=exercise.pk)
        if locked.published_at is None:
            raise CalibrationError(_("This practice portfolio is not published."))
        live = Assignment.objects.filter(
            portfolio_id=locked.portfolio_id,
            assessor=actor,
            state__in=(AssignmentState.SCORING, AssignmentState.SUBMITTED),
        ).first()
        if live is not None:
            return live
        now = timezone.now()
        assignment = Assignment(
            portfolio_id=locked.portfolio_id,
            assessor=actor,
            assigned_by=actor,
            due_date=timezone.localdate() + dt.timedelta(days=PRACTICE_DUE_DAYS),
            state=AssignmentState.SCORING,
            declared_at=now,
        )
        assignment.full_clean()
        assignment.save()
        audit_log(
            actor=actor,
            verb="review.calibration_started",
            obj=assignment,
            details={"exercise": locked.pk},
        )
    return assignment


# --- reads -------------------------------------------------------------------------------------


def published_exercises() -> QuerySet[CalibrationExercise]:
    return CalibrationExercise.objects.filter(published_at__isnull=False).select_related(
        "portfolio__framework"
    )


def practice_assignments(*, assessor: User | None = None) -> QuerySet[Assignment]:
    """Practice assignments (every assessor's, or one's), newest first, with their assessor
    and exercise (one query)."""
    qs = Assignment.objects.filter(portfolio__calibration__isnull=False).select_related(
        "assessor", "portfolio__calibration"
    )
    if assessor is not None:
        qs = qs.filter(assessor=assessor)
    return qs.order_by("-scores_submitted_at", "-id")


def practice_tables(*, assignment_ids: list[int]) -> dict[int, Agreement | None]:
    """Each submitted practice assignment's agreement with the reference ratings: one
    aggregate query (GROUP BY assignment, own rating, reference rating) and the scale."""
    rows = (
        CriterionScore.objects.annotate(
            reference=FilteredRelation(
                "assignment__portfolio__calibration__references",
                condition=Q(
                    assignment__portfolio__calibration__references__criterion=F("criterion")
                ),
            )
        )
        .filter(assignment_id__in=assignment_ids, reference__rating__gt="")
        .exclude(rating="")
        .values_list("assignment_id", "rating", "reference__rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    tables: dict[int, dict[tuple[str, str], int]] = {}
    for assignment_id, own, reference, n in rows:
        table = tables.setdefault(assignment_id, {})
        table[(own, reference)] = table.get((own, reference), 0) + n
    scale = rating_scale() if tables else []
    return {key: agreement_from_table(table, scale) for key, table in tables.items()}


@dataclass
class CalibrationStatus:
    """An assessor's calibration: their latest completed practice portfolio and its figure."""

    assignment: Assignment | None = None
    agreement: Agreement | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def completed_at(self) -> dt.datetime | None:
        return self.assignment.scores_submitted_at if self.assignment else None


def calibration_status(
    *, assessor_ids: list[int], now: dt.datetime | None = None
) -> dict[int, CalibrationStatus]:
    """Per assessor: the latest submitted practice assignment, its AC1 against the reference,
    and the warnings for the assignment screen (never a block): not calibrated within
    EE_CALIBRATION_VALID_MONTHS, or AC1 below EE_CALIBRATION_MIN_AC1. Settings are read on
    every call. Three queries at most, whatever the number of assessors.
    """
    now = now or timezone.now()
    months = settings.EE_CALIBRATION_VALID_MONTHS
    threshold = settings.EE_CALIBRATION_MIN_AC1
    since = now - dt.timedelta(days=round(months * 365.25 / 12))
    latest: dict[int, Assignment] = {}
    if assessor_ids:
        for assignment in (
            Assignment.objects.filter(
                assessor_id__in=assessor_ids,
                portfolio__calibration__isnull=False,
                state=AssignmentState.SUBMITTED,
                scores_submitted_at__isnull=False,
            )
            .only("id", "assessor_id", "portfolio_id", "scores_submitted_at", "state")
            .order_by("assessor_id", "-scores_submitted_at", "-id")
        ):
            latest.setdefault(assignment.assessor_id, assignment)
    figures = practice_tables(assignment_ids=[a.pk for a in latest.values()]) if latest else {}
    statuses = {}
    for assessor_id in assessor_ids:
        last = latest.get(assessor_id)
        status = CalibrationStatus(last, figures.get(last.pk) if last else None)
        if last is None:
            status.flags.append(_("has not completed a practice portfolio"))
        elif last.scores_submitted_at and last.scores_submitted_at < since:
            status.flags.append(
                _("has not calibrated in the last %(months)s months") % {"months": months}
            )
        ac1 = status.agreement.ac1 if status.agreement else None
        if last is not None and ac1 is not None and ac1 < threshold:
            status.flags.append(
                _("agreed with the reference below the threshold (AC1 %(ac1).2f, under %(min).2f)")
                % {"ac1": ac1, "min": threshold}
            )
        statuses[assessor_id] = status
    return statuses


@dataclass(frozen=True)
class PracticeRow:
    criterion: Criterion
    rating: str
    comment: str
    reference: ReferenceRating | None

    @property
    def matches(self) -> bool:
        return self.reference is not None and self.rating == self.reference.rating


def practice_comparison(*, assignment: Assignment) -> list[PracticeRow]:
    """Criterion by criterion: the assessor's rating and comment beside the reference rating
    and comment (three queries: criteria, own scores, references)."""
    portfolio = assignment.portfolio
    criteria = (
        Criterion.objects.filter(standard__framework_id=portfolio.framework_id)
        .select_related("standard")
        .order_by("standard__number", "order", "code")
    )
    own = {s.criterion_id: s for s in CriterionScore.objects.filter(assignment=assignment)}
    references = {
        r.criterion_id: r for r in ReferenceRating.objects.filter(exercise__portfolio=portfolio)
    }
    rows = []
    for criterion in criteria:
        score = own.get(criterion.pk)
        rows.append(
            PracticeRow(
                criterion=criterion,
                rating=score.rating if score else "",
                comment=score.comment if score else "",
                reference=references.get(criterion.pk),
            )
        )
    return rows
