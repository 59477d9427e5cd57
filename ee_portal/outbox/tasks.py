from celery import shared_task

from .services import outbox_drain


@shared_task(name="outbox.drain", time_limit=120, ignore_result=True)
def drain_outbox() -> int:
    """Periodic: send tasks whose first dispatch failed (e.g. the broker was down)."""
    return outbox_drain()
