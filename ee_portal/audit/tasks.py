from celery import shared_task

from .services import audit_log


@shared_task(name="audit.ping", time_limit=30)
def audit_ping(*, note: str) -> str:
    """Write a 'system.ping' audit event: proves a worker reaches the broker and the database.

    Operators: `celery -A ee_portal call audit.ping --kwargs '{"note": "hello"}'`.
    """
    event = audit_log(actor=None, verb="system.ping", details={"note": note[:200]})
    return event.hash
