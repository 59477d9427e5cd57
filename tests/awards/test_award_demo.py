import pytest

from awards.demo import seed_awards
from awards.enums import CertificateStatus
from awards.models import Award
from awards.selectors import award_live_status
from network.demo import seed_network

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
