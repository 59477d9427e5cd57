import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ee_portal.audit.models import AuditEvent
from network.enums import MembershipStatus, Region, SettingType, UnitRoleKind
from network.models import Invitation, Membership, Organisation, Unit, UnitRole
from tests import factories

from .conftest import ACTORS, login_redirect

pytestmark = pytest.mark.django_db

ADMIN_ONLY_PAGES = [
    ("network:dashboard", None),
    ("network:unit_list", None),
    ("network:unit_export", None),
    ("network:unit_create", None),
    ("network:unit_edit", "unit"),
    ("network:membership_create", "unit"),
    ("network:membership_renew", "membership"),
    ("network:membership_status", "membership"),
    ("network:person_list", None),
    ("network:organisation_list", None),
    ("network:organisation_create", None),
    ("network:organisation_edit", "organisation"),
    ("network:import_upload", None),
]


def _url(request, name: str, obj: str | None) -> str:
    if obj is None:
        return reverse(name)
    if obj == "organisation":
        return reverse(name, kwargs={"pk": request.getfixturevalue("unit").organisation_id})
    return reverse(name, kwargs={"pk": request.getfixturevalue(obj).pk})


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("name", "obj"), ADMIN_ONLY_PAGES)
def test_admin_pages_only_for_ccqi_admins(  # noqa: PLR0917 -- pytest fixtures
    request, client, as_actor, actor, name, obj
):
    url = _url(request, name, obj)
    as_actor(actor)
    response = client.get(url)
    if actor == "anonymous":
        assert login_redirect(response)
    elif actor == "admin_user":
        assert response.status_code == 200
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(
    "name",
    ["network:dashboard", "network:unit_list", "network:unit_export", "network:person_list"],
)
def test_read_only_admin_pages_reject_post(client, admin_user, name):
    client.force_login(admin_user)
    assert client.post(reverse(name)).status_code == 405


@pytest.mark.parametrize(
    "name", ["network:role_remove", "network:role_change", "network:invitation_resend"]
)
def test_one_click_actions_reject_get(client, admin_user, contributor_role, invitation, name):
    client.force_login(admin_user)
    pk = invitation.pk if "invitation" in name else contributor_role.pk
    assert client.get(reverse(name, kwargs={"pk": pk})).status_code == 405


def test_lead_gets_404_at_member_list(client, lead):
    client.force_login(lead)
    assert client.get("/network/units/").status_code == 404
    assert client.get("/network/").status_code == 404


# Unit page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 302),
        ("contributor", 200),
        ("lead", 200),
        ("other_lead", 404),
        ("assessor", 404),
        ("admin_user", 200),
    ],
)
def test_unit_detail_visible_to_members_and_admins(  # noqa: PLR0917 -- pytest fixtures
    client, as_actor, unit, membership, contributor, lead, invitation, actor, status
):
    as_actor(actor)
    response = client.get(reverse("network:unit_detail", kwargs={"pk": unit.pk}))
    assert response.status_code == status
    if status != 200:
        return
    people = {r.user.email for r in response.context["people"]}
    assert people == {contributor.email, lead.email}
    invite_url = reverse("network:invitation_create", kwargs={"pk": unit.pk})
    renew_url = reverse("network:membership_renew", kwargs={"pk": membership.pk})
    content = response.content.decode()
    if actor == "contributor":
        assert invite_url not in content
        assert invitation.email not in content
        assert renew_url not in content
    if actor == "lead":
        assert invite_url in content
        assert invitation.email in content
        assert renew_url not in content
        removable = {r.user.email for r in response.context["people"] if r.can_remove}
        assert removable == {contributor.email}
    if actor == "admin_user":
        assert renew_url in content
        removable = {r.user.email for r in response.context["people"] if r.can_remove}
        assert removable == {contributor.email, lead.email}


@pytest.mark.parametrize("item_count", [1, 3])
def test_unit_detail_constant_queries(
    client, admin_user, unit, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        factories.UnitRoleFactory(unit=unit)
        factories.MembershipFactory(unit=unit)
        factories.InvitationFactory(unit=unit)
    client.force_login(admin_user)
    # 1 session, 2 user, 3 unit + organisation, 4 people, 5 open invitations,
    # 6 membership history, 7 awards with certificates (network/hooks.py, filled by awards),
    # 8 network membership type (filled by programmes), 9 portfolios, 10-12 savepoint,
    # session save, release (SESSION_SAVE_EVERY_REQUEST)
    # (2 also brings the nav's unit roles and the cache epoch: network/backends.py)
    with django_assert_num_queries(12):
        response = client.get(reverse("network:unit_detail", kwargs={"pk": unit.pk}))
    assert len(response.context["people"]) == item_count


# Member list, export, dashboard --------------------------------------------------------


@pytest.mark.parametrize("item_count", [1, 3, 12])
def test_unit_list_constant_queries(client, admin_user, django_assert_num_queries, item_count):
    for _ in range(item_count):
        unit = factories.UnitFactory()
        factories.MembershipFactory(unit=unit)
        factories.MembershipFactory(unit=unit, programme=factories.ProgrammeFactory(code="cofc"))
    client.force_login(admin_user)
    # 1 session, 2 user, 3 programmes (filter choices), 4 count, 5 units + organisations,
    # 6 current memberships + programmes, 7-9 savepoint, session save, release
    # (2 also brings the nav's unit roles and the cache epoch: network/backends.py)
    with django_assert_num_queries(9):
        response = client.get("/network/units/?status=active")
    assert len(response.context["units"]) == item_count


def test_unit_list_search_and_filters(client, admin_user):
    today = timezone.localdate()
    soon = factories.UnitFactory(name="Aspen Ward", region=Region.WALES)
    factories.MembershipFactory(
        unit=soon,
        start_date=today - dt.timedelta(days=1000),
        end_date=today + dt.timedelta(days=20),
    )
    lapsed = factories.UnitFactory(name="Birch Hostel", setting_type=SettingType.HOUSING)
    factories.MembershipFactory(unit=lapsed, status=MembershipStatus.LAPSED)
    renewed = factories.UnitFactory(
        name="Cherry Wing", organisation=factories.OrganisationFactory(name="HMP Orchard")
    )
    old = factories.MembershipFactory(
        unit=renewed,
        start_date=today - dt.timedelta(days=2000),
        end_date=today - dt.timedelta(days=900),
        status=MembershipStatus.LAPSED,
    )
    factories.MembershipFactory(unit=renewed, start_date=old.end_date + dt.timedelta(days=1))
    client.force_login(admin_user)

    def names(query: str) -> list[str]:
        return [u.name for u in client.get(f"/network/units/?{query}").context["units"]]

    assert names("") == ["Aspen Ward", "Birch Hostel", "Cherry Wing"]
    assert names("q=orchard") == ["Cherry Wing"]
    assert names("q=birch") == ["Birch Hostel"]
    # Only the current membership counts: Cherry Wing's lapsed row is history.
    assert names("status=lapsed") == ["Birch Hostel"]
    assert names("status=active&programme=ee-award") == ["Aspen Ward", "Cherry Wing"]
    assert names("setting_type=housing") == ["Birch Hostel"]
    assert names("region=wales") == ["Aspen Ward"]
    assert names("ending_within=30") == ["Aspen Ward"]
    assert names("ending_within=30&region=london") == []
    # An invalid filter value is ignored and shown as an error, not a 500.
    response = client.get("/network/units/?ending_within=lots")
    assert response.status_code == 200
    assert response.context["form"].errors["ending_within"]


def test_unit_list_paginates_by_50(client, admin_user):
    factories.UnitFactory.create_batch(51)
    client.force_login(admin_user)
    response = client.get("/network/units/")
    assert len(response.context["units"]) == 50
    assert len(client.get("/network/units/?page=2").context["units"]) == 1


def test_unit_export_streams_filtered_csv_safe_against_formulas(client, admin_user):
    evil = factories.UnitFactory(name='=HYPERLINK("http://x")', region=Region.WALES)
    factories.MembershipFactory(unit=evil, fee_reference="+44", notes="@sum")
    factories.UnitFactory(name="Elsewhere", region=Region.LONDON)
    client.force_login(admin_user)
    response = client.get("/network/units/export.csv?region=wales")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("organisation,organisation_kind,unit,")
    assert len(lines) == 2
    assert "'=HYPERLINK" in lines[1]
    assert ",'+44," in lines[1]
    assert "'@sum" in lines[1]
    assert "Elsewhere" not in text


def test_dashboard_counts_ending_soon_and_pending(client, admin_user, django_assert_num_queries):
    today = timezone.localdate()
    ending = factories.MembershipFactory(
        start_date=today - dt.timedelta(days=1000), end_date=today + dt.timedelta(days=60)
    )
    factories.MembershipFactory(status=MembershipStatus.SUSPENDED)
    factories.MembershipFactory(
        unit=ending.unit,
        start_date=today - dt.timedelta(days=3000),
        end_date=today - dt.timedelta(days=2000),
    )  # history only
    pending = factories.InvitationFactory()
    factories.InvitationFactory(revoked_at=timezone.now())
    client.force_login(admin_user)
    # 1 session, 2 user, 3 counts by programme and status, 4 ending soon,
    # 5 pending invitations, 6-8 savepoint, session save, release
    # (2 also brings the nav's unit roles and the cache epoch: network/backends.py)
    with django_assert_num_queries(8):
        response = client.get("/network/")
    data = response.context["data"]
    assert [(r["code"], r["active"], r["suspended"], r["total"]) for r in data.by_programme] == [
        ("ee-award", 1, 1, 2)
    ]
    assert data.ending_soon == [ending]
    assert data.pending_invitations == [pending]


# Organisations and units ---------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_unit_create(client, as_actor, actor):
    organisation = factories.OrganisationFactory()
    as_actor(actor)
    response = client.post(
        reverse("network:unit_create"),
        {
            "organisation": organisation.pk,
            "name": "Maple House",
            "setting_type": SettingType.EDUCATION,
            "region": Region.SCOTLAND,
            "show_on_register": "on",
        },
    )
    created = Unit.objects.filter(name="Maple House").first()
    if actor == "admin_user":
        assert response.status_code == 302
        assert response["Location"] == reverse("network:unit_detail", kwargs={"pk": created.pk})
        assert created.setting_type == SettingType.EDUCATION
        assert AuditEvent.objects.filter(verb="network.unit_created", object_id=created.pk).exists()
    else:
        assert created is None
        assert login_redirect(response) if actor == "anonymous" else response.status_code == 404


def test_unit_create_duplicate_name_in_organisation_is_a_form_error(client, admin_user, unit):
    client.force_login(admin_user)
    response = client.post(
        reverse("network:unit_create"),
        {
            "organisation": unit.organisation_id,
            "name": unit.name,
            "setting_type": "other",
            "region": "london",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Unit.objects.filter(name=unit.name).count() == 1


def test_unit_edit_saves_and_audits(client, admin_user, unit):
    client.force_login(admin_user)
    response = client.post(
        reverse("network:unit_edit", kwargs={"pk": unit.pk}),
        {
            "organisation": unit.organisation_id,
            "name": "Willow Ward (new)",
            "setting_type": SettingType.HEALTH_INPATIENT,
            "region": Region.LONDON,
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Willow Ward (new)"
    assert unit.show_on_register is False
    event = AuditEvent.objects.get(verb="network.unit_updated")
    assert set(event.details["changes"]) == {"name", "show_on_register"}


def test_lead_cannot_edit_their_unit(client, lead, unit):
    client.force_login(lead)
    response = client.post(
        reverse("network:unit_edit", kwargs={"pk": unit.pk}),
        {
            "organisation": unit.organisation_id,
            "name": "Hacked",
            "setting_type": "other",
            "region": "london",
        },
    )
    assert response.status_code == 404
    unit.refresh_from_db()
    assert unit.name == "Willow Ward"


def test_organisation_create_then_edit(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("network:organisation_create"), {"name": "Hope Charity", "kind": "charity"}
    )
    organisation = Organisation.objects.get(name="Hope Charity")
    assert response["Location"].endswith(f"?organisation={organisation.pk}")
    response = client.post(
        reverse("network:organisation_edit", kwargs={"pk": organisation.pk}),
        {"name": "Hope Charity UK", "kind": "charity"},
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Hope Charity UK"
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="network.").values_list("verb", flat=True)
    )
    assert verbs == ["network.organisation_created", "network.organisation_updated"]


def test_organisation_create_forbidden_for_lead(client, lead):
    client.force_login(lead)
    response = client.post(
        reverse("network:organisation_create"), {"name": "Hope Charity", "kind": "charity"}
    )
    assert response.status_code == 404
    assert not Organisation.objects.filter(name="Hope Charity").exists()


@pytest.mark.parametrize("item_count", [1, 3])
def test_organisation_list_constant_queries(
    client, admin_user, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        factories.UnitFactory()
    client.force_login(admin_user)
    # 1 session, 2 user, 3 count, 4 organisations with unit counts,
    # 5-7 savepoint, session save, release
    # (2 also brings the nav's unit roles and the cache epoch: network/backends.py)
    with django_assert_num_queries(7):
        response = client.get("/network/organisations/")
    assert [o.unit_count for o in response.context["organisations"]] == [1] * item_count


@pytest.mark.parametrize("item_count", [1, 3])
def test_person_list_constant_queries(client, admin_user, django_assert_num_queries, item_count):
    for _ in range(item_count):
        factories.UnitRoleFactory()
    client.force_login(admin_user)
    # 1 session, 2 user, 3 count, 4 people, 5 their roles with units and organisations,
    # 6-8 savepoint, session save, release
    # (2 also brings the nav's unit roles and the cache epoch: network/backends.py)
    with django_assert_num_queries(8):
        response = client.get("/network/people/")
    assert len(response.context["people"]) == item_count + 1


def test_person_list_search_shows_roles(client, admin_user, lead, unit):
    client.force_login(admin_user)
    response = client.get("/network/people/?q=lead@")
    assert [p.email for p in response.context["people"]] == [lead.email]
    assert "Unit lead of" in response.content.decode()


# Memberships ----------------------------------------------------------------------------


def test_membership_create(client, admin_user, unit):
    client.force_login(admin_user)
    response = client.post(
        reverse("network:membership_create", kwargs={"pk": unit.pk}),
        {
            "programme": factories.ProgrammeFactory().pk,
            "start_date": "2026-01-01",
            "end_date": "2028-12-31",
            "status": "active",
            "fee_reference": "INV-9",
        },
    )
    assert response.status_code == 302
    membership = unit.memberships.get()
    assert (membership.end_date, membership.fee_reference) == (dt.date(2028, 12, 31), "INV-9")


def test_membership_create_rejects_end_before_start(client, admin_user, unit):
    client.force_login(admin_user)
    response = client.post(
        reverse("network:membership_create", kwargs={"pk": unit.pk}),
        {
            "programme": factories.ProgrammeFactory().pk,
            "start_date": "2026-01-01",
            "end_date": "2025-12-31",
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert "end_date" in response.context["form"].errors
    assert not unit.memberships.exists()


def test_membership_renew_adds_a_row_and_keeps_history(client, admin_user, membership):
    client.force_login(admin_user)
    url = reverse("network:membership_renew", kwargs={"pk": membership.pk})
    initial = client.get(url).context["form"].initial
    assert initial["start_date"] == membership.end_date + dt.timedelta(days=1)
    response = client.post(
        url,
        {
            "start_date": initial["start_date"].isoformat(),
            "end_date": "2099-01-01",
            "fee_reference": "INV-2",
        },
    )
    assert response.status_code == 302
    rows = list(Membership.objects.filter(unit=membership.unit).order_by("start_date"))
    assert [r.fee_reference for r in rows] == ["INV-1", "INV-2"]
    assert AuditEvent.objects.filter(verb="network.membership_renewed").count() == 1


def test_membership_renew_forbidden_for_lead(client, lead, membership):
    client.force_login(lead)
    response = client.post(
        reverse("network:membership_renew", kwargs={"pk": membership.pk}),
        {"start_date": "2030-01-01", "end_date": "2033-01-01"},
    )
    assert response.status_code == 404
    assert Membership.objects.count() == 1


def test_membership_suspend_needs_reason_and_audits(client, admin_user, membership):
    client.force_login(admin_user)
    url = reverse("network:membership_status", kwargs={"pk": membership.pk})
    response = client.post(url, {"status": "suspended", "reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE

    response = client.post(url, {"status": "suspended", "reason": "Invoice unpaid"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.status, membership.status_reason) == ("suspended", "Invoice unpaid")
    event = AuditEvent.objects.get(verb="network.membership_status_changed")
    assert event.details == {"from": "active", "to": "suspended", "reason": "Invoice unpaid"}


def test_membership_status_forbidden_for_contributor(client, contributor, membership):
    client.force_login(contributor)
    response = client.post(
        reverse("network:membership_status", kwargs={"pk": membership.pk}),
        {"status": "lapsed", "reason": "x"},
    )
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE


# People ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "removed"),
    [
        ("anonymous", False),
        ("contributor", False),
        ("lead", True),
        ("other_lead", False),
        ("assessor", False),
        ("admin_user", True),
    ],
)
def test_remove_contributor(client, as_actor, contributor_role, actor, removed):
    as_actor(actor)
    response = client.post(reverse("network:role_remove", kwargs={"pk": contributor_role.pk}))
    assert UnitRole.objects.filter(pk=contributor_role.pk).exists() is not removed
    if removed:
        assert response.status_code == 302
        assert AuditEvent.objects.filter(verb="network.role_removed").count() == 1
    elif actor == "anonymous":
        assert login_redirect(response)
    else:
        assert response.status_code == 404


def test_lead_cannot_remove_a_lead(client, lead, unit):
    other = factories.UnitRoleFactory(unit=unit, role=UnitRoleKind.LEAD)
    client.force_login(lead)
    response = client.post(reverse("network:role_remove", kwargs={"pk": other.pk}))
    assert response.status_code == 404
    assert UnitRole.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("actor", ACTORS)
def test_role_change_only_by_admin(client, as_actor, contributor_role, actor):
    as_actor(actor)
    response = client.post(
        reverse("network:role_change", kwargs={"pk": contributor_role.pk}), {"role": "lead"}
    )
    contributor_role.refresh_from_db()
    if actor == "admin_user":
        assert response.status_code == 302
        assert contributor_role.role == UnitRoleKind.LEAD
        event = AuditEvent.objects.get(verb="network.role_changed")
        assert (event.details["from"], event.details["to"]) == ("contributor", "lead")
    else:
        assert contributor_role.role == UnitRoleKind.CONTRIBUTOR
        assert login_redirect(response) if actor == "anonymous" else response.status_code == 404


def test_role_change_with_a_bad_role_changes_nothing(client, admin_user, contributor_role):
    client.force_login(admin_user)
    response = client.post(
        reverse("network:role_change", kwargs={"pk": contributor_role.pk}), {"role": "owner"}
    )
    assert response.status_code == 302
    contributor_role.refresh_from_db()
    assert contributor_role.role == UnitRoleKind.CONTRIBUTOR


@pytest.mark.parametrize(
    ("name", "obj"),
    [
        ("network:unit_create", None),
        ("network:unit_edit", "unit"),
        ("network:membership_create", "unit"),
        ("network:membership_renew", "membership"),
        ("network:membership_status", "membership"),
        ("network:organisation_create", None),
        ("network:organisation_edit", "organisation"),
        ("network:invitation_create", "unit"),
        ("network:import_upload", None),
        ("network:import_preview", None),
    ],
)
def test_form_pages_reject_other_methods(request, client, admin_user, name, obj):
    client.force_login(admin_user)
    url = _url(request, name, obj)
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405


def test_lead_cannot_change_roles(client, lead, contributor_role):
    client.force_login(lead)
    response = client.post(
        reverse("network:role_change", kwargs={"pk": contributor_role.pk}), {"role": "lead"}
    )
    assert response.status_code == 404
    contributor_role.refresh_from_db()
    assert contributor_role.role == UnitRoleKind.CONTRIBUTOR


def test_missing_objects_are_404_for_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("network:unit_detail", kwargs={"pk": 999})).status_code == 404
    assert client.post(reverse("network:role_remove", kwargs={"pk": 999})).status_code == 404
    assert not Invitation.objects.exists()


def test_navigation_links_a_member_to_their_unit(client, lead, unit):
    client.force_login(lead)
    response = client.get(reverse("network:unit_detail", kwargs={"pk": unit.pk}))
    assert response.context["nav"]["units"] == [(unit.pk, unit.name)]
    assert f'href="/network/units/{unit.pk}/">My unit</a>' in response.content.decode()


@pytest.mark.parametrize("item_count", [1, 3])
def test_dashboard_constant_queries(client, admin_user, django_assert_num_queries, item_count):
    today = timezone.localdate()
    for number in range(item_count):
        factories.MembershipFactory(
            start_date=today - dt.timedelta(days=1000), end_date=today + dt.timedelta(days=10)
        )
        factories.MembershipFactory(
            programme=factories.ProgrammeFactory(code="cofc"),
            status=MembershipStatus.LAPSED if number % 2 else MembershipStatus.ACTIVE,
        )
        factories.InvitationFactory()
    client.force_login(admin_user)
    # 1 session, 2 user, 3 counts, 4 ending soon, 5 pending invitations, 6-8 session save
    # (2 also brings the nav's unit roles and the cache epoch: network/backends.py)
    with django_assert_num_queries(8):
        response = client.get("/network/")
    assert len(response.context["data"].ending_soon) == item_count
    assert len(response.context["data"].pending_invitations) == item_count
