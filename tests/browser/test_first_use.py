"""Issue 17 in Chromium: pressing Upload with no file chosen says what is missing."""

import pytest
from playwright.sync_api import expect

from network.enums import UnitRoleKind
from portfolios.enums import Cycle
from portfolios.models import CriterionResponse
from portfolios.services import portfolio_create
from tests import factories
from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_upload_with_no_file_says_what_is_missing(page):
    framework = factories.make_framework(standards_count=10, criteria_per_standard=1)
    role = factories.UnitRoleFactory(role=UnitRoleKind.LEAD, user__email="lee@example.test")
    portfolio = portfolio_create(
        unit=role.unit, framework=framework, cycle=Cycle.INITIAL, actor=role.user
    )
    login(page, role.user.email, factories.TEST_PASSWORD)
    page.goto(f"/portfolios/{portfolio.pk}/evidence/")
    error = page.locator("#upload-error")
    expect(error).to_be_hidden()
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(error).to_be_visible()
    expect(error).to_contain_text("Choose at least one file first")
    expect(page.locator("#id_up-files")).to_be_focused()
    expect(page.locator("#id_up-files")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, context_note="empty upload")
    page.locator("#id_up-files").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"Minutes\n"}
    )
    expect(error).to_be_hidden()
    assert page.errors == []


def test_builder_rating_nudge_reads_at_390px(page):
    framework = factories.make_framework(standards_count=10, criteria_per_standard=1)
    role = factories.UnitRoleFactory(role=UnitRoleKind.LEAD, user__email="lee@example.test")
    portfolio = portfolio_create(
        unit=role.unit, framework=framework, cycle=Cycle.INITIAL, actor=role.user
    )
    CriterionResponse.objects.filter(portfolio=portfolio, criterion__code="1.1").update(
        self_rating="met"
    )
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, role.user.email, factories.TEST_PASSWORD)
    page.goto(f"/portfolios/{portfolio.pk}/")
    expect(page.locator("#readiness")).to_contain_text(
        "1.1: The unit rates it Met, but it has no narrative or evidence yet."
    )
    expect(page.get_by_text("Unit’s own rating: Met")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, context_note="builder with a rating nudge at 390px")
