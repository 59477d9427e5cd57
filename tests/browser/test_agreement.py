"""Issue 16 in Chromium: the agreement and calibration pages pass axe (WCAG 2.2 AA) and fit
390 px; the "done when" journey: the admin sees the agreement chart and the criteria ranking
and is warned when assigning an uncalibrated assessor; an assessor completes the practice
portfolio and sees their agreement with the reference, criterion by criterion."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_accessible, login
from tests.reviews.agreement_data import practice, scored_portfolio
from tests.reviews.conftest import make_portfolio

pytestmark = pytest.mark.django_db(transaction=True)


def _fits(page, width=390):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_admin_sees_agreement_and_is_warned_when_assigning(page):
    framework = factories.make_framework(criteria_per_standard=2)
    admin = factories.AdminFactory(email="ada@example.test")
    first = factories.AssessorProfileFactory(user__full_name="Asha Assessor").user
    second = factories.AssessorProfileFactory(user__full_name="Ben Assessor").user
    for days in (10, 120, 220):
        when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
        scored_portfolio(
            framework,
            {first: ["not_met"] + ["met"] * 19, second: ["met"] * 18 + ["partly_met"] * 2},
            "met",
            submitted_at=when,
        )
    waiting = make_portfolio(factories.UnitFactory(name="Lark Rise Hostel"), framework)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, admin.email, factories.TEST_PASSWORD)
    page.goto("/reviews/agreement/")
    expect(
        page.get_by_role("img", name="Each assessor's agreement with the agreed ratings")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Asha Assessor")).to_be_visible()
    _fits(page)
    assert_accessible(page, context_note="agreement overview at 390px")
    page.get_by_role("link", name="Asha Assessor").click()
    expect(page.get_by_role("img", name="Agreement per quarter")).to_be_visible()
    expect(page.get_by_test_id("criteria-count")).to_have_text("60")
    _fits(page)
    assert_accessible(page, context_note="one assessor's trend at 390px")
    page.goto("/reviews/agreement/criteria/")
    expect(page.locator("tbody tr").first).to_contain_text("1.1")
    assert_accessible(page, context_note="criteria ranking at 390px")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/reviews/portfolios/{waiting.pk}/")
    flags = page.get_by_test_id("calibration-flags")
    expect(flags).to_contain_text("Ben Assessor")
    expect(flags).to_contain_text("has not completed a practice portfolio")
    assert_accessible(page, context_note="assign form with calibration warnings")
    page.locator("#id_assessor").select_option(str(second.pk))
    page.locator("#id_due_date").fill((dt.date.today() + dt.timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(
        page.get_by_text("Please note: Ben Assessor has not completed a practice portfolio.")
    ).to_be_visible()


def test_assessor_completes_practice_and_compares_with_reference(page):
    framework = factories.make_framework(standards_count=10, criteria_per_standard=1)
    references = ["partly_met"] + ["met"] * 9
    exercise = practice(framework, references=references)
    assessor = factories.AssessorProfileFactory(user__email="asha@example.test").user
    factories.AdminFactory(email="ada@example.test")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, assessor.email, factories.TEST_PASSWORD)
    page.goto("/reviews/calibration/")
    assert_accessible(page, context_note="calibration page at 390px")
    page.get_by_role("button", name="Start this practice portfolio").click()
    expect(page.get_by_test_id("practice-banner")).to_be_visible()
    assert_accessible(page, context_note="practice scoring page")
    for card in page.locator("select[name$='-rating']").all():
        card.select_option("met")
    page.get_by_role("button", name="Submit my scores").click()  # saves first, then checks
    expect(page).to_have_url(re.compile(r"/submit/"))
    page.get_by_role("button", name="Submit my scores").click()
    page.get_by_role("link", name="See how your ratings compare with the reference").click()
    expect(page.get_by_test_id("practice-percent")).to_contain_text("9 of 10 criteria (90%)")
    expect(page.get_by_text("Why 1.1.")).to_be_visible()
    _fits(page)
    assert_accessible(page, context_note="practice results at 390px")
    assert exercise.portfolio.assignments.get().state == "submitted"
