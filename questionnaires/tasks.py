"""Celery tasks: the printable PDFs of a round (poster with QR code, paper questionnaires).

Thin by design: keyword-only primitive ids, fetch the row, log and return if it is gone.
Queued with ee_portal.lib.celery.enqueue_on_commit from services.document_request.
"""

import logging
from typing import Any

from celery import shared_task
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from .enums import DocumentKind, DocumentStatus
from .models import Document
from .selectors import item_label, items_for
from .services import site_url

logger = logging.getLogger(__name__)

PDF_MAX_RETRIES = 3
TEMPLATES: dict[str, str] = {
    DocumentKind.POSTER: "pdf/questionnaire_poster.html",
    DocumentKind.PAPER: "pdf/questionnaire_paper.html",
    DocumentKind.PAPER_EASY: "pdf/questionnaire_paper.html",
}


def qr_png_data_uri(payload: str) -> str:
    """The link as a QR code PNG, one pixel per module (drawn pixelated, so it prints sharp)."""
    import segno  # noqa: PLC0415 -- only needed when a PDF is rendered

    return str(segno.make_qr(payload, error="m").png_data_uri(scale=1, border=4))


def answer_url(token: str) -> str:
    return site_url() + reverse("questionnaires:answer", kwargs={"token": token})


@shared_task(
    name="questionnaires.render_document",
    bind=True,
    max_retries=PDF_MAX_RETRIES,
    time_limit=300,
    soft_time_limit=240,
)
def render_document(self, *, document_id: int, language: str = "") -> str:
    """Render a round's poster or paper form with WeasyPrint and store it.

    In ``language`` (the lead's, who asked for it). Status: rendering -> ready, or failed
    after the last retry (the error is kept)."""
    with translation.override(language or None):
        return _render_document(self, document_id=document_id)


def _render_document(task: Any, *, document_id: int) -> str:
    from reviews.pdf import render_pdf  # noqa: PLC0415 -- WeasyPrint loads only in workers

    document = (
        Document.objects.select_related("round__questionnaire", "round__portfolio__unit")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        logger.warning("Questionnaire document %s is gone; nothing to render", document_id)
        return ""
    round_ = document.round
    unit = round_.portfolio.unit
    link = answer_url(round_.token)
    easy = document.kind == DocumentKind.PAPER_EASY
    items = items_for(questionnaire=round_.questionnaire, audience=round_.audience)
    context = {
        "round": round_,
        "unit": unit,
        "link": link,
        "qr": qr_png_data_uri(link),
        "contribute_qr": qr_png_data_uri(link + "contribute/"),
        "easy": easy,
        "items": [
            {
                "number": item.number,
                "text": item_label(
                    item,
                    easy=easy,
                    setting_type=unit.setting_type,
                    language=translation.get_language(),
                ),
                "type": item.answer_type,
            }
            for item in items
        ],
        "sheets": range(document.first_sheet, document.first_sheet + document.sheets),
        "generated_at": timezone.now(),
    }
    try:
        pdf = render_pdf(template=TEMPLATES[document.kind], context=context)
    except Exception as exc:
        if task.request.retries < task.max_retries and not task.request.is_eager:
            raise task.retry(exc=exc, countdown=30 * 2**task.request.retries) from exc
        logger.exception("Questionnaire document %s failed", document_id)
        Document.objects.filter(pk=document_id).update(
            status=DocumentStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return ""
    old_name = document.pdf.name
    document.pdf.save(f"{document.kind}.pdf", ContentFile(pdf), save=False)
    document.status = DocumentStatus.READY
    document.error = ""
    document.task_id = task.request.id or ""
    document.save(update_fields=["pdf", "status", "error", "task_id", "updated_at"])
    if old_name and old_name != document.pdf.name:
        document.pdf.storage.delete(old_name)
    return document.pdf.name
