"""bench/questionnaires.py works (small sizes): double posts store once, queries constant."""

import pytest
from django.db import connection

from bench import questionnaires as bench
from questionnaires.models import Response
from standards.services import framework_import
from tests.conftest import need_service

pytestmark = pytest.mark.django_db(transaction=True)


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
