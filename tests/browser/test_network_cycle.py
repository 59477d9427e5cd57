"""One Community of Communities cycle in real Chromium (issue 14): the CCQI admin assigns a
peer team (and is refused one without lived experience), a peer reviewer declares and rates
on the assessors' scoring page, the admin writes and releases the annual report, and the
community's lead downloads it and finds its self vs peer ratings. axe-core checks each page."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from portfolios.enums import PortfolioState
from portfolios.services import portfolio_submit
from programmes import services
from reviews import workflow
from reviews.enums import AssignmentState
from reviews.models import Assignment
from standards.models import Criterion
from tests import factories
from tests.browser.conftest import accept_dialogs, assert_accessible, login, wait_for_autosave
from tests.programmes.conftest import COFC, complete_self_review, member, reviewer

pytestmark = pytest.mark.django_db(transaction=True)


def _arrange():
    from standards.services import framework_import  # noqa: PLC0415

    framework_import(text=COFC.read_text(encoding="utf-8"), publish=True)
    admin = factories.AdminFactory(email="ccqi@example.test", full_name="Cass CCQI")
    oak = member("Oak House", "full")
    birch = member("Birch Lodge", "full")
    cedar = member("Cedar Place", "accreditation")
    lead = factories.UnitRoleFactory(unit=oak, role="lead", user__email="oak@example.test").user
    staff = reviewer("birch-staff@example.test", birch, "staff")
    resident = reviewer("cedar-resident@example.test", cedar, "service_user")
    cycle = services.annual_cycle_start(actor=admin, unit=oak, year=timezone.localdate().year)
    complete_self_review(cycle, lead)
    portfolio_submit(portfolio=cycle, actor=lead)
    return admin, lead, staff, resident, cycle


def test_one_network_cycle_from_peer_team_to_annual_report(page, new_page):
    admin, lead, staff, resident, cycle = _arrange()
    dialogs: list[str] = []
    accept_dialogs(page, dialogs)
    visit = (timezone.localdate() + dt.timedelta(days=30)).isoformat()

    # The CCQI admin: dashboard, cycle page, the peer team (refused, then assigned).
    login(page, admin.email, factories.TEST_PASSWORD)
    page.goto("/programmes/cofc/")
    assert_accessible(page, context_note="network dashboard")
    page.get_by_role("link", name="Self-review complete").click()
    assert_accessible(page, context_note="cycle page")
    page.get_by_role("link", name="Assign the peer team").click()
    page.get_by_label("Lead reviewer (CCQI)").select_option(label=str(admin))
    page.get_by_label(re.compile(r"birch-staff|" + re.escape(str(staff.user)))).check()
    page.get_by_label("Visit date").fill(visit)
    page.get_by_role("button", name="Assign the team").click()
    expect(page.get_by_text("Add at least one reviewer who is a service user")).to_be_visible()
    assert_accessible(page, context_note="peer team refused")
    assert not Assignment.objects.exists()
    # The refusal answers 400 on purpose (the form with its reasons); nothing else may fail.
    assert page.errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    page.errors.clear()
    page.get_by_label(re.compile(r"cedar-resident|" + re.escape(str(resident.user)))).check()
    page.get_by_label("Visit date").fill(visit)
    page.get_by_role("button", name="Assign the team").click()
    expect(page.get_by_text("The peer team is assigned")).to_be_visible()
    assert Assignment.objects.filter(portfolio=cycle).count() == 3

    # The peer reviewer: only this visit; declares, rates every criterion, submits.
    reviewer_page = new_page()
    reviewer_dialogs: list[str] = []
    accept_dialogs(reviewer_page, reviewer_dialogs)
    login(reviewer_page, resident.user.email, factories.TEST_PASSWORD)
    reviewer_page.get_by_role("link", name="Reviews").click()
    assert_accessible(reviewer_page, context_note="reviewer's assignments")
    reviewer_page.get_by_role("link", name="Oak House").click()
    reviewer_page.get_by_label(
        "I have no conflict of interest with this unit or its organisation"
    ).check()
    reviewer_page.get_by_role("button", name="Send my declaration").click()
    expect(reviewer_page.get_by_role("heading", level=1)).to_have_text("Scoring Oak House")
    assert_accessible(reviewer_page, context_note="reviewer scoring")
    cards = reviewer_page.locator("section.score-card")
    wait_for_autosave(cards.first.locator("form[data-autosave]"))
    assert cards.count() == 19
    for index in range(cards.count()):
        card = cards.nth(index)
        card.locator("select").select_option("not_met" if index == 0 else "met")
        card.locator("textarea").fill(f"Seen on the visit ({index + 1}).")
        card.get_by_role("button", name=re.compile("^Save")).click()
        expect(card.locator("[data-status]")).to_have_text("Saved")
    reviewer_page.get_by_role("button", name="Submit my scores").click()
    reviewer_page.get_by_role("button", name="Submit my scores").click()
    expect(reviewer_page.get_by_text("your scores are submitted")).to_be_visible()
    mine = Assignment.objects.get(portfolio=cycle, assessor=resident.user)
    assert mine.state == AssignmentState.SUBMITTED
    assert reviewer_page.goto("/programmes/cofc/").status == 404
    assert reviewer_page.errors == [
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]
    reviewer_page.errors.clear()  # that 404 was the point

    # The ratings are agreed (the admin overrides the reviewers still to submit), then the
    # admin writes and releases the annual report in the browser.
    ratings = {
        c.pk: ("not_met" if c.code == "1.1" else "met", "Agreed.")
        for c in Criterion.objects.filter(standard__framework=cycle.framework)
    }
    workflow.scores_agree(portfolio=cycle, ratings=ratings, actor=admin, override=True)
    page.goto(f"/reviews/portfolios/{cycle.pk}/")
    assert_accessible(page, context_note="review page of the cycle")
    page.get_by_role("link", name="Write the annual report").click()
    page.get_by_label("Achievements").fill("Members chair the community meeting.")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Release to the unit").click()
    expect(page.get_by_text(re.compile("Released"))).to_be_visible()
    page.goto(f"/reviews/portfolios/{cycle.pk}/")
    page.get_by_role("button", name=re.compile("Move on to: Cycle complete")).click()
    expect(page.get_by_text("The portfolio is now at: Cycle complete.")).to_be_visible()
    cycle.refresh_from_db()
    assert cycle.state == PortfolioState.COMPLETED

    # The community's lead: the released report, self vs peer, type 1 not met first.
    lead_page = new_page()
    login(lead_page, lead.email, factories.TEST_PASSWORD)
    lead_page.goto(f"/programmes/cofc/cycles/{cycle.pk}/")
    assert_accessible(lead_page, context_note="cycle page for the community")
    lead_page.get_by_role("link", name="Annual report").click()
    with lead_page.expect_download() as download_info:
        lead_page.get_by_role("link", name=re.compile("Download")).click()
    data = Path(download_info.value.path()).read_bytes()
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert "Members chair the community meeting." in text
    essential = text.index("Essential (type 1) criteria not met")
    assert text.index("1.1", essential) < text.index("Action points")
    assert "Met: 3 of 4 in the self-review" not in text  # the community rated every one met
    assert "Met: 4 of 4 in the self-review, 3 of 4 in the peer review." in text
    assert not page.errors, page.errors
    assert not reviewer_page.errors, reviewer_page.errors
    assert not lead_page.errors, lead_page.errors
