"""A real Celery worker on Redis runs a task against the real test database."""

import time

import pytest
from celery import Celery
from django.db import connection

from ee_portal.audit.models import AuditEvent
from tests.conftest import need_service
from tests.services import celery_worker, on_postgresql, redis_available, redis_url, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_celery_worker_on_redis_consumes_a_task(tmp_path):
    need_service("Redis", redis_available(), "set REDIS_URL to a running Redis")
    need_service("PostgreSQL", on_postgresql(), "set DATABASE_URL; the worker shares the test DB")
    client = Celery("ee_portal", broker=redis_url())
    with celery_worker(media_root=tmp_path / "private") as queue:
        client.send_task("audit.ping", kwargs={"note": "from the test"}, queue=queue)
        event = wait_for(lambda: AuditEvent.objects.filter(verb="system.ping").first())
    assert event is not None, "the worker never wrote the audit event"
    assert event.details == {"note": "from the test"}


def test_the_worker_keeps_its_database_connection_between_tasks(tmp_path):
    """Connections are kept between tasks as between requests (CONN_MAX_AGE), not closed
    around every task as Celery's Django fix-up does by default (ee_portal/celery_app.py):
    the same server process answers the worker's second task."""
    need_service("Redis", redis_available(), "set REDIS_URL to a running Redis")
    need_service("PostgreSQL", on_postgresql(), "set DATABASE_URL; the worker shares the test DB")
    client = Celery("ee_portal", broker=redis_url())

    def worker_backends() -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return {row[0] for row in cursor.fetchall()}

    with celery_worker(media_root=tmp_path / "private") as queue:
        before = worker_backends()
        for note in ("first", "second"):
            client.send_task("audit.ping", kwargs={"note": note}, queue=queue)
            assert wait_for(lambda note=note: AuditEvent.objects.filter(details__note=note).first())
            time.sleep(0.5)  # after the task: where Celery's default closes the connection
            if note == "first":
                after_first = worker_backends() - before
        after_second = worker_backends() - before
    assert len(after_first) == 1, "the worker's connection was closed after its task"
    assert after_second == after_first
