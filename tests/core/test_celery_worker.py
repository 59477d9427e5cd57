"""A real Celery worker on Redis runs a task against the real test database."""

import pytest
from celery import Celery

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
