"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against a live server.

Select with `-m browser`. Failures keep a screenshot and the page HTML in test-artifacts/.
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

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


@pytest.fixture
def page(browser, request, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = PageErrors()
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
            (ARTIFACTS / f"{stem}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 -- keep the real failure visible
            print(f"Could not save browser artifacts: {exc}")
    context.close()


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
        for v in serious
    )
    where = f" on {page.url}" + (f" ({context_note})" if context_note else "")
    assert not serious, f"Accessibility violations{where}:\n{details}"
    csp = [e for e in page.errors if "Content Security Policy" in e]
    assert not csp, f"CSP violations{where}: {csp}"
