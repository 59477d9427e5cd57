from functools import cached_property

from django.http import HttpRequest
from django.utils.safestring import mark_safe

from ee_portal.lib import fragments

from .rules import user_unit_roles

CHROME_MARKER = "<!--ee-chrome-part-->\n"
CHROME_TEMPLATE = "includes/_site_chrome.html"


def chrome_spec(request: HttpRequest) -> tuple:
    """The chrome's cache lookup (template, scopes, vary). Everything it shows is in the key,
    read fresh for this request: the person's name and flags, and their units' names and
    roles (user_unit_roles, the same query the permission rules use). So it has no scope to
    go stale with."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return CHROME_TEMPLATE, (), (None,)
    who = (user.pk, user.get_short_name(), user.is_ccqi_admin, user.is_assessor, user.is_reviewer)
    # user_unit_roles is read for admins too: the same query brings the cache epoch.
    return CHROME_TEMPLATE, (), (who, tuple(user_unit_roles(user).items()))


def prefetch_page(request: HttpRequest, *specs: tuple) -> None:
    """Read what a signed-in page will need from the cache in one round trip: the page chrome
    and ``specs`` (the page's own lookups, known once its permissions have been decided)."""
    if request.user.is_authenticated:
        fragments.prefetch(chrome_spec(request), *specs)


class SiteChrome:
    """The parts of base.html that are the same on every page: the assets in <head>, the
    header with the navigation (per person: their name and entry points) and the footer.

    Issue 8: rendered once and cached (ee_portal/lib/fragments.py) as one template, keyed by
    what it shows (chrome_spec), instead of on every page: one cache round trip, or none after
    prefetch_page(). The sign-out form's CSRF token is filled in per response. Nothing is
    fetched unless the page uses it.
    """

    def __init__(self, request: HttpRequest):
        self.request = request

    def _context(self) -> dict:
        user = getattr(self.request, "user", None)
        return {"nav": navigation_entries(user), "user": user}

    @cached_property
    def _parts(self) -> list[str]:
        template, scopes, vary = chrome_spec(self.request)
        html = fragments.render_cached(
            self.request,
            template,
            scopes=scopes,
            vary=vary,
            context=self._context,
        )
        return [mark_safe(part) for part in html.split(CHROME_MARKER)]  # noqa: S308 -- our HTML

    @property
    def assets(self) -> str:
        return self._parts[0]

    @property
    def header(self) -> str:
        return self._parts[1]

    @property
    def footer(self) -> str:
        return self._parts[2]


def navigation_entries(user) -> dict:
    """Which entry points the signed-in person sees in the navigation bar.

    ``units`` lists (unit id, unit name) of a non-admin's units, for the "My unit" link.
    """
    if user is None or not user.is_authenticated:
        return {}
    units = (
        []
        if user.is_ccqi_admin
        else [(unit_id, name) for unit_id, (_role, name) in user_unit_roles(user).items()]
    )
    return {
        "admin": user.is_ccqi_admin,
        "assessor": user.is_reviewer or user.is_ccqi_admin,
        "portfolios": user.is_ccqi_admin or bool(units),
        "units": units,
    }


def navigation(request: HttpRequest) -> dict:
    """The page chrome (``page_chrome``), with the navigation worked out only if it is not
    cached. (Not ``site``: Django's sign-in and password views put their Site there.)"""
    return {"page_chrome": SiteChrome(request)}
