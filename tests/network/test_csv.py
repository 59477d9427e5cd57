import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ee_portal.audit.models import AuditEvent
from network import csv_io
from network.enums import MembershipStatus, Region, SettingType
from network.models import Membership, Organisation, Programme, Unit
from network.services import ImportInvalid, membership_import_apply
from tests import factories

from .conftest import ACTORS, login_redirect

pytestmark = pytest.mark.django_db

SAMPLE = Path(settings.BASE_DIR) / "fixtures" / "network" / "members-sample.csv"
HEADER = "organisation,unit,setting_type,region,programme,start_date,end_date,status,fee_reference"
GOOD_ROW = "Hope Trust,Ash Ward,health_inpatient,london,ee-award,2026-01-01,2028-12-31,active,F1"


def _upload(client, content: bytes, name: str = "members.csv"):
    return client.post(
        reverse("network:import_upload"), {"file": SimpleUploadedFile(name, content, "text/csv")}
    )


def _counts() -> tuple[int, int, int]:
    return Organisation.objects.count(), Unit.objects.count(), Membership.objects.count()


# Parsing -------------------------------------------------------------------------------


def test_sample_file_parses_with_values_and_labels():
    parsed = csv_io.parse_members_csv(SAMPLE.read_text(encoding="utf-8"))
    assert parsed.errors == []
    assert [r.row for r in parsed.rows] == [2, 3, 4, 5, 6]
    cedar, wing, hostel = parsed.rows[1], parsed.rows[2], parsed.rows[3]
    assert (cedar.setting_type, cedar.region) == (SettingType.HEALTH_COMMUNITY, Region.NORTH_WEST)
    assert (wing.status, wing.show_on_register) == (MembershipStatus.LAPSED, False)
    assert hostel.programme_code == "ee-award"
    assert (hostel.start_date, hostel.end_date) == (dt.date(2025, 6, 1), dt.date(2028, 5, 31))
    assert all(r.new_organisation and r.new_unit for r in parsed.rows)


def test_bad_rows_are_reported_by_row_and_column():
    text = "\n".join(
        [
            HEADER,
            GOOD_ROW,
            "Hope Trust,,spaceship,mars,ee-award,2026-13-01,2025-01-01,pending,F2",
            "Hope Trust,Birch Ward,education,wales,no-such,2026-01-01,2025-01-01,active,F3",
            GOOD_ROW,
        ]
    )
    parsed = csv_io.parse_members_csv(text)
    errors = [(e.row, e.column) for e in parsed.errors]
    assert errors == [
        (3, "unit"),
        (3, "setting_type"),
        (3, "region"),
        (3, "status"),
        (3, "start_date"),
        (4, "programme"),
        (4, "end_date"),
    ]
    messages = {(e.row, e.column): e.message for e in parsed.errors}
    assert "spaceship" in messages[(3, "setting_type")]
    assert "health_inpatient (Health: inpatient)" in messages[(3, "setting_type")]
    assert "ee-award" in messages[(4, "programme")]


def test_duplicate_rows_in_one_file_are_an_error():
    parsed = csv_io.parse_members_csv("\n".join([HEADER, GOOD_ROW, GOOD_ROW]))
    assert [(e.row, e.column) for e in parsed.errors] == [(3, "start_date")]
    assert "Repeats row 2" in parsed.errors[0].message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"  \n\n", "The file is empty"),
        (b"organisation,unit\nA,B\n", "missing from the header row: setting_type"),
        (f"{HEADER}\n\n".encode(), "no data rows"),
        ("é".encode("latin-1") + HEADER.encode(), "not UTF-8"),
        (b"x" * (csv_io.MAX_IMPORT_BYTES + 1), "too large"),
        (
            (HEADER + "\n" + "\n".join([GOOD_ROW] * (csv_io.MAX_IMPORT_ROWS + 1))).encode(),
            "the limit is 5,000",
        ),
    ],
    ids=["empty", "blank", "missing-columns", "header-only", "latin-1", "too-big", "too-many"],
)
def test_file_level_problems_have_clear_messages(data, message):
    with pytest.raises(csv_io.ImportFileError, match=message):
        csv_io.parse_members_csv(csv_io.decode_upload(data))


def test_csv_safe_neutralises_formulas():
    cells = ["=1+1", "+44 20", "-2", "@SUM(A1)", "\tx", "plain", "", None, 3]
    assert [csv_io.csv_safe(c) for c in cells] == [
        "'=1+1",
        "'+44 20",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "plain",
        "",
        "",
        "3",
    ]


# Applying ------------------------------------------------------------------------------


def test_import_creates_everything_and_reimport_skips(admin_user):
    text = SAMPLE.read_text(encoding="utf-8")
    result = membership_import_apply(actor=admin_user, text=text)
    assert (result.organisations, result.units, result.memberships) == (4, 5, 5)
    assert _counts() == (4, 5, 5)
    wing = Unit.objects.get(name="B Wing (PIPE)")
    assert wing.show_on_register is False
    assert wing.organisation.kind == "prison_service"
    assert wing.memberships.get().status_reason == "Renewal fee not received"
    event = AuditEvent.objects.get(verb="network.csv_imported")
    assert event.details == {"organisations": 4, "units": 5, "memberships": 5, "skipped": 0}

    again = membership_import_apply(actor=admin_user, text=text)
    assert (again.memberships, again.skipped) == (0, 5)
    assert _counts() == (4, 5, 5)


def test_import_reuses_existing_organisation_and_unit_ignoring_case(admin_user):
    unit = factories.UnitFactory(
        name="ash ward", organisation=factories.OrganisationFactory(name="HOPE TRUST")
    )
    result = membership_import_apply(actor=admin_user, text=f"{HEADER}\n{GOOD_ROW}")
    assert (result.organisations, result.units, result.memberships) == (0, 0, 1)
    assert unit.memberships.get().fee_reference == "F1"


def test_import_with_a_bad_row_imports_nothing(admin_user):
    bad = GOOD_ROW.replace("Ash Ward", "Elm Ward").replace("london", "atlantis")
    with pytest.raises(ImportInvalid) as info:
        membership_import_apply(actor=admin_user, text=f"{HEADER}\n{GOOD_ROW}\n{bad}")
    assert [(e.row, e.column) for e in info.value.errors] == [(3, "region")]
    assert _counts() == (0, 0, 0)


def test_import_service_refuses_non_admins(lead):
    with pytest.raises(PermissionDenied):
        membership_import_apply(actor=lead, text=f"{HEADER}\n{GOOD_ROW}")
    assert _counts()[2] == 0


# Views ---------------------------------------------------------------------------------


def test_upload_preview_confirm_without_reupload(client, admin_user, settings):
    client.force_login(admin_user)
    response = _upload(client, SAMPLE.read_bytes())
    assert response.status_code == 302
    assert response["Location"] == reverse("network:import_preview")
    assert _counts() == (0, 0, 0)
    preview = client.get(reverse("network:import_preview"))
    assert [r.unit for r in preview.context["parsed"].rows][:2] == [
        "Oak Ward",
        "Cedar Community Team",
    ]
    assert preview.context["can_confirm"] is True
    stored = Path(settings.STORAGES["default"]["OPTIONS"]["location"]) / "network-imports"
    assert len(list(stored.iterdir())) == 1

    response = client.post(reverse("network:import_preview"))
    assert response.status_code == 302
    assert _counts() == (4, 5, 5)
    assert list(stored.iterdir()) == []
    # The upload is gone: confirming again imports nothing more.
    assert client.post(reverse("network:import_preview")).status_code == 302
    assert _counts() == (4, 5, 5)


def test_upload_with_bad_rows_lists_errors_and_imports_nothing(client, admin_user):
    client.force_login(admin_user)
    bad = GOOD_ROW.replace("2028-12-31", "soon")
    response = _upload(client, f"{HEADER}\n{GOOD_ROW.replace('Ash', 'Oak')}\n{bad}".encode())
    assert response.status_code == 200
    assert response.context["can_confirm"] is False
    errors = response.context["parsed"].errors
    assert [(e.row, e.column) for e in errors] == [(3, "end_date")]
    content = response.content.decode()
    assert "nothing has been imported" in content
    assert "“soon” is not a date" in content
    assert client.post(reverse("network:import_preview")).status_code == 302
    assert _counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("é,".encode("latin-1") + HEADER.encode(), "not UTF-8"),
        (b"organisation,unit\nA,B\n", "columns are missing"),
        (b"", "The submitted file is empty"),
        (b"x" * (csv_io.MAX_IMPORT_BYTES + 10), "too large"),
    ],
    ids=["encoding", "columns", "empty", "huge"],
)
def test_upload_file_problems_show_a_message(client, admin_user, data, message):
    client.force_login(admin_user)
    response = _upload(client, data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["file"])
    assert _counts() == (0, 0, 0)
    assert "network_import" not in client.session


def test_confirm_revalidates_against_the_database(client, admin_user):
    client.force_login(admin_user)
    _upload(client, f"{HEADER}\n{GOOD_ROW}".encode())
    # The programme is renamed between preview and confirm.
    Programme.objects.filter(code="ee-award").update(code="ee-award-old")
    response = client.post(reverse("network:import_preview"))
    assert response.status_code == 200
    assert [(e.row, e.column) for e in response.context["parsed"].errors] == [(2, "programme")]
    assert _counts() == (0, 0, 0)


def test_cancel_discards_the_upload(client, admin_user):
    client.force_login(admin_user)
    _upload(client, f"{HEADER}\n{GOOD_ROW}".encode())
    response = client.post(reverse("network:import_cancel"))
    assert response.status_code == 302
    assert "network_import" not in client.session
    assert client.post(reverse("network:import_preview")).status_code == 302
    assert _counts() == (0, 0, 0)


@pytest.mark.parametrize("actor", ACTORS[:-1])
def test_import_views_are_admin_only(client, as_actor, actor):
    as_actor(actor)
    before = _counts()
    upload = _upload(client, f"{HEADER}\n{GOOD_ROW}".encode())
    confirm = client.post(reverse("network:import_preview"))
    cancel = client.post(reverse("network:import_cancel"))
    for response in (upload, confirm, cancel):
        if actor == "anonymous":
            assert login_redirect(response)
        else:
            assert response.status_code == 404
    assert _counts() == before


def test_import_cancel_rejects_get(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("network:import_cancel")).status_code == 405


def test_export_then_import_round_trips(client, admin_user):
    membership_import_apply(actor=admin_user, text=SAMPLE.read_text(encoding="utf-8"))
    client.force_login(admin_user)
    exported = b"".join(client.get("/network/units/export.csv").streaming_content)
    Membership.objects.all().delete()
    result = membership_import_apply(actor=admin_user, text=exported.decode("utf-8-sig"))
    assert (result.organisations, result.units, result.memberships) == (0, 0, 5)
