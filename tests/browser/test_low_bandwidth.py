"""Issue 15: a prison's shared office PC behind a locked-down network. Every step works with
JavaScript switched off, pages stay within their byte budgets, and no page ever contacts a
host other than the portal's own."""

import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application
from playwright.sync_api import expect

from network.enums import SettingType, UnitRoleKind
from portfolios.enums import Cycle, PortfolioState
from portfolios.models import Evidence, Portfolio
from portfolios.services import (
    evidence_upload,
    portfolio_create,
)
from reviews.enums import AssignmentState
from standards.services import framework_import
from tests import factories
from tests.browser.conftest import assert_accessible, login
from tests.browser.test_journeys import _complete, _pdf_bytes, _png_bytes
from tests.factories import PRISON_STATEMENT, PRISON_TEXT

pytestmark = pytest.mark.django_db(transaction=True)


class Traffic:
    """Every request a browser context made: its host, and the bytes each response
    transferred (headers and encoded body, as the network carried them)."""

    def __init__(self, context, own_host: str) -> None:
        self.own_host = own_host
        self.hosts: set[str] = set()
        self.finished: list = []
        context.on("request", self._started)
        context.on("requestfinished", self._finished)

    def _started(self, request) -> None:
        url = urlsplit(request.url)
        if url.scheme in ("http", "https", "ws", "wss"):  # not chrome://, data:, blob:
            self.hosts.add(url.netloc)

    def _finished(self, request) -> None:
        # A bound method of a Python object (not list.append, a builtin Playwright cannot tag).
        self.finished.append(request)

    def foreign_hosts(self) -> set[str]:
        return {h for h in self.hosts if h and h != self.own_host}


def _prison_wing(framework=None):
    unit = factories.UnitFactory(name="Fell Wing", setting_type=SettingType.PRISON_PROBATION)
    factories.MembershipFactory(unit=unit)
    lead = factories.UnitRoleFactory(
        unit=unit, role=UnitRoleKind.LEAD, user__email="officer@example.test"
    ).user
    # Ten standards, one criterion each, unless given (the sample standards: 40 criteria).
    framework = framework or factories.make_prison_worded_framework()
    portfolio = portfolio_create(unit=unit, framework=framework, cycle=Cycle.INITIAL, actor=lead)
    return lead, portfolio


def _complete_all_but(portfolio: Portfolio, lead, left: set[str]) -> None:
    codes = set(portfolio.responses.values_list("criterion__code", flat=True)) - left
    _complete(portfolio, lead, codes=codes)


def test_prison_lead_writes_uploads_and_submits_without_javascript(browser, live_server):
    lead, portfolio = _prison_wing()
    _complete_all_but(portfolio, lead, left={"1.1", "2.1"})
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", java_script_enabled=False
    )
    context.set_default_timeout(15_000)
    traffic = Traffic(context, urlsplit(live_server.url).netloc)
    page = context.new_page()
    try:
        login(page, lead.email, factories.TEST_PASSWORD)
        page.goto(f"/portfolios/{portfolio.pk}/")
        main = page.locator("main")
        expect(main).to_contain_text(PRISON_STATEMENT)
        expect(main).to_contain_text(PRISON_TEXT)
        expect(page.get_by_role("button", name="Submit the portfolio")).to_be_disabled()

        # Write: the plain form's Save button (no autosave without JavaScript).
        for code, words in (
            ("1.1", "Peer mentors meet every new resident."),
            ("2.1", "The wing compact is agreed at the forum."),
        ):
            page.goto(f"/portfolios/{portfolio.pk}/criteria/{code}/")
            page.get_by_label("How we meet this criterion").fill(words)
            page.get_by_role("button", name="Save", exact=True).click()
            page.wait_for_load_state()
        assert [
            r.narrative
            for r in portfolio.responses.filter(criterion__code__in=["1.1", "2.1"]).order_by(
                "criterion__code"
            )
        ] == ["Peer mentors meet every new resident.", "The wing compact is agreed at the forum."]

        # Upload one file through the plain multipart form, declared and linked to both.
        page.goto(f"/portfolios/{portfolio.pk}/evidence/")
        upload = page.locator("#upload-form")
        upload.locator("input[type=file]").set_input_files(
            {
                "name": "wing-forum-minutes.pdf",
                "mimeType": "application/pdf",
                "buffer": _pdf_bytes(),
            }
        )
        upload.locator("input[name=up-contains_identifiable][value=no]").check()
        for code in ("1.1", "2.1"):
            upload.get_by_label(code, exact=False).first.check()
        upload.get_by_role("button", name="Upload", exact=True).click()
        page.wait_for_load_state()
        expect(page.locator("main")).to_contain_text("Uploaded “wing-forum-minutes.pdf”.")
        item = Evidence.objects.get(portfolio=portfolio, kind="file")
        assert sorted(item.links.values_list("criterion__code", flat=True)) == ["1.1", "2.1"]

        # Submit: no confirm() without JavaScript, the form posts straight away.
        page.goto(f"/portfolios/{portfolio.pk}/")
        page.get_by_role("button", name="Submit the portfolio").click()
        page.wait_for_load_state()
        portfolio.refresh_from_db()
        assert portfolio.state == PortfolioState.SUBMITTED
        assert traffic.foreign_hosts() == set()
    finally:
        context.close()


# --- page weight ---------------------------------------------------------------------------

KB = 1024
PUBLIC_BUDGET = 150 * KB
SIGNED_IN_BUDGET = 350 * KB
REPEAT_HTML_BUDGET = 30 * KB


@pytest.fixture
def production_server(settings, tmp_path):
    """The site as production serves it: static files collected with hashed names and
    compressed (gzip and Brotli) by WhiteNoise, far-future cached; served by a threaded WSGI
    server of this process on the test database (no runserver static handler)."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", interactive=False, verbosity=0)
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(get_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 -- the base class's name
        pass


def _load(context, url: str, traffic: Traffic) -> tuple[int, int]:
    """Open ``url`` in a tab of ``context``; return (all bytes transferred, the page's HTML)."""
    traffic.finished.clear()
    page = context.new_page()
    response = page.goto(url)
    assert response is not None
    assert response.ok, f"{url} answered {response.status}"
    page.wait_for_load_state("load")
    total = html = 0
    for request in traffic.finished:
        sizes = request.sizes()
        transferred = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        total += transferred
        if request.resource_type == "document":
            html += transferred
    page.close()
    return total, html


def _weigh(browser, base_url: str, paths: list[str], *, email: str = "") -> dict:
    """{path: (first load bytes, repeat HTML bytes)} for one visitor (signed in if email)."""
    context = browser.new_context(base_url=base_url, locale="en-GB")
    traffic = Traffic(context, urlsplit(base_url).netloc)
    weights = {}
    try:
        if email:
            page = context.new_page()
            login(page, email, factories.TEST_PASSWORD)
            page.close()
        for path in paths:
            # First load: an empty cache (a new context that shares only the sign-in cookie).
            fresh = browser.new_context(
                base_url=base_url, locale="en-GB", storage_state=context.storage_state()
            )
            fresh_traffic = Traffic(fresh, urlsplit(base_url).netloc)
            first, _html = _load(fresh, path, fresh_traffic)
            # Repeat: the same visitor again, its cache warm from the first load.
            repeat_total, repeat_html = _load(fresh, path, fresh_traffic)
            traffic.hosts |= fresh_traffic.hosts
            fresh.close()
            weights[path] = (first, repeat_html, repeat_total)
        assert traffic.foreign_hosts() == set(), traffic.foreign_hosts()
    finally:
        context.close()
    return weights


def test_every_page_stays_within_its_byte_budget(browser, production_server):
    sample = Path(django_settings.BASE_DIR, "fixtures/standards/ee-sample.yaml").read_text()
    lead, portfolio = _prison_wing(framework_import(text=sample, publish=True))
    _complete_all_but(portfolio, lead, left=set())  # 40 narratives and 40 evidence items
    admin = factories.AdminFactory(email="ccqi@example.test")
    public = [
        "/",
        "/standards/",
        "/standards/1/?setting=prison_probation",
        "/awards/",
        "/accounts/login/",
    ]
    signed_in = [
        "/portfolios/",
        f"/portfolios/{portfolio.pk}/",
        f"/portfolios/{portfolio.pk}/criteria/1.1/",
        f"/portfolios/{portfolio.pk}/evidence/",
        f"/portfolios/{portfolio.pk}/print/",
        f"/network/units/{portfolio.unit_id}/",
    ]
    admin_pages = ["/network/", "/network/units/", "/network/settings/", "/reviews/"]
    weights = {
        **_weigh(browser, production_server, public),
        **_weigh(browser, production_server, signed_in, email=lead.email),
        **_weigh(browser, production_server, admin_pages, email=admin.email),
    }
    # The assessor's scoring page: every criterion with its narrative and evidence.
    Portfolio.objects.filter(pk=portfolio.pk).update(state=PortfolioState.IN_REVIEW)
    assessor = factories.AssessorProfileFactory(user__email="assessor@example.test").user
    assignment = factories.AssignmentFactory(
        portfolio=portfolio, assessor=assessor, state=AssignmentState.SCORING
    )
    scoring = ["/reviews/", f"/reviews/assignments/{assignment.pk}/score/"]
    weights |= {
        f"{path} (assessor)": weight
        for path, weight in _weigh(
            browser, production_server, scoring, email=assessor.email
        ).items()
    }
    report = "\n".join(
        f"{path}: first {first / KB:.1f} KB, repeat HTML {html / KB:.1f} KB (all {rep / KB:.1f} KB)"
        for path, (first, html, rep) in weights.items()
    )
    print(report)
    over = [
        path
        for path, (first, html, _rep) in weights.items()
        if first > (PUBLIC_BUDGET if path in public else SIGNED_IN_BUDGET)
        or html > REPEAT_HTML_BUDGET
    ]
    assert over == [], f"Over budget:\n{report}"


# --- the new pages, with JavaScript, through axe-core ---------------------------------------


def test_prison_pages_are_accessible(page, new_page):
    lead, portfolio = _prison_wing()
    photo = evidence_upload(
        portfolio=portfolio,
        actor=lead,
        upload=SimpleUploadedFile("mural.png", _png_bytes()),
        contains_identifiable=False,
    )
    login(page, lead.email, factories.TEST_PASSWORD)
    page.goto("/standards/")
    expect(page.get_by_label("Show the wording for")).to_have_value("prison_probation")
    expect(page.locator("main")).to_contain_text(PRISON_STATEMENT)
    assert_accessible(page, context_note="standards in prison wording")
    page.goto(f"/portfolios/evidence/{photo.pk}/")
    expect(page.get_by_label("No resident can be recognised in this photo")).not_to_be_checked()
    assert_accessible(page, context_note="photo with its declaration")
    page.goto(f"/portfolios/{portfolio.pk}/")
    page.get_by_role("link", name="Print the whole portfolio (PDF)").click()
    assert_accessible(page, context_note="print page before the PDF")
    page.get_by_role("button", name="Make the PDF").click()  # eager Celery: ready at once
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
    assert_accessible(page, context_note="print page with the PDF ready")

    admin = factories.AdminFactory(email="ccqi@example.test")
    admin_page = new_page()
    login(admin_page, admin.email, factories.TEST_PASSWORD)
    admin_page.goto("/network/settings/")
    expect(admin_page.get_by_label("Prison or probation")).to_be_checked()
    assert_accessible(admin_page, context_note="secure settings")
