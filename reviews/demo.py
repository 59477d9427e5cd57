"""Demo assignments and scores for `manage.py seed_demo` (idempotent)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from network.demo import DemoNetwork
from network.enums import OrganisationKind, Region, SettingType
from network.models import Organisation, Unit
from portfolios.enums import Cycle, PortfolioState
from portfolios.models import CriterionResponse, Portfolio
from standards.models import Criterion, Framework

from . import services, workflow
from .calibration import calibration_publish_example
from .enums import AssignmentState
from .models import AgreedScore, Assignment, CriterionScore
from .selectors import criteria_for_portfolio

DUE_IN_DAYS = 21


def _riverside_portfolio(demo: DemoNetwork, framework: Framework) -> Portfolio:
    """The portfolios step's submitted Riverside portfolio, or a minimal submitted one."""
    portfolio = demo.extra.get("portfolios", {}).get("riverside")
    if portfolio is not None:
        return portfolio
    unit = demo.units["riverside"]
    portfolio = Portfolio.objects.filter(unit=unit, cycle=Cycle.INITIAL).order_by("-id").first()
    if portfolio is not None:
        return portfolio
    portfolio = Portfolio.objects.create(
        unit=unit,
        framework=framework,
        cycle=Cycle.INITIAL,
        state=PortfolioState.SUBMITTED,
        submitted_at=timezone.now(),
        created_by=demo.users["lead2"],
    )
    CriterionResponse.objects.bulk_create(
        CriterionResponse(
            portfolio=portfolio,
            criterion=criterion,
            narrative=f"{criterion.code}: residents and staff meet every morning to plan the day.",
        )
        for criterion in criteria_for_portfolio(portfolio=portfolio)
    )
    return portfolio


def seed_reviews(demo: DemoNetwork) -> None:
    """Riverside's submitted portfolio: assessor@ (no declaration yet), assessor2@ (half scored)."""
    framework = Framework.objects.current()
    if framework is None:
        return
    portfolio = _riverside_portfolio(demo, framework)
    admin = demo.users["admin"]
    due = timezone.localdate() + dt.timedelta(days=DUE_IN_DAYS)
    assignments: dict[str, Assignment] = {}
    for key, is_lead in (("assessor", True), ("assessor2", False)):
        user = demo.users[key]
        assignment = Assignment.objects.filter(portfolio=portfolio, assessor=user).first()
        if assignment is None:
            if portfolio.state not in workflow.ASSIGNABLE_STATES:
                return
            assignment = workflow.assessor_assign(
                portfolio=portfolio, assessor=user, due_date=due, is_lead=is_lead, actor=admin
            )
        assignments[key] = assignment

    second, assessor2 = assignments["assessor2"], demo.users["assessor2"]
    if second.state == AssignmentState.AWAITING_DECLARATION:
        workflow.assignment_declare_no_conflict(assignment=second, actor=assessor2)
    if second.state == AssignmentState.SCORING and not second.scores.exists():
        criteria = list(criteria_for_portfolio(portfolio=portfolio))
        scale = [value for value, _label in framework.rating_choices]
        for index, criterion in enumerate(criteria[: len(criteria) // 2]):
            services.criterion_score_save(
                assignment=second,
                criterion=criterion,
                rating=scale[0] if index % 4 else scale[min(1, len(scale) - 1)],
                comment="Clear evidence in the minutes and the welcome pack.",
                actor=assessor2,
            )
    demo.notes.append(
        f"Reviews: {portfolio.unit} is assigned to assessor@demo.test (declare no conflict "
        f"at /reviews/) and assessor2@demo.test (half scored)."
    )


# Issue 16: past reviews that give the agreement pages something to show, a submitted
# portfolio still waiting for assessors (where the calibration warning shows), and the
# published practice portfolio. Nobody has calibrated yet: assessor@ is meant to try it.
HISTORY_ORGANISATION = "Meadow Community Services"
HISTORY_UNITS = (
    ("Elm Lodge", SettingType.HOUSING),
    ("Beacon House", SettingType.THERAPEUTIC_COMMUNITY),
    ("Willow Court", SettingType.SOCIAL_CARE),
    ("Maple Day Service", SettingType.HEALTH_COMMUNITY),
    ("Cedar Lodge", SettingType.HOUSING),
    ("Kestrel Unit", SettingType.HEALTH_INPATIENT),
)
WAITING_UNIT = "Lark Rise Hostel"
DAYS_BETWEEN_REVIEWS = 80


def _history_ratings(index: int, count: int) -> tuple[list[str], list[str], list[str]]:
    """Agreed, assessor@'s and assessor2@'s ratings for past review ``index``: mostly met,
    assessor@ off on one criterion, assessor2@ on four (two of them the same criteria on
    every review, so the ranking of unclear criteria has a clear top)."""
    agreed = ["met"] * count
    for j in (5, 13, 27):
        if (index + j) % 3 == 0:
            agreed[j % count] = "partly_met"
    if index % 2 == 0:
        agreed[30 % count] = "not_met"
    first, second = list(agreed), list(agreed)

    def other(value: str) -> str:
        return "partly_met" if value == "met" else "met"

    first[(index * 7) % count] = other(first[(index * 7) % count])
    for j in {(index * 3) % count, (index * 11 + 5) % count, 30 % count, 19 % count}:
        second[j] = other(second[j])
    return agreed, first, second


def seed_agreement(demo: DemoNetwork) -> None:
    framework = Framework.objects.current()
    if framework is None:
        return
    admin = demo.users["admin"]
    organisation, _created = Organisation.objects.get_or_create(
        name=HISTORY_ORGANISATION, defaults={"kind": OrganisationKind.PROVIDER}
    )
    criteria: list[Criterion] = []
    now = timezone.now()
    for index, (name, setting) in enumerate(HISTORY_UNITS):
        unit, _created = Unit.objects.get_or_create(
            organisation=organisation,
            name=name,
            defaults={"setting_type": setting, "region": Region.NORTH_WEST},
        )
        if Portfolio.objects.filter(unit=unit).exists():
            continue
        when = now - dt.timedelta(days=DAYS_BETWEEN_REVIEWS * (index + 1))
        portfolio = Portfolio.objects.create(
            unit=unit,
            framework=framework,
            cycle=Cycle.INITIAL,
            state=PortfolioState.AWARDED,
            submitted_at=when - dt.timedelta(days=30),
            closed_at=when + dt.timedelta(days=20),
            created_by=admin,
        )
        criteria = criteria or list(criteria_for_portfolio(portfolio=portfolio))
        agreed, first, second = _history_ratings(index, len(criteria))
        for key, ratings, lead in (("assessor", first, True), ("assessor2", second, False)):
            assignment = Assignment.objects.create(
                portfolio=portfolio,
                assessor=demo.users[key],
                assigned_by=admin,
                is_lead=lead,
                due_date=(when - dt.timedelta(days=2)).date(),
                state=AssignmentState.SUBMITTED,
                declared_at=when - dt.timedelta(days=25),
                scores_submitted_at=when,
            )
            CriterionScore.objects.bulk_create(
                CriterionScore(assignment=assignment, criterion=c, rating=r)
                for c, r in zip(criteria, ratings, strict=True)
            )
        AgreedScore.objects.bulk_create(
            AgreedScore(portfolio=portfolio, criterion=c, rating=r, agreed_by=admin)
            for c, r in zip(criteria, agreed, strict=True)
        )
    waiting, _created = Unit.objects.get_or_create(
        organisation=organisation,
        name=WAITING_UNIT,
        defaults={"setting_type": SettingType.HOUSING, "region": Region.NORTH_WEST},
    )
    if not Portfolio.objects.filter(unit=waiting).exists():
        portfolio = Portfolio.objects.create(
            unit=waiting,
            framework=framework,
            cycle=Cycle.INITIAL,
            state=PortfolioState.SUBMITTED,
            submitted_at=now,
            created_by=admin,
        )
        CriterionResponse.objects.bulk_create(
            CriterionResponse(
                portfolio=portfolio,
                criterion=c,
                narrative=f"{c.code}: residents and staff plan the week together on Mondays.",
            )
            for c in criteria_for_portfolio(portfolio=portfolio)
        )
    try:
        exercise = calibration_publish_example(actor=admin)
    except ValidationError as exc:
        demo.notes.append(f"Calibration: no practice portfolio ({' '.join(exc.messages)}).")
        return
    demo.notes.append(
        f"Agreement: /reviews/agreement/ (admin@) shows {len(HISTORY_UNITS)} past reviews by "
        f"assessor@ and assessor2@. {WAITING_UNIT} waits for assessors: assigning "
        f"assessor2@demo.test warns that they have not calibrated. Practice portfolio "
        f"\u201c{exercise.title}\u201d: /reviews/calibration/ (assessor@)."
    )
