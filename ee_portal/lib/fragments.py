"""Shared, versioned caches of rendered output (issue 8; reshaped in issue 12).

What may be cached: rendered HTML (and the HTML of unbound forms), never an input to a
permission decision. Who may see a page is decided first, from rows read fresh from the
database on every request (unit roles, the portfolio, the assignment); only then is a cached
copy of its body looked up, under a key that holds everything that decided what it shows
(the viewer's permissions, the query string, the date where "overdue" depends on it, the
language) plus a fingerprint of the templates and code, so a deploy never serves copies
rendered by the old code.

Versions, not expiry, keep copies right. A *scope* names a set of rows (for example
``portfolio:12``). Apps say which scopes a save or delete of each of their models moves, from
their own ``AppConfig.ready()`` (:func:`watch`); this module knows no app. Every change moves
its scopes to a new version at once and again after the transaction commits (so a copy
rendered from data read before the commit is never used). Code that changes rows without
signals (``queryset.update()``, ``bulk_create``) calls :func:`touch` itself. A copy is stored
with the versions it was rendered under and used only while they are current.

When the cache cannot be reached, lookups are misses and stores are no-ops (pages render
afresh, logged). A version that could not be moved then would leave old copies behind for
when the cache answers again, so instead the change moves the *cache epoch*, one row in the
database (ee_portal.caching), in the same transaction; every key holds the epoch, read once
per request. Changes made outside the application (SQL by hand) show within FRAGMENT_TIMEOUT.

Fragments are rendered without ``request``: the context is passed explicitly, so nothing
per-person can reach a shared copy by accident. Forms inside a copy get a placeholder CSRF
field, replaced on the way out with the visitor's own token, and only where the template put
the field.
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
from django.db.models import F, Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .db import get_by_pk

logger = logging.getLogger(__name__)
FRAGMENT_TIMEOUT = 600
CSRF_PLACEHOLDER = "ee-csrf-token-placeholder"
# What {% csrf_token %} renders with the placeholder as its token: the only text replaced.
_CSRF_FIELD = format_html(
    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', CSRF_PLACEHOLDER
)


class _SafeCache:
    """The default cache, but a cache that cannot be reached (Redis down) makes every lookup a
    miss and every write a no-op, logged, instead of failing the request. A version bump that
    fails moves the cache epoch instead (see the module docstring)."""

    def _call(self, method: str, default: Any, *args: Any, **kwargs: Any) -> Any:
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

    def bump(self, key: str) -> bool:
        """Move a version on; False when the cache could not be reached."""
        try:
            cache.incr(key)
        except ValueError:  # not set (evicted, flushed or never read): start a new version
            try:
                cache.add(key, _new_version(), timeout=None)
            except Exception as exc:  # noqa: BLE001 -- as below
                logger.warning("Page fragment cache unavailable (add): %s", type(exc).__name__)
                return False
        except Exception as exc:  # noqa: BLE001 -- any cache failure: the epoch moves instead
            logger.warning("Page fragment cache unavailable (incr): %s", type(exc).__name__)
            return False
        return True


_cache = _SafeCache()


def _new_version() -> int:
    # From the clock, so a flushed or evicted version never comes back with an old number.
    return int(timezone.now().timestamp() * 1_000_000)


# Per request (cleared when a request starts and ends, and by every touch()): the epoch and
# what prefetch() read, so several lookups cost one cache round trip.
_local = threading.local()


def _memo() -> dict[str, Any]:
    memo = getattr(_local, "found", None)
    if memo is None:
        memo = _local.found = {}
    return memo


def forget_prefetched(**_kwargs: Any) -> None:
    _local.found = {}
    _local.epoch = None


def _epoch() -> int:
    """The cache epoch (one primary-key query, once per request)."""
    epoch = getattr(_local, "epoch", None)
    if epoch is None:
        from ee_portal.caching.models import CacheEpoch  # noqa: PLC0415 -- models load late

        # SQL built once per process: every change reads it (touch()), many at once.
        row = get_by_pk(CacheEpoch, 1)
        epoch = _local.epoch = row.value if row is not None else 0
    return epoch


def epoch_sql() -> str:
    """A scalar subquery for the cache epoch, for a query that runs on every request anyway
    (a person's unit roles) to read it in the same round trip: see remember_epoch()."""
    from ee_portal.caching.models import CacheEpoch  # noqa: PLC0415 -- models load late

    table = CacheEpoch._meta.db_table
    return f"(SELECT value FROM {table} WHERE id = 1)"  # noqa: S608 -- a model's own table


def remember_epoch(value: int | None) -> None:
    """The epoch as a query of this request just read it (epoch_sql())."""
    _local.epoch = value or 0


def _move_epoch() -> None:
    from ee_portal.caching.models import CacheEpoch  # noqa: PLC0415 -- models load late

    if not CacheEpoch.objects.filter(pk=1).update(value=F("value") + 1):
        CacheEpoch.objects.get_or_create(pk=1, defaults={"value": 1})
    logger.warning("Cache unreachable during a change: cache epoch moved")


def _version_key(scope: str) -> str:
    return f"fragments:{_epoch()}:version:{scope}"


def _bump(scopes: Iterable[str], epoch: int | None = None) -> None:
    # The epoch is read afresh for a change (a worker process has no requests to reset it),
    # or given: read by the change's own statement (epoch_sql()), which is as fresh.
    forget_prefetched()
    if epoch is not None:
        _local.epoch = epoch
    failed = False
    for scope in set(scopes):
        failed |= not _cache.bump(_version_key(scope))
    if failed:
        _move_epoch()  # inside the change's transaction, or on its own after the commit
        forget_prefetched()


def touch(*scopes: str, epoch: int | None = None) -> None:
    """Give these scopes new versions now and again once the current transaction commits.
    Cached copies rendered under the old versions are no longer used. (The second bump
    retires anything another request stored between the first one and the commit, from data
    read before the commit.) ``epoch``: the cache epoch as the change's own SQL read it
    (epoch_sql()), saving a query; by default it is read here."""
    scopes = tuple(s for s in scopes if s)
    if scopes:
        _bump(scopes, epoch)
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(functools.partial(_bump, scopes))


def is_bump(callback: Any) -> bool:
    """Is this on-commit callback one of touch()'s? (Tests that count callbacks skip them.)"""
    return getattr(callback, "func", None) is _bump


# --- which changes move which scopes: filled by each app's AppConfig.ready() ----------------

ScopesOf = Callable[[Any], Iterable[str]]
_watchers: dict[type[Model], list[tuple[ScopesOf, frozenset[str]]]] = {}


def _on_change(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    scopes: list[str] = []
    for scopes_of, invisible in _watchers.get(sender, ()):
        if update_fields and invisible and set(update_fields) <= invisible:
            continue
        scopes.extend(scopes_of(instance))
    touch(*scopes)


def watch(model: str | type[Model], scopes_of: ScopesOf, *, invisible=frozenset()) -> None:
    """Every save or delete of ``model`` touches ``scopes_of(instance)``. A save whose
    ``update_fields`` are all in ``invisible`` (a sign-in's ``last_login``) touches nothing.
    Called from AppConfig.ready(); several apps may watch the same model."""
    model_class = apps.get_model(model) if isinstance(model, str) else model
    if model_class not in _watchers:
        _watchers[model_class] = []
        uid = f"fragments-{model_class._meta.label}"
        post_save.connect(_on_change, sender=model_class, dispatch_uid=uid)
        post_delete.connect(_on_change, sender=model_class, dispatch_uid=uid + "-delete")
    entry = (scopes_of, frozenset(invisible))
    if entry not in _watchers[model_class]:
        _watchers[model_class].append(entry)


def connect_request_signals() -> None:
    """Called from CachingConfig.ready(): the per-request memo starts and ends with requests,
    and with each Celery task (a worker process serves no requests)."""
    from celery.signals import task_prerun  # noqa: PLC0415 -- only where Django runs

    request_started.connect(forget_prefetched, dispatch_uid="fragments-request-started")
    request_finished.connect(forget_prefetched, dispatch_uid="fragments-request-finished")
    task_prerun.connect(forget_prefetched, weak=False, dispatch_uid="fragments-task-prerun")


# --- lookups ------------------------------------------------------------------------------------


@functools.cache
def code_version() -> str:
    """A fingerprint of the templates and of every local app's code (paths, sizes, modification
    times), taken once per process: a deploy that changes how a fragment is rendered never
    reuses copies rendered by the old code."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    folders = {base / "templates", base / "ee_portal"}
    folders |= {
        Path(config.path)
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(base)
    }
    for folder in sorted(folders):
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".html", ".py", ".txt"} and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns};".encode()
                )
    return digest.hexdigest()[:16]


def _entry_key(name: str, scopes: tuple[str, ...], vary: Iterable[Any]) -> str:
    parts = (_epoch(), code_version(), translation.get_language(), name, scopes, tuple(vary))
    return "fragments:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _lookup(
    name: str,
    scopes: tuple[str, ...],
    vary: Iterable[Any],
    compute: Callable[[], Any],
    *,
    timeout: int = FRAGMENT_TIMEOUT,
    keep: Callable[[Any], bool] | None = None,
) -> Any:
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
    the same name and vary. Only for rendered output (HTML, or what a page or form renders
    to): never for a row that decides who may see something. ``options``: ``timeout``
    (seconds, default FRAGMENT_TIMEOUT) and ``keep`` (whether to store a value)."""
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
    """``template`` rendered with ``context()`` alone (no request, no context processors), or
    the copy stored for the current versions of ``scopes`` and the same ``template`` and
    ``vary``. ``context`` is called only on a miss, so the queries that feed it run only then.
    ``request`` is used only to put the visitor's CSRF token into the copy's forms."""

    def render() -> str:
        data = context()
        data["csrf_token"] = CSRF_PLACEHOLDER
        return render_to_string(template, data)

    html = _lookup(template, tuple(scopes), vary, render)
    return with_csrf_token(request, html)


def with_csrf_token(request: HttpRequest, html: str) -> SafeString:
    """``html`` with each placeholder CSRF field (what {% csrf_token %} rendered in a cached
    copy) given the visitor's own token. Text that merely contains the placeholder (a narrative
    quoting it, autoescaped) is left alone."""
    if CSRF_PLACEHOLDER in html:
        html = html.replace(_CSRF_FIELD, _csrf_field(request))
    return mark_safe(html)  # noqa: S308 -- rendered by our own templates, autoescaped


def _csrf_field(request: HttpRequest) -> str:
    """The visitor's CSRF field, masked once per request: get_token() masks the secret afresh
    on each call, and a page fills in several cached copies (the chrome, the body). A secret
    rotated within the request (signing in) gets a field of its own."""
    memo: tuple[str | None, str] | None = getattr(request, "_ee_csrf_field", None)
    if memo is None or memo[0] != request.META.get("CSRF_COOKIE"):
        token = get_token(request)  # makes the secret when the visitor has none yet
        field = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
        memo = (request.META.get("CSRF_COOKIE"), field)
        request._ee_csrf_field = memo  # type: ignore[attr-defined]
    return memo[1]
