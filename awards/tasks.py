"""Celery tasks for awards: certificate and feedback PDFs, award emails, reminders.

Thin: each fetches by id through a service in awards/services.py. Every task is idempotent, so
a retry, a second delivery (acks_late) or a double click never makes a second certificate.

The task names keep their "reviews." prefix (they were defined in reviews before issue 12):
queued work, the outbox and the beat schedule refer to them by name, so each passes name=.
"""

import logging

from celery import shared_task

from .services import (
    CertificateRenderError,
    award_email_send,
    award_send_reminders,
    certificate_render,
    feedback_report_render,
)

logger = logging.getLogger(__name__)

MAX_RENDER_RETRIES = 5
# Seconds before the first retry; doubles on each further retry (30 s ... 8 min).
RENDER_BACKOFF = 30


def _retry_or_give_up(task, exc: CertificateRenderError, what: str) -> str:
    retries = task.request.retries
    # Eager mode (demo, tests) runs in the request: no point retrying at once, and a raised
    # Retry would reach the user. The failure is recorded; admins see it and can re-queue.
    if task.request.is_eager or retries >= MAX_RENDER_RETRIES:
        logger.error("%s failed (try %s); left for an admin to re-queue", what, retries + 1)
        return "failed"
    raise task.retry(exc=exc, countdown=RENDER_BACKOFF * 2**retries) from exc


@shared_task(
    bind=True,
    name="reviews.render_certificate",
    max_retries=MAX_RENDER_RETRIES,
    acks_late=True,
    ignore_result=True,
)
def render_certificate(self, *, certificate_id: int) -> str:
    try:
        certificate = certificate_render(certificate_id=certificate_id)
    except CertificateRenderError as exc:
        return _retry_or_give_up(self, exc, f"Certificate {certificate_id}")
    return "gone" if certificate is None else certificate.status


@shared_task(
    bind=True,
    name="reviews.render_feedback_report",
    max_retries=MAX_RENDER_RETRIES,
    acks_late=True,
    ignore_result=True,
)
def render_feedback_report(self, *, report_id: int) -> str:
    try:
        report = feedback_report_render(report_id=report_id)
    except CertificateRenderError as exc:
        return _retry_or_give_up(self, exc, f"Feedback report {report_id}")
    return "gone" if report is None else report.status


@shared_task(name="reviews.send_award_email", ignore_result=True, time_limit=60)
def send_award_email(*, award_id: int, kind: str) -> int:
    return award_email_send(award_id=award_id, kind=kind)


@shared_task(name="reviews.send_award_reminders", ignore_result=True, time_limit=600)
def send_award_reminders() -> int:
    """Celery beat (settings.CELERY_BEAT_SCHEDULE): queue the reminders that are due."""
    return len(award_send_reminders())
