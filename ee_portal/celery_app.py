import os
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ee_portal.settings.base")

app = Celery("ee_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect(weak=False, dispatch_uid="ee-close-old-connections-prerun")
@signals.task_postrun.connect(weak=False, dispatch_uid="ee-close-old-connections-postrun")
def close_old_connections(task: Any = None, **_kwargs: Any) -> None:
    """Database connections between tasks are handled as Django handles them between requests:
    closed when older than CONN_MAX_AGE or broken, reused otherwise. (Celery's own Django
    fix-up closes them before and after every task unless CELERY_DB_REUSE_MAX is set, which
    settings does: a new PostgreSQL connection per task made a worker a third slower than
    the same work in a loop, issue 12's bench.) Not for a task run eagerly inside a request
    or a test: its connection is in the middle of that work."""
    from django.db import close_old_connections as django_close_old  # noqa: PLC0415
    from django.db import connections  # noqa: PLC0415

    if task is None or getattr(task.request, "is_eager", False):
        return
    if any(conn.in_atomic_block for conn in connections.all(initialized_only=True)):
        return  # never in the middle of a transaction
    django_close_old()
