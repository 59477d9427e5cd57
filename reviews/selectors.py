"""Reads for reviews. Each returns prefetched data so pages keep a constant query count."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Min, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from network.models import AssessorProfile, PeerReviewerProfile, Unit, UnitRole, User
from portfolios.enums import Cycle, PortfolioState
from portfolios.models import CriterionResponse, EvidenceLink, Portfolio, PortfolioRevision
from portfolios.selectors import CriterionChange, revision_diff, word_for_portfolio
from standards.decision import RuleResult, rule_evaluate
from standards.models import Criterion

from .enums import ACTIVE_ASSIGNMENT_STATES, AssignmentState, ReportKind
from .models import (
    AgreedScore,
    Assignment,
    CalibrationExercise,
    CriterionScore,
    Decision,
    EvidenceRequest,
    Report,
)

# Portfolios an admin works on from the review queue.
QUEUE_STATES = (
    PortfolioState.SUBMITTED,
    PortfolioState.IN_REVIEW,
    PortfolioState.MORE_EVIDENCE,
    PortfolioState.RESUBMITTED,
    PortfolioState.INTERIM_REPORT,
    PortfolioState.VISIT,
    PortfolioState.PANEL,
)
# Assignments still owing work (declaration or scores).
OPEN_ASSIGNMENT_STATES = (AssignmentState.AWAITING_DECLARATION, AssignmentState.SCORING)
# Assignments that count on a portfolio (not handed back).
LIVE_ASSIGNMENT_STATES = (*OPEN_ASSIGNMENT_STATES, AssignmentState.SUBMITTED)
PREVIEWABLE_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp")


def is_practice(portfolio: Portfolio) -> bool:
    """Whether the portfolio is a practice portfolio of a calibration exercise (issue 16).

    No query when ``calibration`` was select_related, one otherwise.
    """
    try:
        return portfolio.calibration is not None
    except CalibrationExercise.DoesNotExist:
        return False


def assignment_list_for_assessor(*, user: User) -> QuerySet[Assignment]:
    """The assessor's assignments, soonest due first (one query)."""
    return (
        Assignment.objects.filter(assessor=user)
        .select_related("portfolio__unit__organisation", "portfolio__calibration")
        .order_by("due_date", "id")
    )


def review_queue_for_admin(*, today: dt.date | None = None) -> QuerySet[Portfolio]:
    """Portfolios under review, overdue first, then by state and the next due date.

    Two queries when evaluated: the portfolios (annotated with ``next_due``, ``is_overdue``,
    ``open_count``) and one prefetch of their assignments with assessors.
    """
    today = today or timezone.localdate()
    open_filter = Q(assignments__state__in=OPEN_ASSIGNMENT_STATES)
    state_order = Case(
        *(When(state=state, then=Value(index)) for index, state in enumerate(QUEUE_STATES)),
        default=Value(99),
    )
    return (
        # Practice portfolios (issue 16) are never in the queue.
        Portfolio.objects.filter(state__in=QUEUE_STATES, calibration__isnull=True)
        .select_related("unit__organisation", "framework")
        .annotate(
            next_due=Min("assignments__due_date", filter=open_filter),
            open_count=Count("assignments", filter=open_filter),
        )
        .annotate(
            is_overdue=Case(When(next_due__lt=today, then=Value(True)), default=Value(False)),
            state_order=state_order,
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(state__in=LIVE_ASSIGNMENT_STATES)
                .select_related("assessor")
                .order_by("-is_lead", "id"),
                to_attr="live_assignments",
            )
        )
        .order_by("-is_overdue", "state_order", "next_due", "id")
    )


def review_queue_counts() -> dict[str, int]:
    """How many portfolios sit in each queue state (one query)."""
    rows = (
        Portfolio.objects.filter(state__in=QUEUE_STATES, calibration__isnull=True)
        .values("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["state"]: row["n"] for row in rows}


def may_be_assigned(*, assessor: User, portfolio: Portfolio) -> bool:
    """Trained EE assessors review every cycle; an annual cycle's team may also hold approved
    peer reviewers and CCQI staff (the lead reviewer). No query."""
    if assessor.is_assessor:
        return True
    return portfolio.cycle == Cycle.ANNUAL and (assessor.is_peer_reviewer or assessor.is_ccqi_admin)


def assessor_conflict_reason(*, assessor: User, unit: Unit) -> str:
    """Why the assessor may not review this unit, or "" when there is no derived conflict.

    Conflicts: the assessor's (or peer reviewer's) home organisation is the unit's
    organisation, or they hold a role in the unit or in any unit of the same organisation.
    Two queries at most (three for a peer reviewer).
    """
    home_id = (
        AssessorProfile.objects.filter(user=assessor)
        .values_list("home_organisation_id", flat=True)
        .first()
    )
    if home_id is None and assessor.is_peer_reviewer:
        home_id = (
            PeerReviewerProfile.objects.filter(user=assessor)
            .values_list("home_organisation_id", flat=True)
            .first()
        )
    if home_id is not None and home_id == unit.organisation_id:
        return (
            f"{assessor} works for {unit.organisation} (their home organisation), "
            f"which runs {unit}."
        )
    role = (
        UnitRole.objects.filter(user=assessor, unit__organisation_id=unit.organisation_id)
        .select_related("unit")
        .first()
    )
    if role is not None:
        if role.unit_id == unit.pk:
            return f"{assessor} is {role.get_role_display().lower()} of {unit} itself."
        return (
            f"{assessor} is {role.get_role_display().lower()} of {role.unit}, another unit "
            f"of {unit.organisation}."
        )
    return ""


def assessors_assignable_to(*, portfolio: Portfolio) -> QuerySet[User]:
    """Active assessors who could be assigned now, by name (one query when evaluated).

    Leaves out those already on the review (a live assignment) and those with a derived
    conflict (assessor_conflict_reason: home organisation, or a role in a unit of the same
    organisation), so the assign form never offers a choice that assessor_assign refuses.
    """
    organisation_id = portfolio.unit.organisation_id
    return (
        User.objects.filter(is_assessor=True, is_active=True)
        .exclude(
            pk__in=Assignment.objects.filter(
                portfolio=portfolio, state__in=LIVE_ASSIGNMENT_STATES
            ).values("assessor_id")
        )
        .exclude(assessor_profile__home_organisation_id=organisation_id)
        .exclude(
            pk__in=UnitRole.objects.filter(unit__organisation_id=organisation_id).values("user_id")
        )
        .order_by("full_name", "email")
    )


def portfolio_has_live_lead(*, portfolio: Portfolio) -> bool:
    """Whether a live assignment is already the lead (one query)."""
    return portfolio.assignments.filter(state__in=LIVE_ASSIGNMENT_STATES, is_lead=True).exists()


def criteria_for_portfolio(*, portfolio: Portfolio) -> QuerySet[Criterion]:
    """The portfolio's framework criteria in standard order, with their standard (one query)."""
    return (
        Criterion.objects.filter(standard__framework_id=portfolio.framework_id)
        .select_related("standard")
        .order_by("standard__number", "order", "code")
    )


def criteria_to_rate(*, assignment: Assignment) -> list[Criterion]:
    """The criteria this assessor has not rated yet, in standard order (one query).

    What "Submit my scores" checks before it asks (issue 17), and where "Next criterion to
    rate" leads; the same rule as workflow.assignment_submit_scores.
    """
    rated = CriterionScore.objects.filter(assignment_id=assignment.pk).exclude(rating="")
    criteria = list(
        criteria_for_portfolio(portfolio=assignment.portfolio).exclude(
            pk__in=rated.values("criterion_id")
        )
    )
    word_for_portfolio(criteria, portfolio=assignment.portfolio)
    return criteria


@dataclass
class EvidenceItem:
    pk: int
    title: str
    kind: str
    content_type: str
    original_name: str
    text: str

    @property
    def is_previewable(self) -> bool:
        return self.kind == "file" and self.content_type in PREVIEWABLE_TYPES

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


@dataclass
class ScoringRow:
    criterion: Criterion
    response: CriterionResponse | None
    evidence: list[EvidenceItem] = field(default_factory=list)
    score: CriterionScore | None = None
    others: list[CriterionScore] = field(default_factory=list)


def _evidence_by_criterion(portfolio: Portfolio) -> dict[int, list[EvidenceItem]]:
    links = (
        EvidenceLink.objects.filter(evidence__portfolio=portfolio)
        .select_related("evidence")
        .only(
            "criterion_id",
            "evidence__id",
            "evidence__title",
            "evidence__kind",
            "evidence__content_type",
            "evidence__original_name",
            "evidence__text",
        )
        .order_by("evidence__title", "evidence_id")
    )
    grouped: dict[int, list[EvidenceItem]] = {}
    for link in links:
        ev = link.evidence
        grouped.setdefault(link.criterion_id, []).append(
            EvidenceItem(ev.pk, ev.title, ev.kind, ev.content_type, ev.original_name, ev.text)
        )
    return grouped


def scoring_rows(*, assignment: Assignment) -> list[ScoringRow]:
    """One row per criterion: narrative, linked evidence, own score, and (only once this
    assessor has submitted) the other assessors' submitted scores.

    Four queries (five after submission) whatever the number of evidence items.
    """
    portfolio = assignment.portfolio
    criteria = list(criteria_for_portfolio(portfolio=portfolio))
    word_for_portfolio(criteria, portfolio=portfolio)
    responses = {r.criterion_id: r for r in portfolio.responses.all()}
    evidence = _evidence_by_criterion(portfolio)
    own = {s.criterion_id: s for s in assignment.scores.all()}
    others: dict[int, list[CriterionScore]] = {}
    # On a practice portfolio (issue 16) the reference ratings take the others' place
    # (reviews/calibration.py): no assessor sees another's practice ratings.
    if assignment.state == AssignmentState.SUBMITTED and not is_practice(portfolio):
        for score in (
            CriterionScore.objects.filter(
                assignment__portfolio=portfolio, assignment__state=AssignmentState.SUBMITTED
            )
            .exclude(assignment=assignment)
            .select_related("assignment__assessor")
            .order_by("assignment_id")
        ):
            others.setdefault(score.criterion_id, []).append(score)
    return [
        ScoringRow(
            criterion=c,
            response=responses.get(c.pk),
            evidence=evidence.get(c.pk, []),
            score=own.get(c.pk),
            others=others.get(c.pk, []),
        )
        for c in criteria
    ]


@dataclass
class ConsolidationRow:
    criterion: Criterion
    scores: list[CriterionScore | None]
    agreed: AgreedScore | None
    # Per assessor (same order as ``scores``): their scores are submitted, not a draft.
    submitted: list[bool] = field(default_factory=list)

    @property
    def ratings(self) -> set[str]:
        return {s.rating for s in self.scores if s is not None and s.rating}

    @property
    def disagreement(self) -> bool:
        return len(self.ratings) > 1

    @property
    def unrated(self) -> bool:
        """Some assessor has not rated this criterion (or not yet submitted their rating)."""
        return any(s is None or not s.rating for s in self.scores) or not all(self.submitted)

    @property
    def suggested(self) -> str:
        """The rating to pre-fill: only one every assessor submitted and all agree on.

        Issue 17: pre-filling one assessor's rating where the other had not rated it invited
        rubber-stamping; anything short of full agreement is left for the person to choose.
        """
        ratings = self.ratings
        if not self.scores or self.unrated or len(ratings) != 1:
            return ""
        return next(iter(ratings))


def consolidation_data(*, portfolio: Portfolio) -> tuple[list[Assignment], list[ConsolidationRow]]:
    """Cleared assignments and, per criterion, each assessor's score beside the agreed one.

    Four queries: criteria, assignments, their scores, agreed scores.
    """
    criteria = list(criteria_for_portfolio(portfolio=portfolio))
    word_for_portfolio(criteria, portfolio=portfolio)
    assignments = list(
        portfolio.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES)
        .select_related("assessor")
        .order_by("-is_lead", "id")
    )
    scores: dict[tuple[int, int], CriterionScore] = {
        (s.assignment_id, s.criterion_id): s
        for s in CriterionScore.objects.filter(assignment__in=assignments)
    }
    agreed = {a.criterion_id: a for a in portfolio.agreed_scores.all()}
    rows = [
        ConsolidationRow(
            criterion=c,
            scores=[scores.get((a.pk, c.pk)) for a in assignments],
            agreed=agreed.get(c.pk),
            submitted=[a.state == AssignmentState.SUBMITTED for a in assignments],
        )
        for c in criteria
    ]
    return assignments, rows


def open_evidence_request(*, portfolio: Portfolio) -> EvidenceRequest | None:
    return (
        portfolio.evidence_requests.filter(resolved_at__isnull=True)
        .prefetch_related("criteria")
        .first()
    )


def reopened_criterion_ids(*, portfolio: Portfolio) -> set[int]:
    """Criteria named in the latest evidence request (resolved or not): what changed last."""
    latest = portfolio.evidence_requests.order_by("-created_at", "-id").first()
    if latest is None:
        return set()
    return set(latest.criteria.values_list("id", flat=True))


def changes_since_last_revision(*, portfolio: Portfolio) -> dict[str, CriterionChange]:
    """What the unit changed per criterion (by code) between its last two (re)submissions.

    One query (the two newest revisions); empty before the first resubmission.
    """
    revisions = list(PortfolioRevision.objects.filter(portfolio=portfolio).order_by("-number")[:2])
    if len(revisions) < 2:
        return {}
    new, old = revisions
    return {change.code: change for change in revision_diff(old=old, new=new)}


def changes_since_previous_cycle(*, portfolio: Portfolio) -> dict[str, CriterionChange]:
    """For a renewal or interim review: what changed per criterion (by code) since the last
    submission of the portfolio it started from. Carried-over evidence matches by content.

    Two queries (the newest revision of each portfolio); empty without a previous portfolio
    or before this one is submitted.
    """
    if portfolio.previous_id is None:
        return {}
    latest = PortfolioRevision.objects.order_by("-number")
    new = latest.filter(portfolio=portfolio).first()
    old = latest.filter(portfolio_id=portfolio.previous_id).first()
    if new is None or old is None:
        return {}
    return {c.code: c for c in revision_diff(old=old, new=new, across_cycles=True)}


# The artefact each stage needs before the portfolio may enter it (issue 17), following the
# programme's process: agreed scores before the interim (desk) report, the interim report
# released before the visit, the visit recorded before the panel, the summary report released
# before a decision. "decision" stands for the panel's outcome (decision_record).
DECISION_STEP = "decision"
STEP_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    PortfolioState.INTERIM_REPORT: ("scores", "agreed"),
    PortfolioState.VISIT: ("interim",),
    PortfolioState.PANEL: ("visit",),
    DECISION_STEP: ("summary",),
}
# The annual cycle (Cycle.ANNUAL): peer ratings agreed before the accreditation committee,
# the annual report released before a decision or before the cycle completes.
ANNUAL_STEP_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    PortfolioState.PANEL: ("scores", "agreed", "annual"),
    PortfolioState.COMPLETED: ("annual",),
    DECISION_STEP: ("annual",),
}


@dataclass(frozen=True)
class Unfinished:
    """One thing not done yet before a stage: ``key`` for the audit log, ``text`` for people."""

    key: str
    text: str


def _released(portfolio: Portfolio, kind: str) -> bool:
    return portfolio.reports.filter(kind=kind, released_at__isnull=False).exists()


def _visit_recorded(portfolio: Portfolio) -> bool:
    return portfolio.reports.filter(kind=ReportKind.VISIT, visit_date__isnull=False).exists()


def _shortened(codes: list[str], shown: int = 10) -> str:
    if len(codes) <= shown:
        return ", ".join(codes)
    return _("%(codes)s and %(more)s more") % {
        "codes": ", ".join(codes[:shown]),
        "more": len(codes) - shown,
    }


def unfinished_before(*, portfolio: Portfolio, step: str) -> list[Unfinished]:
    """What is still to do before the portfolio may move on to ``step`` (a state of
    STEP_REQUIREMENTS, or DECISION_STEP); empty when it may. One to three queries.
    """
    found: list[Unfinished] = []
    requirements = (
        ANNUAL_STEP_REQUIREMENTS if portfolio.cycle == Cycle.ANNUAL else STEP_REQUIREMENTS
    )
    for key in requirements.get(step, ()):
        if key == "scores":
            live = list(
                portfolio.assignments.filter(state__in=LIVE_ASSIGNMENT_STATES)
                .select_related("assessor")
                .order_by("-is_lead", "id")
            )
            waiting = [a for a in live if a.state != AssignmentState.SUBMITTED]
            if not live:
                found.append(Unfinished(key, _("No assessor has scored this portfolio yet.")))
            elif waiting:
                names = ", ".join(str(a.assessor) for a in waiting)
                found.append(
                    Unfinished(key, _("Scores not yet submitted by: %(names)s.") % {"names": names})
                )
        elif key == "agreed":
            criteria = criteria_for_portfolio(portfolio=portfolio)
            missing = list(
                criteria.exclude(
                    pk__in=portfolio.agreed_scores.exclude(rating="").values("criterion_id")
                ).values_list("code", flat=True)
            )
            if missing:
                found.append(
                    Unfinished(
                        key,
                        ngettext(
                            "No agreed rating yet for %(count)s criterion: %(codes)s.",
                            "No agreed rating yet for %(count)s criteria: %(codes)s.",
                            len(missing),
                        )
                        % {"count": len(missing), "codes": _shortened(missing)},
                    )
                )
        elif key == "interim" and not _released(portfolio, ReportKind.INTERIM):
            found.append(Unfinished(key, _("The interim report is not released to the unit yet.")))
        elif key == "visit" and not _visit_recorded(portfolio):
            found.append(Unfinished(key, _("The visit is not recorded yet (no visit record).")))
        elif key == "summary" and not _released(portfolio, ReportKind.SUMMARY):
            found.append(Unfinished(key, _("The summary report is not released to the unit yet.")))
        elif key == "annual" and not _released(portfolio, ReportKind.ANNUAL):
            found.append(
                Unfinished(key, _("The annual report is not released to the community yet."))
            )
    return found


@dataclass(frozen=True)
class DecisionBasis:
    """What the panel had in front of it, for the decision letter: ``considered`` and
    ``not_considered`` are phrases ("the interim report")."""

    considered: list[str]
    not_considered: list[str]


def decision_basis(*, portfolio: Portfolio, as_of: dt.datetime | None = None) -> DecisionBasis:
    """What the panel considered, from the artefacts that exist (four queries).

    The portfolio itself always; the agreed scores, the released interim report, the visit
    record and the released summary report only when they exist (by ``as_of``, the moment of
    the decision, when given: a letter sent late never counts a report released after it).
    A step the CCQI team moved past without its artefact (an override, in the audit log) is
    therefore listed as not considered, so the letter never describes what did not happen.
    """
    reports = portfolio.reports.all()
    agreed = portfolio.agreed_scores.exclude(rating="")
    if as_of is not None:
        reports = reports.filter(created_at__lte=as_of)
        agreed = agreed.filter(created_at__lte=as_of)
    released = reports.filter(released_at__isnull=False)
    if as_of is not None:
        released = released.filter(released_at__lte=as_of)
    considered = [str(_("your portfolio"))]
    missing: list[str] = []
    artefacts = (
        (agreed.exists(), _("the assessors' agreed scores")),
        (released.filter(kind=ReportKind.INTERIM).exists(), _("the interim report")),
        (
            reports.filter(kind=ReportKind.VISIT, visit_date__isnull=False).exists(),
            _("the record of the visit"),
        ),
        (released.filter(kind=ReportKind.SUMMARY).exists(), _("the summary report")),
    )
    for present, phrase in artefacts:
        (considered if present else missing).append(str(phrase))
    return DecisionBasis(considered=considered, not_considered=missing)


def decision_rule_result(*, portfolio: Portfolio) -> RuleResult:
    """The framework's decision rule (standards.decision) applied to the agreed ratings: what
    the panel or committee sees beside its decision. Two queries (framework already joined:
    three otherwise)."""
    types = dict(
        Criterion.objects.filter(standard__framework_id=portfolio.framework_id).values_list(
            "id", "criterion_type"
        )
    )
    ratings = dict(portfolio.agreed_scores.values_list("criterion_id", "rating"))
    return rule_evaluate(
        rule=portfolio.framework.decision_rule, criterion_types=types, ratings=ratings
    )


def rule_result_data(result: RuleResult) -> dict[str, Any]:
    """A rule result as JSON for the decision row (kept as it was on the day)."""
    return {
        "passed": result.passed,
        "clauses": [
            {"label": c.label, "met": c.met, "total": c.total, "passed": c.passed}
            for c in result.clauses
        ],
    }


def reports_for_portfolio(*, portfolio: Portfolio, released_only: bool = False) -> list[Report]:
    """The portfolio's generic reports (interim, visit, summary). The feedback report is
    reached from the award page only (awards.selectors.feedback_report_for)."""
    qs = (
        portfolio.reports.exclude(kind=ReportKind.FEEDBACK)
        .select_related("author")
        .order_by("kind")
    )
    if released_only:
        qs = qs.filter(released_at__isnull=False)
    return list(qs)


def decisions_for_portfolio(*, portfolio: Portfolio) -> list[Decision]:
    return list(portfolio.decisions.select_related("decided_by"))


def agreed_scores_for_pdf(
    *, portfolio: Portfolio
) -> list[tuple[Criterion, AgreedScore | None, str]]:
    """Every criterion with its agreed score and the rating's label, for report PDFs.

    Two queries (agreed scores, criteria); the framework must already be loaded.
    """
    labels = dict(portfolio.framework.rating_choices)
    agreed = {a.criterion_id: a for a in portfolio.agreed_scores.all()}
    rows = []
    criteria = list(criteria_for_portfolio(portfolio=portfolio))
    word_for_portfolio(criteria, portfolio=portfolio)
    for criterion in criteria:
        score = agreed.get(criterion.pk)
        rows.append((criterion, score, labels.get(score.rating, score.rating) if score else ""))
    return rows


def assignments_due_between(*, start: dt.date, end: dt.date) -> QuerySet[Assignment]:
    """Open assignments due in [start, end], with assessor and unit (one query)."""
    return Assignment.objects.filter(
        state__in=OPEN_ASSIGNMENT_STATES,
        due_date__gte=start,
        due_date__lte=end,
        portfolio__calibration__isnull=True,  # practice (issue 16) has no reminders
    ).select_related("assessor", "portfolio__unit")


def assignments_overdue(*, today: dt.date) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        state__in=OPEN_ASSIGNMENT_STATES, due_date__lt=today, portfolio__calibration__isnull=True
    ).select_related("assessor", "portfolio__unit")
