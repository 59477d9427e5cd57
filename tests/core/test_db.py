"""ee_portal.lib.db.get_with_related: the per-request permission reads (issue 12) hydrate the
same instances as the ORM would, from SQL built once per process."""

import pytest
from django.forms.models import model_to_dict

from ee_portal.lib.db import get_with_related
from portfolios.models import Portfolio
from reviews.models import Assignment
from tests import factories

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_row_and_its_related_row_match_the_orm(django_assert_num_queries):
    portfolio = factories.PortfolioFactory(state="in_review")
    expected = Portfolio.objects.select_related("unit").get(pk=portfolio.pk)
    with django_assert_num_queries(1):
        found = get_with_related(Portfolio, portfolio.pk, "unit")
        unit = found.unit  # joined: no second query
    assert _fields(found) == _fields(expected)  # dates, times and choices converted alike
    assert _fields(unit) == _fields(expected.unit)
    assert model_to_dict(found) == model_to_dict(expected)
    assert found._state.adding is False


def test_booleans_and_a_missing_row():
    assignment = factories.AssignmentFactory(is_lead=True)
    found = get_with_related(Assignment, assignment.pk, "portfolio")
    assert found.is_lead is True
    assert found.portfolio.pk == assignment.portfolio_id
    assert get_with_related(Assignment, 999_999, "portfolio") is None


def test_only_foreign_keys_can_be_joined():
    with pytest.raises(TypeError, match="not a foreign key"):
        get_with_related(Portfolio, 1, "state")


def test_the_signed_in_person_is_loaded_fresh_and_cheaply(django_assert_num_queries):
    from network.backends import ModelBackend  # noqa: PLC0415

    person = factories.UserFactory(is_assessor=True)
    backend = ModelBackend()
    with django_assert_num_queries(1):
        loaded = backend.get_user(person.pk)
    assert _fields(loaded) == _fields(type(person).objects.get(pk=person.pk))
    type(person).objects.filter(pk=person.pk).update(is_assessor=False)
    assert backend.get_user(person.pk).is_assessor is False  # the next request sees it
    type(person).objects.filter(pk=person.pk).update(is_active=False)
    assert backend.get_user(person.pk) is None
    assert backend.get_user(999_999) is None
