"""The issue's "done when": record "awarded" as an admin, then follow the award in public."""

import io

import pytest
import zxingcpp
from pypdf import PdfReader

from awards.enums import CertificateStatus
from awards.models import Certificate
from network.enums import MembershipStatus
from network.models import Membership
from network.services import membership_set_status
from portfolios.enums import PortfolioState
from reviews.workflow import decision_record
from tests import factories
from tests.awards.award_support import upscaled as _upscaled
from tests.reviews.stages import complete_stages

pytestmark = pytest.mark.django_db


def test_recording_awarded_issues_a_certificate_that_verifies_and_follows_membership(
    client, admin_user, unit, framework, django_capture_on_commit_callbacks
):
    factories.MembershipFactory(unit=unit)
    portfolio = complete_stages(
        factories.PortfolioFactory(unit=unit, framework=framework, state=PortfolioState.PANEL)
    )

    with django_capture_on_commit_callbacks(execute=True):
        decision_record(
            portfolio=portfolio, outcome="awarded", rationale="All met.", actor=admin_user
        )

    certificate = Certificate.objects.get(award__decision__portfolio=portfolio)
    assert certificate.status == CertificateStatus.READY
    with certificate.pdf.open("rb") as handle:
        page = PdfReader(io.BytesIO(handle.read())).pages[0]
    qr_url = zxingcpp.read_barcodes(_upscaled(page.images[0].image))[0].text
    path = qr_url.removeprefix("http://testserver")

    valid = client.get(path)
    register = client.get("/awards/")
    membership = Membership.objects.get(unit=unit)
    membership_set_status(
        actor=admin_user, membership=membership, status=MembershipStatus.LAPSED, reason="Unpaid"
    )
    lapsed = client.get(path)
    lapsed_register = client.get("/awards/")
    membership_set_status(actor=admin_user, membership=membership, status=MembershipStatus.ACTIVE)
    unit.show_on_register = False
    unit.save()
    opted_out_register = client.get("/awards/")

    assert path == f"/verify/{certificate.verify_code}/"
    assert (valid.status_code, valid.context["live"]) == (200, "valid")
    assert [a.unit for a in register.context["awards"]] == [unit]
    assert lapsed.context["live"] == "suspended"
    assert list(lapsed_register.context["awards"]) == []
    assert list(opted_out_register.context["awards"]) == []
