"""Issue 15: in a secure setting a photo supports a criterion only once it is declared free
of any resident who could be recognised; otherwise it is refused with a kind message."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from network.enums import SettingType
from portfolios.models import Evidence, EvidenceLink
from portfolios.services import PHOTO_REFUSAL, evidence_upload
from standards.models import Criterion
from tests.pages import visible_text
from tests.portfolios.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def prison(unit):
    unit.setting_type = SettingType.PRISON_PROBATION
    unit.save()
    return unit


@pytest.fixture
def criterion(portfolio):
    return Criterion.objects.filter(standard__framework=portfolio.framework).first()


def _upload(client, portfolio, criterion, name="photo.png", **extra):
    return client.post(
        reverse("portfolios:evidence_upload", args=[portfolio.pk]),
        {
            "up-files": upload(name),
            "up-contains_identifiable": "no",
            "up-criteria": [criterion.pk],
            **extra,
        },
    )


def _edit(client, evidence, criterion, **fields):
    return client.post(
        reverse("portfolios:evidence_edit", args=[evidence.pk]),
        {
            "title": "Mural",
            "evidence_type": "photo",
            "contains_identifiable": "no",
            "criteria": [criterion.pk],
            **fields,
        },
    )


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.usefixtures("prison")
def test_undeclared_photo_with_criteria_is_refused_and_nothing_is_stored(
    client, portfolio, lead, criterion, media_root
):
    client.force_login(lead)
    response = _upload(client, portfolio, criterion)
    assert response.status_code == 302
    assert _messages(response) == [f"“photo.png” was not uploaded: {PHOTO_REFUSAL}"]
    assert not Evidence.objects.filter(portfolio=portfolio).exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_declared_photo_is_linked(client, prison, portfolio, lead, criterion):
    client.force_login(lead)
    library = client.get(reverse("portfolios:evidence_library", args=[portfolio.pk]))
    assert "No resident can be recognised in this photo" in visible_text(library.content)
    _upload(client, portfolio, criterion, **{"up-free_of_residents": "on"})
    evidence = Evidence.objects.get(portfolio=portfolio)
    assert evidence.free_of_residents is True
    assert list(evidence.links.values_list("criterion_id", flat=True)) == [criterion.pk]


def test_link_refused_until_declared_on_the_photos_page(client, prison, portfolio, lead, criterion):
    client.force_login(lead)
    evidence = evidence_upload(
        portfolio=portfolio, actor=lead, upload=upload("photo.jpg"), contains_identifiable=False
    )
    response = client.post(
        reverse("portfolios:evidence_link", args=[evidence.pk]), {"criterion": criterion.code}
    )
    assert _messages(response) == [str(PHOTO_REFUSAL)]
    assert not EvidenceLink.objects.exists()
    page = client.get(reverse("portfolios:evidence_edit", args=[evidence.pk]))
    assert "No resident can be recognised in this photo" in visible_text(page.content)
    _edit(client, evidence, criterion, title="Our mural", free_of_residents="on")
    evidence.refresh_from_db()
    assert (evidence.title, evidence.free_of_residents) == ("Our mural", True)
    assert list(evidence.links.values_list("criterion_id", flat=True)) == [criterion.pk]


def test_refused_edit_keeps_neither_details_nor_links(client, prison, portfolio, lead, criterion):
    client.force_login(lead)
    evidence = evidence_upload(
        portfolio=portfolio, actor=lead, upload=upload("photo.jpg"), contains_identifiable=False
    )
    _edit(client, evidence, criterion, title="Renamed")
    evidence.refresh_from_db()
    assert (evidence.title, evidence.links.count()) == ("photo.jpg", 0)


def test_linked_photo_cannot_withdraw_its_declaration(client, prison, portfolio, lead, criterion):
    evidence = evidence_upload(
        portfolio=portfolio,
        actor=lead,
        upload=upload("photo.png"),
        contains_identifiable=False,
        free_of_residents=True,
        criterion_ids=[criterion.pk],
    )
    client.force_login(lead)
    _edit(client, evidence, criterion)
    evidence.refresh_from_db()
    assert evidence.free_of_residents is True


def test_documents_in_a_secure_setting_link_without_the_photo_declaration(
    prison, portfolio, lead, criterion
):
    evidence = evidence_upload(
        portfolio=portfolio,
        actor=lead,
        upload=upload("report.pdf"),
        contains_identifiable=False,
        criterion_ids=[criterion.pk],
    )
    assert evidence.links.count() == 1


def test_photos_elsewhere_link_without_the_declaration(client, portfolio, lead, criterion):
    client.force_login(lead)
    library = client.get(reverse("portfolios:evidence_library", args=[portfolio.pk]))
    assert "No resident can be recognised" not in visible_text(library.content)
    _upload(client, portfolio, criterion)
    evidence = Evidence.objects.get(portfolio=portfolio)
    assert evidence.links.count() == 1


@pytest.mark.usefixtures("prison")
def test_another_units_lead_cannot_declare_a_photo(client, portfolio, lead, other_lead):
    evidence = evidence_upload(
        portfolio=portfolio, actor=lead, upload=upload("photo.png"), contains_identifiable=False
    )
    client.force_login(other_lead)
    response = client.post(
        reverse("portfolios:evidence_edit", args=[evidence.pk]),
        {"title": "x", "evidence_type": "photo", "free_of_residents": "on"},
    )
    assert response.status_code == 404
    evidence.refresh_from_db()
    assert evidence.free_of_residents is None
