"""Faults: a failure half-way through a transition leaves nothing half-written; a broker
outage loses no task; a worker killed mid-task neither loses nor duplicates a certificate."""

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from celery import Celery
from django.core import mail
from django.db import DatabaseError, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from awards import services
from awards.enums import CertificateStatus
from awards.models import Award, Certificate
from awards.services import award_issue_for_decision
from ee_portal.audit.models import AuditEvent
from ee_portal.lib import fragments
from ee_portal.outbox.models import OutboxMessage
from ee_portal.outbox.services import outbox_drain
from portfolios.enums import Cycle, PortfolioState
from portfolios.models import PortfolioEvent, PortfolioRevision
from reviews.models import Decision
from standards.models import Criterion
from tests import factories
from tests.conftest import need_service
from tests.core.test_outbox import broker, private_redis
from tests.portfolios.conftest import make_ready
from tests.reviews.stages import complete_stages
from tests.services import (
    ROOT,
    celery_worker,
    free_port,
    on_postgresql,
    stop_process,
    subprocess_env,
    wait_for,
)


def portfolio_with_responses(unit, framework, state):
    portfolio = factories.PortfolioFactory(unit=unit, framework=framework, state=state)
    for criterion in Criterion.objects.filter(standard__framework=framework):
        factories.CriterionResponseFactory(portfolio=portfolio, criterion=criterion)
    return portfolio


@pytest.fixture
def draft(unit, framework, lead):
    portfolio = portfolio_with_responses(unit, framework, PortfolioState.DRAFT)
    make_ready(portfolio, lead)
    return portfolio


@pytest.fixture
def at_panel(unit, framework, lead):
    factories.MembershipFactory(unit=unit)
    return complete_stages(portfolio_with_responses(unit, framework, PortfolioState.PANEL))


def boom(*args, **kwargs):
    raise DatabaseError("the database went away")


def audit_verbs_for(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).values_list("verb", flat=True)
    )


def post(client: Client, url: str, data=None, *, capture):
    with capture(execute=True) as callbacks:
        response = client.post(url, data or {})
    return response, callbacks


# --- (a) a failure after the state change rolls everything back -------------------------------


def test_submit_succeeds_when_nothing_fails(
    client, draft, lead, django_capture_on_commit_callbacks
):
    """The control: the same request without a fault changes all the things checked below."""
    client.force_login(lead)
    response, callbacks = post(
        client,
        reverse("portfolios:submit", kwargs={"pk": draft.pk}),
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == PortfolioState.SUBMITTED
    assert PortfolioRevision.objects.filter(portfolio=draft).count() == 1
    assert PortfolioEvent.objects.filter(portfolio=draft).count() == 1
    assert "portfolio.submitted" in audit_verbs_for(draft)
    # The notification task (the rest are fragment-cache bumps, ee_portal/lib/fragments.py).
    assert len([c for c in callbacks if not fragments.is_bump(c)]) == 1


@pytest.mark.parametrize(
    "target",
    [
        "portfolios.services.build_snapshot",  # after the state change, before the revision
        "portfolios.services.enqueue_on_commit",  # the very last step
    ],
)
def test_a_database_error_mid_submission_leaves_the_draft_untouched(
    draft, lead, monkeypatch, django_capture_on_commit_callbacks, target
):
    monkeypatch.setattr(target, boom)
    client = Client(raise_request_exception=False)
    client.force_login(lead)
    audit_before = AuditEvent.objects.count()
    response, callbacks = post(
        client,
        reverse("portfolios:submit", kwargs={"pk": draft.pk}),
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 500
    assert "went away" not in response.content.decode()  # no internals on the error page
    draft.refresh_from_db()
    assert draft.state == PortfolioState.DRAFT
    assert draft.submitted_at is None
    assert not PortfolioRevision.objects.filter(portfolio=draft).exists()
    assert not PortfolioEvent.objects.filter(portfolio=draft).exists()
    assert audit_verbs_for(draft) == []
    assert AuditEvent.objects.count() == audit_before
    assert callbacks == []
    assert mail.outbox == []
    # Once the fault is gone the lead simply submits again.
    monkeypatch.undo()
    client.post(reverse("portfolios:submit", kwargs={"pk": draft.pk}))
    draft.refresh_from_db()
    assert draft.state == PortfolioState.SUBMITTED


DECISION = {"outcome": "awarded", "rationale": "All standards are met."}


@pytest.mark.parametrize(
    "target",
    [
        "awards.services._certificate_ensure",  # after decision, transition and award
        "reviews.workflow.enqueue_on_commit",  # the decision letter: the last step
    ],
)
def test_a_database_error_mid_decision_records_nothing(
    at_panel, admin_user, monkeypatch, django_capture_on_commit_callbacks, target
):
    monkeypatch.setattr(target, boom)
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    audit_before = AuditEvent.objects.count()
    response, callbacks = post(
        client,
        reverse("reviews:decision", kwargs={"pk": at_panel.pk}),
        DECISION,
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 500
    at_panel.refresh_from_db()
    assert at_panel.state == PortfolioState.PANEL
    assert at_panel.closed_at is None
    assert not Decision.objects.exists()
    assert not Award.objects.exists()
    assert not Certificate.objects.exists()
    assert not PortfolioEvent.objects.filter(portfolio=at_panel).exists()
    assert AuditEvent.objects.count() == audit_before
    assert callbacks == []
    assert mail.outbox == []
    monkeypatch.undo()
    response, _callbacks = post(
        client,
        reverse("reviews:decision", kwargs={"pk": at_panel.pk}),
        DECISION,
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    assert Decision.objects.count() == 1
    assert Certificate.objects.count() == 1


# --- (b) the broker is down: requests still succeed; the outbox sends the tasks later --------


def _submit_and_decide(unit, framework, lead, admin_user):
    """Submit a draft and record an awarded decision through the real views."""
    draft = portfolio_with_responses(unit, framework, PortfolioState.DRAFT)
    make_ready(draft, lead)
    factories.MembershipFactory(unit=unit)
    at_panel = complete_stages(
        factories.PortfolioFactory(
            unit=unit, framework=framework, cycle=Cycle.RENEWAL, state=PortfolioState.PANEL
        )
    )
    client = Client()
    client.force_login(lead)
    submitted = client.post(reverse("portfolios:submit", kwargs={"pk": draft.pk}))
    client.force_login(admin_user)
    decided = client.post(reverse("reviews:decision", kwargs={"pk": at_panel.pk}), DECISION)
    return draft, at_panel, submitted, decided


OUTAGE_TASKS = ["portfolios.notify_submitted", "reviews.render_certificate"]
OUTAGE_TASKS += ["reviews.send_decision_letter"]


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_submission_and_decision_still_succeed(
    settings, unit, framework, lead, admin_user
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with broker(f"redis://127.0.0.1:{free_port()}/0"):  # nothing listens there
        draft, at_panel, submitted, decided = _submit_and_decide(unit, framework, lead, admin_user)
    assert submitted.status_code == 302
    assert decided.status_code == 302
    draft.refresh_from_db()
    at_panel.refresh_from_db()
    assert draft.state == PortfolioState.SUBMITTED
    assert at_panel.state == PortfolioState.AWARDED
    assert Certificate.objects.get().status == CertificateStatus.PENDING
    pending = OutboxMessage.objects.filter(dispatched_at__isnull=True)
    assert sorted(pending.values_list("task_name", flat=True)) == sorted(OUTAGE_TASKS)
    assert all(m.attempts == 1 and m.last_error for m in pending)
    assert mail.outbox == []


def _worker_log_matches(folder: Path, pattern: str) -> int:
    return sum(
        len(re.findall(pattern, log.read_text(errors="replace")))
        for log in folder.glob("worker-*.log")
    )


def _worker_log_count(folder: Path, needle: str) -> int:
    return sum(log.read_text(errors="replace").count(needle) for log in folder.glob("worker-*.log"))


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_after_the_outage_the_outbox_delivers_everything_exactly_once(
    settings, unit, framework, lead, *, admin_user, tmp_path, storage_root
):
    need_service("redis-server", shutil.which("redis-server") is not None, "install redis-server")
    need_service("PostgreSQL", on_postgresql(), "set DATABASE_URL; the worker shares the test DB")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with broker(url):
        _submit_and_decide(unit, framework, lead, admin_user)
        assert OutboxMessage.objects.filter(dispatched_at__isnull=True).count() == 3
        with (
            private_redis(port, tmp_path),
            celery_worker(
                media_root=storage_root,
                extra_env={"REDIS_URL": url, "EE_SITE_URL": "http://testserver"},
                queue="celery",
            ),
        ):
            # Older than the drain's grace period, as after a real outage.
            OutboxMessage.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
            assert outbox_drain() == 3
            assert outbox_drain() == 0
            ready = wait_for(
                lambda: Certificate.objects.filter(status=CertificateStatus.READY).first(),
                timeout=60,
            )
            wait_for(
                lambda: (
                    _worker_log_count(tmp_path, "reviews.send_decision_letter[") >= 2
                    and _worker_log_count(tmp_path, "portfolios.notify_submitted[") >= 2
                ),
                timeout=30,
            )
            time.sleep(1)
    assert ready is not None, "the certificate was never rendered"
    assert Certificate.objects.count() == 1
    assert [p.name for p in (storage_root / "certificates").iterdir()] == [f"{ready.number}.pdf"]
    messages = OutboxMessage.objects.filter(task_name__in=OUTAGE_TASKS)
    assert sorted(m.task_name for m in messages) == sorted(OUTAGE_TASKS)
    # Each sent once by the drain (attempt 2, after the failed attempt during the outage).
    assert all(m.dispatched_at is not None and m.attempts == 2 for m in messages)
    # The worker's own follow-up (the "certificate ready" email) went straight through.
    follow_up = OutboxMessage.objects.exclude(task_name__in=OUTAGE_TASKS).get()
    assert follow_up.task_name == "reviews.send_award_email"
    assert follow_up.dispatched_at is not None
    assert follow_up.attempts == 1
    # Each task ran once in the worker: one "received" and one "succeeded" line each.
    for task_name in OUTAGE_TASKS:
        assert _worker_log_matches(tmp_path, rf"Task {re.escape(task_name)}\[\S+\] received") == 1
        assert _worker_log_matches(tmp_path, rf"Task {re.escape(task_name)}\[\S+\] succeeded") == 1


# --- (c) a worker killed mid-task: the task is redelivered, one certificate ------------------


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@contextmanager
def prefork_worker(*, media_root: Path, url: str, queue: str):
    """A real worker with one pool process (prefork), as in production; yields (proc, log)."""
    env = subprocess_env(
        EE_MEDIA_ROOT=str(media_root), REDIS_URL=url, EE_SITE_URL="http://testserver"
    )
    log = media_root.parent / "prefork-worker.log"
    media_root.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 -- fixed argv
            [sys.executable, "-m", "celery", "-A", "ee_portal", "worker", "-Q", queue,
             "--pool", "prefork", "--concurrency", "1", "--without-heartbeat",
             "--without-gossip", "--without-mingle", "--loglevel", "INFO", "-n", "kill@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        if not wait_for(
            lambda: b"ready." in log.read_bytes() or proc.poll() is not None, timeout=60
        ):
            raise RuntimeError(log.read_text(errors="replace"))
        yield proc, log
    finally:
        stop_process(proc)


def _waiting_for_a_lock() -> bool:
    with connections["default"].cursor() as cursor:
        # Inside a transaction PostgreSQL answers pg_stat_activity from a snapshot taken at
        # the first read; clear it so each poll sees the worker's current state.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query ILIKE '%%awards_certificate%%'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_mid_render_is_retried_and_makes_one_certificate(
    unit, admin_user, monkeypatch, tmp_path, storage_root
):
    """The test holds the certificate's row lock, so the render is provably in progress (the
    task waits inside certificate_render, its message unacknowledged) when the pool process
    is killed with SIGKILL. acks_late + reject_on_worker_lost put the message back; the
    worker's next pool process renders it once the lock is released."""
    need_service("redis-server", shutil.which("redis-server") is not None, "install redis-server")
    need_service("PostgreSQL", on_postgresql(), "set DATABASE_URL; the worker shares the test DB")
    decision = factories.DecisionFactory(portfolio__unit=unit)
    monkeypatch.setattr(services, "_queue_render", lambda certificate: None)
    award = award_issue_for_decision(decision=decision, actor=admin_user)
    monkeypatch.undo()
    certificate = Certificate.objects.get(award=award)
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    sender = Celery("ee_portal", broker=url)
    with (
        private_redis(port, tmp_path),
        prefork_worker(media_root=storage_root, url=url, queue="kill-test") as (proc, log),
    ):
        with transaction.atomic():
            Certificate.objects.select_for_update().get(pk=certificate.pk)
            sender.send_task(
                "reviews.render_certificate",
                kwargs={"certificate_id": certificate.pk},
                queue="kill-test",
            )
            assert wait_for(_waiting_for_a_lock, timeout=60), log.read_text(errors="replace")
            [child] = _children(proc.pid)
            os.kill(child, signal.SIGKILL)
            assert wait_for(lambda: b"WorkerLostError" in log.read_bytes(), timeout=30)
        ready = wait_for(
            lambda: Certificate.objects.filter(
                pk=certificate.pk, status=CertificateStatus.READY
            ).first(),
            timeout=90,
        )
        # The row is ready a moment before the worker logs its success line.
        wait_for(lambda: b"succeeded" in log.read_bytes(), timeout=15)
        worker_log = log.read_text(errors="replace")
    assert ready is not None, worker_log
    assert proc.returncode is not None
    assert Certificate.objects.filter(award=award).count() == 1
    assert [p.name for p in (storage_root / "certificates").iterdir()] == [f"{ready.number}.pdf"]
    assert worker_log.count("reviews.render_certificate[") >= 3  # received twice, one success
    assert worker_log.count("succeeded") == 1
