"""Issue 15: the portal in Welsh in a real browser, and axe in Welsh as in English."""

from pathlib import Path

import pytest

from standards.services import framework_import
from tests import factories
from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sample_standards():
    text = (Path(__file__).resolve().parents[2] / "fixtures/standards/ee-sample.yaml").read_text()
    return framework_import(text=text)


def test_a_visitor_switches_to_welsh_and_every_page_follows(page, sample_standards):
    page.goto("/standards/")
    page.get_by_role("button", name="Cymraeg").click()
    page.wait_for_load_state()
    assert page.url.endswith("/standards/")
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("heading", level=1).inner_text() == "Safonau Amgylcheddau Galluogi"
    assert_accessible(page, context_note="standards list in Welsh")
    page.get_by_role("link", name="1. Perthyn").click()
    main = page.locator("main").inner_text()
    assert "Mewn geiriau syml: Perthnasoedd da sy'n dod gyntaf yma." in main
    assert "Yn Saesneg yn unig" in main  # guidance with no Welsh yet, marked
    assert page.locator('main [lang="en-GB"]').count() > 0
    assert_accessible(page, context_note="standard detail in Welsh")
    page.goto("/awards/")  # the cookie remembers the choice
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Deiliaid")
    assert_accessible(page, context_note="register in Welsh")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en-gb"
    assert "award holders" in page.get_by_role("heading", level=1).inner_text()


def test_a_welsh_speaking_lead_sees_the_portal_in_welsh_after_signing_in(page, sample_standards):
    unit = factories.UnitFactory(name="Ward Dyffryn", region="wales")
    lead = factories.UnitRoleFactory(
        unit=unit, role="lead", user__email="sian@example.test", user__language="cy"
    ).user
    factories.PortfolioFactory(unit=unit, framework=sample_standards)
    login(page, lead.email, factories.TEST_PASSWORD)
    page.goto("/portfolios/")
    assert page.locator("html").get_attribute("lang") == "cy"
    header = page.locator("header").inner_text()
    assert "Allgofnodi" in header
    assert_accessible(page, context_note="portfolios in Welsh")
    page.get_by_role("link", name="Ward Dyffryn").first.click()
    page.wait_for_load_state()
    assert "Eich cynnydd" in page.locator("main").inner_text()  # "Your progress"
    assert_accessible(page, context_note="portfolio builder in Welsh")


def test_the_questionnaire_in_welsh_is_accessible_at_phone_width(new_page, sample_standards):
    questionnaire = factories.make_questionnaire(sample_standards)
    round_ = factories.RoundFactory(
        portfolio=factories.PortfolioFactory(framework=sample_standards),
        questionnaire=questionnaire,
    )
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/q/{round_.token}/?easy=1")
    page.get_by_role("button", name="Cymraeg").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "cy"
    assert "?easy=1" in page.url
    assert "Perthnasoedd da sy'n dod gyntaf yma." in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Anfon fy atebion").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, context_note="questionnaire in Welsh, easy read, 390 px")
