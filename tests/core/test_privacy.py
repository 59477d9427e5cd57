import datetime as dt
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from ee_portal.audit.models import AuditEvent
from portfolios.enums import EvidenceKind, PortfolioState
from portfolios.models import Evidence
from tests import factories

pytestmark = pytest.mark.django_db


def _file_evidence(portfolio, user, content=b"minutes of the meeting"):
    name = default_storage.save(f"evidence/{portfolio.pk}/abc", ContentFile(content))
    return factories.EvidenceFactory(
        portfolio=portfolio, kind=EvidenceKind.FILE, file=name, original_name="minutes.txt",
        size=len(content), uploaded_by=user,
    )  # fmt: skip


@pytest.fixture
def closed_long_ago(settings):
    settings.EE_EVIDENCE_RETENTION_DAYS = 365
    portfolio = factories.PortfolioFactory(state=PortfolioState.AWARDED)
    portfolio.closed_at = timezone.now() - dt.timedelta(days=400)
    portfolio.save(update_fields=["closed_at"])
    return portfolio


def test_purge_evidence_dry_run_changes_nothing(closed_long_ago, capsys):
    evidence = _file_evidence(closed_long_ago, factories.UserFactory())
    call_command("purge_evidence", "--dry-run")
    assert "Would delete 1 evidence file(s)" in capsys.readouterr().out
    assert default_storage.exists(evidence.file.name)
    assert Evidence.objects.get().file_purged_at is None


def test_purge_evidence_deletes_files_past_retention_and_keeps_metadata(closed_long_ago, capsys):
    old = _file_evidence(closed_long_ago, factories.UserFactory())
    recent_portfolio = factories.PortfolioFactory(state=PortfolioState.AWARDED)
    recent_portfolio.closed_at = timezone.now() - dt.timedelta(days=30)
    recent_portfolio.save(update_fields=["closed_at"])
    recent = _file_evidence(recent_portfolio, factories.UserFactory())
    open_one = _file_evidence(factories.PortfolioFactory(), factories.UserFactory())
    call_command("purge_evidence")
    assert "Deleted 1 evidence file(s)" in capsys.readouterr().out
    assert not default_storage.exists(old.file.name)
    old.refresh_from_db()
    assert old.file_purged_at is not None
    # The row and its metadata stay: what was held, when, by whom.
    assert (old.original_name, old.size) == ("minutes.txt", 22)
    assert Evidence.objects.filter(pk=old.pk).exists()
    assert default_storage.exists(recent.file.name)
    assert default_storage.exists(open_one.file.name)
    assert AuditEvent.objects.filter(verb="evidence.purge", object_id=str(old.pk)).count() == 1
    call_command("purge_evidence")
    assert "Deleted 0 evidence file(s)" in capsys.readouterr().out


def test_person_export_contains_everything_held_about_them(client, admin_user):
    person = factories.UnitRoleFactory(user__email="sam@example.test").user
    portfolio = factories.PortfolioFactory(unit=person.unit_roles.get().unit)
    evidence = _file_evidence(portfolio, person, b"our community meeting")
    factories.EvidenceFactory(
        portfolio=portfolio, uploaded_by=factories.UserFactory(), title="Not hers"
    )
    client.force_login(admin_user)
    response = client.get(f"/privacy/people/{person.pk}/export.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {"profile.json", "unit_roles.csv", "evidence.csv", "activity_log.csv"} <= names
    assert b"sam@example.test" in archive.read("profile.json")
    assert archive.read(f"evidence/{evidence.pk}-minutes.txt") == b"our community meeting"
    assert b"Not hers" not in archive.read("evidence.csv")
    assert AuditEvent.objects.filter(verb="privacy.export", object_id=str(person.pk)).exists()


@pytest.mark.parametrize("who", ["anonymous", "lead", "assessor"])
def test_person_export_is_404_for_anyone_but_admins(client, who, lead, assessor):
    person = factories.UserFactory()
    if who == "lead":
        client.force_login(lead)
    elif who == "assessor":
        client.force_login(assessor)
    response = client.get(f"/privacy/people/{person.pk}/export.zip")
    assert response.status_code == (302 if who == "anonymous" else 404)
    assert not AuditEvent.objects.filter(verb="privacy.export").exists()


def test_person_export_rejects_post(client, admin_user):
    client.force_login(admin_user)
    assert client.post(f"/privacy/people/{admin_user.pk}/export.zip").status_code == 405
