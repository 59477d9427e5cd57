"""Celery tasks of portfolios. Thin: keyword-only primitive ids, fetch, log and return if gone.

Always queued with ee_portal.lib.celery.enqueue_on_commit.
"""

import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from ee_portal.lib.emails import send_templated_email
from network.models import User

from . import hooks
from .enums import PrintStatus
from .models import Portfolio, PortfolioPrint, PortfolioRevision
from .selectors import portfolio_print_rows

logger = logging.getLogger(__name__)


@shared_task(name="portfolios.notify_submitted", time_limit=60)
def portfolio_notify_submitted(*, portfolio_id: int, revision_id: int) -> int:
    """Email every active CCQI admin that a portfolio was (re)submitted. Returns mails sent."""
    portfolio = (
        Portfolio.objects.select_related("unit__organisation").filter(pk=portfolio_id).first()
    )
    revision = PortfolioRevision.objects.filter(pk=revision_id, portfolio_id=portfolio_id).first()
    if portfolio is None or revision is None:
        logger.warning("Portfolio %s or revision %s is gone; no email", portfolio_id, revision_id)
        return 0
    recipients = list(
        User.objects.filter(is_ccqi_admin=True, is_active=True).values_list("email", flat=True)
    )
    context = {
        "portfolio": portfolio,
        "unit": portfolio.unit,
        "revision": revision,
        "resubmitted": revision.number > 1,
        "portfolio_url": reverse("portfolios:detail", kwargs={"pk": portfolio.pk}),
    }
    return send_templated_email("portfolio-submitted", recipients, context)


def _progress(print_id: int, percent: int) -> None:
    PortfolioPrint.objects.filter(pk=print_id).update(progress=percent, updated_at=timezone.now())


@shared_task(
    name="portfolios.render_portfolio_pdf",
    bind=True,
    max_retries=2,
    time_limit=600,
    soft_time_limit=540,
)
def render_portfolio_pdf(self, *, print_id: int) -> str:
    """The whole portfolio as one PDF (issue 15), stored through default storage.

    Status: rendering (progress 10 -> 40 -> 90) -> ready at 100, or failed after the last
    retry (the error kept for admins). Evidence files are listed by title, not included.
    """
    printed = (
        PortfolioPrint.objects.select_related(
            "portfolio__unit__organisation", "portfolio__framework"
        )
        .filter(pk=print_id)
        .first()
    )
    if printed is None:
        logger.warning("Portfolio PDF %s is gone; nothing to render", print_id)
        return ""
    portfolio = printed.portfolio
    _progress(print_id, 10)
    context = {
        "portfolio": portfolio,
        "unit": portfolio.unit,
        "standards": portfolio_print_rows(portfolio=portfolio),
        "generated_at": timezone.now(),
    }
    _progress(print_id, 40)
    try:
        pdf = hooks.render_pdf(template="pdf/portfolio.html", context=context)
    except Exception as exc:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
        logger.exception("Portfolio PDF %s failed", print_id)
        PortfolioPrint.objects.filter(pk=print_id).update(
            status=PrintStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return ""
    _progress(print_id, 90)
    old_name = printed.pdf.name
    printed.pdf.save("portfolio.pdf", ContentFile(pdf), save=False)
    printed.status = PrintStatus.READY
    printed.progress = 100
    printed.error = ""
    printed.task_id = self.request.id or ""
    printed.save(update_fields=["pdf", "status", "progress", "error", "task_id", "updated_at"])
    if old_name and old_name != printed.pdf.name:
        printed.pdf.storage.delete(old_name)
    return printed.pdf.name
