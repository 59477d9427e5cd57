"""Every page a demo role can reach fits a 390 px phone screen (issue 17, item 4).

Each demo account (seed_demo) signs in, then the test follows same-origin links breadth-first
from the home page and the navigation (GET only; no downloads, PDFs, exports or sign-out), up
to PAGES_PER_ROLE pages, and loads each at 390 px; the assessor has first declared no
conflict, so that the scoring pages open. A page whose document is wider than the screen makes
the reader scroll sideways to read every line: the test lists all of them. Wide tables must
reflow or scroll inside their own container (a scroll container's width does not count, since
the page itself then stays on the screen).
"""

import io
import re
from collections import Counter
from importlib import import_module
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from network.demo import DEMO_PASSWORD
from reviews import workflow
from reviews.enums import AssignmentState
from reviews.models import Assignment
from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.django_db(transaction=True)
# The programmes come from a data migration, which a transactional test's flush removes.
SEED_PROGRAMMES = import_module("network.migrations.0002_seed_programmes")

PHONE = {"width": 390, "height": 844}
PAGES_PER_ROLE = 80
PER_SHAPE = 3
# Each demo account, and a page of its own that the crawl must reach from the home page.
ROLES = {
    "admin@demo.test": r"/network/units/",
    "lead@demo.test": r"/portfolios/\d+/evidence/",
    "contributor@demo.test": r"/portfolios/\d+/evidence/",
    "assessor@demo.test": r"/reviews/assignments/\d+/score/",
    # Issue 15: every page in Welsh (her own choice of language), with its award.
    "cymraeg@demo.test": r"/awards/\d+/",
}
# Not pages: files, and anything that changes the session or is Django's own admin site.
SKIPPED_PREFIXES = ("/accounts/logout/", "/django-admin/", "/static/", "/no-public-media/")
SKIPPED_SUFFIXES = (".pdf", ".csv", ".zip", ".png", ".jpg", ".svg", ".yaml")
SKIPPED_WORDS = ("download", "export", "/file/", "/preview/", "/poster", "/paper")

WIDTH_JS = "() => ({scroll: document.documentElement.scrollWidth, view: window.innerWidth})"
# The innermost elements reaching past the screen's right edge, to say what to fix.
CULPRITS_JS = """() => {
  const past = el => el.getBoundingClientRect().right > innerWidth + 0.5;
  const name = el => el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
  return Array.from(document.querySelectorAll("body *"))
    .filter(el => past(el) && !Array.from(el.children).some(past))
    .slice(0, 3)
    .map(el => name(el.parentElement) + " > " + name(el));
}"""
LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"


@pytest.fixture
def demo(settings):
    SEED_PROGRAMMES.add_programmes(django_apps, None)
    settings.DEBUG = True  # seed_demo refuses to run without it
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False


def _is_page(path: str) -> bool:
    lowered = path.lower()
    return (
        not lowered.startswith(SKIPPED_PREFIXES)
        and not lowered.endswith(SKIPPED_SUFFIXES)
        and not any(word in lowered for word in SKIPPED_WORDS)
    )


def _shape(path: str) -> str:
    """The kind of page: /network/units/7/ and /network/units/9/ are both /network/units/#/."""
    return "/".join("#" if any(c.isdigit() for c in part) else part for part in path.split("/"))


def _too_wide_pages(page, origin: str) -> tuple[list[str], list[str]]:
    """Visit pages breadth-first from the home page; return (pages seen, too-wide pages)."""
    queue, seen, too_wide = ["/"], {"/"}, []
    shapes: Counter[str] = Counter()
    scanned: set[str] = set()
    visited: list[str] = []
    while queue and len(visited) < PAGES_PER_ROLE:
        path = queue.pop(0)
        try:
            response = page.goto(path)
        except PlaywrightError as exc:  # a link to a file that the skip lists did not catch
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append(path)
        if page.locator(".table-responsive").count() and _shape(path) not in scanned:
            # A table's scroll container must be reachable and named (axe-core).
            scanned.add(_shape(path))
            assert_accessible(page, context_note="390 px")
        width = page.evaluate(WIDTH_JS)
        if width["scroll"] > width["view"]:
            culprits = ", ".join(page.evaluate(CULPRITS_JS))
            too_wide.append(f"{path} is {width['scroll']} px wide: {culprits}")
        for href in page.evaluate(LINKS_JS):
            parts = urlsplit(urldefrag(href).url)
            if f"{parts.scheme}://{parts.netloc}" != origin:
                continue
            # One visit per path (filters and page numbers of a list share its layout), and a
            # few per kind of page, so that the cap leaves room for every kind.
            shape = _shape(parts.path)
            if parts.path in seen or not _is_page(parts.path) or shapes[shape] >= PER_SHAPE:
                continue
            seen.add(parts.path)
            shapes[shape] += 1
            queue.append(parts.path)
    return visited, too_wide


@pytest.mark.parametrize(("email", "own_page"), ROLES.items())
def test_every_page_reachable_by_a_demo_role_fits_a_390px_screen(
    page, live_server, demo, email, own_page
):
    # The assessor has declared no conflict (a POST the crawl never makes): the scoring
    # pages open.
    waiting = Assignment.objects.filter(
        assessor__email=email, state=AssignmentState.AWAITING_DECLARATION
    ).select_related("assessor")
    for assignment in waiting:
        workflow.assignment_declare_no_conflict(assignment=assignment, actor=assignment.assessor)
    page.set_viewport_size(PHONE)
    login(page, email, DEMO_PASSWORD)
    # Signed in (in any language: cymraeg@demo.test reads Welsh): the sign-out form is there.
    assert page.locator('header form[action="/accounts/logout/"]').count() == 1
    visited, too_wide = _too_wide_pages(page, live_server.url)
    # The crawl went past the public pages, into the role's own part of the portal.
    assert any(re.fullmatch(own_page, path) for path in visited), visited
    assert not too_wide, f"At {PHONE['width']} px, as {email}:\n" + "\n".join(too_wide)
