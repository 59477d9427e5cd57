"""The transactional outbox: tasks survive a broker outage and are sent once it is back."""

import datetime as dt
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.utils import timezone

from ee_portal.audit.models import AuditEvent
from ee_portal.audit.tasks import audit_ping
from ee_portal.celery_app import app
from ee_portal.lib.celery import enqueue_on_commit
from ee_portal.outbox.models import OutboxMessage
from ee_portal.outbox.services import outbox_drain
from tests.conftest import need_service
from tests.services import celery_worker, on_postgresql, wait_for


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reset_publisher_pools() -> None:
    # Drop the cached pools (not close them: kombu keeps closed pools in a global registry).
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker(url: str):
    """Point the Celery app (publisher side) at another broker for one test."""
    old = app.conf.broker_url
    app.conf.broker_url = url
    _reset_publisher_pools()
    try:
        yield
    finally:
        app.conf.broker_url = old
        _reset_publisher_pools()


@contextmanager
def private_redis(port: int, workdir):
    """A throw-away redis-server of our own, so the test can stop and restart it."""
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.django_db
def test_outbox_eager_runs_the_task_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue_on_commit(audit_ping, note="eager")
        assert AuditEvent.objects.filter(verb="system.ping").count() == 0
    assert len(callbacks) == 1
    assert AuditEvent.objects.get(verb="system.ping").details == {"note": "eager"}
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_outbox_rolled_back_transaction_sends_nothing(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with broker(f"redis://127.0.0.1:{_free_port()}/0"):
        try:
            with transaction.atomic():
                enqueue_on_commit(audit_ping, note="never")
                raise RuntimeError("the business write failed")
        except RuntimeError:
            pass
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_outbox_broker_down_keeps_the_task_pending(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with broker(f"redis://127.0.0.1:{_free_port()}/0"):  # nothing listens there
        started = time.monotonic()
        with transaction.atomic():
            enqueue_on_commit(audit_ping, note="while down")
        elapsed = time.monotonic() - started
        message = OutboxMessage.objects.get()
    assert message.dispatched_at is None
    assert message.attempts == 1
    assert "Error" in message.last_error
    assert message.kwargs == {"note": "while down"}
    assert elapsed < 15, "a broker outage must not hang the request"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_outbox_sends_exactly_once_when_the_broker_returns(settings, tmp_path):
    need_service("redis-server", shutil.which("redis-server") is not None, "install redis-server")
    need_service("PostgreSQL", on_postgresql(), "set DATABASE_URL; the worker shares the test DB")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with broker(url):
        # The broker is down: the write succeeds, the task waits in the outbox.
        with transaction.atomic():
            enqueue_on_commit(audit_ping, note="outage")
        assert OutboxMessage.objects.get().dispatched_at is None
        # The broker comes back; a worker is running; the periodic drain sends it.
        with (
            private_redis(port, tmp_path),
            celery_worker(
                media_root=tmp_path / "private", extra_env={"REDIS_URL": url}, queue="celery"
            ),
        ):
            # Older than the drain's grace period, as it would be after a real outage.
            OutboxMessage.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
            assert outbox_drain() == 1
            assert outbox_drain() == 0
            event = wait_for(lambda: AuditEvent.objects.filter(verb="system.ping").first())
            time.sleep(1)
    assert event is not None
    assert AuditEvent.objects.filter(verb="system.ping").count() == 1
    assert OutboxMessage.objects.get().dispatched_at is not None
