"""Every transition of the review cycle: one function each (STYLE.md §5).

Each transition checks the actor's permission (PermissionDenied), locks the row it changes
(select_for_update inside transaction.atomic), guards the source state on the *locked* row
(so two people pressing the same button produce one transition: the second is a no-op or an
InvalidTransitionError), saves with update_fields, writes an audit event (portfolio state
changes go through portfolios.services.portfolio_transition, which writes the PortfolioEvent
and its audit event) and queues emails and PDFs with enqueue_on_commit.
"""

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ee_portal.audit.services import audit_log
from ee_portal.lib.celery import enqueue_on_commit
from network.models import User
from portfolios.enums import TRANSITIONS, PortfolioState
from portfolios.models import CriterionResponse, Portfolio, PortfolioRevision
from portfolios.services import InvalidTransitionError, portfolio_transition
from standards.models import Criterion

from . import hooks, tasks
from .enums import (
    ACTIVE_ASSIGNMENT_STATES,
    AssignmentState,
    DecisionOutcome,
    ReportKind,
    ReportStatus,
)
from .models import AgreedScore, Assignment, CriterionScore, Decision, EvidenceRequest, Report
from .selectors import (
    DECISION_STEP,
    LIVE_ASSIGNMENT_STATES,
    Unfinished,
    assessor_conflict_reason,
    criteria_for_portfolio,
    decision_basis,
    is_practice,
    unfinished_before,
)
from .services import rating_values

__all__ = [
    "ASSIGNABLE_STATES",
    "InvalidTransitionError",
    "assessor_assign",
    "assignment_declare_conflict",
    "assignment_declare_no_conflict",
    "assignment_submit_scores",
    "decision_record",
    "portfolio_accept_resubmission",
    "portfolio_request_more_evidence",
    "report_release",
    "report_render",
    "review_advance",
    "scores_agree",
]

ASSIGNABLE_STATES = (
    PortfolioState.SUBMITTED,
    PortfolioState.RESUBMITTED,
    PortfolioState.IN_REVIEW,
)
# Where a portfolio can go next by hand (the rest follow from other transitions).
ADVANCE_TARGETS = (PortfolioState.INTERIM_REPORT, PortfolioState.VISIT, PortfolioState.PANEL)
# Agreed scores may be recorded while the assessors' work is in hand.
CONSOLIDATION_STATES = (
    PortfolioState.IN_REVIEW,
    PortfolioState.RESUBMITTED,
    PortfolioState.INTERIM_REPORT,
    PortfolioState.VISIT,
    PortfolioState.PANEL,
)
REQUEST_EVIDENCE_STATES = (
    PortfolioState.IN_REVIEW,
    PortfolioState.RESUBMITTED,
    PortfolioState.INTERIM_REPORT,
)


def _check(actor: User, perm: str, obj: models.Model | None) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied


def _locked_portfolio(portfolio: Portfolio) -> Portfolio:
    locked = Portfolio.objects.select_for_update().get(pk=portfolio.pk)
    portfolio.state = locked.state
    return locked


def _locked_assignment(assignment: Assignment) -> Assignment:
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("portfolio")
        .get(pk=assignment.pk)
    )
    return locked


def _sync(target: object, source: object, fields: Iterable[str]) -> None:
    """Copy the saved values back onto the caller's (possibly stale) instance."""
    for name in fields:
        setattr(target, name, getattr(source, name))


# --- assignment ------------------------------------------------------------------------------


def assessor_assign(
    *,
    portfolio: Portfolio,
    assessor: User,
    due_date: dt.date,
    actor: User,
    is_lead: bool = False,
) -> Assignment:
    """Assign an assessor to a submitted (or resubmitted, or in-review) portfolio.

    Refuses derived conflicts of interest (home organisation, or a role in the unit or in
    any unit of its organisation), a second live assignment of the same assessor, a
    second lead and a practice portfolio (issue 16). Side effects: INSERT Assignment; audit
    "review.assigned"; the first assignment of a submitted portfolio moves it to in_review
    (PortfolioEvent + audit); on commit, the "review-assigned" email to the assessor.
    """
    _check(actor, "reviews.assign_assessor", portfolio)
    if not getattr(assessor, "is_assessor", False):
        raise ValidationError({"assessor": "Only trained assessors can be assigned."})
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": "The due date cannot be in the past."})
    with transaction.atomic():
        locked = _locked_portfolio(portfolio)
        if locked.state not in ASSIGNABLE_STATES:
            raise InvalidTransitionError(
                f"Assessors can be assigned only once a portfolio is submitted; this one is "
                f"{locked.get_state_display().lower()}."
            )
        if is_practice(locked):
            raise InvalidTransitionError(
                _(
                    "This is a practice portfolio: assessors start it themselves from "
                    "Practice portfolios."
                )
            )
        reason = assessor_conflict_reason(assessor=assessor, unit=locked.unit)
        if reason:
            raise ValidationError({"assessor": f"Conflict of interest: {reason}"})
        live = locked.assignments.filter(state__in=LIVE_ASSIGNMENT_STATES)
        if live.filter(assessor=assessor).exists():
            raise ValidationError({"assessor": f"{assessor} is already assigned to this review."})
        if is_lead and live.filter(is_lead=True).exists():
            raise ValidationError({"is_lead": "This review already has a lead assessor."})
        assignment = Assignment(
            portfolio=locked,
            assessor=assessor,
            assigned_by=actor,
            is_lead=is_lead,
            due_date=due_date,
        )
        assignment.full_clean()
        assignment.save()
        audit_log(
            actor=actor,
            verb="review.assigned",
            obj=assignment,
            details={"portfolio": locked.pk, "assessor": assessor.pk, "lead": is_lead},
        )
        if locked.state == PortfolioState.SUBMITTED:
            portfolio_transition(
                portfolio=locked,
                to_state=PortfolioState.IN_REVIEW,
                actor=actor,
                note=f"Assessor assigned: {assessor}",
            )
            portfolio.state = locked.state
        enqueue_on_commit(
            tasks.send_assignment_email, assignment_id=assignment.pk, event="assigned"
        )
    return assignment


def assignment_declare_no_conflict(*, assignment: Assignment, actor: User) -> Assignment:
    """The assessor declares no conflict of interest and may now see the evidence.

    awaiting_declaration -> scoring (a repeat is a no-op). Side effects: UPDATE Assignment
    (state, declared_at); audit "review.declared_no_conflict".
    """
    _check(actor, "reviews.declare_assignment", assignment)
    with transaction.atomic():
        locked = _locked_assignment(assignment)
        if locked.state == AssignmentState.SCORING:
            return locked
        if locked.state != AssignmentState.AWAITING_DECLARATION:
            raise InvalidTransitionError(
                f"This assignment is {locked.get_state_display().lower()}: there is nothing "
                f"to declare."
            )
        locked.state = AssignmentState.SCORING
        locked.declared_at = timezone.now()
        locked.save(update_fields=["state", "declared_at", "updated_at"])
        audit_log(actor=actor, verb="review.declared_no_conflict", obj=locked)
    _sync(assignment, locked, ("state", "declared_at"))
    return assignment


def assignment_declare_conflict(*, assignment: Assignment, reason: str, actor: User) -> Assignment:
    """The assessor declares a conflict, handing the assignment back to the admins.

    awaiting_declaration or scoring -> conflict (a repeat is a no-op). The assignment stops
    counting as live (another assessor, or the same one later, can be assigned). Side
    effects: UPDATE Assignment (state, conflict_reason, declared_at, is_lead cleared);
    audit "review.declared_conflict"; on commit, the "review-conflict" email to CCQI admins.
    """
    _check(actor, "reviews.declare_assignment", assignment)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Please say briefly what the conflict is."})
    with transaction.atomic():
        locked = _locked_assignment(assignment)
        if locked.state == AssignmentState.CONFLICT:
            return locked
        if locked.state not in (AssignmentState.AWAITING_DECLARATION, AssignmentState.SCORING):
            raise InvalidTransitionError(
                f"This assignment is {locked.get_state_display().lower()}; please contact the "
                f"CCQI team about the conflict."
            )
        locked.state = AssignmentState.CONFLICT
        locked.conflict_reason = reason
        locked.declared_at = timezone.now()
        locked.save(update_fields=["state", "conflict_reason", "declared_at", "updated_at"])
        audit_log(actor=actor, verb="review.declared_conflict", obj=locked)
        enqueue_on_commit(tasks.send_assignment_email, assignment_id=locked.pk, event="conflict")
    _sync(assignment, locked, ("state", "conflict_reason", "declared_at"))
    return assignment


def assignment_submit_scores(*, assignment: Assignment, actor: User) -> Assignment:
    """Submit the assessor's scores once every criterion has a rating.

    scoring -> submitted (a repeat is a no-op); the scores are then locked, and the other
    assessors' submitted scores become visible to this assessor. Side effects: UPDATE
    Assignment (state, scores_submitted_at); audit "review.scores_submitted"; on commit,
    the "review-scores-submitted" email (to the lead assessor, or to CCQI admins), except
    on a practice portfolio (issue 16), where the reference ratings take the others' place.
    """
    _check(actor, "reviews.score_assignment", assignment)
    with transaction.atomic():
        locked = _locked_assignment(assignment)
        if locked.state == AssignmentState.SUBMITTED:
            return locked
        if locked.state != AssignmentState.SCORING:
            raise InvalidTransitionError("Declare that you have no conflict before scoring.")
        rated = set(
            CriterionScore.objects.filter(assignment=locked)
            .exclude(rating="")
            .values_list("criterion_id", flat=True)
        )
        missing = [
            c.code for c in criteria_for_portfolio(portfolio=locked.portfolio) if c.pk not in rated
        ]
        if missing:
            raise ValidationError(
                f"Please rate every criterion before submitting. Still to rate: "
                f"{', '.join(missing)}.",
                code="incomplete",
            )
        locked.state = AssignmentState.SUBMITTED
        locked.scores_submitted_at = timezone.now()
        locked.save(update_fields=["state", "scores_submitted_at", "updated_at"])
        audit_log(
            actor=actor,
            verb="review.scores_submitted",
            obj=locked,
            details={"criteria": len(rated)},
        )
        if not is_practice(locked.portfolio):  # practice (issue 16) emails nobody
            enqueue_on_commit(
                tasks.send_assignment_email, assignment_id=locked.pk, event="scores-submitted"
            )
    _sync(assignment, locked, ("state", "scores_submitted_at"))
    return assignment


# --- the portfolio as a whole ----------------------------------------------------------------


def scores_agree(
    *,
    portfolio: Portfolio,
    ratings: Mapping[int, tuple[str, str]],
    actor: User,
    override: bool = False,
) -> list[AgreedScore]:
    """Record the agreed rating and comment per criterion ({criterion_id: (rating, comment)}).

    Lead assessor or admin, once every cleared assessor has submitted; an admin may
    override that (``override=True``). Criteria with an empty rating are skipped. Side
    effects: one upsert of AgreedScore per rated criterion; audit "review.scores_agreed".
    """
    _check(actor, "reviews.consolidate_scores", portfolio)
    if override and not actor.is_ccqi_admin:
        raise PermissionDenied
    allowed = rating_values(portfolio)
    criteria = {c.pk: c for c in criteria_for_portfolio(portfolio=portfolio)}
    wanted = {cid: value for cid, value in ratings.items() if value[0]}
    for cid, (rating, _comment) in wanted.items():
        if cid not in criteria:
            raise ValidationError("That criterion is not part of this portfolio.")
        if rating not in allowed:
            raise ValidationError(f"Choose a rating from the scale for {criteria[cid].code}.")
    with transaction.atomic():
        locked = _locked_portfolio(portfolio)
        if locked.state not in CONSOLIDATION_STATES:
            raise InvalidTransitionError(
                f"Scores cannot be agreed while the portfolio is "
                f"{locked.get_state_display().lower()}."
            )
        states = list(
            locked.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).values_list(
                "state", flat=True
            )
        )
        ready = bool(states) and all(s == AssignmentState.SUBMITTED for s in states)
        if not ready and not override:
            raise ValidationError(
                "Scores can be agreed once every assessor has submitted theirs.", code="not_ready"
            )
        saved = []
        for cid, (rating, comment) in wanted.items():
            agreed, _ = AgreedScore.objects.update_or_create(
                portfolio=locked,
                criterion=criteria[cid],
                defaults={"rating": rating, "comment": comment.strip(), "agreed_by": actor},
            )
            saved.append(agreed)
        audit_log(
            actor=actor,
            verb="review.scores_agreed",
            obj=locked,
            details={"criteria": sorted(criteria[c].code for c in wanted), "override": not ready},
        )
    return saved


def portfolio_request_more_evidence(
    *,
    portfolio: Portfolio,
    criteria: Iterable[Criterion],
    message: str,
    due_date: dt.date,
    actor: User,
) -> EvidenceRequest:
    """Ask the unit for more evidence on the named criteria; only those reopen.

    in_review/resubmitted/interim_report -> more_evidence. Sets CriterionResponse.reopened
    to True on exactly the named criteria (creating a response row if one is missing) and
    False on the rest; scores are kept. Side effects: INSERT EvidenceRequest (+ criteria);
    UPDATE of the responses; PortfolioEvent + audit via portfolio_transition; on commit, the
    "review-more-evidence" email to the unit leads.
    """
    _check(actor, "reviews.request_more_evidence", portfolio)
    criteria = list(criteria)
    errors = {}
    if not criteria:
        errors["criteria"] = "Choose at least one criterion to reopen."
    if not message.strip():
        errors["message"] = "Tell the unit what you would like to see."
    if due_date <= timezone.localdate():
        errors["due_date"] = "The due date must be in the future."
    if any(c.standard.framework_id != portfolio.framework_id for c in criteria):
        errors["criteria"] = "Those criteria are not part of this portfolio."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked_portfolio(portfolio)
        if locked.state == PortfolioState.MORE_EVIDENCE:
            raise InvalidTransitionError("More evidence has already been requested.")
        if locked.state not in REQUEST_EVIDENCE_STATES:
            raise InvalidTransitionError(
                f"More evidence cannot be requested while the portfolio is "
                f"{locked.get_state_display().lower()}."
            )
        revision = (
            PortfolioRevision.objects.filter(portfolio=locked)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        request = EvidenceRequest(
            portfolio=locked,
            message=message.strip(),
            due_date=due_date,
            requested_by=actor,
            from_revision=revision,
        )
        request.full_clean()
        request.save()
        request.criteria.set(criteria)
        ids = [c.pk for c in criteria]
        existing = set(
            CriterionResponse.objects.filter(portfolio=locked, criterion_id__in=ids).values_list(
                "criterion_id", flat=True
            )
        )
        CriterionResponse.objects.bulk_create(
            [
                CriterionResponse(portfolio=locked, criterion_id=cid, reopened=True)
                for cid in ids
                if cid not in existing
            ]
        )
        CriterionResponse.objects.filter(portfolio=locked, criterion_id__in=ids).update(
            reopened=True, updated_at=timezone.now()
        )
        CriterionResponse.objects.filter(portfolio=locked).exclude(criterion_id__in=ids).update(
            reopened=False
        )
        codes = sorted(c.code for c in criteria)
        portfolio_transition(
            portfolio=locked,
            to_state=PortfolioState.MORE_EVIDENCE,
            actor=actor,
            note=f"More evidence requested on {', '.join(codes)}",
        )
        audit_log(
            actor=actor,
            verb="review.more_evidence_requested",
            obj=request,
            details={"portfolio": locked.pk, "criteria": codes, "due": due_date.isoformat()},
        )
        enqueue_on_commit(tasks.send_evidence_request_email, request_id=request.pk)
    portfolio.state = locked.state
    return request


def portfolio_accept_resubmission(*, portfolio: Portfolio, actor: User) -> Portfolio:
    """Take a resubmitted portfolio back into review; every score is kept.

    resubmitted -> in_review (a repeat is a no-op). Resolves open evidence requests. Side
    effects: UPDATE EvidenceRequest.resolved_at; PortfolioEvent + audit via
    portfolio_transition; on commit, the "review-resubmission" email to cleared assessors.
    """
    _check(actor, "reviews.accept_resubmission", portfolio)
    with transaction.atomic():
        locked = _locked_portfolio(portfolio)
        if locked.state == PortfolioState.IN_REVIEW:
            return portfolio
        if locked.state != PortfolioState.RESUBMITTED:
            raise InvalidTransitionError(
                f"Only a resubmitted portfolio can be accepted; this one is "
                f"{locked.get_state_display().lower()}."
            )
        EvidenceRequest.objects.filter(portfolio=locked, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
        portfolio_transition(
            portfolio=locked,
            to_state=PortfolioState.IN_REVIEW,
            actor=actor,
            note="Resubmission accepted",
        )
        enqueue_on_commit(tasks.send_portfolio_email, portfolio_id=locked.pk, event="resubmission")
    _sync(portfolio, locked, ("state", "updated_at"))
    return portfolio


def _unfinished_or_override(
    *, portfolio: Portfolio, step: str, override_reason: str, actor: User
) -> list[Unfinished]:
    """Refuse a stage whose artefacts are missing, unless a CCQI admin overrides with a reason.

    Returns what was overridden (empty when nothing was missing). Raises ValidationError
    naming what is unfinished; PermissionDenied when someone else than an admin overrides.
    """
    unfinished = unfinished_before(portfolio=portfolio, step=step)
    if not unfinished:
        return []
    reason = override_reason.strip()
    if not reason:
        raise ValidationError(
            _("Not yet: %(missing)s") % {"missing": " ".join(item.text for item in unfinished)},
            code="unfinished",
        )
    if not actor.is_ccqi_admin:
        raise PermissionDenied
    return unfinished


def _audit_override(
    *, portfolio: Portfolio, step: str, unfinished: list[Unfinished], reason: str, actor: User
) -> None:
    audit_log(
        actor=actor,
        verb="review.step_overridden",
        obj=portfolio,
        details={
            "step": step,
            "unfinished": [item.key for item in unfinished],
            "reason": reason.strip(),
        },
    )


def review_advance(
    *,
    portfolio: Portfolio,
    to_state: str,
    actor: User,
    note: str = "",
    override_reason: str = "",
) -> Portfolio:
    """Move a portfolio on to the interim report, the visit or the panel.

    Lead assessor or admin; the allowed source states are those of portfolios.enums
    TRANSITIONS (already there is a no-op). The stage's artefacts must exist
    (selectors.unfinished_before: submitted and agreed scores before the interim report,
    the interim report released before the visit, the visit recorded before the panel);
    otherwise ValidationError naming what is missing, unless a CCQI admin gives
    ``override_reason``. Side effects: PortfolioEvent + audit via portfolio_transition; for
    an override, audit "review.step_overridden" (step, what was unfinished, the reason).
    """
    _check(actor, "reviews.advance_review", portfolio)
    if to_state not in ADVANCE_TARGETS:
        raise InvalidTransitionError("That is not a step of the review.")
    with transaction.atomic():
        locked = _locked_portfolio(portfolio)
        if locked.state == to_state:
            return portfolio
        if to_state not in TRANSITIONS.get(locked.state, ()):
            # A wrong step is refused as such, before any list of what is missing.
            raise InvalidTransitionError(
                f"A portfolio that is {locked.get_state_display().lower()} cannot become "
                f"{PortfolioState(to_state).label.lower()}."
            )
        unfinished = _unfinished_or_override(
            portfolio=locked, step=to_state, override_reason=override_reason, actor=actor
        )
        if unfinished:
            skipped = "; ".join(item.text for item in unfinished)
            note = (note + " " if note else "") + f"Moved on without: {skipped}"
        portfolio_transition(portfolio=locked, to_state=to_state, actor=actor, note=note)
        if unfinished:
            _audit_override(
                portfolio=locked,
                step=to_state,
                unfinished=unfinished,
                reason=override_reason,
                actor=actor,
            )
    _sync(portfolio, locked, ("state", "updated_at"))
    return portfolio


def decision_record(
    *,
    portfolio: Portfolio,
    outcome: str,
    rationale: str,
    actor: User,
    conditions: str = "",
    conditions_due: dt.date | None = None,
    decided_on: dt.date | None = None,
    override_reason: str = "",
) -> Decision:
    """Record the panel's decision (CCQI admins only).

    panel -> awarded / deferred / not_awarded. Deferral needs conditions and a due date.
    The summary report must be released first (ValidationError naming it), unless
    ``override_reason`` is given. Side effects: INSERT Decision; PortfolioEvent + audit via
    portfolio_transition; audit "review.decision_recorded" (with what the panel had not
    seen); for an override, audit "review.step_overridden"; the "decision recorded" hook
    (reviews/hooks.py: awards issues the award and certificate for "awarded") in the same
    transaction; on commit, the decision letter email to the unit lead(s), which says what
    the panel considered (selectors.decision_basis).
    """
    _check(actor, "reviews.record_decision", portfolio)
    errors = {}
    if outcome not in DecisionOutcome.values:
        errors["outcome"] = "Choose an outcome."
    if not rationale.strip():
        errors["rationale"] = "Give the panel's reasons."
    if outcome == DecisionOutcome.DEFERRED:
        if not conditions.strip():
            errors["conditions"] = "Say what the unit needs to do."
        if conditions_due is None:
            errors["conditions_due"] = "Give the date by which the conditions are due."
    if errors:
        raise ValidationError(errors)
    if outcome != DecisionOutcome.DEFERRED:
        conditions, conditions_due = "", None
    with transaction.atomic():
        locked = _locked_portfolio(portfolio)
        if locked.state != PortfolioState.PANEL:
            raise InvalidTransitionError(
                f"A decision can be recorded only when the portfolio is with the panel; it is "
                f"{locked.get_state_display().lower()}."
            )
        unfinished = _unfinished_or_override(
            portfolio=locked, step=DECISION_STEP, override_reason=override_reason, actor=actor
        )
        decision = Decision(
            portfolio=locked,
            outcome=outcome,
            rationale=rationale.strip(),
            conditions=conditions.strip(),
            conditions_due=conditions_due,
            decided_on=decided_on or timezone.localdate(),
            decided_by=actor,
        )
        decision.full_clean()
        decision.save()
        portfolio_transition(
            portfolio=locked, to_state=outcome, actor=actor, note=f"Panel decision: {outcome}"
        )
        audit_log(
            actor=actor,
            verb="review.decision_recorded",
            obj=decision,
            details={
                "portfolio": locked.pk,
                "outcome": outcome,
                "not_considered": decision_basis(portfolio=locked).not_considered,
            },
        )
        if unfinished:
            _audit_override(
                portfolio=locked,
                step=DECISION_STEP,
                unfinished=unfinished,
                reason=override_reason,
                actor=actor,
            )
        # Registered by higher apps (awards issues the award and certificate for "awarded").
        hooks.decision_recorded(decision=decision, actor=actor)
        enqueue_on_commit(tasks.send_decision_letter, decision_id=decision.pk)
    _sync(portfolio, locked, ("state", "updated_at", "closed_at"))
    return decision


# --- reports ---------------------------------------------------------------------------------


def _queue_render(report: Report) -> None:
    report.status = ReportStatus.RENDERING
    report.error = ""
    report.save(update_fields=["status", "error", "updated_at"])
    enqueue_on_commit(tasks.render_report_pdf, report_id=report.pk)


def _generic_report(report: Report) -> None:
    # Feedback reports have their own route (awards.services.feedback_report_*), with their
    # own template and task; the generic report functions would render the wrong one.
    if report.kind == ReportKind.FEEDBACK:
        raise ValidationError("Feedback reports are prepared and released from the award page.")


def report_render(*, report: Report, actor: User) -> Report:
    """(Re)build the report's PDF in the background, e.g. a draft preview or after a failure.

    A report already rendering is a no-op. Side effects: UPDATE Report (status rendering);
    on commit, the "reviews.render_report_pdf" task.
    """
    _check(actor, "reviews.edit_report", report)
    _generic_report(report)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != ReportStatus.RENDERING:
            _queue_render(locked)
    _sync(report, locked, ("status", "error"))
    return report


def report_release(*, report: Report, actor: User) -> Report:
    """Release a report to the unit (lead assessor or admin); it is then frozen.

    A released report is a no-op. Side effects: UPDATE Report (released_at, status
    rendering); audit "review.report_released"; on commit, the PDF task and the
    "review-report-released" email to the unit leads.
    """
    _check(actor, "reviews.release_report", report)
    _generic_report(report)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.released_at is not None:
            return locked
        locked.released_at = timezone.now()
        locked.save(update_fields=["released_at", "updated_at"])
        _queue_render(locked)
        audit_log(
            actor=actor,
            verb="review.report_released",
            obj=locked,
            details={"portfolio": locked.portfolio_id, "kind": locked.kind},
        )
        enqueue_on_commit(tasks.send_report_released_email, report_id=locked.pk)
    _sync(report, locked, ("released_at", "status", "error"))
    return report
