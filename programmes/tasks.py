import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.utils import timezone

from .models import NationalReport
from .selectors import national_report

logger = logging.getLogger(__name__)


@shared_task(
    name="programmes.render_national_report",
    bind=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=150,
)
def render_national_report(self, *, report_id: int) -> str:
    """Render a cycle year's national report to PDF through reviews.pdf and store it."""
    from reviews.pdf import render_pdf  # noqa: PLC0415 -- WeasyPrint loads only in workers

    report = NationalReport.objects.filter(pk=report_id).first()
    if report is None:
        logger.warning("National report %s is gone; nothing to render", report_id)
        return ""
    rows = national_report(year=report.year)
    try:
        pdf = render_pdf(
            template="pdf/national_report.html",
            context={
                "year": report.year,
                "rows": rows,
                "chart_height": max(len(rows), 1) * 40,
                "generated_at": timezone.now(),
            },
        )
    except Exception as exc:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
        logger.exception("National report %s PDF failed", report_id)
        NationalReport.objects.filter(pk=report_id).update(
            status="failed", error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return ""
    report.pdf.save(f"national-{report.year}.pdf", ContentFile(pdf), save=False)
    report.status = "ready"
    report.error = ""
    report.save(update_fields=["pdf", "status", "error", "updated_at"])
    return report.pdf.name
