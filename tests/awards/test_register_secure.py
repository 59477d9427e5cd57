"""Issue 15: units in a secure setting stay off the public register unless they opt in."""

import pytest

from network.enums import SettingType
from network.models import SettingProfile
from network.services import setting_profiles_save
from tests import factories
from tests.awards.award_support import make_award
from tests.pages import visible_text

pytestmark = pytest.mark.django_db


def _names(client) -> list[str]:
    response = client.get("/awards/")
    assert response.status_code == 200
    return [award.unit.name for award in response.context["awards"]]


def test_secure_units_are_listed_only_when_they_opt_in(client, framework):
    def award(name, **unit_fields):
        make_award(unit=factories.UnitFactory(name=name, **unit_fields), framework=framework)

    award("Ash Ward", setting_type=SettingType.HEALTH_INPATIENT)
    award("Fell Wing", setting_type=SettingType.PRISON_PROBATION)
    award("Oak Secure", setting_type=SettingType.SECURE_HOSPITAL)
    award("Pine Wing", setting_type=SettingType.PRISON_PROBATION, register_opt_in=True)
    award(
        "Hidden Wing",
        setting_type=SettingType.PRISON_PROBATION,
        register_opt_in=True,
        show_on_register=False,  # opting out still wins
    )
    assert _names(client) == ["Ash Ward", "Pine Wing"]
    text = visible_text(client.get("/awards/").content)
    assert "Fell Wing" not in text
    assert "Oak Secure" not in text


def test_flag_change_by_an_admin_shows_on_the_register_at_once(client, framework, admin_user):
    make_award(
        unit=factories.UnitFactory(name="Fell Wing", setting_type=SettingType.PRISON_PROBATION),
        framework=framework,
    )
    assert _names(client) == []  # and now cached for visitors
    setting_profiles_save(actor=admin_user, secure={SettingType.SECURE_HOSPITAL})
    assert not SettingProfile.objects.get(setting_type=SettingType.PRISON_PROBATION).is_secure
    assert _names(client) == ["Fell Wing"]


def test_a_setting_flagged_secure_by_an_admin_leaves_the_register(client, framework, admin_user):
    make_award(
        unit=factories.UnitFactory(name="Oak TC", setting_type=SettingType.THERAPEUTIC_COMMUNITY),
        framework=framework,
    )
    assert _names(client) == ["Oak TC"]
    setting_profiles_save(
        actor=admin_user,
        secure={
            SettingType.PRISON_PROBATION,
            SettingType.SECURE_HOSPITAL,
            SettingType.THERAPEUTIC_COMMUNITY,
        },
    )
    assert _names(client) == []
