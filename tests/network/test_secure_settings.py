"""Issue 15: CCQI admins flag setting types as secure at /network/settings/."""

import pytest
from django.urls import reverse

from ee_portal.audit.models import AuditEvent
from network.enums import SettingType
from network.models import SettingProfile
from network.selectors import secure_setting_types, unit_is_secure
from tests import factories
from tests.pages import visible_text

pytestmark = pytest.mark.django_db
URL = reverse("network:secure_settings")


def test_prisons_and_secure_hospitals_are_secure_by_default():
    assert secure_setting_types() == {SettingType.PRISON_PROBATION, SettingType.SECURE_HOSPITAL}
    assert unit_is_secure(unit=factories.UnitFactory(setting_type=SettingType.PRISON_PROBATION))
    assert not unit_is_secure(unit=factories.UnitFactory(setting_type=SettingType.HOUSING))


def test_admin_sees_the_flags_ticked(client, admin_user):
    client.force_login(admin_user)
    response = client.get(URL)
    assert set(response.context["form"].initial["secure"]) == {
        SettingType.PRISON_PROBATION,
        SettingType.SECURE_HOSPITAL,
    }
    assert "Secure settings" in visible_text(response.content)


def test_flags_hold_after_the_database_is_emptied():
    """The defaults live in code: a flushed table (transactional tests) keeps prisons secure."""
    SettingProfile.objects.all().delete()
    assert secure_setting_types() == {SettingType.PRISON_PROBATION, SettingType.SECURE_HOSPITAL}


def test_admin_changes_the_flags_and_it_is_audited(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        URL, {"secure": [SettingType.PRISON_PROBATION, SettingType.THERAPEUTIC_COMMUNITY]}
    )
    assert response.status_code == 302
    assert secure_setting_types() == {
        SettingType.PRISON_PROBATION,
        SettingType.THERAPEUTIC_COMMUNITY,
    }
    event = AuditEvent.objects.get(verb="network.secure_settings_changed")
    assert sorted(event.details["changed"]) == [
        SettingType.SECURE_HOSPITAL,
        SettingType.THERAPEUTIC_COMMUNITY,
    ]


def test_unknown_setting_type_changes_nothing(client, admin_user):
    client.force_login(admin_user)
    response = client.post(URL, {"secure": ["spaceship"]})
    assert response.status_code == 200
    assert "spaceship" in visible_text(response.content)  # "Select a valid choice..."
    assert secure_setting_types() == {SettingType.PRISON_PROBATION, SettingType.SECURE_HOSPITAL}
    assert not AuditEvent.objects.filter(verb="network.secure_settings_changed").exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_non_admins_get_404(client, lead, assessor, method):
    for user in (lead, assessor):
        client.force_login(user)
        assert getattr(client, method)(URL, {"secure": []}).status_code == 404
    assert not SettingProfile.objects.exists()
    assert secure_setting_types() == {SettingType.PRISON_PROBATION, SettingType.SECURE_HOSPITAL}


def test_wrong_method_is_405(client, admin_user):
    client.force_login(admin_user)
    assert client.put(URL).status_code == 405


def test_unit_page_says_a_secure_unit_is_kept_off_the_register(client, admin_user):
    unit = factories.UnitFactory(setting_type=SettingType.PRISON_PROBATION)
    client.force_login(admin_user)
    text = visible_text(client.get(reverse("network:unit_detail", args=[unit.pk])).content)
    assert "secure setting and the unit has not opted in" in text
    unit.register_opt_in = True
    unit.save()
    text = visible_text(client.get(reverse("network:unit_detail", args=[unit.pk])).content)
    assert "May appear on the public register." in text


# A secure unit's own choice to appear on the register --------------------------------------


@pytest.fixture
def prison_unit(unit):
    unit.setting_type = SettingType.PRISON_PROBATION
    unit.save()
    return unit


def _register_url(unit) -> str:
    return reverse("network:unit_register", args=[unit.pk])


def test_lead_of_a_secure_unit_opts_in_and_out(client, prison_unit, lead):
    client.force_login(lead)
    page = visible_text(client.get(reverse("network:unit_detail", args=[prison_unit.pk])).content)
    assert "Show us on the register" in page
    client.post(_register_url(prison_unit), {"opt_in": "yes"})
    prison_unit.refresh_from_db()
    assert prison_unit.register_opt_in is True
    client.post(_register_url(prison_unit), {"opt_in": "no"})
    prison_unit.refresh_from_db()
    assert prison_unit.register_opt_in is False
    assert list(
        AuditEvent.objects.filter(verb__startswith="network.register_opt").values_list(
            "verb", flat=True
        )
    ) == ["network.register_opt_in", "network.register_opt_out"]


def test_contributors_and_other_leads_cannot_choose(client, prison_unit, contributor, other_lead):
    for user in (contributor, other_lead):
        client.force_login(user)
        assert client.post(_register_url(prison_unit), {"opt_in": "yes"}).status_code == 404
    prison_unit.refresh_from_db()
    assert prison_unit.register_opt_in is False


def test_register_choice_is_post_only(client, prison_unit, lead):
    client.force_login(lead)
    assert client.get(_register_url(prison_unit)).status_code == 405


def test_units_in_other_settings_are_not_asked(client, unit, lead):
    client.force_login(lead)
    page = visible_text(client.get(reverse("network:unit_detail", args=[unit.pk])).content)
    assert "Show us on the register" not in page


def test_unticking_every_box_makes_no_setting_secure(client, admin_user):
    client.force_login(admin_user)
    assert client.post(URL, {}).status_code == 302
    assert secure_setting_types() == set()
