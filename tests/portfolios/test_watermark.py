"""Issue 15: evidence from a secure setting is watermarked with the assessor's name and the date
when someone outside the unit downloads it (PDF and images), so a leaked copy is traceable."""

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from PIL import Image
from pypdf import PdfReader

from ee_portal.audit.models import AuditEvent
from network.enums import SettingType
from portfolios.enums import PortfolioState
from portfolios.services import evidence_upload
from reviews.enums import AssignmentState
from tests import factories
from tests.pages import pdf_text
from tests.portfolios.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def prison_portfolio(unit, portfolio, assessor):
    unit.setting_type = SettingType.PRISON_PROBATION
    unit.save()
    assessor.full_name = "Siân Assessor"
    assessor.save()
    factories.AssignmentFactory(
        portfolio=portfolio, assessor=assessor, state=AssignmentState.SCORING
    )
    return portfolio


def _evidence(portfolio, lead, name):
    evidence = evidence_upload(
        portfolio=portfolio, actor=lead, upload=upload(name), contains_identifiable=False
    )
    type(portfolio).objects.filter(pk=portfolio.pk).update(state=PortfolioState.IN_REVIEW)
    return evidence


def _download(client, evidence, **params) -> bytes:
    response = client.get(reverse("portfolios:evidence_download", args=[evidence.pk]), params)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    return b"".join(response.streaming_content) if response.streaming else response.content


def _stored(evidence) -> bytes:
    with evidence.file.open("rb") as handle:
        return handle.read()


def _today() -> str:
    return date_format(timezone.localdate(), "j F Y")


def test_assessor_gets_a_pdf_marked_with_their_name_and_the_date(
    client, prison_portfolio, lead, assessor
):
    evidence = _evidence(prison_portfolio, lead, "report.pdf")
    client.force_login(assessor)
    data = _download(client, evidence)
    text = pdf_text(data)
    assert f"Downloaded by Siân Assessor on {_today()}" in text
    assert "Report" in text  # the content is still there
    reader = PdfReader(io.BytesIO(data))
    assert "Siân Assessor" in reader.metadata["/EEWatermark"]
    assert _stored(evidence) != data  # the stored copy is untouched
    assert "Downloaded by" not in pdf_text(_stored(evidence))
    event = AuditEvent.objects.filter(verb="evidence.download").get()
    assert event.details == {"inline": False, "watermarked": True}


@pytest.mark.parametrize(("name", "info_key"), [("photo.jpg", "comment"), ("photo.png", None)])
def test_assessor_gets_an_image_marked_with_their_name_and_the_date(  # noqa: PLR0917 -- fixtures
    client, prison_portfolio, lead, assessor, name, info_key
):
    evidence = _evidence(prison_portfolio, lead, name)
    client.force_login(assessor)
    data = _download(client, evidence, inline="1")
    with Image.open(io.BytesIO(data)) as marked, Image.open(io.BytesIO(_stored(evidence))) as plain:
        assert marked.size == plain.size
        words = marked.info["comment"].decode() if info_key else marked.text["EEWatermark"]
        assert words.startswith(f"Downloaded by Siân Assessor on {_today()}")
        # The band along the foot is drawn over the picture: darker than the original there.
        corner = (1, marked.height - 2)
        assert sum(marked.convert("RGB").getpixel(corner)) < sum(
            plain.convert("RGB").getpixel(corner)
        )


def test_the_units_own_members_get_the_file_as_stored(client, prison_portfolio, lead):
    evidence = _evidence(prison_portfolio, lead, "report.pdf")
    client.force_login(lead)
    assert _download(client, evidence) == _stored(evidence)


def test_assessors_of_other_settings_get_the_file_as_stored(client, portfolio, lead, assessor):
    factories.AssignmentFactory(
        portfolio=portfolio, assessor=assessor, state=AssignmentState.SCORING
    )
    evidence = _evidence(portfolio, lead, "report.pdf")
    client.force_login(assessor)
    assert _download(client, evidence) == _stored(evidence)


def test_other_types_are_not_marked(client, prison_portfolio, lead, assessor):
    evidence = _evidence(prison_portfolio, lead, "notes.txt")
    client.force_login(assessor)
    assert _download(client, evidence) == _stored(evidence)


def test_a_damaged_pdf_is_not_handed_out_unmarked(client, prison_portfolio, lead, assessor):
    evidence = _evidence(prison_portfolio, lead, "report.pdf")
    with evidence.file.storage.open(evidence.file.name, "wb") as handle:
        handle.write(b"%PDF-1.4 broken")
    client.force_login(assessor)
    response = client.get(reverse("portfolios:evidence_download", args=[evidence.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolios:evidence_edit", args=[evidence.pk])
    assert not AuditEvent.objects.filter(verb="evidence.download").exists()


def test_an_unassigned_assessor_gets_404(client, prison_portfolio, lead, other_assessor):
    evidence = _evidence(prison_portfolio, lead, "report.pdf")
    client.force_login(other_assessor)
    response = client.get(reverse("portfolios:evidence_download", args=[evidence.pk]))
    assert response.status_code == 404


def test_the_zip_export_carries_marked_copies_for_assessors(
    client, prison_portfolio, lead, assessor
):
    pdf = _evidence(prison_portfolio, lead, "report.pdf")
    notes = _evidence(prison_portfolio, lead, "notes.txt")
    url = reverse("portfolios:export_zip", args=[prison_portfolio.pk])

    def members(user) -> dict[str, bytes]:
        client.force_login(user)
        archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(url).streaming_content)))
        return {name.rsplit("/", 1)[-1]: archive.read(name) for name in archive.namelist()}

    for_assessor = members(assessor)
    marked = next(data for name, data in for_assessor.items() if name.endswith(".pdf"))
    assert f"Downloaded by Siân Assessor on {_today()}" in pdf_text(marked)
    plain_text = next(
        data for name, data in for_assessor.items() if name.endswith(".txt") and "notes" in name
    )
    assert plain_text == _stored(notes)
    for_lead = members(lead)
    assert next(d for n, d in for_lead.items() if n.endswith(".pdf")) == _stored(pdf)
