import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from network.demo import seed_network
from portfolios import hooks
from portfolios.demo import seed_portfolios
from questionnaires.demo import seed_questionnaires
from questionnaires.models import Contribution, Round
from questionnaires.selectors import round_results
from reviews.demo import seed_reviews
from reviews.enums import AssignmentState
from reviews.models import Assignment
from standards.services import framework_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample_framework():
    text = (settings.BASE_DIR / "fixtures" / "standards" / "ee-sample.yaml").read_text("utf-8")
    return framework_import(text=text, publish=True)


def _seed():
    demo = seed_network()
    seed_portfolios(demo)
    seed_reviews(demo)
    seed_questionnaires(demo)
    return demo


def test_seed_questionnaires_is_idempotent_and_shows_results(sample_framework):
    _seed()
    demo = _seed()
    counts = {
        (r.portfolio.unit.name, r.audience): (result.responses, result.visible, r.is_open)
        for r in Round.objects.select_related("portfolio__unit", "questionnaire")
        for result in [round_results(rounds=[r])[r.pk]]
    }
    assert counts == {
        ("Demo Ward", "service_users"): (12, True, True),
        ("Demo Ward", "staff"): (8, True, True),
        ("Riverside Hostel", "service_users"): (9, True, False),
        ("Riverside Hostel", "staff"): (6, True, False),
    }
    assert Contribution.objects.count() == 1
    ward = Round.objects.get(portfolio__unit__name="Demo Ward", audience="service_users")
    assert f"http://testserver/q/{ward.token}/" in " ".join(demo.notes)


def test_seed_demo_runs_the_step_and_prints_the_link(sample_framework, settings):
    settings.DEBUG = True
    assert "questionnaires.demo" in hooks.registered()["demo_steps"]
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    ward = Round.objects.get(portfolio__unit__name="Demo Ward", audience="service_users")
    assert f"/q/{ward.token}/" in out.getvalue()


def test_riverside_assessor_sees_results_while_scoring(sample_framework):
    demo = _seed()
    assessor = demo.users["assessor"]
    assignment = Assignment.objects.get(assessor=assessor, portfolio__unit__name="Riverside Hostel")
    Assignment.objects.filter(pk=assignment.pk).update(state=AssignmentState.SCORING)
    client = Client()
    client.force_login(assessor)
    html = client.get(reverse("reviews:score", kwargs={"pk": assignment.pk})).content.decode()
    assert html.count("What people said") == 10
    assert "% agreed" in html


def test_the_demo_link_page_stays_under_60_kb_in_all(sample_framework, client):
    _seed()
    ward = Round.objects.get(portfolio__unit__name="Demo Ward", audience="service_users")
    total = 0
    for easy in ("", "?easy=1"):
        page = client.get(f"/q/{ward.token}/{easy}")
        assert page.status_code == 200
        assert page.content.count(b'type="radio"') >= 20 * 7  # every statement, every answer
        css = b"".join(client.get("/static/css/answer.css").streaming_content)
        total = max(total, len(page.content) + len(css))
    # The page and its one stylesheet: no scripts, no images, no fonts.
    assert total < 60 * 1024, total
