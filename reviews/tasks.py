"""Celery tasks of the review cycle: emails, report PDFs and reminders.

Thin by design: keyword-only primitive ids, fetch the row, log and return if it is gone.
Always queued with ee_portal.lib.celery.enqueue_on_commit.
"""

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ee_portal.lib.emails import send_templated_email
from network.enums import UnitRoleKind
from network.models import User
from portfolios import hooks as portfolio_hooks
from portfolios.cache import touch_review
from portfolios.selectors import word_for_portfolio

from .enums import ACTIVE_ASSIGNMENT_STATES, ReportStatus
from .models import Assignment, Decision, EvidenceRequest, ReminderLog, Report
from .selectors import (
    agreed_scores_for_pdf,
    assignments_due_between,
    assignments_overdue,
    decision_basis,
)

logger = logging.getLogger(__name__)

REMINDER_DAYS = 3
PDF_MAX_RETRIES = 3


def _unit_lead_emails(unit_id: int) -> list[str]:
    return list(
        User.objects.filter(
            unit_roles__unit_id=unit_id, unit_roles__role=UnitRoleKind.LEAD, is_active=True
        ).values_list("email", flat=True)
    )


def _admin_emails() -> list[str]:
    return list(
        User.objects.filter(is_ccqi_admin=True, is_active=True).values_list("email", flat=True)
    )


@shared_task(name="reviews.send_assignment_email", time_limit=60)
def send_assignment_email(*, assignment_id: int, event: str) -> int:
    """event: "assigned" (to the assessor), "conflict" (to CCQI admins) or
    "scores-submitted" (to the lead assessor, or to CCQI admins when there is none)."""
    assignment = (
        Assignment.objects.select_related("assessor", "portfolio__unit").filter(pk=assignment_id)
    ).first()
    if assignment is None:
        logger.warning("Assignment %s is gone; no %s email", assignment_id, event)
        return 0
    context = {
        "assignment": assignment,
        "unit": assignment.portfolio.unit,
        "assignment_url": reverse("reviews:assignment", kwargs={"pk": assignment.pk}),
        "review_url": reverse("reviews:portfolio", kwargs={"pk": assignment.portfolio_id}),
    }
    if event == "assigned":
        to = [assignment.assessor.email]
    elif event == "conflict":
        to = _admin_emails()
    elif event == "scores-submitted":
        lead = (
            Assignment.objects.filter(
                portfolio_id=assignment.portfolio_id,
                is_lead=True,
                state__in=ACTIVE_ASSIGNMENT_STATES,
            )
            .exclude(pk=assignment.pk)
            .select_related("assessor")
            .first()
        )
        to = [lead.assessor.email] if lead else _admin_emails()
    else:
        raise ValueError(f"Unknown assignment email {event!r}")
    return send_templated_email(f"review-{event}", to, context)


@shared_task(name="reviews.send_evidence_request_email", time_limit=60)
def send_evidence_request_email(*, request_id: int) -> int:
    request = (
        EvidenceRequest.objects.select_related("portfolio__unit")
        .prefetch_related("criteria")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        logger.warning("Evidence request %s is gone; no email", request_id)
        return 0
    criteria = sorted(request.criteria.all(), key=lambda c: (c.standard_id, c.order))
    word_for_portfolio(criteria, portfolio=request.portfolio)  # the unit's own wording
    context = {
        "request": request,
        "unit": request.portfolio.unit,
        "criteria": criteria,
        "portfolio_url": request.portfolio.get_absolute_url(),
    }
    return send_templated_email(
        "review-more-evidence", _unit_lead_emails(request.portfolio.unit_id), context
    )


@shared_task(name="reviews.send_portfolio_email", time_limit=60)
def send_portfolio_email(*, portfolio_id: int, event: str) -> int:
    """event: "resubmission" (to the cleared assessors)."""
    assignments = list(
        Assignment.objects.filter(
            portfolio_id=portfolio_id, state__in=ACTIVE_ASSIGNMENT_STATES
        ).select_related("assessor", "portfolio__unit")
    )
    if not assignments:
        logger.info("Portfolio %s has no cleared assessors; no %s email", portfolio_id, event)
        return 0
    if event != "resubmission":
        raise ValueError(f"Unknown portfolio email {event!r}")
    context = {
        "unit": assignments[0].portfolio.unit,
        "review_url": reverse("reviews:portfolio", kwargs={"pk": portfolio_id}),
    }
    return send_templated_email(
        "review-resubmission", [a.assessor.email for a in assignments], context
    )


@shared_task(name="reviews.send_report_released_email", time_limit=60)
def send_report_released_email(*, report_id: int) -> int:
    report = Report.objects.select_related("portfolio__unit").filter(pk=report_id).first()
    if report is None:
        logger.warning("Report %s is gone; no email", report_id)
        return 0
    context = {
        "report": report,
        "unit": report.portfolio.unit,
        "report_url": reverse("reviews:report", kwargs={"pk": report.pk}),
    }
    return send_templated_email(
        "review-report-released", _unit_lead_emails(report.portfolio.unit_id), context
    )


@shared_task(name="reviews.send_decision_letter", time_limit=60)
def send_decision_letter(*, decision_id: int) -> int:
    """The decision letter to the unit lead(s); copied to nobody else (it may be sensitive)."""
    decision = (
        Decision.objects.select_related("portfolio__unit__organisation", "decided_by")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        logger.warning("Decision %s is gone; no letter", decision_id)
        return 0
    basis = decision_basis(portfolio=decision.portfolio, as_of=decision.created_at)
    not_considered = ""
    if basis.not_considered:
        not_considered = ngettext(
            "The panel did not have %(items)s: the review moved on before it was ready.",
            "The panel did not have %(items)s: the review moved on before they were ready.",
            len(basis.not_considered),
        ) % {"items": get_text_list(basis.not_considered, _("and"))}
    context = {
        "decision": decision,
        "unit": decision.portfolio.unit,
        "outcome_url": reverse("reviews:outcome", kwargs={"pk": decision.portfolio_id}),
        # Issue 17: only what the panel actually had (selectors.decision_basis).
        "considered": get_text_list(basis.considered, _("and")),
        "not_considered": not_considered,
    }
    return send_templated_email(
        "decision-letter", _unit_lead_emails(decision.portfolio.unit_id), context
    )


@shared_task(
    name="reviews.render_report_pdf",
    bind=True,
    max_retries=PDF_MAX_RETRIES,
    time_limit=300,
    soft_time_limit=240,
)
def render_report_pdf(self, *, report_id: int) -> str:
    """Render a report to PDF with WeasyPrint and store it through default storage.

    Status: rendering -> ready, or failed after the last retry (error kept for admins).
    """
    from reviews.pdf import render_pdf  # noqa: PLC0415 -- WeasyPrint loads only in workers

    report = (
        Report.objects.select_related("portfolio__unit__organisation", "portfolio__framework")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        logger.warning("Report %s is gone; nothing to render", report_id)
        return ""
    context = {
        "report": report,
        "portfolio": report.portfolio,
        "unit": report.portfolio.unit,
        "criteria_scores": agreed_scores_for_pdf(portfolio=report.portfolio),
        # Sections higher apps add (questionnaire results): portfolios/hooks.py.
        "extra_sections": portfolio_hooks.portfolio_panels(
            portfolio=report.portfolio, place="report"
        ),
        "generated_at": timezone.now(),
    }
    try:
        # Written in English by the assessors: headings in the same language, whoever asked.
        with translation.override(settings.LANGUAGE_CODE):
            pdf = render_pdf(template=f"pdf/report_{report.kind}.html", context=context)
    except Exception as exc:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
        logger.exception("Report %s PDF failed", report_id)
        Report.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        touch_review(report.portfolio_id)
        return ""
    old_name = report.pdf.name
    report.pdf.save(f"{report.kind}.pdf", ContentFile(pdf), save=False)
    report.status = ReportStatus.READY
    report.error = ""
    report.task_id = self.request.id or ""
    report.save(update_fields=["pdf", "status", "error", "task_id", "updated_at"])
    if old_name and old_name != report.pdf.name:
        report.pdf.storage.delete(old_name)
    return report.pdf.name


class _NotSentError(Exception):
    pass


def _remind_once(key: str, assignment: Assignment, template: str) -> bool:
    """Send one reminder unless its key is already logged (the unique key makes it once)."""
    if ReminderLog.objects.filter(key=key).exists():
        return False
    try:
        with transaction.atomic():
            ReminderLog.objects.create(key=key)
            sent = send_templated_email(
                template,
                [assignment.assessor.email],
                {
                    "assignment": assignment,
                    "unit": assignment.portfolio.unit,
                    "assignment_url": reverse("reviews:assignment", kwargs={"pk": assignment.pk}),
                },
            )
            if not sent:
                raise _NotSentError  # roll back the log row: try again on the next run
    except (IntegrityError, _NotSentError):
        return False
    return True


@shared_task(name="reviews.send_review_reminders", time_limit=600)
def send_review_reminders() -> dict[str, int]:
    """Remind assessors of reviews due in three days and of overdue ones, each once.

    Keys: "assignment:<id>:due-3" and "assignment:<id>:overdue" in ReminderLog.
    """
    today = timezone.localdate()
    soon = today + dt.timedelta(days=REMINDER_DAYS)
    counts = {"due": 0, "overdue": 0}
    for assignment in assignments_due_between(start=today, end=soon):
        if _remind_once(f"assignment:{assignment.pk}:due-3", assignment, "review-reminder-due"):
            counts["due"] += 1
    for assignment in assignments_overdue(today=today):
        if _remind_once(
            f"assignment:{assignment.pk}:overdue", assignment, "review-reminder-overdue"
        ):
            counts["overdue"] += 1
    return counts
