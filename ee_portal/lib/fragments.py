"""Shared, versioned caches of page fragments for the signed-in pages (issue 8).

The expensive part of the builder, the evidence library, the scoring page, the member list and
the review queue is rendering the same data again: a submitted portfolio is read for weeks by
its assessors and admins without changing, and the admins share one member list and one
review queue. Those parts are rendered by :func:`render_cached`, once per version of the data
they show, and shared by everyone who sees the same thing (the cache key holds whatever makes
one person's copy differ from another's: their permissions, the query string...).

Versions, not expiry, keep them right. A *scope* names a set of rows:

- ``portfolio:<pk>``: a portfolio and what its unit wrote (responses, evidence, links,
  revisions);
- ``review:<pk>``: the portfolio's state and its review (assignments, scores, agreed scores,
  requests for evidence, reports, decisions), so scoring does not invalidate the builder;
- ``network``: units, organisations, memberships, programmes, unit roles (the member list,
  and each person's roles: network.rules.user_unit_roles);
- ``reviews``: what the review queue lists (portfolios, assignments, units, assessors' names);
- ``standards``: frameworks, standards and criteria (published ones never change, but a
  framework can be retired or a draft edited);
- ``people``: people's names (not their sign-ins).

A unit or organisation renamed touches the scopes of its portfolios too.

Every save or delete of those models moves the scope to a new version, at once and again after
the transaction commits (so that a copy another request renders from data read before the
commit is never used). Code that changes rows without signals (``queryset.update()``,
``bulk_create``) calls :func:`touch` itself. A fragment is stored with the versions it was
rendered under and used only while they are current, so a change shows on the next request.
Anything changed outside the application (SQL by hand) shows within FRAGMENT_TIMEOUT.

Fragments may contain forms: the CSRF token is rendered as a placeholder and replaced with
the visitor's own token on the way out. They must not use ``user`` or ``request`` for
anything that is not also in ``vary``; flash messages stay outside (base.html).
"""

import functools
import hashlib
import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)
FRAGMENT_TIMEOUT = 600
CODE_PACKAGES = ("ee_portal", "network", "portfolios", "reviews", "standards")
CSRF_PLACEHOLDER = "ee-csrf-token-placeholder"
NETWORK = "network"
REVIEWS = "reviews"
STANDARDS = "standards"
PEOPLE = "people"
PUBLIC = "public"  # what the anonymous public pages show (ee_portal/lib/pagecache.py)


def portfolio_scope(portfolio_id: int) -> str:
    return f"portfolio:{portfolio_id}"


def review_scope(portfolio_id: int) -> str:
    return f"review:{portfolio_id}"


def assignment_scope(assignment_id: int) -> str:
    """One assignment row (its assessor and state decide who may open its scoring page)."""
    return f"assignment:{assignment_id}"


def portfolio_scopes(portfolio_id: int) -> tuple[str, str, str]:
    """What a page about one portfolio shows: the portfolio's rows, its criteria, and people's
    names (a unit's or organisation's new name touches the portfolio scope itself)."""
    return portfolio_scope(portfolio_id), STANDARDS, PEOPLE


class _SafeCache:
    """The default cache, but a cache that cannot be reached (Redis down) makes every lookup a
    miss and every write a no-op, logged, instead of failing the request: pages are rendered
    afresh and writes go through. (A bump lost that way leaves copies that may be stale when
    the cache comes back, for at most FRAGMENT_TIMEOUT.)"""

    def _call(self, method: str, default, *args, **kwargs):
        try:
            return getattr(cache, method)(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 -- any cache failure degrades to no cache
            logger.warning("Page fragment cache unavailable (%s): %s", method, type(exc).__name__)
            return default

    def get(self, key: str) -> Any:
        return self._call("get", None, key)

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        return self._call("get_many", {}, keys)

    def set(self, key: str, value: Any, timeout: int) -> None:
        self._call("set", None, key, value, timeout)

    def add(self, key: str, value: Any, timeout: int | None) -> None:
        self._call("add", None, key, value, timeout=timeout)

    def bump(self, key: str) -> None:
        try:
            cache.incr(key)
        except ValueError:  # not set (evicted, flushed or never read): start a new version
            self.add(key, _new_version(), timeout=None)
        except Exception as exc:  # noqa: BLE001 -- as in _call
            logger.warning("Page fragment cache unavailable (incr): %s", type(exc).__name__)


safe_cache = _cache = _SafeCache()


def _version_key(scope: str) -> str:
    return f"fragments:version:{scope}"


def _new_version() -> int:
    # From the clock, so a flushed or evicted version never comes back with an old number.
    return int(timezone.now().timestamp() * 1_000_000)


# What prefetch() read for the current request (cleared when a request starts and ends, and by
# every touch()): one cache round trip for several lookups instead of one each.
_prefetched = threading.local()


def _memo() -> dict[str, Any]:
    memo = getattr(_prefetched, "found", None)
    if memo is None:
        memo = _prefetched.found = {}
    return memo


def forget_prefetched(**_kwargs) -> None:
    _prefetched.found = {}


def _bump(scopes: Iterable[str]) -> None:
    forget_prefetched()
    for scope in set(scopes):
        _cache.bump(_version_key(scope))


def touch(*scopes: str) -> None:
    """Give these scopes new versions now and again once the current transaction commits.
    Cached fragments rendered under the old versions are no longer used. (The second bump
    retires anything another request stored between the first one and the commit, from data
    read before the commit.)"""
    scopes = tuple(s for s in scopes if s)
    if scopes:
        _bump(scopes)
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(functools.partial(_bump, scopes))


def is_bump(callback) -> bool:
    """Is this on-commit callback one of touch()'s? (Tests that count callbacks skip them.)"""
    return getattr(callback, "func", None) is _bump


def touch_portfolio(portfolio_id: int | None) -> None:
    """The unit's side of a portfolio changed (or its state, which both sides show)."""
    if portfolio_id:
        touch(portfolio_scope(portfolio_id), review_scope(portfolio_id), REVIEWS)


def touch_review(portfolio_id: int | None) -> None:
    """The assessors' side of a portfolio changed."""
    if portfolio_id:
        touch(review_scope(portfolio_id), REVIEWS)


@functools.cache
def code_version() -> str:
    """A fingerprint of the templates and Python code (paths, sizes, modification times), taken
    once per process: a deploy that changes how a fragment is rendered never reuses copies
    rendered by the old code."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in ("templates", *CODE_PACKAGES):
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in {".html", ".py", ".txt"} and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns};".encode()
                )
    return digest.hexdigest()[:16]


def _entry_key(name: str, scopes: tuple[str, ...], vary: Iterable[Any]) -> str:
    parts = (code_version(), name, scopes, tuple(vary))
    return "fragments:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _lookup(
    name: str,
    scopes: tuple[str, ...],
    vary: Iterable[Any],
    compute: Callable[[], Any],
    *,
    timeout: int = FRAGMENT_TIMEOUT,
    keep: Callable[[Any], bool] | None = None,
):
    """The value stored for the current versions of ``scopes``, or ``compute()`` (then
    stored, unless ``keep`` says no). One cache round trip on a hit (none if prefetch() read
    it)."""
    version_keys = [_version_key(scope) for scope in scopes]
    key = _entry_key(name, scopes, vary)
    memo = _memo()
    wanted = [*version_keys, key]
    found = {k: memo[k] for k in wanted if k in memo}
    if len(found) < len(wanted):
        found.update(_cache.get_many([k for k in wanted if k not in found]))
    versions = tuple(found.get(k) for k in version_keys)
    entry = found.get(key)
    if None in versions:
        for k in version_keys:
            _cache.add(k, _new_version(), timeout=None)
        versions = tuple(_cache.get_many(version_keys).get(k) for k in version_keys)
        entry = None
    if entry is not None and entry[0] == versions:
        return entry[1]
    value = compute()
    if None not in versions and (keep is None or keep(value)):
        _cache.set(key, (versions, value), timeout)
    return value


def prefetch(*specs: tuple[str, Iterable[str], Iterable[Any]]) -> None:
    """Read, in one cache round trip, what the lookups named by ``specs`` (data_spec() for
    cached_data, (template, scopes, vary) for render_cached) will ask for later in this
    request. Only what is found is remembered; a lookup finds the rest itself."""
    keys: list[str] = []
    for name, scopes, vary in specs:
        scope_tuple = tuple(scopes)
        keys += [_version_key(scope) for scope in scope_tuple]
        keys.append(_entry_key(name, scope_tuple, vary))
    _memo().update(_cache.get_many(list(dict.fromkeys(keys))))


def data_spec(name: str, scopes: Iterable[str], vary: Iterable[Any]) -> tuple:
    """A cached_data() lookup: the value ``name`` for ``vary``, kept under ``scopes``. The same
    spec goes to prefetch()."""
    return ("data:" + name, tuple(scopes), tuple(vary))


def cached_data(spec: tuple, compute: Callable[[], Any], **options: Any) -> Any:
    """``compute()``, or the value stored for the current versions of the spec's scopes under
    the same name and vary (a picklable value; compute runs only on a miss). ``options``:
    ``timeout`` (seconds, default FRAGMENT_TIMEOUT) and ``keep`` (whether to store a value)."""
    name, scopes, vary = spec
    return _lookup(name, scopes, vary, compute, **options)


def current_version(scope: str) -> int | None:
    """The scope's version now (None when the cache cannot be reached)."""
    key = _version_key(scope)
    version = _cache.get(key)
    if version is None:
        _cache.add(key, _new_version(), timeout=None)
        version = _cache.get(key)
    return version


def render_cached(
    request: HttpRequest,
    template: str,
    *,
    scopes: Iterable[str],
    vary: Iterable[Any],
    context: Callable[[], dict[str, Any]],
) -> SafeString:
    """``template`` rendered with ``context()``, or the copy stored for the current versions of
    ``scopes`` and the same ``template`` and ``vary``. ``context`` is called only on a miss,
    so the queries that feed it run only then. One cache round trip on a hit."""

    def render() -> str:
        data = context()
        data["csrf_token"] = CSRF_PLACEHOLDER
        return render_to_string(template, data, request=request)

    html = _lookup(template, tuple(scopes), vary, render)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(html)  # noqa: S308 -- rendered by our own templates, autoescaped


# Models -> the scopes a change to one of their rows touches.
def _portfolio_of(instance) -> int | None:
    return getattr(instance, "portfolio_id", None)


def _evidence_link_portfolio(instance) -> int | None:
    evidence = getattr(instance, "evidence", None)
    return evidence.portfolio_id if evidence is not None else None


def _score_portfolio(instance) -> int | None:
    assignment = getattr(instance, "assignment", None)
    return assignment.portfolio_id if assignment is not None else None


PORTFOLIO_MODELS: dict[str, Callable[[Any], int | None]] = {
    "portfolios.Portfolio": lambda instance: instance.pk,
    "portfolios.CriterionResponse": _portfolio_of,
    "portfolios.Evidence": _portfolio_of,
    "portfolios.EvidenceLink": _evidence_link_portfolio,
    "portfolios.PortfolioRevision": _portfolio_of,
}
REVIEW_MODELS: dict[str, Callable[[Any], int | None]] = {
    "reviews.Assignment": _portfolio_of,
    "reviews.CriterionScore": _score_portfolio,
    "reviews.AgreedScore": _portfolio_of,
    "reviews.EvidenceRequest": _portfolio_of,
    "reviews.Report": _portfolio_of,
    "reviews.Decision": _portfolio_of,
}
NETWORK_MODELS = (
    "network.Membership",
    "network.Programme",
    "network.UnitRole",  # network.rules.user_unit_roles caches each person's roles
)
STANDARDS_MODELS = ("standards.Framework", "standards.Standard", "standards.Criterion")
# Saving a user only to record a sign-in or a new password changes nothing any page shows.
_INVISIBLE_USER_FIELDS = frozenset({"last_login", "password"})


def _on_portfolio_change(sender, instance, **_kwargs) -> None:
    touch_portfolio(PORTFOLIO_MODELS[sender._meta.label](instance))


def _on_review_change(sender, instance, **_kwargs) -> None:
    touch_review(REVIEW_MODELS[sender._meta.label](instance))
    if sender._meta.label == "reviews.Assignment":
        touch(assignment_scope(instance.pk))


def _on_network_change(**_kwargs) -> None:
    touch(NETWORK)


def _on_unit_change(sender, instance, **_kwargs) -> None:
    """A unit's or organisation's name shows on the member list, the review queue and every
    page of its portfolios."""
    from portfolios.models import Portfolio  # noqa: PLC0415 -- apps import this module

    field = "unit_id" if sender._meta.label == "network.Unit" else "unit__organisation_id"
    ids = Portfolio.objects.filter(**{field: instance.pk}).values_list("pk", flat=True)
    touch(
        NETWORK,
        REVIEWS,
        *(scope for pk in ids for scope in (portfolio_scope(pk), review_scope(pk))),
    )


def _on_user_change(instance, update_fields=None, **_kwargs) -> None:
    """People's names show in the review queue and on portfolio pages (who added evidence,
    who scored). Signing in saves the user too, and must not empty every cache."""
    if update_fields and set(update_fields) <= _INVISIBLE_USER_FIELDS:
        return
    touch(REVIEWS, PEOPLE)


def _on_standards_change(**_kwargs) -> None:
    touch(STANDARDS)


def connect_signals() -> None:
    """Called from ReviewsConfig.ready() in every process."""
    request_started.connect(forget_prefetched, dispatch_uid="fragments-request-started")
    request_finished.connect(forget_prefetched, dispatch_uid="fragments-request-finished")
    receivers = [(label, _on_portfolio_change) for label in PORTFOLIO_MODELS]
    receivers += [(label, _on_review_change) for label in REVIEW_MODELS]
    receivers += [(label, _on_network_change) for label in NETWORK_MODELS]
    receivers += [("network.Unit", _on_unit_change), ("network.Organisation", _on_unit_change)]
    receivers += [("network.User", _on_user_change)]
    receivers += [(label, _on_standards_change) for label in STANDARDS_MODELS]
    for label, receiver in receivers:
        model = apps.get_model(label)
        uid = f"fragments-{label}-{receiver.__name__}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid)
        post_delete.connect(receiver, sender=model, dispatch_uid=uid + "-delete")
