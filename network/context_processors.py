from functools import cached_property

from django.http import HttpRequest
from django.utils.safestring import mark_safe

from ee_portal.lib import fragments

from .rules import user_unit_roles

CHROME_MARKER = "<!--ee-chrome-part-->\n"


class SiteChrome:
    """The parts of base.html that are the same on every page: the assets in <head>, the
    header with the navigation (per person: their name and entry points) and the footer.

    Issue 8: rendered once and cached (ee_portal/lib/fragments.py) as one template, keyed by
    exactly what it shows, instead of on every page: one cache round trip. The sign-out form's
    CSRF token is filled in per response. Nothing is fetched unless the page uses it.
    """

    def __init__(self, request: HttpRequest, nav: dict):
        self.request = request
        self.nav = nav

    @cached_property
    def _parts(self) -> list[str]:
        user = getattr(self.request, "user", None)
        signed_in = bool(user and user.is_authenticated)
        who = (user.pk, user.get_short_name()) if signed_in else None
        html = fragments.render_cached(
            self.request,
            "includes/_site_chrome.html",
            scopes=(),
            vary=(who, sorted(self.nav.items())),
            context=lambda: {"nav": self.nav, "user": user},
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


def navigation(request: HttpRequest) -> dict:
    """Which entry points the signed-in person sees in the navigation bar (one query at most,
    shared with the permission rules), and the cached page chrome that shows them.

    ``nav.units`` lists (unit id, unit name) of a non-admin's units, for the "My unit" link.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}, "site": SiteChrome(request, {})}
    units = (
        []
        if user.is_ccqi_admin
        else [(unit_id, name) for unit_id, (_role, name) in user_unit_roles(user).items()]
    )
    nav = {
        "admin": user.is_ccqi_admin,
        "assessor": user.is_assessor or user.is_ccqi_admin,
        "portfolios": user.is_ccqi_admin or bool(units),
        "units": units,
    }
    return {"nav": nav, "site": SiteChrome(request, nav)}
