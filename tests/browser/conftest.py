"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against a live server.

Select with `-m browser`. Failures keep a screenshot and the page HTML in test-artifacts/.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.conftest import need_service

CHROMIUM = Path(os.environ.get("EE_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERIOUS = {"serious", "critical"}

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (arranging data) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


@pytest.fixture(scope="session")
def browser():
    need_service("Chromium", CHROMIUM.exists(), f"{CHROMIUM} not found; apt-get install chromium")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 -- only when a browser exists

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageErrors(list):
    """Console errors and CSP violations seen while a test ran."""


def _save_artifacts(page, stem: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
        (ARTIFACTS / f"{stem}.html").write_text(page.content(), encoding="utf-8")
    except Exception as exc:  # noqa: BLE001 -- keep the real failure visible
        print(f"Could not save browser artifacts: {exc}")


@pytest.fixture
def new_page(browser, request, live_server):
    """Factory: a page in a fresh browser context (its own cookies), e.g. a second visitor.

    Each page records console errors in ``page.errors``; when the test fails, every page
    made here leaves a screenshot and its HTML in test-artifacts/. Issue 15: a request to any
    host but the live server's fails the test (locked-down networks; no CDNs).
    """
    contexts = []
    own_host = urlsplit(live_server.url).netloc
    foreign: set[str] = set()

    def note_host(request) -> None:
        # Only the network counts: Chromium's own chrome:// and extension pages (its PDF
        # viewer) and data:/blob: URLs never leave the machine.
        url = urlsplit(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != own_host:
            foreign.add(url.netloc)

    def make():
        # Reduced motion switches off Bootstrap's transitions, so axe never measures a
        # colour half-way through a hover or focus transition.
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", reduced_motion="reduce"
        )
        context.set_default_timeout(15_000)
        context.on("request", note_host)
        page = context.new_page()
        errors = PageErrors()
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.errors = errors
        contexts.append((context, page))
        return page

    yield make
    report = getattr(request.node, "rep_call", None)
    stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-140:]
    for index, (context, page) in enumerate(contexts):
        if report is not None and report.failed:
            _save_artifacts(page, stem if index == 0 else f"{stem}-{index + 1}")
        context.close()
    assert not foreign, f"Pages contacted other hosts: {sorted(foreign)}"


@pytest.fixture
def page(new_page):
    return new_page()


def login(page, email: str, password: str) -> None:
    """Sign in through the real form."""
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def assert_accessible(page, *, context_note: str = "") -> None:
    """axe-core scan of the current page: no serious or critical WCAG violations, no CSP errors."""
    results = Axe().run(
        page,
        options={
            "resultTypes": ["violations"],
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
            },
        },
    )
    serious = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    details = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        f"\n  {v['nodes'][0].get('failureSummary', '')}"
        for v in serious
    )
    where = f" on {page.url}" + (f" ({context_note})" if context_note else "")
    assert not serious, f"Accessibility violations{where}:\n{details}"
    csp = [e for e in page.errors if "Content Security Policy" in e]
    assert not csp, f"CSP violations{where}: {csp}"


def open_file_chooser_by_keyboard(page, *, attempts: int = 3):
    """Press Space on the focused file input and return the file chooser it opens.

    Under load Chromium now and then drops the first keyboard activation of a file input
    (the page and focus are right, no chooser event comes: seen twice in CI on 26 November
    2026), so the key is pressed again, up to ``attempts`` times; still by keyboard only.
    """
    for attempt in range(1, attempts + 1):
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser:
                page.keyboard.press("Space")
            return chooser.value
        except PlaywrightTimeoutError:
            if attempt == attempts:
                raise
    return None  # not reached: the last attempt returns or raises


def wait_for_autosave(form) -> None:
    """Wait until the autosave script has bound its listeners to ``form`` (a Locator).

    The scripts are deferred: a click that loads a page can return, and the page's text can
    match, before they run. Typing then fires no input event anyone hears, and the test
    waits for a "Saved" that never comes. The scripts mark the form once they listen.
    """
    expect(form).to_have_attribute("data-enhanced", "true")


def tab_to(page, target, *, max_presses: int = 80) -> int:
    """Press Tab (only Tab) until ``target`` (a Locator) has the focus; return the presses.

    Fails when the element cannot be reached by keyboard, or when it has the focus but no
    visible focus indicator (WCAG 2.4.7).
    """
    for presses in range(1, max_presses + 1):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            assert_focus_visible(page)
            return presses
    focused = page.evaluate("document.activeElement && document.activeElement.outerHTML")
    raise AssertionError(
        f"{target} was not reached with {max_presses} presses of Tab; focus is on {focused}"
    )


FOCUS_STYLE_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== "none";
  const r = el.getBoundingClientRect();
  const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(r.top + Math.min(r.height / 2, 10), 0), innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  const label = el.labels && el.labels.length ? el.labels[0] : null;
  const mine = hit && (el.contains(hit) || hit.contains(el) || (label && label.contains(hit)));
  const by = hit ? hit.outerHTML.slice(0, 120) : "";
  return {outline, shadow, covered: !mine, by, html: el.outerHTML.slice(0, 200)};
}"""


def assert_focus_visible(page) -> None:
    """The focused element shows an outline or a focus ring (box-shadow) and is not hidden
    under something else, such as a sticky header (WCAG 2.4.7 and 2.2's 2.4.11)."""
    style = page.evaluate(FOCUS_STYLE_JS)
    assert style is not None, "Nothing has the focus"
    assert style["outline"] or style["shadow"], f"No visible focus indicator on {style['html']}"
    assert not style["covered"], f"The focused {style['html']} is hidden under {style['by']}"


def accept_dialogs(page, seen: list[str]) -> None:
    """Accept every confirm() (Playwright dismisses them by default); record their text."""

    def accept(dialog):
        seen.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
