"""Issue 17 in real Chromium: an assessor finds their way round the long scoring page at phone
size, and a unit lead finds their award and certificate from their own pages; an admin
revokes only on the revoke page, after ticking that it is final."""

import re

import pytest
from playwright.sync_api import expect

from awards.enums import AwardStatus, CertificateStatus
from awards.models import Award
from awards.services import certificate_render
from reviews import workflow
from reviews.models import CriterionScore
from reviews.selectors import criteria_for_portfolio
from tests import factories
from tests.browser.conftest import accept_dialogs, assert_accessible, login, wait_for_autosave
from tests.browser.test_journeys import UNIT_NAME, _submitted_with_assessor, _with_the_panel

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_assessor_at_phone_size_jumps_to_a_standard_and_on_to_the_next_one_to_rate(page):
    portfolio, _admin, assessor, assignment = _submitted_with_assessor()
    workflow.assignment_declare_no_conflict(assignment=assignment, actor=assessor)
    criteria = list(criteria_for_portfolio(portfolio=portfolio))
    page.set_viewport_size(PHONE)
    login(page, assessor.email, factories.TEST_PASSWORD)
    page.goto(f"/reviews/assignments/{assignment.pk}/score/")

    jump = page.get_by_role("navigation", name="Jump to a standard")
    expect(jump.get_by_role("link")).to_have_count(10)
    assert _fits(page)
    assert_accessible(page, context_note="scoring page at 390px")
    jump.get_by_role("link", name=re.compile(r"^3\. ")).click()
    expect(page).to_have_url(re.compile(rf"#c-{criteria[2].pk}$"))

    # Rate the first criterion and leave at once: the comment still being typed is saved
    # before "Next criterion to rate" leaves the page.
    first = page.locator("section.score-card").first
    wait_for_autosave(first.locator("form[data-autosave]"))
    first.locator("select").select_option(index=1)
    first.locator("textarea").fill("Typed and left at once.")
    first.get_by_role("link", name=re.compile("^Next criterion to rate")).click()
    expect(page).to_have_url(re.compile(rf"#c-{criteria[1].pk}$"))
    score = CriterionScore.objects.get(assignment=assignment, criterion=criteria[0])
    assert score.comment == "Typed and left at once."

    page.get_by_role("button", name="Submit my scores").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit your scores")
    missing = page.locator("main ul.readiness-list a")
    expect(missing).to_have_count(9)
    assert _fits(page)
    assert_accessible(page, context_note="criteria still to rate at 390px")
    missing.first.click()
    expect(page).to_have_url(re.compile(rf"/score/#c-{criteria[1].pk}$"))
    assert not page.errors, page.errors


def test_unit_lead_finds_the_award_and_certificate_from_the_portfolio_and_the_unit(page):
    portfolio, admin = _with_the_panel()
    workflow.decision_record(
        portfolio=portfolio, outcome="awarded", rationale="All standards met.", actor=admin
    )
    award = Award.objects.select_related("certificate").get(portfolio=portfolio)
    if award.certificate.status != CertificateStatus.READY:
        # With Redis (CI's services run) the render is queued for a worker this test does not
        # run: render it here, as the worker would.
        certificate_render(certificate_id=award.certificate.pk)
    lead = portfolio.unit.roles.get().user
    page.set_viewport_size(PHONE)
    login(page, lead.email, factories.TEST_PASSWORD)

    page.goto("/")  # a unit member's home is the portfolio list
    page.get_by_role("link", name=re.compile("^The award and certificate")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(UNIT_NAME)
    page.goto(f"/portfolios/{portfolio.pk}/")
    panel = page.get_by_role("region", name="This portfolio earned the Enabling Environments Award")
    expect(panel.get_by_role("link", name="Download the certificate (PDF)")).to_have_attribute(
        "href", f"/awards/{award.pk}/certificate.pdf"
    )
    assert _fits(page)
    assert_accessible(page, context_note="awarded builder at 390px")
    page.goto(f"/network/units/{portfolio.unit_id}/")  # "My unit" (in the collapsed menu)
    section = page.get_by_role("region", name="Awards and certificates")
    expect(section.get_by_role("link", name=re.compile("^check certificate"))).to_have_attribute(
        "href", f"/verify/{award.certificate.verify_code}/"
    )
    assert_accessible(page, context_note="unit page with its award")
    assert not page.errors, page.errors


def test_admin_revokes_only_on_its_own_page_after_ticking_that_it_is_final(page):
    portfolio, admin = _with_the_panel()
    workflow.decision_record(
        portfolio=portfolio, outcome="awarded", rationale="All standards met.", actor=admin
    )
    award = Award.objects.get(portfolio=portfolio)
    dialogs: list[str] = []
    accept_dialogs(page, dialogs)
    login(page, admin.email, factories.TEST_PASSWORD)
    page.goto(f"/awards/{award.pk}/")

    expect(page.get_by_label(re.compile("Why is the award"))).to_have_count(0)
    page.get_by_role("link", name="Revoke the award…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revoke the award")
    assert_accessible(page, context_note="revoke page")
    page.get_by_label("Why is the award revoked?").fill("Standards no longer met.")
    page.get_by_role("button", name="Revoke the award for good").click()
    expect(page.get_by_text("Please tick the box")).to_be_visible()
    award.refresh_from_db()
    assert award.status == AwardStatus.VALID
    page.get_by_label(re.compile("I understand that revoking is final")).check()
    page.get_by_role("button", name="Revoke the award for good").click()
    expect(page.get_by_text("The award is now revoked.")).to_be_visible()
    award.refresh_from_db()
    assert award.status == AwardStatus.REVOKED
    assert dialogs == []
    assert not page.errors, page.errors
