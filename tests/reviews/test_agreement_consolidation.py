"""Issue 16, deliverable 1: agreement between a portfolio's assessors on the consolidation
page (percent, AC1 with its CI, and how many criteria they split on)."""

from fractions import Fraction

import pytest

from reviews.enums import AssignmentState
from reviews.models import Assignment, CriterionScore
from standards.models import Criterion
from tests.reviews.conftest import score_all
from tests.reviews.test_views import login

pytestmark = pytest.mark.django_db


def _url(portfolio_id):
    return f"/reviews/portfolios/{portfolio_id}/consolidate/"


def test_consolidation_shows_percent_ac1_and_split_count(
    client, lead_assignment, second_assignment, assessor
):
    score_all(lead_assignment, "met")
    score_all(second_assignment, "met")
    first = Criterion.objects.filter(standard__framework=lead_assignment.portfolio.framework)[0]
    CriterionScore.objects.filter(assignment=second_assignment, criterion=first).update(
        rating="not_met"
    )
    Assignment.objects.update(state=AssignmentState.SUBMITTED)
    response = login(client, assessor).get(_url(lead_assignment.portfolio_id))
    agreement = response.context["agreement"]
    # 20 criteria, 19 alike. pi(met) = 39/40, pi(not met) = 1/40, q = 3:
    # pe = 2 * (39/40)(1/40) / 2 = 39/1600; AC1 = (1520/1600 - 39/1600) / (1561/1600).
    assert (agreement.n, agreement.agreed) == (20, 19)
    assert agreement.ac1 == pytest.approx(float(Fraction(1481, 1561)))
    assert agreement.ci_low < agreement.ac1 <= agreement.ci_high
    html = response.content.decode()
    assert "19 of 20 criteria (95%)" in html
    assert f"{agreement.ac1:.2f}" in html
    assert "1 criterion: 1.1" in html


def test_consolidation_counts_only_submitted_scores(
    client, lead_assignment, second_assignment, assessor
):
    score_all(lead_assignment, "met")
    score_all(second_assignment, "not_met")  # a draft: second assessor still scoring
    Assignment.objects.filter(pk=lead_assignment.pk).update(state=AssignmentState.SUBMITTED)
    response = login(client, assessor).get(_url(lead_assignment.portfolio_id))
    assert response.context["agreement"] is None
    assert b"appear once at least two assessors have submitted" in response.content
