import datetime as dt

import pytest

from awards.enums import AwardStatus
from awards.services import award_send_reminders
from awards.tasks import send_award_reminders
from reviews.models import ReminderLog
from tests.awards.award_support import make_award

pytestmark = pytest.mark.django_db

START = dt.date(2026, 1, 10)


@pytest.fixture
def award(unit, lead):
    # Ends 9 January 2029; interim review due mid-term.
    return make_award(unit=unit, start=START, days=(dt.date(2029, 1, 9) - START).days)


def _run(today, capture):
    with capture(execute=True):
        return award_send_reminders(today=today)


def test_no_reminder_before_anything_is_due(award, mailoutbox, django_capture_on_commit_callbacks):
    assert _run(dt.date(2026, 6, 1), django_capture_on_commit_callbacks) == []
    assert mailoutbox == []


def test_interim_review_reminder_is_sent_once(
    award, lead, mailoutbox, django_capture_on_commit_callbacks
):
    day = award.interim_due

    first = _run(day, django_capture_on_commit_callbacks)
    second = _run(day + dt.timedelta(days=1), django_capture_on_commit_callbacks)

    assert first == [f"award:{award.pk}:interim-due"]
    assert second == []
    assert [m.to for m in mailoutbox] == [[lead.email]]
    assert "interim review is due" in mailoutbox[0].subject


def test_ending_reminders_are_sent_at_six_three_and_one_month_each_once(
    award, mailoutbox, django_capture_on_commit_callbacks
):
    ReminderLog.objects.create(key=f"award:{award.pk}:interim-due")
    sent = []
    for day in (
        dt.date(2028, 7, 8),  # before six months
        dt.date(2028, 7, 9),
        dt.date(2028, 7, 10),
        dt.date(2028, 10, 9),
        dt.date(2028, 12, 9),
        dt.date(2028, 12, 20),
        dt.date(2029, 1, 9),
    ):
        sent.extend(_run(day, django_capture_on_commit_callbacks))

    assert sent == [
        f"award:{award.pk}:ends-6m",
        f"award:{award.pk}:ends-3m",
        f"award:{award.pk}:ends-1m",
    ]
    assert [m.subject.split(" (")[0] for m in mailoutbox] == [
        "Your Enabling Environments Award ends in 6 months",
        "Your Enabling Environments Award ends in 3 months",
        "Your Enabling Environments Award ends in 1 month",
    ]


def test_a_late_first_run_sends_only_the_most_urgent_reminder(
    award, mailoutbox, django_capture_on_commit_callbacks
):
    ReminderLog.objects.create(key=f"award:{award.pk}:interim-due")

    sent = _run(dt.date(2028, 12, 15), django_capture_on_commit_callbacks)
    later = _run(dt.date(2028, 12, 16), django_capture_on_commit_callbacks)

    assert sent == [f"award:{award.pk}:ends-1m"]
    assert later == []
    assert set(ReminderLog.objects.values_list("key", flat=True)) == {
        f"award:{award.pk}:{k}" for k in ("interim-due", "ends-1m", "ends-3m", "ends-6m")
    }
    assert len(mailoutbox) == 1


def test_revoked_or_suspended_awards_get_no_reminders(unit, mailoutbox):
    for status in (AwardStatus.REVOKED, AwardStatus.SUSPENDED):
        make_award(unit=unit, start=START, days=400, status=status, reason="x")

    assert award_send_reminders(today=START + dt.timedelta(days=300)) == []
    assert mailoutbox == []


def test_beat_task_is_registered_under_the_scheduled_name(settings):
    assert settings.CELERY_BEAT_SCHEDULE["award-reminders"]["task"] == send_award_reminders.name
    assert send_award_reminders.apply().get() == 0
