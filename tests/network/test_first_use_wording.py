"""Issue 17, item 9: the member list does not say a membership is "Lapsed until" a date."""

import pytest

from network.enums import MembershipStatus
from tests import factories

pytestmark = pytest.mark.django_db


def test_unit_list_gives_lapsed_memberships_their_period_not_until(client, admin_user):
    active = factories.MembershipFactory(unit=factories.UnitFactory(name="Aspen Ward"))
    lapsed = factories.MembershipFactory(
        unit=factories.UnitFactory(name="Birch Hostel"), status=MembershipStatus.LAPSED
    )
    client.force_login(admin_user)
    page = " ".join(client.get("/network/units/").content.decode().split())
    lapsed_end = f"{lapsed.end_date:%-d %b %Y}"
    assert f"Lapsed</span> · membership period to {lapsed_end}" in page
    assert f"Active</span> until {active.end_date:%-d %b %Y}" in page
    assert "Lapsed</span> until" not in page
