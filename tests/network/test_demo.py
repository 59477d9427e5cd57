import pytest

from network.demo import seed_network
from network.models import Invitation, Membership, Organisation, Unit, UnitRole, User
from network.selectors import current_memberships, invitation_list_pending

pytestmark = pytest.mark.django_db


def _counts() -> list[int]:
    models = (User, Organisation, Unit, Membership, UnitRole, Invitation)
    return [model.objects.count() for model in models]


def test_seed_network_is_idempotent_and_varied():
    demo = seed_network()
    first = _counts()
    seed_network()
    assert _counts() == first
    assert {"admin", "lead", "contributor", "assessor", "assessor2"} <= set(demo.users)
    assert demo.units["demo_ward"].name == "Demo Ward"
    assert Unit.objects.values("setting_type").distinct().count() >= 6
    assert Unit.objects.values("region").distinct().count() >= 6
    statuses = set(current_memberships().values_list("status", flat=True))
    assert statuses == {"active", "lapsed", "suspended"}
    # A renewal keeps the earlier period as history.
    assert demo.units["lantern"].memberships.count() == 2
    assert [i.email for i in invitation_list_pending()] == ["new.contributor@demo.test"]
