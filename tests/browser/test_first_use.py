"""Issue 17 in Chromium: pressing Upload with no file chosen says what is missing."""

import pytest
from playwright.sync_api import expect

from network.enums import UnitRoleKind
from portfolios.enums import Cycle
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
