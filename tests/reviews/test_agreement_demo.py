"""Issue 16, deliverable 6: seed_demo's agreement history, practice portfolio and the warning
the admin sees when assigning assessor2@demo.test (who has not calibrated)."""

import io

import pytest
from django.core.management import call_command

from network.models import User
from portfolios.enums import PortfolioState
from portfolios.models import Portfolio
from reviews.agreement import agreement_by_assessor, criterion_disagreement
from reviews.demo import WAITING_UNIT
from reviews.models import Assignment, CalibrationExercise, ReferenceRating

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "enabling-demo"


def _seed(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_gives_agreement_history_and_a_practice_portfolio(settings, client):
    _seed(settings)
    assignments = Assignment.objects.count()
    _seed(settings)  # idempotent
    assert Assignment.objects.count() == assignments
    assert CalibrationExercise.objects.count() == 1
    exercise = CalibrationExercise.objects.get()
    criteria = exercise.portfolio.framework.standards.values("criteria").count()
    assert ReferenceRating.objects.filter(exercise=exercise).count() == criteria == 40
    figures = agreement_by_assessor()
    first = User.objects.get(email="assessor@demo.test")
    second = User.objects.get(email="assessor2@demo.test")
    for person in (first, second):
        figure = figures[person.pk]
        assert figure.n >= 6 * 40  # several portfolios each
        assert 0 < figure.disagreed < figure.n  # some disagreements
    top = criterion_disagreement()[0]
    assert top.splits == top.portfolios >= 6
    # Nobody has calibrated; the admin is warned when assigning assessor2@ to Lark Rise.
    assert not Assignment.objects.filter(portfolio=exercise.portfolio).exists()
    waiting = Portfolio.objects.get(unit__name=WAITING_UNIT, state=PortfolioState.SUBMITTED)
    assert client.login(username="admin@demo.test", password=DEMO_PASSWORD)
    page = client.get(f"/reviews/portfolios/{waiting.pk}/")
    flagged = {person.email: flags for person, flags in page.context["calibration_flags"]}
    assert flagged["assessor2@demo.test"] == ["has not completed a practice portfolio"]
    overview = client.get("/reviews/agreement/")
    assert overview.status_code == 200
    assert overview.content.decode().count("<rect ") == 2
