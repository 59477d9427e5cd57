import datetime as dt

import pytest
from django.utils import timezone

from network.enums import MembershipStatus
from network.models import Unit
from network.selectors import (
    MemberFilters,
    current_memberships,
    member_list,
    membership_is_active,
    unit_list_for_user,
)
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def period(unit):
    return factories.MembershipFactory(
        unit=unit, start_date=D(2026, 1, 1), end_date=D(2028, 12, 31)
    )


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (D(2025, 12, 31), False),
        (D(2026, 1, 1), True),
        (D(2027, 6, 1), True),
        (D(2028, 12, 31), True),
        (D(2029, 1, 1), False),
    ],
)
def test_membership_is_active_on_date_boundaries(unit, period, on, expected):
    assert membership_is_active(unit=unit, programme_code="ee-award", on=on) is expected


@pytest.mark.parametrize("status", [MembershipStatus.LAPSED, MembershipStatus.SUSPENDED])
def test_membership_is_not_active_when_lapsed_or_suspended(unit, period, status):
    period.status = status
    period.save()
    assert membership_is_active(unit=unit, programme_code="ee-award", on=D(2027, 1, 1)) is False


def test_membership_is_active_is_per_programme_and_unit(unit, other_unit, period):
    on = D(2027, 1, 1)
    assert membership_is_active(unit=unit, programme_code="cofc", on=on) is False
    assert membership_is_active(unit=other_unit, programme_code="ee-award", on=on) is False


def test_membership_is_active_sees_renewals(unit, period):
    factories.MembershipFactory(unit=unit, start_date=D(2029, 1, 1), end_date=D(2031, 12, 31))
    assert membership_is_active(unit=unit, programme_code="ee-award", on=D(2030, 1, 1)) is True


def test_membership_is_active_is_one_query(unit, period, django_assert_num_queries):
    with django_assert_num_queries(1):
        membership_is_active(unit=unit, programme_code="ee-award", on=D(2027, 1, 1))


def test_current_memberships_keeps_only_the_latest_per_programme(unit, period):
    renewal = factories.MembershipFactory(
        unit=unit, start_date=D(2029, 1, 1), end_date=D(2031, 12, 31)
    )
    same_day = factories.MembershipFactory(
        unit=unit, start_date=D(2029, 1, 1), end_date=D(2030, 12, 31)
    )
    cofc = factories.MembershipFactory(unit=unit, programme=factories.ProgrammeFactory(code="cofc"))
    assert renewal.pk < same_day.pk
    assert set(current_memberships()) == {same_day, cofc}


def test_member_list_filters_apply_to_one_current_membership(unit):
    today = timezone.localdate()
    factories.MembershipFactory(unit=unit, status=MembershipStatus.LAPSED)
    factories.MembershipFactory(unit=unit, programme=factories.ProgrammeFactory(code="cofc"))
    # Active in cofc and lapsed in ee-award: not "active in ee-award".
    filters = MemberFilters(programme="ee-award", status=MembershipStatus.ACTIVE)
    assert list(member_list(filters=filters, today=today)) == []
    filters = MemberFilters(programme="cofc", status=MembershipStatus.ACTIVE)
    assert list(member_list(filters=filters, today=today)) == [unit]


@pytest.mark.parametrize("actor", ["contributor", "lead", "other_lead", "assessor", "admin_user"])
def test_unit_list_for_user_agrees_with_view_unit_permission(request, unit, other_unit, actor):
    user = request.getfixturevalue(actor)
    visible = set(unit_list_for_user(user=user))
    allowed = {u for u in Unit.objects.all() if user.has_perm("network.view_unit", u)}
    assert visible == allowed
