"""Caches for the public pages (issue 8): rendering, not SQL, is most of their cost.

``cache_public_page`` (the standards pages and the register, anonymous visitors): the same
for everyone. Keyed by the full path, today's date and a version bumped on every save/delete
of the models public pages show (standards, awards, certificates, units, organisations,
memberships). Nothing in the code changes those models with queryset.update(), which would
bypass the signals; tests/perf checks the invalidation through the services.

``render_public_cached`` (the certificate verification page, anonymous visitors): the data,
and so the live status, is read on every request (one query); only the rendered HTML is
cached, under a fingerprint of everything the page shows.

Signed-in pages are not cached: a per-user copy is rarely requested twice before a write
changes it, so such a cache would mostly measure well in a benchmark.

Never cached: non-GET requests, responses other than 200 (404 too for public pages) or
streaming ones, responses that set a cookie or a new CSRF token, pages with a flash message
waiting. Copies are served and stored only for requests without a session cookie (a visitor
with a session may be signed in or have a message waiting), so nothing personal leaks.
"""

import functools
import hashlib

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

VERSION_KEY = "pagecache:public:version"
TIMEOUT = 300
# Models whose rows appear on (or decide the status shown by) the public pages.
PUBLIC_MODELS = (
    "reviews.Award",
    "reviews.Certificate",
    "network.Unit",
    "network.Organisation",
    "network.Membership",
    "network.Programme",
    "standards.Framework",
    "standards.Standard",
    "standards.Criterion",
)


def _version(key: str) -> int:
    version = cache.get(key)
    if version is None:
        # A fresh (or flushed) cache: start from the clock so old keys are never reused.
        cache.add(key, int(timezone.now().timestamp() * 1000), timeout=None)
        version = cache.get(key)
    return version


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not set (evicted or flushed): the next read starts a new version
        _version(key)


def public_version() -> int:
    return _version(VERSION_KEY)


def bump_public_version(**_kwargs) -> None:
    """Signal receiver: invalidate every cached public page (one cache write)."""
    _bump(VERSION_KEY)


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


def _hash(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _get_versioned(version_key: str, key: str) -> tuple[int, object | None]:
    """The current version and the entry stored under ``key`` if it was stored under that
    version: one cache round trip for both (entries are (version, value) pairs)."""
    found = cache.get_many([version_key, key])
    version = found.get(version_key)
    if version is None:
        return _version(version_key), None
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return version, entry[1]
    return version, None


def cache_public_page(view):
    """Serve anonymous GETs of ``view`` from the cache, keyed by the public version."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _anonymous_get(request):
            return view(request, *args, **kwargs)
        key = "pagecache:public:" + _hash(request.get_full_path(), timezone.localdate())
        version, hit = _get_versioned(VERSION_KEY, key)
        if hit is not None:
            content, status = hit
            return HttpResponse(content, status=status)
        response = view(request, *args, **kwargs)
        if _cacheable(request, response):
            cache.set(key, (version, (response.content, response.status_code)), TIMEOUT)
        return response

    return wrapper


def cached_public_page_possible(request: HttpRequest) -> bool:
    """Whether ``cached_render``/``render_public_cached`` may serve this request."""
    return _anonymous_get(request)


def _render_key(request: HttpRequest, fingerprint: tuple) -> str:
    return "pagecache:render:" + _hash(request.get_full_path(), timezone.localdate(), fingerprint)


def cached_render(request: HttpRequest, fingerprint: tuple) -> HttpResponse | None:
    """The page ``render_public_cached`` stored under ``fingerprint``, or None."""
    if not _anonymous_get(request):
        return None
    hit = cache.get(_render_key(request, fingerprint))
    return None if hit is None else HttpResponse(hit)


def render_public_cached(
    request: HttpRequest, fingerprint: tuple | None, template: str, context: dict
) -> HttpResponse:
    """``render()``; for anonymous visitors the HTML is also stored under ``fingerprint``,
    which must hold everything the template shows that can change (None: not stored)."""
    response = render(request, template, context)
    if fingerprint is None or not _anonymous_get(request):
        return response
    key = _render_key(request, fingerprint)
    if response.status_code == 200 and _cacheable(request, response):
        cache.set(key, response.content, TIMEOUT)
    return response
