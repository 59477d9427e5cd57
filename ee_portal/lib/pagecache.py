"""Whole-page cache for the public pages (issue 8; reshaped in issue 12).

``cache_public_page`` (the standards pages, the register and certificate verification, for
anonymous visitors): the same for everyone. Keyed by the full path and today's date (expiry
is by date) and stored through ee_portal/lib/fragments.py under its "public" scope. Each app
names the models its public pages show with :func:`watch_public` from its AppConfig.ready(),
so a revocation, suspension or lapse made through the services shows on the next request (and
a change made while the cache was unreachable moves the cache epoch: see fragments.py).

Only a plain 200 is stored, with its headers (Content-Type, Content-Language, Cache-Control,
X-Robots-Tag...), never a 404 (arbitrary paths would fill the cache), a streaming response,
one that sets a cookie or a new CSRF token, or a page with a flash message waiting. Copies are
served and stored only for GET and HEAD requests without a session cookie (a visitor with a
session may be signed in or have a message waiting), so nothing personal leaks.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from . import fragments

TIMEOUT = 60
PUBLIC = "public"  # the scope of what the anonymous public pages show
# Headers a copy never carries (they are per response).
_PER_RESPONSE_HEADERS = frozenset({"set-cookie", "content-length"})


def watch_public(*models: str | type[Model]) -> None:
    """Every save or delete of these models retires every cached public page."""
    for model in models:
        fragments.watch(model, lambda _instance: (PUBLIC,))


def public_version() -> int | None:
    return fragments.current_version(PUBLIC)


def bump_public_version(**_kwargs: Any) -> None:
    """Retire every cached public page (one cache write, and one more on commit)."""
    fragments.touch(PUBLIC)


def _cacheable(request: HttpRequest, response: HttpResponse) -> bool:
    """A plain 200 that set no cookie, used no CSRF token and queued no message."""
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not getattr(getattr(request, "_messages", None), "_queued_messages", None)
    )


def _anonymous_read(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES


def cache_public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve anonymous GETs (and HEADs) of ``view`` from the cache, keyed by the public
    version."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _anonymous_read(request):
            return view(request, *args, **kwargs)
        fresh: list[HttpResponse] = []

        def render() -> tuple[bytes, list[tuple[str, str]]] | None:
            response = view(request, *args, **kwargs)
            fresh.append(response)
            if _cacheable(request, response):
                headers = [
                    (name, value)
                    for name, value in response.items()
                    if name.lower() not in _PER_RESPONSE_HEADERS
                ]
                return response.content, headers
            return None

        spec = ("public-page", (PUBLIC,), (request.get_full_path(), timezone.localdate()))
        stored = fragments.cached_data(
            spec, render, timeout=TIMEOUT, keep=lambda value: value is not None
        )
        if fresh:  # rendered just now: the response itself, cookies and all
            return fresh[0]
        content, headers = stored
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        return response

    return wrapper
