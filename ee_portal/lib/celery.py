"""Queue a Celery task once the surrounding transaction commits."""

from functools import partial
from typing import Any

from django.db import transaction


def enqueue_on_commit(task: Any, /, **kwargs: Any) -> None:
    """Run ``task.delay(**kwargs)`` after commit, so workers never see uncommitted rows."""
    transaction.on_commit(partial(task.delay, **kwargs))
