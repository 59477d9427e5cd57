import pytest

from awards.demo import seed_awards
from awards.enums import CertificateStatus
from awards.models import Award
from awards.selectors import award_live_status
from awards.services import feedback_report_request
from network.demo import seed_network
from reviews.enums import ReportStatus
from reviews.models import AgreedScore
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
