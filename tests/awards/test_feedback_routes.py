"""Feedback reports have one path: the award pages. The generic report routes never see them."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from reviews.enums import ReportKind, ReportStatus
from tests import factories
from tests.awards.award_support import make_award

pytestmark = pytest.mark.django_db


@pytest.fixture
def feedback(unit, framework):
    award = make_award(unit=unit, framework=framework)
    report = factories.ReportFactory(
        portfolio=award.portfolio, kind=ReportKind.FEEDBACK, status=ReportStatus.READY
    )
    report.pdf.save("feedback.pdf", ContentFile(b"%PDF-1.4 feedback"))
    return report


def _state(report):
    report.refresh_from_db()
    return (report.status, report.released_at, report.error, report.pdf.name)


@pytest.mark.parametrize("route", ["reviews:report_render", "reviews:report_release"])
def test_generic_report_actions_are_404_for_a_feedback_report(client, admin_user, feedback, route):
    before = _state(feedback)
    client.force_login(admin_user)

    response = client.post(reverse(route, args=[feedback.pk]))

    assert response.status_code == 404
    assert _state(feedback) == before


@pytest.mark.parametrize("route", ["reviews:report", "reviews:report_pdf"])
def test_generic_report_pages_are_404_for_a_feedback_report(client, admin_user, feedback, route):
    client.force_login(admin_user)
    assert client.get(reverse(route, args=[feedback.pk])).status_code == 404


def test_the_award_page_still_releases_the_feedback_report(client, admin_user, feedback, lead):
    award = feedback.portfolio.awards.get()
    client.force_login(admin_user)

    response = client.post(reverse("awards:feedback_release", args=[award.pk]))

    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.released_at is not None
    client.force_login(lead)
    download = client.get(reverse("awards:feedback", args=[award.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_unit_outcome_lists_generic_reports_but_not_the_feedback_report(feedback):
    from reviews.selectors import reports_for_portfolio  # noqa: PLC0415

    summary = factories.ReportFactory(portfolio=feedback.portfolio, kind=ReportKind.SUMMARY)
    assert reports_for_portfolio(portfolio=feedback.portfolio) == [summary]
