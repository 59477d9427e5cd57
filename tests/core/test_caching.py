"""Issue 12: the shared caches hold rendered output only, and must be shared.

- a cached fragment is rendered without the request, and the CSRF placeholder is replaced only
  in the field {% csrf_token %} rendered;
- the public page cache keeps the response's headers and never stores a 404;
- a change made while the cache is unreachable moves the cache epoch in the database, in the
  change's transaction, so old copies are never served when the cache answers again;
- start-up is refused with a per-process cache in production, or several web processes
  without Redis.
"""

import subprocess
import sys

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.db import transaction
from django.http import Http404, HttpResponse
from django.test import RequestFactory, override_settings

from ee_portal.caching.backends import RedisCache
from ee_portal.caching.checks import check_shared_cache, web_processes
from ee_portal.caching.models import CacheEpoch
from ee_portal.lib import fragments, pagecache
from network.cache import NETWORK
from tests import factories
from tests.conftest import need_service
from tests.services import ROOT, redis_available, redis_url, subprocess_env

UNREACHABLE = {
    "default": {
        "BACKEND": "ee_portal.caching.backends.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
    }
}


@pytest.fixture
def rf():
    return RequestFactory()


def test_fragments_are_rendered_without_the_request(rf, tmp_path, settings, db):
    (tmp_path / "probe.html").write_text(
        "[{{ request.user }}|{{ user }}|{{ perms }}|{{ who }}]{% csrf_token %}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    request = rf.get("/")
    request.user = factories.UserFactory(full_name="Private Person")
    html = fragments.render_cached(
        request, "probe.html", scopes=(), vary=("x",), context=lambda: {"who": "given"}
    )
    # Nothing from the request or the context processors: only what the view passed.
    assert html.startswith("[|||given]")
    assert "Private Person" not in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert fragments.CSRF_PLACEHOLDER not in html


def test_the_csrf_placeholder_is_replaced_only_where_the_template_put_it(rf):
    request = rf.get("/")
    quoted = f"<p>A narrative quoting {fragments.CSRF_PLACEHOLDER}</p>"
    field = f'<input type="hidden" name="csrfmiddlewaretoken" value="{fragments.CSRF_PLACEHOLDER}">'
    html = fragments.with_csrf_token(request, quoted + field)
    assert quoted in html  # text that merely contains it is left alone
    assert html.count(fragments.CSRF_PLACEHOLDER) == 1
    assert 'name="csrfmiddlewaretoken" value="' in html.replace(quoted, "")


def test_one_masked_token_per_request_and_a_new_one_after_rotation(rf):
    """The chrome and the body of a page share one masked token (masking is per call in
    Django); a token rotated within the request (signing in) is used from then on."""
    from django.middleware.csrf import _unmask_cipher_token, rotate_token  # noqa: PLC0415

    request = rf.get("/")
    field = f'<input type="hidden" name="csrfmiddlewaretoken" value="{fragments.CSRF_PLACEHOLDER}">'

    def token(html: str) -> str:
        return html.split('value="')[1].split('"', maxsplit=1)[0]

    first, second = (token(fragments.with_csrf_token(request, field)) for _ in range(2))
    assert first == second
    assert _unmask_cipher_token(first) == request.META["CSRF_COOKIE"]
    rotate_token(request)
    rotated = token(fragments.with_csrf_token(request, field))
    assert _unmask_cipher_token(rotated) == request.META["CSRF_COOKIE"]
    assert _unmask_cipher_token(rotated) != _unmask_cipher_token(first)


def test_public_pages_keep_their_headers_and_never_store_a_404(rf, db):
    calls = []

    @pagecache.cache_public_page
    def view(request, status):
        calls.append(status)
        if status == 404:
            raise Http404
        response = HttpResponse("hello", content_type="text/plain; charset=utf-8")
        response["Content-Language"] = "cy"
        response["X-Robots-Tag"] = "noindex"
        return response

    first = view(rf.get("/page/"), 200)
    second = view(rf.get("/page/"), 200)
    assert calls == [200]  # the second came from the cache
    assert second.content == first.content
    for header in ("Content-Type", "Content-Language", "X-Robots-Tag"):
        assert second[header] == first[header]

    @pagecache.cache_public_page
    def missing(request):
        calls.append("missing")
        return HttpResponse("nothing here", status=404)

    for _ in range(3):
        assert missing(rf.get("/no/such/path/")).status_code == 404
    assert calls.count("missing") == 3  # rendered every time, never stored


@pytest.mark.django_db(transaction=True)
def test_a_change_made_while_the_cache_is_down_moves_the_epoch_with_it():
    CacheEpoch.objects.get_or_create(pk=1)  # a transactional test before may have flushed it
    fragments.forget_prefetched()
    rendered = []
    spec = fragments.data_spec("probe", [NETWORK], [1])
    fragments.cached_data(spec, lambda: rendered.append(1) or "old")
    assert fragments.cached_data(spec, lambda: "new") == "old"  # a hit
    epoch = CacheEpoch.objects.get(pk=1).value

    with override_settings(CACHES=UNREACHABLE):
        # Rolled back: the epoch move goes with the change it stands for.
        with transaction.atomic():
            factories.UnitFactory(name="Rolled back")
            transaction.set_rollback(True)
        assert CacheEpoch.objects.get(pk=1).value == epoch
        factories.UnitFactory(name="Kept")  # its NETWORK bump fails: the epoch moves
    assert CacheEpoch.objects.get(pk=1).value > epoch

    # The cache is back, still holding the old copy: it is not served.
    fragments.forget_prefetched()
    assert fragments.cached_data(spec, lambda: "new") == "new"


def test_the_epoch_is_read_once_per_request(django_assert_num_queries, db):
    fragments.forget_prefetched()
    with django_assert_num_queries(1):
        for n in range(5):
            fragments.cached_data(fragments.data_spec("probe", [NETWORK], [n]), lambda: "x")


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        (["gunicorn", "ee_portal.wsgi", "--workers", "3"], {}, 3),
        (["/venv/bin/gunicorn", "app", "-w", "2"], {}, 2),
        (["gunicorn", "app", "--workers=4"], {}, 4),
        (["gunicorn", "app"], {"WEB_CONCURRENCY": "5"}, 5),
        (["manage.py", "runserver"], {"EE_WEB_PROCESSES": "2"}, 2),
        (["manage.py", "runserver"], {}, 1),
    ],
)
def test_web_processes_are_counted_from_gunicorns_options(argv, environ, expected):
    assert web_processes(argv, environ) == expected


def test_a_per_process_cache_is_refused_in_production(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [e.id for e in check_shared_cache()] == ["ee_portal.E001"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert check_shared_cache() == []
    settings.DEBUG = True  # make demo: one process
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert check_shared_cache() == []


def _load_wsgi(**env: str) -> subprocess.CompletedProcess:
    environ = subprocess_env(
        DJANGO_DEBUG="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="portal.example",
        EE_CLAMD_URL="tcp://127.0.0.1:3310",
        DATABASE_URL=f"sqlite:///{ROOT / 'var' / 'wsgi-check.sqlite3'}",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", "import ee_portal.wsgi"],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_web_server_refuses_to_start_with_several_processes_and_no_redis():
    refused = _load_wsgi(REDIS_URL="", WEB_CONCURRENCY="2")
    assert refused.returncode != 0
    assert "ee_portal.E002" in refused.stderr
    assert "REDIS_URL" in refused.stderr
    one_process = _load_wsgi(REDIS_URL="", WEB_CONCURRENCY="1")
    assert one_process.returncode == 0, one_process.stderr


def test_without_redis_production_caches_nothing_rather_than_per_process():
    probe = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    environ = subprocess_env(
        DJANGO_DEBUG="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="portal.example",
        REDIS_URL="",
        EE_CLAMD_URL="tcp://127.0.0.1:3310",
    )
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {probe}"],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert out.stdout.strip() == "django.core.cache.backends.dummy.DummyCache"


def test_each_celery_task_starts_with_a_fresh_memo(db):
    """A worker process serves no requests: the epoch and prefetched versions it read for one
    task are not reused by the next."""
    from celery.signals import task_prerun  # noqa: PLC0415

    fragments.remember_epoch(41)
    fragments._memo()["probe"] = "stale"
    task_prerun.send(sender=None, task_id="t", task=None, args=(), kwargs={})
    assert "probe" not in fragments._memo()
    assert fragments._epoch() == CacheEpoch.objects.get_or_create(pk=1)[0].value


def test_the_redis_cache_keeps_one_client_per_pool_and_works():
    """ee_portal.caching.backends.RedisCache: Django's, without a new client object per call
    (issue 12's bench); values still round-trip through the real Redis."""
    need_service("Redis", redis_available(), f"set REDIS_URL to a running Redis ({redis_url()})")
    cache = RedisCache(redis_url(), {"KEY_PREFIX": "test-client-reuse"})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client  # one server: reads and writes share the pool
    cache.set("k", {"a": 1})
    cache.set_many({"x": 1, "y": 2})
    assert cache.get("k") == {"a": 1}
    assert cache.get_many(["x", "y", "z"]) == {"x": 1, "y": 2}
    assert cache.incr("x") == 2  # noqa: PLR2004
    assert cache.incr("x", 5) == 7  # noqa: PLR2004
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")  # Django's contract: incr never creates a key
    assert cache.get("never-set") is None
    sent: list[str] = []
    send = client.execute_command

    def counting(*args, **kwargs):
        sent.append(str(args[0]))
        return send(*args, **kwargs)

    client.execute_command = counting  # observes the real client's round trips
    assert cache.incr("y") == 3  # noqa: PLR2004
    assert sent == ["EVALSHA"]  # one round trip, not EXISTS then INCRBY
    cache.delete("window")
    # A Redis that has never run the script answers the first EVALSHA with NOSCRIPT and the
    # client loads it (three round trips, once per server): count the steady state after.
    assert cache.count("warm-up", 60) == 1
    sent.clear()
    assert [cache.count("window", 60) for _ in range(3)] == [1, 2, 3]
    assert sent == ["EVALSHA"] * 3  # one round trip per hit (INCR, EXPIRE on the first)
    client.execute_command = send
    assert 0 < client.ttl(cache.make_key("window")) <= 60  # noqa: PLR2004
    cache.delete("window")
    cache.delete_many(["k", "x", "y", "warm-up"])
    assert cache.get("k") is None
    # Django's own makes a client per call: the difference this backend exists for.
    plain = DjangoRedisCache(redis_url(), {})
    assert plain._cache.get_client() is not plain._cache.get_client()


def test_count_hit_counts_in_a_window_on_any_cache(db):
    """The questionnaire's throttle: hits counted per key, this one included, the window
    opened by the first hit; on Redis in one round trip, elsewhere by add and incr."""
    from django.core.cache import cache  # noqa: PLC0415

    from ee_portal.caching.backends import count_hit  # noqa: PLC0415

    cache.delete("probe-window")
    assert [count_hit("probe-window", 60) for _ in range(3)] == [1, 2, 3]
    assert count_hit("another-window", 60) == 1
    cache.delete_many(["probe-window", "another-window"])
