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
    hub = f"/reviews/portfolios/{portfolio.pk}/"

    # Issue 17: nothing moves on before its artefact exists.
    response = client.post(f"{hub}advance/", {"to_state": "interim_report"}, follow=True)
    assert "Scores not yet submitted by: Ben Assessor." in response.content.decode()
    client.logout()

    # The second assessor finishes scoring and submits.
    second = Assignment.objects.get(portfolio=portfolio, assessor__email="assessor2@demo.test")
    client.login(username="assessor2@demo.test", password=PASSWORD)
    for c in criteria:
        client.post(
            f"/reviews/assignments/{second.pk}/score/{c.pk}/",
            {f"c{c.pk}-rating": "met", f"c{c.pk}-comment": "Seen in the minutes."},
            headers={"x-requested-with": "fetch"},
        )
    client.post(f"/reviews/assignments/{second.pk}/submit/")
    client.logout()

    # The admin agrees the scores, writes and releases each report, and records the visit.
    client.login(username="admin@demo.test", password=PASSWORD)
    client.post(f"{hub}consolidate/", {f"rating_{c.pk}": "met" for c in criteria})
    interim = {"strengths": "Warm.", "areas_for_development": "More.", "action_points": "Go."}
    client.post(f"{hub}reports/interim/", interim)
    client.post(f"/reviews/reports/{portfolio.reports.get(kind='interim').pk}/release/")
    client.post(f"{hub}advance/", {"to_state": "interim_report"})
    client.post(f"{hub}advance/", {"to_state": "visit"})
    visit = {
        "visit_date": timezone.localdate().isoformat(),
        "visit_mode": "in_person",
        "people_met": "Residents and staff",
        "findings": "A warm welcome.",
    }
    client.post(f"{hub}reports/visit/", visit)
    client.post(f"{hub}advance/", {"to_state": "panel"})
    client.post(f"{hub}reports/summary/", interim)
    client.post(f"/reviews/reports/{portfolio.reports.get(kind='summary').pk}/release/")
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.PANEL
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
    assert (
        "considered your portfolio, the assessors' agreed scores, the interim report, the "
        "record of the visit and the summary report." in " ".join(letters[0].body.split())
    )
