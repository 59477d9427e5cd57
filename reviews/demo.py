"""Demo assignments and scores for `manage.py seed_demo` (idempotent)."""

import datetime as dt

from django.utils import timezone

from network.demo import DemoNetwork
from portfolios.enums import Cycle, PortfolioState
from portfolios.models import CriterionResponse, Portfolio
from standards.models import Framework

from . import services, workflow
from .enums import AssignmentState
from .models import Assignment
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
