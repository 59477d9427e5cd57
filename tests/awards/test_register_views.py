import datetime as dt

import pytest
from django.utils import timezone

from awards.enums import AwardStatus
from awards.selectors import award_register_queryset
from network.enums import MembershipStatus, Region, SettingType
from tests import factories
from tests.awards.award_support import make_award

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return [award.unit.name for award in response.context["awards"]]


def test_register_lists_current_holders_and_leaves_out_the_rest(client, framework):
    def unit(name, **kw):
        return factories.UnitFactory(name=name, **kw)

    make_award(unit=unit("Ash Ward"), framework=framework)
    make_award(unit=unit("Secure Unit", show_on_register=False), framework=framework)
    make_award(unit=unit("Suspended Ward"), framework=framework, status=AwardStatus.SUSPENDED)
    make_award(unit=unit("Revoked Ward"), framework=framework, status=AwardStatus.REVOKED)
    make_award(unit=unit("Lapsed Ward"), framework=framework, membership=MembershipStatus.LAPSED)
    make_award(
        unit=unit("Expired Ward"),
        framework=framework,
        start=timezone.localdate() - dt.timedelta(days=1200),
        days=1000,
    )

    response = client.get("/awards/")

    assert response.status_code == 200
    assert _names(response) == ["Ash Ward"]
    assert "Ash Ward" in response.content.decode()


def test_register_filters_by_setting_type_and_region(client, framework):
    make_award(
        unit=factories.UnitFactory(
            name="Oak TC", setting_type=SettingType.THERAPEUTIC_COMMUNITY, region=Region.WALES
        ),
        framework=framework,
    )
    make_award(
        unit=factories.UnitFactory(
            name="Birch TC", setting_type=SettingType.THERAPEUTIC_COMMUNITY, region=Region.LONDON
        ),
        framework=framework,
    )
    make_award(
        unit=factories.UnitFactory(
            name="Elm Hostel", setting_type=SettingType.HOUSING, region=Region.WALES
        ),
        framework=framework,
    )

    by_setting = client.get("/awards/", {"setting_type": SettingType.THERAPEUTIC_COMMUNITY})
    by_both = client.get(
        "/awards/", {"setting_type": SettingType.THERAPEUTIC_COMMUNITY, "region": Region.WALES}
    )
    by_region = client.get("/awards/", {"region": Region.WALES})

    assert _names(by_setting) == ["Birch TC", "Oak TC"]
    assert _names(by_both) == ["Oak TC"]
    assert _names(by_region) == ["Elm Hostel", "Oak TC"]


def test_register_ignores_an_unknown_filter_value_with_a_message(client, framework):
    make_award(unit=factories.UnitFactory(name="Ash Ward"), framework=framework)

    response = client.get("/awards/", {"region": "atlantis"})

    assert response.status_code == 200
    assert _names(response) == ["Ash Ward"]
    assert "Select a valid choice" in response.content.decode()


def test_register_shows_only_the_newest_of_overlapping_awards(framework):
    unit = factories.UnitFactory(name="Ash Ward")
    make_award(unit=unit, framework=framework, start=timezone.localdate() - dt.timedelta(days=900))
    newest = make_award(unit=unit, framework=framework, membership=None)

    assert list(award_register_queryset()) == [newest]


def test_register_refuses_post(client):
    assert client.post("/awards/").status_code == 405


@pytest.mark.parametrize("item_count", [1, 3])
def test_register_query_count_is_constant(client, framework, item_count, django_assert_num_queries):
    for _ in range(item_count):
        make_award(framework=framework)

    # 1: count for the paginator; 2: the page of awards with unit, organisation, framework.
    # ...and the cache epoch, read once per request (ee_portal/lib/fragments.py)
    with django_assert_num_queries(3):
        response = client.get("/awards/")
    assert len(response.context["awards"]) == item_count
