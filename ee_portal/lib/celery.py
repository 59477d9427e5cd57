"""Queue a Celery task once the surrounding transaction commits (through the outbox)."""

from typing import Any


def enqueue_on_commit(task: Any, /, **kwargs: Any) -> None:
    """Queue ``task`` with keyword arguments after the current transaction commits.

    The task is recorded in the transactional outbox first, so it is sent even if the broker
    is down at commit time (the periodic outbox.drain task retries). Tasks must be idempotent:
    delivery is at least once.
    """
    from ee_portal.outbox.services import outbox_enqueue  # noqa: PLC0415 -- lib stays model-free at import

    outbox_enqueue(task=task, kwargs=kwargs)
