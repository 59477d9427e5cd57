"""Transactional outbox: tasks are recorded with the data change and sent after commit."""

import datetime as dt
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ee_portal.celery_app import app

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# A message younger than this is left to its own on_commit dispatch by the drain task.
DRAIN_GRACE = dt.timedelta(seconds=10)


def outbox_enqueue(*, task: Any, kwargs: dict[str, Any]) -> None:
    """Record the task in the current transaction; send it once the transaction commits.

    Eager mode (no broker): the task simply runs after commit, in-process.
    Side effects: one INSERT (broker mode) and an on_commit callback.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(partial(task.apply_async, kwargs=kwargs))
        return
    task_name = task.name
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)
    transaction.on_commit(partial(outbox_dispatch, message_id=message.pk))


def outbox_dispatch(*, message_id: int) -> bool:
    """Publish one pending message to the broker. Returns whether it was sent.

    Never raises: a broker outage leaves the message pending for outbox_drain.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, dispatched_at__isnull=True)
            .first()
        )
        if message is None:
            return False
        try:
            app.send_task(message.task_name, kwargs=message.kwargs, retry=False)
        except Exception as exc:  # noqa: BLE001 -- any broker failure: keep it for later
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:300]
            message.save(update_fields=["attempts", "last_error"])
            logger.warning("Outbox message %s not sent yet: %s", message.pk, message.last_error)
            return False
        message.dispatched_at = timezone.now()
        message.attempts += 1
        message.save(update_fields=["dispatched_at", "attempts"])
        return True


def outbox_drain(*, limit: int = 500) -> int:
    """Send pending messages (oldest first). Returns how many were sent."""
    cutoff = timezone.now() - DRAIN_GRACE
    pending = list(
        OutboxMessage.objects.filter(dispatched_at__isnull=True, created_at__lte=cutoff)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(outbox_dispatch(message_id=pk) for pk in pending)
