import pytest

from awards.demo import seed_awards
from awards.enums import CertificateStatus
from awards.models import Award
from awards.selectors import award_live_status
from awards.services import feedback_report_request
from network.demo import seed_network
from reviews.enums import ReportStatus
from reviews.models import AgreedScore, Report
from reviews.selectors import (
    DECISION_STEP,
    assessor_conflict_reason,
    decision_basis,
    unfinished_before,
)
from standards.models import Criterion

pytestmark = pytest.mark.django_db


def test_seed_awards_gives_oak_house_a_valid_rendered_award_once(framework, settings):
    first = seed_network()
    seed_awards(first)
    second = seed_network()
    seed_awards(second)

    award = Award.objects.select_related("certificate", "unit").get()
    assert award.unit.name == "Oak House Therapeutic Community"
    assert award.certificate.status == CertificateStatus.READY
    assert award_live_status(award) == "valid"
    code = award.certificate.verify_code
    line = f"Demo award verification URL: {settings.EE_SITE_URL}/verify/{code}/"
    assert first.notes == [line]
    assert second.notes == [line]


def test_seed_awards_agrees_every_criterion_so_the_feedback_report_can_be_prepared(
    framework, settings, django_capture_on_commit_callbacks
):
    demo = seed_network()
    seed_awards(demo)
    seed_awards(seed_network())

    award = Award.objects.select_related("portfolio").get()
    criteria = set(
        Criterion.objects.filter(standard__framework=framework).values_list("pk", flat=True)
    )
    agreed = list(
        AgreedScore.objects.filter(portfolio=award.portfolio).values_list("criterion_id", flat=True)
    )
    assert sorted(agreed) == sorted(criteria)
    assert len(criteria) > 1

    with django_capture_on_commit_callbacks(execute=True):
        report = feedback_report_request(portfolio=award.portfolio, actor=demo.users["admin"])

    report.refresh_from_db()
    assert report.status == ReportStatus.READY


def test_seed_awards_gives_oak_house_everything_the_panel_considered(framework):
    seed_awards(seed_network())
    seed_awards(seed_network())

    portfolio = Award.objects.get().decision.portfolio
    # Issue 17: the demo award went through every stage with its artefact.
    for step in ("interim_report", "visit", "panel", DECISION_STEP):
        assert unfinished_before(portfolio=portfolio, step=step) == []
    assert decision_basis(portfolio=portfolio).not_considered == []
    reports = Report.objects.filter(portfolio=portfolio).order_by("kind")
    assert [(r.kind, r.status) for r in reports] == [
        ("interim", ReportStatus.READY),
        ("summary", ReportStatus.READY),
        ("visit", ReportStatus.READY),
    ]
    assert all(r.released_at.date() < portfolio.closed_at.date() for r in reports if r.released_at)
    (assignment,) = portfolio.assignments.all()
    assert (assignment.assessor.email, assignment.state) == ("assessor@demo.test", "submitted")
    assert assessor_conflict_reason(assessor=assignment.assessor, unit=portfolio.unit) == ""
