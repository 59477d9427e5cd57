"""ee_portal.lib.db.get_with_related: the per-request permission reads (issue 12) hydrate the
same instances as the ORM would, from SQL built once per process."""

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict

from ee_portal.caching.models import CacheEpoch
from ee_portal.lib import fragments
from ee_portal.lib.db import get_with_related
from network.enums import UnitRoleKind
from network.rules import user_unit_roles
from portfolios.models import Portfolio
from reviews.models import Assignment
from tests import factories
from tests.conftest import need_service
from tests.services import on_postgresql

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
        assert user_unit_roles(loaded) == {}  # read in the same query: none
    assert _fields(loaded) == _fields(type(person).objects.get(pk=person.pk))
    type(person).objects.filter(pk=person.pk).update(is_assessor=False)
    assert backend.get_user(person.pk).is_assessor is False  # the next request sees it
    type(person).objects.filter(pk=person.pk).update(is_active=False)
    assert backend.get_user(person.pk) is None
    assert backend.get_user(999_999) is None


def test_the_person_comes_with_their_unit_roles_and_the_cache_epoch(django_assert_num_queries):
    """One query gives the person, every unit role (ordered by unit name) and the cache epoch
    (issue 12: read on every request, never cached); a removed role is gone on the next load."""
    from network.backends import ModelBackend  # noqa: PLC0415

    person = factories.UserFactory()
    zebra, aardvark = (
        factories.UnitFactory(name="Zebra Ward"),
        factories.UnitFactory(name="Aardvark"),
    )
    factories.UnitRoleFactory(user=person, unit=zebra, role=UnitRoleKind.LEAD)
    role = factories.UnitRoleFactory(user=person, unit=aardvark, role=UnitRoleKind.CONTRIBUTOR)
    CacheEpoch.objects.filter(pk=1).update(value=41)
    fragments.forget_prefetched()
    with django_assert_num_queries(1):
        loaded = ModelBackend().get_user(person.pk)
        assert list(user_unit_roles(loaded).items()) == [
            (aardvark.pk, (UnitRoleKind.CONTRIBUTOR, "Aardvark")),
            (zebra.pk, (UnitRoleKind.LEAD, "Zebra Ward")),
        ]
        assert fragments._epoch() == 41  # noqa: PLR2004
    assert _fields(loaded) == _fields(type(person).objects.get(pk=person.pk))
    role.delete()
    assert list(user_unit_roles(ModelBackend().get_user(person.pk))) == [zebra.pk]


def test_on_postgresql_the_reads_are_prepared_once_per_connection(
    transactional_db, django_assert_num_queries
):
    """The hot reads run as prepared statements (planned once per connection, issue 12's
    bench): one query per read, the statement kept through a rollback and made again on a
    new connection."""
    need_service("PostgreSQL", on_postgresql(), "prepared statements are PostgreSQL's")
    portfolio = factories.PortfolioFactory()

    def prepared() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'ee_%%'")
            return {row[0] for row in cursor.fetchall()}

    connection.close()  # a new server session: nothing prepared yet
    assert prepared() == set()
    with django_assert_num_queries(1) as captured:
        assert get_with_related(Portfolio, portfolio.pk, "unit").unit == portfolio.unit
    assert captured.captured_queries[0]["sql"].startswith("EXECUTE ee_")
    names = prepared()
    assert len(names) == 1

    def read_then_fail() -> None:
        with transaction.atomic():
            get_with_related(Portfolio, portfolio.pk, "unit")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        read_then_fail()
    with django_assert_num_queries(1):  # still prepared after the rollback: nothing made again
        assert get_with_related(Portfolio, portfolio.pk, "unit").pk == portfolio.pk
    connection.close()  # a new connection (a new server session) prepares its own
    assert prepared() == set()
    assert get_with_related(Portfolio, portfolio.pk, "unit").pk == portfolio.pk
    assert prepared() == names


def test_a_row_can_be_read_by_another_unique_field(django_assert_num_queries):
    """The anonymous questionnaire's post reads its round by the link's token (issue 13)."""
    import datetime as dt  # noqa: PLC0415

    from questionnaires.models import Round  # noqa: PLC0415

    questionnaire = factories.QuestionnaireSetFactory()
    round_ = Round.objects.create(
        portfolio=factories.PortfolioFactory(framework=questionnaire.framework),
        questionnaire=questionnaire,
        audience="staff",
        opens_on=dt.date(2026, 1, 5),
        closes_on=dt.date(2026, 2, 5),
        expected_count=12,
        token="a-link-token",
    )
    with django_assert_num_queries(1):
        found = get_with_related(Round, "a-link-token", "questionnaire", by="token")
        assert found.questionnaire.code == questionnaire.code  # joined: no second query
    assert _fields(found) == _fields(Round.objects.get(pk=round_.pk))
    assert get_with_related(Round, "another-token", "questionnaire", by="token") is None


def test_only_unique_fields_can_be_looked_up():
    with pytest.raises(TypeError, match="not a unique field"):
        get_with_related(Portfolio, "draft", "unit", by="state")


def test_statements_with_several_parameters_are_prepared_alike(transactional_db):
    """execute_prepared numbers the placeholders ($1, $2, ...) and takes lists as arrays
    (the questionnaire's one-statement insert, issue 13)."""
    from ee_portal.lib.db import execute_prepared  # noqa: PLC0415

    need_service("PostgreSQL", on_postgresql(), "prepared statements and arrays are PostgreSQL's")
    sql = "SELECT %s::integer + %s::integer, array_length(%s::integer[], 1)"
    for _ in range(2):  # the second call runs the statement prepared by the first
        with connection.cursor() as cursor:
            execute_prepared(connection, cursor, sql, [2, 3, [7, 8, 9]])
            assert cursor.fetchone() == (5, 3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'ee_%%'")
        statements = [row[0] for row in cursor.fetchall()]
    numbered = "AS SELECT $1::integer + $2::integer, array_length($3::integer[], 1)"
    assert sum(s.endswith(numbered) for s in statements) == 1  # prepared once, run twice
