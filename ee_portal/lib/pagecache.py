"""Caches for the public pages (issue 8): rendering, not SQL, is most of their cost.

``cache_public_page`` (the standards pages, the register and certificate verification, for
anonymous visitors): the same for everyone. Keyed by the full path and today's date (expiry
is by date) and stored through ee_portal/lib/fragments.py under its "public" scope, whose
version moves on every save/delete of the models these pages show (standards, awards,
certificates, units, organisations, memberships), so a revocation, suspension or lapse made
through the services shows on the next request. Nothing in the code changes those models
with queryset.update(), which would bypass the signals (the member CSV import's bulk_create
bumps it itself); a change made outside the application (SQL by hand) shows within TIMEOUT.

Signed-in pages cache their expensive parts differently, per version of the rows they show
and shared by everyone who sees the same: ee_portal/lib/fragments.py.

Never cached: non-GET requests, responses other than 200 (404 too for public pages) or
streaming ones, responses that set a cookie or a new CSRF token, pages with a flash message
waiting. Copies are served and stored only for requests without a session cookie (a visitor
with a session may be signed in or have a message waiting), so nothing personal leaks.
"""

import functools

from django.apps import apps
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from . import fragments

TIMEOUT = 60
# Models whose rows appear on (or decide the status shown by) the public pages.
PUBLIC_MODELS = (
    "awards.Award",
    "awards.Certificate",
    "network.Unit",
    "network.Organisation",
    "network.Membership",
    "network.Programme",
    "standards.Framework",
    "standards.Standard",
    "standards.Criterion",
)


def public_version() -> int | None:
    return fragments.current_version(fragments.PUBLIC)


def bump_public_version(**_kwargs) -> None:
    """Signal receiver: invalidate every cached public page (one cache write, and one more
    when the transaction commits)."""
    fragments.touch(fragments.PUBLIC)


def connect_signals() -> None:
    """Called from ReviewsConfig.ready() in every process: keep the public version current."""
    for label in PUBLIC_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        post_save.connect(bump_public_version, sender=model, dispatch_uid=f"pagecache-{label}")
        post_delete.connect(
            bump_public_version, sender=model, dispatch_uid=f"pagecache-del-{label}"
        )


def _cacheable(request: HttpRequest, response: HttpResponse) -> bool:
    """A plain page that set no cookie, used no CSRF token and queued no message."""
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    return (
        response.status_code in (200, 404)
        and not response.streaming
        and not response.cookies
        and not getattr(getattr(request, "_messages", None), "_queued_messages", None)
    )


def _anonymous_get(request: HttpRequest) -> bool:
    return request.method == "GET" and settings.SESSION_COOKIE_NAME not in request.COOKIES


def cache_public_page(view):
    """Serve anonymous GETs of ``view`` from the cache, keyed by the public version."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _anonymous_get(request):
            return view(request, *args, **kwargs)
        fresh: list[HttpResponse] = []

        def render() -> tuple[bytes, int] | None:
            response = view(request, *args, **kwargs)
            fresh.append(response)
            if _cacheable(request, response):
                return response.content, response.status_code
            return None

        spec = ("public-page", (fragments.PUBLIC,), (request.get_full_path(), timezone.localdate()))
        stored = fragments.cached_data(
            spec, render, timeout=TIMEOUT, keep=lambda value: value is not None
        )
        if fresh:  # rendered just now: the response itself, cookies and all
            return fresh[0]
        content, status = stored
        return HttpResponse(content, status=status)

    return wrapper
