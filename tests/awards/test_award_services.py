import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pypdf import PdfReader

from awards.enums import AwardStatus, LiveStatus
from awards.models import Award
from awards.selectors import award_annotate_live, award_live_reason, award_live_status
from awards.services import (
    award_open_review,
    award_reinstate,
    award_revoke,
    award_suspend,
    feedback_report_release,
    feedback_report_request,
)
from ee_portal.audit.models import AuditEvent
from network.enums import MembershipStatus
from network.models import Membership
from portfolios.enums import Cycle
from portfolios.models import Evidence, Portfolio
from reviews.enums import ReportKind, ReportStatus
from reviews.models import Report
from standards.models import Criterion
from tests import factories
from tests.awards.award_support import make_award

pytestmark = pytest.mark.django_db


# --- live status -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "days", "membership", "expected"),
    [
        (AwardStatus.VALID, 1000, MembershipStatus.ACTIVE, LiveStatus.VALID),
        (AwardStatus.VALID, 5, MembershipStatus.ACTIVE, LiveStatus.EXPIRED),
        (AwardStatus.VALID, 1000, MembershipStatus.LAPSED, LiveStatus.SUSPENDED),
        (AwardStatus.VALID, 1000, None, LiveStatus.SUSPENDED),
        (AwardStatus.SUSPENDED, 1000, MembershipStatus.ACTIVE, LiveStatus.SUSPENDED),
        (AwardStatus.SUSPENDED, 5, MembershipStatus.ACTIVE, LiveStatus.SUSPENDED),
        (AwardStatus.REVOKED, 1000, MembershipStatus.LAPSED, LiveStatus.REVOKED),
        # An ended award stays "expired" whatever the membership: renewing it would not help.
        (AwardStatus.VALID, 5, MembershipStatus.LAPSED, LiveStatus.EXPIRED),
    ],
)
def test_live_status_derivation_agrees_in_python_and_sql(status, days, membership, expected):
    award = make_award(status=status, reason="x", days=days, membership=membership)

    fresh = Award.objects.get(pk=award.pk)
    annotated = award_annotate_live(Award.objects.filter(pk=award.pk)).get()

    assert award_live_status(fresh) == expected
    assert award_live_status(annotated) == expected


def test_live_reason_explains_each_status():
    lapsed = make_award(membership=MembershipStatus.LAPSED)
    ended = make_award(start=dt.date(2020, 1, 1), days=30)
    revoked = make_award(status=AwardStatus.REVOKED, reason="Standards not met")

    assert "membership is not active" in award_live_reason(lapsed)
    assert award_live_reason(ended) == "The award ended on 31 January 2020."
    assert award_live_reason(revoked) == "Standards not met"
    assert award_live_reason(make_award()) == ""


def test_membership_outside_its_dates_does_not_count():
    award = make_award(membership=None)
    today = timezone.localdate()
    factories.MembershipFactory(
        unit=award.unit,
        start_date=today - dt.timedelta(days=400),
        end_date=today - dt.timedelta(days=1),
    )

    assert award_live_status(Award.objects.get(pk=award.pk)) == LiveStatus.SUSPENDED


# --- status changes --------------------------------------------------------------------------


def test_status_changes_need_a_ccqi_admin(lead):
    award = make_award(unit=lead.unit_roles.get().unit)

    for change in (award_suspend, award_revoke):
        with pytest.raises(PermissionDenied):
            change(award=award, actor=lead, reason="no")
    with pytest.raises(PermissionDenied):
        award_reinstate(award=award, actor=lead)
    award.refresh_from_db()
    assert award.status == AwardStatus.VALID


def test_suspend_needs_a_reason_and_writes_nothing_without_one(admin_user):
    award = make_award()

    with pytest.raises(ValidationError):
        award_suspend(award=award, actor=admin_user, reason=" ")

    award.refresh_from_db()
    assert award.status == AwardStatus.VALID
    assert not AuditEvent.objects.filter(verb="award.suspended").exists()


def test_suspend_twice_is_a_no_op_the_second_time(admin_user):
    award = make_award()

    award_suspend(award=award, actor=admin_user, reason="Checking")
    award_suspend(award=award, actor=admin_user, reason="Checking again")

    award.refresh_from_db()
    assert award.status_reason == "Checking"
    assert AuditEvent.objects.filter(verb="award.suspended").count() == 1


# --- interim review and renewal --------------------------------------------------------------


def test_renewal_opens_from_the_awarded_portfolio_with_evidence_carried_over(admin_user, framework):
    award = make_award(framework=framework)
    evidence = factories.EvidenceFactory(portfolio=award.portfolio, title="Community minutes")
    factories.EvidenceLinkFactory(
        evidence=evidence, criterion=Criterion.objects.filter(standard__framework=framework).first()
    )

    renewal = award_open_review(award=award, actor=admin_user, cycle=Cycle.RENEWAL)
    again = award_open_review(award=award, actor=admin_user, cycle=Cycle.RENEWAL)

    assert renewal == again
    assert (renewal.cycle, renewal.previous, renewal.unit) == (
        Cycle.RENEWAL,
        award.portfolio,
        award.unit,
    )
    carried = Evidence.objects.get(portfolio=renewal)
    assert (carried.title, carried.carried_over_from) == ("Community minutes", evidence)
    assert AuditEvent.objects.filter(verb="award.renewal_opened").count() == 1


def test_interim_review_uses_the_awarded_standards(admin_user, framework):
    award = make_award(framework=framework)

    interim = award_open_review(award=award, actor=admin_user, cycle=Cycle.INTERIM)

    assert (interim.cycle, interim.framework) == (Cycle.INTERIM, framework)


def test_opening_a_review_needs_an_admin_and_a_live_award(admin_user, lead):
    award = make_award(unit=lead.unit_roles.get().unit)
    with pytest.raises(PermissionDenied):
        award_open_review(award=award, actor=lead, cycle=Cycle.RENEWAL)
    award_revoke(award=award, actor=admin_user, reason="Standards not met")
    with pytest.raises(ValidationError):
        award_open_review(award=award, actor=admin_user, cycle=Cycle.RENEWAL)
    assert not Portfolio.objects.filter(cycle=Cycle.RENEWAL).exists()


def test_open_review_view_opens_a_renewal(client, admin_user, framework):
    award = make_award(framework=framework)
    client.force_login(admin_user)

    response = client.post(f"/awards/{award.pk}/open-review/", {"cycle": "renewal"}, follow=True)

    assert Portfolio.objects.filter(cycle=Cycle.RENEWAL, previous=award.portfolio).count() == 1
    assert "renewal portfolio is open" in response.content.decode()


def test_open_review_view_rejects_a_bad_cycle_and_non_admins(client, admin_user, lead):
    award = make_award(unit=lead.unit_roles.get().unit)
    client.force_login(lead)
    assert client.post(f"/awards/{award.pk}/open-review/", {"cycle": "renewal"}).status_code == 404
    client.force_login(admin_user)
    response = client.post(f"/awards/{award.pk}/open-review/", {"cycle": "initial"}, follow=True)
    assert "Choose an interim review or a renewal" in response.content.decode()
    assert client.get(f"/awards/{award.pk}/open-review/").status_code == 405
    assert Portfolio.objects.count() == 1


# --- feedback report -------------------------------------------------------------------------


@pytest.fixture
def scored_award(unit, framework):
    award = make_award(unit=unit, framework=framework)
    for criterion in Criterion.objects.filter(standard__framework=framework)[:3]:
        factories.AgreedScoreFactory(
            portfolio=award.portfolio,
            criterion=criterion,
            rating=framework.rating_choices[0][0],
            comment=f"Comment on {criterion.code}",
        )
    return award


def test_feedback_report_pdf_holds_agreed_rating_and_comment_per_criterion(
    scored_award, admin_user, framework, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = feedback_report_request(portfolio=scored_award.portfolio, actor=admin_user)

    report.refresh_from_db()
    assert (report.kind, report.status) == (ReportKind.FEEDBACK, ReportStatus.READY)
    with report.pdf.open("rb") as handle:
        text = " ".join(PdfReader(io.BytesIO(handle.read())).pages[0].extract_text().split())
    assert scored_award.unit.name in text
    label = framework.rating_choices[0][1]
    for criterion in Criterion.objects.filter(standard__framework=framework)[:3]:
        assert f"Comment on {criterion.code}" in text
    assert label in text


def test_feedback_report_is_downloadable_by_the_unit_only_once_released(  # noqa: PLR0917 -- pytest fixtures
    client, scored_award, admin_user, lead, other_lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = feedback_report_request(portfolio=scored_award.portfolio, actor=admin_user)
    url = f"/awards/{scored_award.pk}/feedback.pdf"
    client.force_login(lead)
    before = client.get(url)

    feedback_report_release(report=report, actor=admin_user)
    after = client.get(url)
    client.force_login(other_lead)
    other = client.get(url)

    assert before.status_code == 404
    assert after.status_code == 200
    assert b"".join(after.streaming_content).startswith(b"%PDF")
    assert other.status_code == 404
    assert AuditEvent.objects.filter(verb="feedback_report.downloaded").count() == 1


def test_feedback_views_are_admin_only_post_only(client, scored_award, admin_user, lead):
    client.force_login(lead)
    assert client.post(f"/awards/{scored_award.pk}/feedback/").status_code == 404
    client.force_login(admin_user)
    assert client.get(f"/awards/{scored_award.pk}/feedback/").status_code == 405
    assert not Report.objects.exists()


def test_feedback_report_without_agreed_scores_explains(client, admin_user):
    award = make_award()
    client.force_login(admin_user)

    response = client.post(f"/awards/{award.pk}/feedback/", follow=True)

    assert "no agreed ratings" in response.content.decode()
    assert not Report.objects.exists()


def test_lapsed_membership_write_free(client):
    award = make_award()
    Membership.objects.filter(unit=award.unit).update(status=MembershipStatus.LAPSED)

    assert Award.objects.get(pk=award.pk).status == AwardStatus.VALID
