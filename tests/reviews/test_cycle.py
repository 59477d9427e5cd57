"""The issue's "done when" walk-through, end to end through the views."""

import datetime as dt

import pytest
from django.utils import timezone

from network.demo import seed_network
from portfolios.demo import seed_portfolios
from portfolios.enums import PortfolioState
from portfolios.models import CriterionResponse
from portfolios.services import portfolio_resubmit
from reviews.demo import seed_reviews
from reviews.enums import AssignmentState
from reviews.models import Assignment, Decision
from standards.models import Criterion
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "enabling-demo"


def test_demo_review_cycle(client, mailoutbox, django_capture_on_commit_callbacks):
    framework = factories.make_framework(criteria_per_standard=2)
    demo = seed_network()
    seed_portfolios(demo)
    seed_reviews(demo)
    mine = Assignment.objects.get(assessor__email="assessor@demo.test")
    portfolio = mine.portfolio
    criteria = list(Criterion.objects.filter(standard__framework=framework))

    # The assessor declares no conflict, scores every criterion and submits.
    client.login(username="assessor@demo.test", password=PASSWORD)
    assert client.get(f"/reviews/assignments/{mine.pk}/score/").status_code == 404
    client.post(f"/reviews/assignments/{mine.pk}/", {"declaration": "no_conflict"})
    for c in criteria:
        response = client.post(
            f"/reviews/assignments/{mine.pk}/score/{c.pk}/",
            {f"c{c.pk}-rating": "met", f"c{c.pk}-comment": "Well evidenced."},
            headers={"x-requested-with": "fetch"},
        )
        assert response.json()["ok"]
    client.post(f"/reviews/assignments/{mine.pk}/submit/")
    mine.refresh_from_db()
    assert mine.state == AssignmentState.SUBMITTED
    client.logout()

    # The admin sees both assessors side by side and asks for more on two criteria.
    client.login(username="admin@demo.test", password=PASSWORD)
    page = client.get(f"/reviews/portfolios/{portfolio.pk}/consolidate/")
    assert [a.assessor.email for a in page.context["assignments"]] == [
        "assessor@demo.test",
        "assessor2@demo.test",
    ]
    two = criteria[:2]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/reviews/portfolios/{portfolio.pk}/more-evidence/",
            {
                "criteria": [c.pk for c in two],
                "message": "Could you add last month's community meeting minutes?",
                "due_date": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
            },
        )
    reopened = CriterionResponse.objects.filter(portfolio=portfolio, reopened=True)
    assert {r.criterion_id for r in reopened} == {c.pk for c in two}

    # The unit resubmits; the admin accepts, moves it through to the panel and decides.
    lead2 = demo.users["lead2"]
    portfolio.refresh_from_db()
    portfolio_resubmit(portfolio=portfolio, actor=lead2)
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.RESUBMITTED
    client.post(f"/reviews/portfolios/{portfolio.pk}/accept/")
    for step in ("interim_report", "visit", "panel"):
        client.post(f"/reviews/portfolios/{portfolio.pk}/advance/", {"to_state": step})
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/reviews/portfolios/{portfolio.pk}/decision/",
            {"outcome": "awarded", "rationale": "A warm, well-run community."},
        )
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.AWARDED
    assert Decision.objects.get(portfolio=portfolio).outcome == "awarded"
    letters = [m for m in mailoutbox if m.to == [lead2.email] and "decision" in m.subject.lower()]
    assert len(letters) == 1
    assert "A warm, well-run community." in letters[0].body
