import pytest

from reviews.enums import AssignmentState
from reviews.selectors import (
    LIVE_ASSIGNMENT_STATES,
    assessor_conflict_reason,
    assessors_assignable_to,
)
from tests import factories
from tests.reviews.conftest import assign

pytestmark = pytest.mark.django_db


def test_assignable_assessors_agree_with_the_conflict_and_duplicate_checks(in_review, other_unit):
    organisation = in_review.unit.organisation
    sibling = factories.UnitFactory(organisation=organisation)
    people = {
        "free": factories.AssessorProfileFactory().user,
        "home": factories.AssessorProfileFactory(home_organisation=organisation).user,
        "role_here": factories.AssessorProfileFactory().user,
        "role_sibling": factories.AssessorProfileFactory().user,
        "role_elsewhere": factories.AssessorProfileFactory().user,
        "scoring": factories.AssessorProfileFactory().user,
        "submitted": factories.AssessorProfileFactory().user,
        "declared_conflict": factories.AssessorProfileFactory().user,
        "withdrawn": factories.AssessorProfileFactory().user,
        "inactive": factories.AssessorProfileFactory(user__is_active=False).user,
    }
    factories.UnitRoleFactory(unit=in_review.unit, user=people["role_here"])
    factories.UnitRoleFactory(unit=sibling, user=people["role_sibling"])
    factories.UnitRoleFactory(unit=other_unit, user=people["role_elsewhere"])
    for name, state in (
        ("scoring", AssignmentState.SCORING),
        ("submitted", AssignmentState.SUBMITTED),
        ("declared_conflict", AssignmentState.CONFLICT),
        ("withdrawn", AssignmentState.WITHDRAWN),
    ):
        assign(in_review, people[name], state=state)

    offered = set(assessors_assignable_to(portfolio=in_review))

    expected = {
        user
        for user in people.values()
        if user.is_active
        and not assessor_conflict_reason(assessor=user, unit=in_review.unit)
        and not in_review.assignments.filter(
            assessor=user, state__in=LIVE_ASSIGNMENT_STATES
        ).exists()
    }
    assert offered == expected
    assert {name for name, user in people.items() if user in offered} == {
        "free",
        "role_elsewhere",
        "declared_conflict",
        "withdrawn",
    }
