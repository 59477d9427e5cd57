"""bench/questionnaires.py works (small sizes): double posts store once, queries constant."""

import os

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import path

from bench import questionnaires as bench
from ee_portal import urls as portal_urls
from ee_portal.views import bench_bare
from questionnaires.models import Response
from standards.services import framework_import
from tests.conftest import need_service

pytestmark = pytest.mark.django_db(transaction=True)

urlpatterns = [*portal_urls.urlpatterns, path("bench/bare/", bench_bare)]


@pytest.fixture
def sample(settings):
    settings.EE_QUESTIONNAIRE_POSTS_PER_HOUR = 0  # every client is 127.0.0.1
    text = (settings.BASE_DIR / "fixtures" / "standards" / "ee-sample.yaml").read_text("utf-8")
    return framework_import(text=text, publish=True)


def test_concurrent_double_posts_store_each_response_once(sample, live_server):
    # SQLite's shared in-memory test database locks whole tables under concurrent writers.
    need_service(
        "PostgreSQL", connection.vendor == "postgresql", "concurrent writers need DATABASE_URL"
    )
    token = bench.setup_round()
    port = int(live_server.url.rsplit(":", 1)[1])
    result = bench.post_responses(port=port, token=token, total=12, clients=3)
    assert result["statuses"] == {"302": 12}
    assert result["double_tap_statuses"] == {"302": 12}  # thanked again, stored once
    assert Response.objects.filter(round__token=token).count() == 12


def test_query_counts_are_equal_for_small_and_large_rounds(sample):
    counts = bench.query_counts(sizes=(5, 400))
    for block in counts.values():
        assert block["small"] == block["large"]


def test_the_whole_block_alternates_rounds_and_counts_cpu(sample, live_server, settings):
    """bench.run: bare POST and posting interleaved per round, each round's responses all
    stored once (the throttle on, each client its own address behind one trusted proxy), and
    CPU per request counted by kind of process."""
    need_service(
        "PostgreSQL", connection.vendor == "postgresql", "concurrent writers need DATABASE_URL"
    )
    settings.EE_QUESTIONNAIRE_POSTS_PER_HOUR = 16  # 8 posts an address: 48 if one address
    settings.EE_TRUSTED_PROXIES = 1
    settings.ROOT_URLCONF = __name__  # the portal's routes and the bench's bare view
    cache.clear()  # no hits left from an earlier run within the hour
    token = bench.setup_round()
    port = int(live_server.url.rsplit(":", 1)[1])
    block = bench.run(
        port=port,
        token=token,
        total=12,
        clients=3,
        rounds=2,
        sizes=(5, 50),
        worker_pids=lambda: [os.getpid()],  # the live server runs in this process
    )
    assert block["stored"] == [12, 12]
    assert [p["statuses"] for p in block["posting"]] == [{"302": 12}] * 2
    assert {t: block["targets"][t]["met"] for t in ("lost", "duplicated")} == {
        "lost": True,
        "duplicated": True,
    }
    assert len(block["ratios"]) == 2  # noqa: PLR2004
    parts = block["posting"][0]["cpu_ms_parts"]
    assert set(parts) == {"clients", "web", "postgresql", "redis"}
    assert block["cpu_ms_per_request"]["posting"] > 0
