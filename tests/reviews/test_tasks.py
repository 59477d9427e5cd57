import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from reviews import tasks
from reviews.enums import AssignmentState, ReportKind, ReportStatus, VisitMode
from reviews.models import ReminderLog
from standards.models import Criterion
from tests import factories
from tests.reviews.conftest import assign

pytestmark = pytest.mark.django_db


def pdf_text(report) -> str:
    with report.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize(
    ("kind", "fields", "expected"),
    [
        (
            ReportKind.INTERIM,
            {"strengths": "Warm welcome", "action_points": "Weekly meeting"},
            "Weekly meeting",
        ),
        (ReportKind.SUMMARY, {"areas_for_development": "Share minutes"}, "Share minutes"),
        (
            ReportKind.VISIT,
            {
                "visit_date": dt.date(2026, 3, 4),
                "visit_mode": VisitMode.VIRTUAL,
                "findings": "Calm wing",
            },
            "Calm wing",
        ),
    ],
)
def test_report_pdf_contains_the_unit_and_criterion_codes(in_review, kind, fields, expected):
    portfolio = in_review
    first = Criterion.objects.filter(standard__framework=portfolio.framework).first()
    factories.AgreedScoreFactory(portfolio=portfolio, criterion=first, rating="partly_met")
    report = factories.ReportFactory(portfolio=portfolio, kind=kind, **fields)
    name = tasks.render_report_pdf.delay(report_id=report.pk).get()
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    assert name == report.pdf.name
    text = pdf_text(report)
    assert "Willow Ward" in text
    assert expected in text
    for code in ("1.1", "1.2", "5.2", "10.2"):
        assert code in text
    assert "Partly met" in text


def test_rerender_replaces_the_old_pdf(in_review):
    report = factories.ReportFactory(portfolio=in_review)
    tasks.render_report_pdf.delay(report_id=report.pk)
    report.refresh_from_db()
    first = report.pdf.name
    tasks.render_report_pdf.delay(report_id=report.pk)
    report.refresh_from_db()
    assert report.pdf.name != first
    assert not report.pdf.storage.exists(first)


def test_render_failure_is_recorded(in_review, monkeypatch):
    import reviews.pdf  # noqa: PLC0415 -- patched for this test only

    def broken(**kwargs):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(reviews.pdf, "render_pdf", broken)
    report = factories.ReportFactory(portfolio=in_review, status=ReportStatus.RENDERING)
    tasks.render_report_pdf.delay(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "fonts missing" in report.error
    assert not report.pdf


def test_render_of_a_deleted_report_does_nothing():
    assert tasks.render_report_pdf.delay(report_id=999_999).get() == ""


def test_email_tasks_for_missing_rows_send_nothing(mailoutbox):
    assert tasks.send_assignment_email.delay(assignment_id=999, event="assigned").get() == 0
    assert tasks.send_decision_letter.delay(decision_id=999).get() == 0
    assert tasks.send_report_released_email.delay(report_id=999).get() == 0
    assert tasks.send_evidence_request_email.delay(request_id=999).get() == 0
    assert mailoutbox == []


def test_reminders_go_once_for_due_soon_and_overdue(
    in_review, assessor, other_assessor, mailoutbox
):
    today = timezone.localdate()
    soon = assign(in_review, assessor, state=AssignmentState.SCORING)
    soon.due_date = today + dt.timedelta(days=3)
    soon.save()
    late = assign(in_review, other_assessor, state=AssignmentState.AWAITING_DECLARATION)
    late.due_date = today - dt.timedelta(days=1)
    late.save()
    third = factories.AssessorProfileFactory().user
    done = assign(in_review, third, state=AssignmentState.SUBMITTED)
    done.due_date = today - dt.timedelta(days=1)
    done.save()
    far = factories.AssessorProfileFactory().user
    assign(in_review, far, state=AssignmentState.SCORING)  # due in 28 days

    assert tasks.send_review_reminders() == {"due": 1, "overdue": 1}
    assert sorted((m.to[0], "overdue" in m.subject) for m in mailoutbox) == sorted(
        [(assessor.email, False), (other_assessor.email, True)]
    )
    assert set(ReminderLog.objects.values_list("key", flat=True)) == {
        f"assignment:{soon.pk}:due-3",
        f"assignment:{late.pk}:overdue",
    }
    assert tasks.send_review_reminders() == {"due": 0, "overdue": 0}
    assert len(mailoutbox) == 2
