"""Writes for the network's annual cycle. Each takes the actor, checks permission, validates
everything first (a refusal names what to fix and changes nothing), writes in one transaction
and appends an audit event. Assignments, scores, reports and decisions go through reviews."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from ee_portal.audit.services import audit_log
from ee_portal.lib.celery import enqueue_on_commit
from network.enums import LIVED_EXPERIENCE_KINDS, CycleStep, ReviewerKind, ReviewerStatus
from network.models import PeerReviewerProfile, Unit, User
from portfolios.enums import Cycle, PortfolioState
from portfolios.models import Portfolio
from portfolios.services import portfolio_create
from reviews.selectors import assessor_conflict_reason
from reviews.workflow import assessor_assign
from standards.models import Criterion, Framework

from .models import ActionPoint, NationalReport, PeerVisit
from .selectors import (
    PROGRAMME,
    membership_type_for,
    network_year,
    reciprocal_conflict,
    steps_for,
)

MIN_PEER_REVIEWERS = 2
# Peer reviewers' ratings are due this long after the visit.
RATINGS_DUE_DAYS = 14


def _require(actor: User, perm: str, obj: Model | None = None) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied


def annual_cycle_start(*, actor: User, unit: Unit, year: int | None = None) -> Portfolio:
    """Start a community's annual self-review on the network's current framework.

    Needs an active membership whose type runs the cycle (not associate). Side effects:
    portfolios.services.portfolio_create (one response per criterion, audit event); the
    portfolio's cycle year. A second open cycle is refused by the database constraint.
    """
    _require(actor, "programmes.start_cycle", unit)
    membership_type = membership_type_for(unit_id=unit.pk)
    if CycleStep.SELF_REVIEW not in steps_for(membership_type):
        raise ValidationError(
            _(
                "%(unit)s does not have a membership that includes the yearly cycle. "
                "Associate members can read the standards and resources only."
            )
            % {"unit": unit}
        )
    framework = Framework.objects.current(programme=PROGRAMME)
    if framework is None:
        raise ValidationError(_("The network's standards are not published yet."))
    year = year or network_year()
    if Portfolio.objects.filter(unit=unit, cycle=Cycle.ANNUAL, cycle_year=year).exists():
        raise ValidationError(
            _("%(unit)s already has an annual cycle for %(year)s.") % {"unit": unit, "year": year}
        )
    with transaction.atomic():
        portfolio = portfolio_create(
            unit=unit, framework=framework, cycle=Cycle.ANNUAL, actor=actor
        )
        portfolio.cycle_year = year
        portfolio.title = _("%(unit)s: annual self-review %(year)s") % {
            "unit": unit,
            "year": year,
        }
        portfolio.save(update_fields=["cycle_year", "title", "updated_at"])
    return portfolio


def peer_team_problems(
    *,
    portfolio: Portfolio,
    lead: User | None,
    reviewers: Sequence[PeerReviewerProfile],
    visit_date: dt.date | None,
) -> dict[str, list[str]]:
    """Everything wrong with a proposed peer team, by form field; {} when it may be assigned.
    Reads only (a query or two per reviewer)."""
    problems: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    if portfolio.cycle != Cycle.ANNUAL:
        add("__all__", _("Only an annual cycle has a peer-review team."))
        return problems
    if CycleStep.PEER_REVIEW not in steps_for(membership_type_for(unit_id=portfolio.unit_id)):
        add(
            "__all__",
            _("Only full and accreditation members get a peer visit. %(unit)s is not one of them.")
            % {"unit": portfolio.unit},
        )
    if portfolio.state != PortfolioState.SUBMITTED:
        add(
            "__all__",
            _("A peer team is assigned once the self-review is complete; this cycle is: %(stage)s.")
            % {"stage": portfolio.get_state_display()},
        )
    if lead is None or not lead.is_ccqi_admin:
        add("lead", _("Choose a lead reviewer from the CCQI team."))
    if visit_date is None:
        add("visit_date", _("Give the date of the visit."))
    elif visit_date < timezone.localdate():
        add("visit_date", _("The visit date cannot be in the past."))
    if len(reviewers) < MIN_PEER_REVIEWERS:
        add(
            "reviewers",
            _("Choose at least %(n)s peer reviewers from other member communities.")
            % {"n": MIN_PEER_REVIEWERS},
        )
    if reviewers and not any(r.kind in LIVED_EXPERIENCE_KINDS for r in reviewers):
        add(
            "reviewers",
            _(
                "Add at least one reviewer who is a service user or a former resident. "
                "Every team needs someone who has lived it."
            ),
        )
    year = portfolio.cycle_year or network_year()
    for profile in reviewers:
        if profile.status != ReviewerStatus.APPROVED or not profile.user.is_peer_reviewer:
            add(
                "reviewers", _("%(person)s is not an approved reviewer.") % {"person": profile.user}
            )
            continue
        reason = assessor_conflict_reason(assessor=profile.user, unit=portfolio.unit)
        if not reason and profile.nominated_by_unit_id == portfolio.unit_id:
            reason = _("%(person)s was nominated by %(unit)s itself.") % {
                "person": profile.user,
                "unit": portfolio.unit,
            }
        reason = reason or reciprocal_conflict(profile=profile, portfolio=portfolio, year=year)
        if reason:
            add("reviewers", _("Conflict of interest: %(reason)s") % {"reason": reason})
    return problems


def peer_team_assign(
    *,
    actor: User,
    portfolio: Portfolio,
    lead: User | None,
    reviewers: Sequence[PeerReviewerProfile],
    visit_date: dt.date | None,
) -> PeerVisit:
    """Schedule the visit and assign its team: the lead reviewer from CCQI and two or more
    peer reviewers from other member communities, at least one with lived experience.

    Refused, with every problem named and nothing written, when peer_team_problems finds
    any (derived conflicts: the reviewed community's organisation, a role there, or two
    communities reviewing each other in the same year). Side effects, all in one
    transaction: PeerVisit; one reviews Assignment per person through
    reviews.workflow.assessor_assign (which moves the cycle to peer review, audits and
    emails each reviewer on commit); audit "programme.peer_team_assigned".
    """
    _require(actor, "programmes.manage_cycle", portfolio)
    problems = peer_team_problems(
        portfolio=portfolio, lead=lead, reviewers=reviewers, visit_date=visit_date
    )
    if problems:
        raise ValidationError(problems)
    if lead is None or visit_date is None:  # refused above already; narrows the types
        raise ValidationError(_("Choose a lead reviewer and a visit date."))
    due = visit_date + dt.timedelta(days=RATINGS_DUE_DAYS)
    with transaction.atomic():
        visit = PeerVisit.objects.create(
            portfolio=portfolio,
            visit_date=visit_date,
            year=portfolio.cycle_year or visit_date.year,
            arranged_by=actor,
        )
        assessor_assign(portfolio=portfolio, assessor=lead, due_date=due, actor=actor, is_lead=True)
        for profile in reviewers:
            assessor_assign(portfolio=portfolio, assessor=profile.user, due_date=due, actor=actor)
        audit_log(
            actor=actor,
            verb="programme.peer_team_assigned",
            obj=visit,
            details={
                "portfolio": portfolio.pk,
                "lead": lead.pk,
                "reviewers": [p.user_id for p in reviewers],
                "visit_date": visit_date.isoformat(),
            },
        )
    return visit


def action_point_add(
    *,
    actor: User,
    portfolio: Portfolio,
    text: str,
    owner: str,
    due_date: dt.date | None,
    criterion: Criterion | None = None,
) -> ActionPoint:
    """An action point for the community's annual report. Admins (the lead reviewer is one).
    Side effects: INSERT ActionPoint; audit "programme.action_point_added"."""
    _require(actor, "programmes.manage_cycle", portfolio)
    if due_date is None:
        raise ValidationError({"due_date": _("Give the date it should be done by.")})
    if criterion is not None and criterion.standard.framework_id != portfolio.framework_id:
        raise ValidationError({"criterion": _("Choose a criterion of this framework.")})
    point = ActionPoint(
        portfolio=portfolio,
        text=text.strip(),
        owner=owner.strip(),
        due_date=due_date,
        criterion=criterion,
        added_by=actor,
    )
    point.full_clean()
    with transaction.atomic():
        point.save()
        audit_log(
            actor=actor,
            verb="programme.action_point_added",
            obj=point,
            details={"portfolio": portfolio.pk},
        )
    return point


def peer_reviewer_nominate(
    *, actor: User, unit: Unit, user: User, kind: str
) -> PeerReviewerProfile:
    """A member community nominates one of its people (staff or service user) as a peer
    reviewer; CCQI admins may also add independent former staff or residents (no unit).
    Side effects: INSERT PeerReviewerProfile (status nominated); audit."""
    _require(actor, "programmes.nominate_reviewer", unit)
    if kind not in ReviewerKind.values:
        raise ValidationError({"kind": _("Choose what kind of reviewer they are.")})
    if PeerReviewerProfile.objects.filter(user=user).exists():
        raise ValidationError({"email": _("%(person)s is already in the pool.") % {"person": user}})
    independent = kind in (ReviewerKind.FORMER_STAFF, ReviewerKind.FORMER_RESIDENT)
    profile = PeerReviewerProfile(
        user=user,
        kind=kind,
        nominated_by_unit=None if independent else unit,
        home_organisation=None if independent else unit.organisation,
    )
    profile.full_clean()
    with transaction.atomic():
        profile.save()
        audit_log(
            actor=actor,
            verb="programme.reviewer_nominated",
            obj=profile,
            details={"unit": unit.pk, "kind": kind},
        )
    return profile


def peer_reviewer_approve(
    *, actor: User, profile: PeerReviewerProfile, trained_on: dt.date | None
) -> PeerReviewerProfile:
    """CCQI approves a nominated reviewer and records their training date. From now on the
    account holds the reviewer role (User.is_peer_reviewer). Side effects: row locks on the
    profile and the user; audit "programme.reviewer_approved". Approving twice updates the
    training date only."""
    _require(actor, "programmes.coordinate")
    if trained_on is None:
        raise ValidationError({"trained_on": _("Give the date they completed reviewer training.")})
    if trained_on > timezone.localdate():
        raise ValidationError({"trained_on": _("The training date cannot be in the future.")})
    with transaction.atomic():
        locked = PeerReviewerProfile.objects.select_for_update().get(pk=profile.pk)
        locked.status = ReviewerStatus.APPROVED
        locked.trained_on = trained_on
        locked.approved_at = locked.approved_at or timezone.now()
        locked.save(update_fields=["status", "trained_on", "approved_at", "updated_at"])
        User.objects.filter(pk=locked.user_id).update(is_peer_reviewer=True)
        audit_log(
            actor=actor,
            verb="programme.reviewer_approved",
            obj=locked,
            details={"trained_on": trained_on.isoformat()},
        )
    profile.status, profile.trained_on = locked.status, locked.trained_on
    return profile


def national_report_render(*, actor: User, year: int) -> NationalReport:
    """Queue the national report PDF of a cycle year (again, if it exists). Side effects:
    upsert NationalReport (status rendering); audit; the render task on commit."""
    from .tasks import render_national_report  # noqa: PLC0415 -- tasks sit above services

    _require(actor, "programmes.coordinate")
    with transaction.atomic():
        report, _created = NationalReport.objects.select_for_update().get_or_create(
            programme=PROGRAMME, year=year
        )
        report.status = "rendering"
        report.error = ""
        report.save(update_fields=["status", "error", "updated_at"])
        audit_log(actor=actor, verb="programme.national_report_rendered", obj=report)
        enqueue_on_commit(render_national_report, report_id=report.pk)
    return report
