"""Questionnaires in real Chromium at phone size (390px): a resident follows the poster's link
and answers in easy read; the lead enters a paper sheet with the keyboard; results appear on
the builder once five people have answered. axe-core scans every new page."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from network.enums import UnitRoleKind
from portfolios.enums import Cycle
from portfolios.services import portfolio_create
from questionnaires.models import Response, Round
from questionnaires.selectors import items_for
from questionnaires.services import contribution_submit, response_submit, round_open
from tests import factories
from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def _arrange():
    unit = factories.UnitFactory(name="Willow Ward")
    lead = factories.UnitRoleFactory(
        unit=unit, role=UnitRoleKind.LEAD, user__email="lena.lead@example.test"
    ).user
    admin = factories.AdminFactory(email="admin@example.test")
    framework = factories.make_framework(standards_count=10, criteria_per_standard=1)
    questionnaire = factories.make_questionnaire(framework)
    portfolio = portfolio_create(unit=unit, framework=framework, cycle=Cycle.INITIAL, actor=lead)
    today = timezone.localdate()
    round_ = round_open(
        portfolio=portfolio,
        actor=lead,
        audience="service_users",
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        expected_count=10,
    )
    Round.objects.filter(pk=round_.pk).update(sheets_issued=20)
    items = items_for(questionnaire=questionnaire, audience="service_users")
    scale = [i for i in items if i.answer_type == "agree5"]
    for n in range(3):
        response_submit(
            round_=round_, items=items, answers={i.pk: "4" for i in scale}, token=f"pre{n}"
        )
    contribution_submit(
        round_=round_,
        kind="quote",
        title="Tuesdays",
        text="The Tuesday group helps me.",
        upload=None,
        consent=True,
        token="c1",
    )
    return lead, admin, portfolio, round_, items


def test_resident_answers_in_easy_read_and_lead_enters_a_paper_sheet(new_page, live_server):
    lead, admin, portfolio, round_, items = _arrange()
    resident = new_page()
    resident.set_viewport_size(PHONE)

    # The resident scans the poster: the link opens the questionnaire, no sign-in.
    resident.goto(f"/q/{round_.token}/")
    expect(resident.get_by_role("heading", level=1)).to_have_text("Have your say")
    assert_accessible(resident, context_note="answer page at 390px")
    assert resident.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    resident.get_by_role("link", name="Easy read: simpler words").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Tell us what it is like here")
    assert_accessible(resident, context_note="easy read at 390px")
    first = items[0]
    group = resident.get_by_role("group", name=f"1. {first.easy_read}")
    group.get_by_label("Yes, very much").check()
    resident.get_by_role("group", name=f"2. {items[1].easy_read}").get_by_label("Yes").first.check()
    resident.get_by_role("button", name="Send my answers").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(resident.get_by_text("We got your answers.")).to_be_visible()
    assert_accessible(resident, context_note="thanks page")
    assert Response.objects.count() == 4

    # The contribution page and the kind error pages are accessible too.
    resident.goto(f"/q/{round_.token}/contribute/")
    assert_accessible(resident, context_note="contribute page")
    resident.goto("/q/not-a-real-link/")
    expect(resident.get_by_role("heading", level=1)).to_have_text(
        "We could not find this questionnaire"
    )
    assert_accessible(resident, context_note="unknown link")

    # Four responses: the lead sees the count, not the results.
    page = new_page()
    page.set_viewport_size(PHONE)
    login(page, lead.email, factories.TEST_PASSWORD)
    page.goto(f"/portfolios/{portfolio.pk}/")
    expect(page.get_by_text("4 of about 10 responded").first).to_be_visible()
    expect(page.get_by_text("Results show once 5 people have answered").first).to_be_visible()

    # The lead enters a paper sheet with the keyboard only: sheet number, then 1-5 per item.
    page.goto(f"/questionnaires/rounds/{round_.pk}/paper/")
    assert_accessible(page, context_note="paper entry")
    page.get_by_label("Sheet number").focus()
    page.keyboard.type("7")
    for item in items:
        page.keyboard.press("Tab")
        page.keyboard.type({"agree5": "5", "yes_no": "y", "text": "Kind staff"}[item.answer_type])
    page.keyboard.press("Tab")  # from the last (free-text) box to the button
    page.keyboard.press("Enter")
    expect(page.get_by_text("Sheet 7 saved.")).to_be_visible()
    assert Response.objects.filter(sheet_number=7).count() == 1

    # Five responses: results per standard on the builder.
    page.goto(f"/portfolios/{portfolio.pk}/")
    expect(page.get_by_text("100% agreed").first).to_be_visible()
    expect(page.get_by_text("5 of about 10 responded").first).to_be_visible()
    assert_accessible(page, context_note="builder with results")
    for url in (
        f"/questionnaires/portfolio/{portfolio.pk}/",
        f"/questionnaires/rounds/{round_.pk}/",
        f"/questionnaires/portfolio/{portfolio.pk}/contributions/",
    ):
        page.goto(url)
        assert_accessible(page, context_note=url)
    page.goto(f"/questionnaires/portfolio/{portfolio.pk}/contributions/")
    page.get_by_role("button", name="Accept as evidence").click()
    expect(page.get_by_text("Accepted.")).to_be_visible()

    admin_page = new_page()
    login(admin_page, admin.email, factories.TEST_PASSWORD)
    admin_page.goto("/questionnaires/national/")
    assert_accessible(admin_page, context_note="national view")
    expect(admin_page.get_by_text("1 round counted.")).to_be_visible()

    # After the round closes, the link says so kindly.
    Round.objects.filter(pk=round_.pk).update(closed_on=timezone.localdate())
    resident.goto(f"/q/{round_.token}/")
    expect(resident.get_by_role("heading", level=1)).to_have_text("This questionnaire is closed")
    assert_accessible(resident, context_note="closed page")
