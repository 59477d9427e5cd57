"""Issue 15: the whole portfolio as one PDF (Celery, progress shown) for units that go through
it with residents on paper."""

import pytest
from django.urls import reverse

from ee_portal.audit.models import AuditEvent
from network.enums import SettingType
from portfolios.enums import Cycle, PrintStatus
from portfolios.models import CriterionResponse, PortfolioPrint
from portfolios.services import evidence_create_text, portfolio_create
from portfolios.tasks import render_portfolio_pdf
from reviews.enums import AssignmentState
from tests import factories
from tests.factories import PRISON_STATEMENT, PRISON_TEXT
from tests.pages import pdf_text, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def prison_portfolio(unit, lead, worded_framework):
    unit.setting_type = SettingType.PRISON_PROBATION
    unit.name = "Fell Wing"
    unit.save()
    portfolio = portfolio_create(
        unit=unit, framework=worded_framework, cycle=Cycle.INITIAL, actor=lead
    )
    CriterionResponse.objects.filter(portfolio=portfolio, criterion__code="1.1").update(
        narrative="Residents run the Monday forum."
    )
    criterion = portfolio.responses.get(criterion__code="1.1").criterion_id
    evidence_create_text(
        portfolio=portfolio,
        actor=lead,
        title="Forum quote",
        text="“We decide the film night together.”",
        contains_identifiable=False,
        criterion_ids=[criterion],
    )
    return portfolio


def _urls(portfolio):
    return (
        reverse("portfolios:print", args=[portfolio.pk]),
        reverse("portfolios:print_download", args=[portfolio.pk]),
    )


def test_lead_makes_and_downloads_the_whole_portfolio(
    client, prison_portfolio, lead, django_capture_on_commit_callbacks
):
    page, download = _urls(prison_portfolio)
    client.force_login(lead)
    assert client.get(download).status_code == 404  # nothing made yet
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page)
    assert response.status_code == 302
    printed = PortfolioPrint.objects.get(portfolio=prison_portfolio)
    assert (printed.status, printed.progress) == (PrintStatus.READY, 100)
    assert "Download the PDF" in visible_text(client.get(page).content)
    response = client.get(download)
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(b"".join(response.streaming_content))
    for words in (
        "Portfolio of Fell Wing",
        PRISON_STATEMENT,
        f"1.1 {PRISON_TEXT}",
        "Residents run the Monday forum.",
        "Forum quote",
        "We decide the film night together.",
    ):
        assert words in text
    assert sorted(
        AuditEvent.objects.filter(verb__startswith="portfolio.print").values_list("verb", flat=True)
    ) == ["portfolio.print_download", "portfolio.print_requested"]


def test_page_shows_progress_and_refreshes_itself_while_rendering(client, prison_portfolio, lead):
    PortfolioPrint.objects.create(portfolio=prison_portfolio, progress=40)
    client.force_login(lead)
    response = client.get(_urls(prison_portfolio)[0])
    html = response.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert '<progress class="w-100" max="100" value="40"' in html
    assert "40% done." in visible_text(html)


def test_a_second_request_while_rendering_queues_no_second_task(
    client, prison_portfolio, lead, django_capture_on_commit_callbacks
):
    PortfolioPrint.objects.create(portfolio=prison_portfolio, progress=40)
    client.force_login(lead)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(_urls(prison_portfolio)[0])
    assert callbacks == []
    assert PortfolioPrint.objects.get().progress == 40


def test_failed_render_is_recorded(prison_portfolio, monkeypatch):
    from portfolios import hooks  # noqa: PLC0415 -- patched for this test only

    def broken(**kwargs):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(hooks, "render_pdf", broken)
    printed = PortfolioPrint.objects.create(portfolio=prison_portfolio)
    render_portfolio_pdf.delay(print_id=printed.pk)
    printed.refresh_from_db()
    assert printed.status == PrintStatus.FAILED
    assert "fonts missing" in printed.error


def test_assessors_and_other_units_get_404(
    client, prison_portfolio, assessor, other_lead, django_capture_on_commit_callbacks
):
    factories.AssignmentFactory(
        portfolio=prison_portfolio, assessor=assessor, state=AssignmentState.SCORING
    )
    PortfolioPrint.objects.create(portfolio=prison_portfolio, status=PrintStatus.READY)
    for user in (assessor, other_lead):
        client.force_login(user)
        for url in _urls(prison_portfolio):
            assert client.get(url).status_code == 404
        with django_capture_on_commit_callbacks() as callbacks:
            assert client.post(_urls(prison_portfolio)[0]).status_code == 404
        assert callbacks == []


def test_wrong_methods(client, prison_portfolio, lead):
    page, download = _urls(prison_portfolio)
    client.force_login(lead)
    assert client.put(page).status_code == 405
    assert client.post(download).status_code == 405


def test_builder_offers_printing_to_members_only(client, prison_portfolio, lead, assessor):
    factories.AssignmentFactory(
        portfolio=prison_portfolio, assessor=assessor, state=AssignmentState.SCORING
    )
    builder = reverse("portfolios:detail", args=[prison_portfolio.pk])
    client.force_login(lead)
    assert "Print the whole portfolio (PDF)" in visible_text(client.get(builder).content)
    client.force_login(assessor)
    page = client.get(builder)
    assert page.status_code == 200
    assert "Print the whole portfolio" not in visible_text(page.content)
