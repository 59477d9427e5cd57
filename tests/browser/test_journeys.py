"""End-to-end journeys in real Chromium: the unit lead, the assessor and the CCQI admin.

Every page visited gets an axe-core scan (assert_accessible). The upload and the scoring
steps are done with the keyboard only (no mouse clicks): see tab_to() in conftest.py.
The framework has ten standards with one criterion each, so the journeys stay short while
still covering every standard.
"""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter

from awards.enums import CertificateStatus
from awards.models import Award
from network.enums import UnitRoleKind
from portfolios.enums import Cycle, PortfolioState
from portfolios.models import Evidence, Portfolio
from portfolios.services import (
    evidence_create_text,
    portfolio_create,
    portfolio_submit,
    response_save,
)
from reviews import workflow
from reviews.enums import AssignmentState, ReportKind, VisitMode
from reviews.models import Assignment, CriterionScore
from reviews.services import criterion_score_save, report_save
from tests import factories
from tests.browser.conftest import (
    accept_dialogs,
    assert_accessible,
    assert_focus_visible,
    login,
    open_file_chooser_by_keyboard,
    tab_to,
    wait_for_autosave,
)

pytestmark = pytest.mark.django_db(transaction=True)

UNIT_NAME = "Willow Ward"
SAVED_AT = re.compile(r"^Saved at \d\d:\d\d$")


# --- arranging data through the services ------------------------------------------------------


def _unit_lead_portfolio():
    unit = factories.UnitFactory(name=UNIT_NAME, organisation__name="Northfield Health Trust")
    factories.MembershipFactory(unit=unit)  # keeps the award live-valid
    lead = factories.UnitRoleFactory(
        unit=unit,
        role=UnitRoleKind.LEAD,
        user__email="lena.lead@example.test",
        user__full_name="Lena Lead",
    ).user
    framework = factories.make_framework(standards_count=10, criteria_per_standard=1)
    portfolio = portfolio_create(unit=unit, framework=framework, cycle=Cycle.INITIAL, actor=lead)
    return lead, portfolio


def _complete(portfolio: Portfolio, lead, *, codes=None) -> None:
    """Give criteria a narrative, a self-rating and one linked text evidence item."""
    responses = portfolio.responses.select_related("criterion__standard").order_by(
        "criterion__code"
    )
    for response in responses:
        code = response.criterion.code
        if codes is not None and code not in codes:
            continue
        response.portfolio = portfolio
        response_save(
            response=response,
            actor=lead,
            base_version=response.version,
            narrative=f"For {code} we talk it through at the community meeting each morning.",
            self_rating="met",
        )
        evidence_create_text(
            portfolio=portfolio,
            actor=lead,
            title=f"Feedback for {code}",
            text="“Staff listen to us.” – a resident",
            contains_identifiable=False,
            criterion_ids=[response.criterion_id],
        )


def _submitted_with_assessor():
    lead, portfolio = _unit_lead_portfolio()
    _complete(portfolio, lead)
    portfolio_submit(portfolio=portfolio, actor=lead)
    admin = factories.AdminFactory(email="ada.admin@example.test", full_name="Ada Admin")
    assessor = factories.AssessorProfileFactory(
        user__email="sam.assessor@example.test", user__full_name="Sam Assessor"
    ).user
    assignment = workflow.assessor_assign(
        portfolio=portfolio,
        assessor=assessor,
        due_date=timezone.localdate() + dt.timedelta(days=28),
        actor=admin,
        is_lead=True,
    )
    return portfolio, admin, assessor, assignment


def _with_the_panel():
    portfolio, admin, assessor, assignment = _submitted_with_assessor()
    workflow.assignment_declare_no_conflict(assignment=assignment, actor=assessor)
    met = portfolio.framework.rating_choices[0][0]
    criteria = [r.criterion for r in portfolio.responses.select_related("criterion__standard")]
    for criterion in criteria:
        criterion_score_save(
            assignment=assignment, criterion=criterion, rating=met, comment="Clear.", actor=assessor
        )
    workflow.assignment_submit_scores(assignment=assignment, actor=assessor)
    workflow.scores_agree(
        portfolio=portfolio, ratings={c.pk: (met, "Clear.") for c in criteria}, actor=admin
    )
    # Each stage with its artefact (issue 17): the interim report released before the visit,
    # the visit recorded before the panel, the summary report released before the decision.
    summary = {"strengths": "Warm.", "areas_for_development": "More.", "action_points": "Go."}
    workflow.review_advance(
        portfolio=portfolio, to_state=PortfolioState.INTERIM_REPORT, actor=admin
    )
    interim = report_save(portfolio=portfolio, kind=ReportKind.INTERIM, actor=admin, **summary)
    workflow.report_release(report=interim, actor=admin)
    workflow.review_advance(portfolio=portfolio, to_state=PortfolioState.VISIT, actor=admin)
    report_save(
        portfolio=portfolio, kind=ReportKind.VISIT, actor=admin, visit_date=timezone.localdate(),
        visit_mode=VisitMode.IN_PERSON, people_met="Members", findings="A warm welcome.",
    )  # fmt: skip
    workflow.review_advance(portfolio=portfolio, to_state=PortfolioState.PANEL, actor=admin)
    final = report_save(portfolio=portfolio, kind=ReportKind.SUMMARY, actor=admin, **summary)
    workflow.report_release(report=final, actor=admin)
    return portfolio, admin


def _pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _png_bytes() -> bytes:
    from PIL import Image  # noqa: PLC0415 -- Pillow is only needed here

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


# --- the unit lead -----------------------------------------------------------------------------


def test_unit_lead_builds_a_complete_portfolio_and_submits_it(page):
    lead, portfolio = _unit_lead_portfolio()
    _complete(portfolio, lead, codes={f"{n}.1" for n in range(1, 9)})  # 9.1 and 10.1 are left
    dialogs: list[str] = []
    accept_dialogs(page, dialogs)
    login(page, lead.email, factories.TEST_PASSWORD)

    # The builder shows what is missing, and Submit is not possible yet.
    page.goto(f"/portfolios/{portfolio.pk}/")
    readiness = page.locator("#readiness")
    expect(readiness).to_contain_text("4 things still need doing")
    for text in (
        "9.1: write how you meet this criterion.",
        "9.1: link at least one piece of evidence.",
        "10.1: write how you meet this criterion.",
        "10.1: link at least one piece of evidence.",
    ):
        expect(readiness.get_by_role("link", name=text)).to_be_visible()
    expect(page.get_by_role("button", name="Submit the portfolio")).to_be_disabled()
    assert_accessible(page, context_note="builder with gaps")

    # Multi-file upload, keyboard only: Tab to the file input, Enter opens the chooser,
    # Tab to Upload, Enter starts it. Each file gets its own progress bar.
    page.get_by_role("link", name="Evidence library").click()
    assert_accessible(page, context_note="evidence library")
    tab_to(page, page.locator("#id_up-files"))
    chooser = open_file_chooser_by_keyboard(page)
    assert chooser.is_multiple()
    chooser.set_files(
        [
            {
                "name": "community-meeting.pdf",
                "mimeType": "application/pdf",
                "buffer": _pdf_bytes(),
            },
            {"name": "garden-day.png", "mimeType": "image/png", "buffer": _png_bytes()},
        ]
    )
    tab_to(page, page.get_by_role("button", name="Upload", exact=True))
    page.keyboard.press("Enter")
    bars = page.locator("#upload-list [role=progressbar]")
    expect(bars).to_have_count(2)
    for index in range(2):
        expect(bars.nth(index)).to_have_attribute("aria-valuenow", "100")
        expect(bars.nth(index).locator(".progress-bar")).to_have_class(re.compile("bg-success"))
    expect(page.locator("#upload-list").get_by_text("Uploaded.")).to_have_count(2)
    assert_accessible(page, context_note="upload finished")
    assert Evidence.objects.filter(portfolio=portfolio, kind="file").count() == 2
    page.get_by_role("link", name="Show the new items in the library").click()
    expect(page.get_by_role("heading", name="Items (10)")).to_be_visible()
    assert_accessible(page, context_note="library with the new files")

    # Back on the builder the new files are listed as missing their declarations.
    page.get_by_role("link", name=f"{UNIT_NAME} · Initial award").click()
    expect(readiness).to_contain_text("6 things still need doing")
    assert_accessible(page, context_note="builder asking for declarations")
    readiness.get_by_role("link", name=re.compile("community-meeting")).click()

    # Declarations plus a link to 9.1 on the evidence page.
    expect(page.get_by_role("heading", level=1)).to_contain_text("community-meeting")
    assert_accessible(page, context_note="evidence details")
    # The form starts from the stored details (it once came up blank, losing them on Save).
    expect(page.get_by_label("Title")).to_have_value("community-meeting.pdf")
    page.locator("input[name=contains_identifiable][value=no]").check()
    page.get_by_label("9.1 People feel welcome.", exact=True).check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("main .messages")).to_contain_text("Saved “community-meeting.pdf”.")
    assert_accessible(page, context_note="library after saving the details")
    page.get_by_role("link", name="Edit garden-day").click()
    expect(page.get_by_label("Title")).to_have_value("garden-day.png")
    assert_accessible(page, context_note="photo details")
    page.locator("input[name=contains_identifiable][value=no]").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("main .messages")).to_contain_text("Saved “garden-day.png”.")

    # 9.1: the narrative autosaves; after a reload it is still there.
    page.get_by_role("link", name=f"{UNIT_NAME} · Initial award").click()
    expect(readiness).to_contain_text("3 things still need doing")
    assert_accessible(page, context_note="builder, declarations done")
    readiness.get_by_role("link", name="9.1: write how you meet this criterion.").click()
    assert_accessible(page, context_note="criterion 9.1")
    expect(page.get_by_role("link", name=re.compile("community-meeting"))).to_be_visible()
    narrative = "Residents chair the Monday meeting and write the minutes themselves."
    editor = page.get_by_label("How we meet this criterion")
    wait_for_autosave(page.locator("#narrative-form"))
    editor.fill(narrative)
    status = page.locator("#save-status")
    expect(status).to_have_text(SAVED_AT)
    page.reload()
    expect(editor).to_have_value(narrative)
    assert_accessible(page, context_note="criterion 9.1 after a reload")
    wait_for_autosave(page.locator("#narrative-form"))
    page.get_by_label("Met", exact=True).check()
    expect(status).to_have_text(SAVED_AT)

    # 10.1: link the photo from the library on the criterion page, then write the narrative.
    page.goto(f"/portfolios/{portfolio.pk}/criteria/10.1/")
    assert_accessible(page, context_note="criterion 10.1")
    page.get_by_text("Link evidence from your library").click()
    page.get_by_role("button", name=re.compile("^Link garden-day")).click()
    expect(page.locator("main .messages")).to_have_text("Linked “garden-day.png” to 10.1.")
    linked = page.locator("section[aria-labelledby=linked-heading]")
    expect(linked.get_by_role("link", name=re.compile("garden-day"))).to_be_visible()
    wait_for_autosave(page.locator("#narrative-form"))
    editor.fill("We tend the garden together every Thursday; the photo shows the last one.")
    expect(status).to_have_text(SAVED_AT)
    assert_accessible(page, context_note="criterion 10.1 with linked evidence")

    # Nothing is missing now: submit. 10.1 was left unrated: a nudge, not a block (issue 17).
    page.get_by_role("link", name=f"{UNIT_NAME} · Initial award").click()
    expect(readiness).to_contain_text("Nothing is missing.")
    expect(readiness.get_by_role("link", name=re.compile("^10.1: "))).to_contain_text(
        "the unit has not rated it yet"
    )
    assert_accessible(page, context_note="builder, ready to submit")
    page.get_by_role("button", name="Submit the portfolio").click()
    expect(page.locator("main .badge.fs-6")).to_have_text("Submitted")
    assert dialogs == [
        "One of the unit’s own ratings is worth a look first (see the list above). "
        "Submit the portfolio now? After this it is locked while it is assessed."
    ]
    assert_accessible(page, context_note="submitted portfolio")
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.SUBMITTED
    assert portfolio.revisions.count() == 1
    assert not page.errors, page.errors


# --- the assessor ------------------------------------------------------------------------------


def test_assessor_declares_no_conflict_scores_every_criterion_by_keyboard_and_submits(page):
    portfolio, _admin, assessor, assignment = _submitted_with_assessor()
    dialogs: list[str] = []
    accept_dialogs(page, dialogs)
    login(page, assessor.email, factories.TEST_PASSWORD)

    page.get_by_role("link", name="Reviews").click()
    assert_accessible(page, context_note="review list")
    page.get_by_role("link", name=UNIT_NAME).click()
    expect(
        page.get_by_role("heading", name="Before you start: conflicts of interest")
    ).to_be_visible()
    assert_accessible(page, context_note="declaration")
    page.get_by_label("I have no conflict of interest with this unit or its organisation").check()
    page.get_by_role("button", name="Send my declaration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Scoring {UNIT_NAME}")
    assert_accessible(page, context_note="scoring page")

    # Keyboard only from here: Tab to each rating, choose it from the keyboard, Tab to the
    # comment and type it, Tab to Save and press Enter; then Tab to Submit and press Enter.
    sections = page.locator("section.score-card")
    count = sections.count()
    assert count == 10
    progress = page.locator("#score-progress")
    for index in range(count):
        section = sections.nth(index)
        tab_to(page, section.locator("select"))
        page.keyboard.press("ArrowDown")  # the first point of the scale
        assert tab_to(page, section.locator("textarea"), max_presses=3) == 1  # focus order
        page.keyboard.type(f"Comment {index + 1}: the minutes show residents leading.")
        save = section.get_by_role("button", name=re.compile("^Save"))
        assert tab_to(page, save, max_presses=3) == 1
        page.keyboard.press("Enter")
        expect(section.locator("[data-status]")).to_have_text("Saved")
        expect(progress).to_contain_text(f"{index + 1} of 10 criteria rated")
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "10")
    assert_accessible(page, context_note="scoring page, all rated")
    # Going back up with Shift+Tab, the sticky progress bar must not hide the focus.
    for _ in range(20):
        page.keyboard.press("Shift+Tab")
        assert_focus_visible(page)
    # Issue 17: "Submit my scores" checks first, on its own page, and only then asks.
    tab_to(page, page.get_by_role("button", name="Submit my scores"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit your scores")
    expect(page.get_by_text("Every one of the 10 criteria has a rating.")).to_be_visible()
    assert_accessible(page, context_note="check before submitting")
    tab_to(page, page.get_by_role("button", name="Submit my scores"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("your scores are submitted")).to_be_visible()
    assert dialogs == []
    assert_accessible(page, context_note="scores submitted")

    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.SUBMITTED
    scores = CriterionScore.objects.filter(assignment=assignment).order_by("criterion__code")
    assert scores.count() == 10
    met = portfolio.framework.rating_choices[0][0]
    assert {s.rating for s in scores} == {met}
    assert all(s.comment.startswith("Comment ") for s in scores)
    assert not page.errors, page.errors


# --- the admin, the certificate and the public check -------------------------------------------


def test_admin_records_the_award_and_anyone_can_verify_the_certificate(page, new_page):
    portfolio, admin = _with_the_panel()
    dialogs: list[str] = []
    accept_dialogs(page, dialogs)
    login(page, admin.email, factories.TEST_PASSWORD)

    page.get_by_role("link", name="Reviews").click()
    assert_accessible(page, context_note="review queue")
    page.get_by_role("link", name=UNIT_NAME).click()
    assert_accessible(page, context_note="portfolio review")
    page.get_by_role("link", name="Record the panel decision").click()
    assert_accessible(page, context_note="decision form")
    page.get_by_label("Awarded", exact=True).check()
    page.get_by_label("Rationale").fill("All ten standards are met; residents lead the meeting.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The decision is recorded")).to_be_visible()
    assert dialogs == ["Record this decision and send the letter to the unit?"]
    assert_accessible(page, context_note="portfolio after the decision")

    award = Award.objects.select_related("certificate").get(portfolio=portfolio)
    certificate = award.certificate
    assert certificate.status == CertificateStatus.READY  # rendered in-process (eager Celery)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Awards").click()
    assert_accessible(page, context_note="award list")
    page.get_by_role("link", name=UNIT_NAME).click()
    expect(page.get_by_role("status").first).to_contain_text("Valid")
    assert_accessible(page, context_note="award page")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"{certificate.number}.pdf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert UNIT_NAME in text

    verify_href = page.get_by_role("link", name="its public verification page").get_attribute(
        "href"
    )
    assert verify_href == f"/verify/{certificate.verify_code}/"
    visitor = new_page()  # a fresh browser context: not signed in
    visitor.goto(verify_href)
    expect(visitor.get_by_role("status")).to_contain_text("Valid")
    expect(visitor.locator("main")).to_contain_text(UNIT_NAME)
    expect(visitor.locator("main")).to_contain_text(certificate.number)
    expect(visitor.locator("header")).to_contain_text("Sign in")
    assert_accessible(visitor, context_note="public certificate check")
    assert not page.errors, page.errors
    assert not visitor.errors, visitor.errors


def test_assignment_pages_stay_private_after_submission(page):
    """A regression guard for the journey data: the unit lead cannot open the scoring page."""
    _portfolio, _admin, _assessor, assignment = _submitted_with_assessor()
    lead = Assignment.objects.get(pk=assignment.pk).portfolio.unit.roles.get().user
    login(page, lead.email, factories.TEST_PASSWORD)
    response = page.goto(f"/reviews/assignments/{assignment.pk}/score/")
    assert response.status == 404
    assert_accessible(page, context_note="404 page")


def test_admin_sees_what_is_unfinished_and_moves_on_only_with_a_reason(page):
    """Issue 17: the review page lists what is missing before the next stage; the admin can
    move on anyway only with a reason, at phone width and without a confirm dialog."""
    portfolio, admin, assessor, assignment = _submitted_with_assessor()
    workflow.assignment_declare_no_conflict(assignment=assignment, actor=assessor)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, admin.email, factories.TEST_PASSWORD)
    page.goto(f"/reviews/portfolios/{portfolio.pk}/")
    unfinished = page.locator(".unfinished-step")
    expect(unfinished).to_contain_text("Before moving on to: Interim report")
    expect(unfinished).to_contain_text("Scores not yet submitted by: Sam Assessor.")
    assert_accessible(page, context_note="review page with unfinished steps")

    page.get_by_role("button", name="Move on anyway to: Interim report").click()
    expect(page.get_by_role("status")).to_contain_text("Not yet: Scores not yet submitted by")
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.IN_REVIEW

    page.get_by_label("Why move on anyway?").fill("The panel date is fixed; the lead agrees.")
    page.get_by_role("button", name="Move on anyway to: Interim report").click()
    expect(page.get_by_role("status")).to_contain_text("The portfolio is now at: Interim report")
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.INTERIM_REPORT
    assert_accessible(page, context_note="review page after an override")
    assert not page.errors, page.errors
