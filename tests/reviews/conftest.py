"""Fixtures for the review cycle: a submitted portfolio with a response per criterion."""

import datetime as dt

import pytest
from django.utils import timezone

from portfolios.enums import PortfolioState
from reviews.enums import AssignmentState
from standards.models import Criterion
from tests import factories
from tests.reviews.stages import complete_stages


def make_portfolio(unit, framework, state=PortfolioState.SUBMITTED):
    portfolio = factories.PortfolioFactory(unit=unit, framework=framework, state=state)
    for criterion in Criterion.objects.filter(standard__framework=framework):
        factories.CriterionResponseFactory(
            portfolio=portfolio, criterion=criterion, narrative=f"How we meet {criterion.code}."
        )
    return portfolio


def assign(portfolio, assessor, *, state=AssignmentState.SCORING, lead=False):
    return factories.AssignmentFactory(
        portfolio=portfolio, assessor=assessor, state=state, is_lead=lead
    )


def score_all(assignment, rating="met"):
    for criterion in Criterion.objects.filter(standard__framework=assignment.portfolio.framework):
        factories.CriterionScoreFactory(assignment=assignment, criterion=criterion, rating=rating)


@pytest.fixture
def in_a_month():
    return timezone.localdate() + dt.timedelta(days=30)


@pytest.fixture
def submitted(unit, framework, lead):
    """Willow Ward's submitted portfolio (20 criteria), with a unit lead."""
    return make_portfolio(unit, framework)


@pytest.fixture
def in_review(submitted):
    submitted.state = PortfolioState.IN_REVIEW
    submitted.save(update_fields=["state"])
    return submitted


@pytest.fixture
def lead_assignment(in_review, assessor):
    return assign(in_review, assessor, lead=True)


@pytest.fixture
def second_assignment(in_review, other_assessor):
    return assign(in_review, other_assessor)


@pytest.fixture
def at_panel(unit, framework, lead):
    """Willow Ward's portfolio, with the panel: scores agreed, every report written."""
    return complete_stages(make_portfolio(unit, framework, state=PortfolioState.PANEL))
