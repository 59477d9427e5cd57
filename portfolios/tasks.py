"""Celery tasks of portfolios. Thin: keyword-only primitive ids, fetch, log and return if gone.

Always queued with ee_portal.lib.celery.enqueue_on_commit.
"""

import logging

from celery import shared_task
from django.urls import reverse

from ee_portal.lib.emails import send_templated_email
from network.models import User

from .models import Portfolio, PortfolioRevision

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
