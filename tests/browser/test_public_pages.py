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


def test_visitor_reads_the_standards_and_signs_in(page, sample_standards):
    user = factories.UserFactory(email="visitor@example.test", full_name="Vic Visitor")
    page.goto("/")
    assert_accessible(page, context_note="home")
    page.get_by_role("link", name="Read the standards").click()
    assert (
        page.get_by_role("heading", level=1).inner_text() == "The Enabling Environments standards"
    )
    assert page.locator("ol li .card").count() == 10
    assert_accessible(page, context_note="standards list")
    page.get_by_role("link", name="6. Safety").click()
    assert "Everyone can get support." in page.locator("main").inner_text()
    assert_accessible(page, context_note="standard detail")
    login(page, user.email, factories.TEST_PASSWORD)
    assert "Signed in as Vic" in page.locator("header").inner_text()


def test_skip_link_is_first_and_moves_focus_to_main(page, sample_standards):
    page.goto("/standards/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_login_page_is_accessible_and_explains_a_wrong_password(page):
    factories.UserFactory(email="someone@example.test")
    page.goto("/accounts/login/")
    assert_accessible(page, context_note="login")
    login(page, "someone@example.test", "not-the-password")
    assert "Please enter a correct email address and password" in page.locator("main").inner_text()
    assert_accessible(page, context_note="login error")
