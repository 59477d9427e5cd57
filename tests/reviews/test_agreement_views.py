"""Issue 16: the agreement pages. Each view x role, query counts constant as history grows,
the figures against hand-computed ones, and practice never leaking into real figures."""

import csv
import datetime as dt
import io
from fractions import Fraction

import pytest
from django.utils import timezone

from reviews.agreement import agreement_by_assessor, criterion_disagreement
from tests import factories
from tests.reviews.agreement_data import practice, practised, scored_portfolio
from tests.reviews.test_views import login

pytestmark = pytest.mark.django_db

OVERVIEW = "/reviews/agreement/"
CRITERIA = "/reviews/agreement/criteria/"


def _person(pk):
    return f"/reviews/agreement/assessors/{pk}/"


def one_split(n=20, value="partly_met"):
    return ["met"] * (n - 1) + [value]


def test_overview_lists_every_assessor_with_figures_and_chart(
    client, admin_user, framework, assessor, other_assessor
):
    scored_portfolio(framework, {assessor: one_split(), other_assessor: "met"}, "met")
    idle = factories.AssessorProfileFactory(user__full_name="Ida Idle").user
    response = login(client, admin_user).get(OVERVIEW)
    assert response.status_code == 200
    rows = {row.assessor: row.overall for row, _status in response.context["rows"]}
    assert set(rows) == {assessor, other_assessor, idle}
    assert rows[idle] is None
    assert (rows[assessor].n, rows[assessor].agreed) == (20, 19)
    # 19 of 20 alike; pi(met) = 39/40, pi(partly) = 1/40: AC1 = 1481/1561 (see stats tests).
    assert rows[assessor].ac1 == pytest.approx(float(Fraction(1481, 1561)))
    assert rows[other_assessor].ac1 == 1.0
    html = response.content.decode()
    assert html.count("<rect ") == 2  # one bar per assessor with figures
    assert "No agreed scores yet" in html
    assert "95%" in html


@pytest.mark.parametrize("portfolios", [1, 3])
def test_overview_query_count_is_constant(
    client, framework, assessor, django_assert_num_queries, portfolios
):
    admin_user = factories.AdminFactory()
    other = factories.AssessorProfileFactory().user
    for _ in range(portfolios):
        scored_portfolio(framework, {assessor: one_split(), other: "met"}, "met")
    login(client, admin_user)
    # session, user with roles, aggregate per assessor, scale, assessors, latest practice per
    # assessor, criteria split (nested aggregate), their criteria; then the session's save
    # (savepoint, update, release).
    with django_assert_num_queries(11):
        response = client.get(OVERVIEW)
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["assessor", "lead", "contributor"])
def test_overview_is_404_for_everyone_but_admins(client, request, who, unit):
    user = request.getfixturevalue(who)
    assert login(client, user).get(OVERVIEW).status_code == 404
    assert login(client, user).get(CRITERIA).status_code == 404
    assert login(client, user).get("/reviews/agreement/criteria.csv").status_code == 404


def test_agreement_pages_need_sign_in_and_get(client, admin_user, assessor):
    assert client.get(OVERVIEW).status_code == 302
    login(client, admin_user)
    for url in (OVERVIEW, CRITERIA, "/reviews/agreement/criteria.csv", _person(assessor.pk)):
        assert client.post(url).status_code == 405


def test_assessor_sees_own_figures_per_quarter(client, framework, assessor, other_assessor):
    last_year = timezone.now() - dt.timedelta(days=200)
    scored_portfolio(
        framework, {assessor: "met", other_assessor: "met"}, "met", submitted_at=last_year
    )
    scored_portfolio(framework, {assessor: one_split(), other_assessor: "met"}, "met")
    response = login(client, assessor).get(_person(assessor.pk))
    history = response.context["history"]
    assert [q.agreement.agreed for q in history.quarters] == [20, 19]
    assert (history.overall.n, history.overall.agreed) == (40, 39)
    html = response.content.decode()
    assert "Your agreement figures" in html
    assert "<svg" in html
    assert "<polyline" in html
    assert [q.label for q in history.quarters][0] in html  # the table beside the chart


def test_assessor_cannot_see_another_assessors_figures(client, assessor, other_assessor):
    assert login(client, assessor).get(_person(other_assessor.pk)).status_code == 404


@pytest.mark.parametrize("who", ["lead", "contributor"])
def test_units_never_see_assessor_figures(client, request, who, assessor):
    user = request.getfixturevalue(who)
    assert login(client, user).get(_person(assessor.pk)).status_code == 404
    assert login(client, user).get("/reviews/agreement/mine/").status_code == 404


def test_admin_sees_any_assessors_figures(client, admin_user, framework, assessor):
    scored_portfolio(framework, {assessor: "met"}, "met")
    response = login(client, admin_user).get(_person(assessor.pk))
    assert response.context["history"].overall.n == 20
    assert "Your agreement figures" not in response.content.decode()


def test_mine_leads_to_own_page(client, assessor, admin_user):
    response = login(client, assessor).get("/reviews/agreement/mine/")
    assert response.url == _person(assessor.pk)
    assert login(client, admin_user).get("/reviews/agreement/mine/").status_code == 404


@pytest.mark.parametrize("quarters", [1, 4])
def test_assessor_page_query_count_is_constant(
    client, framework, assessor, django_assert_num_queries, quarters
):
    for index in range(quarters):
        scored_portfolio(
            framework,
            {assessor: "met"},
            "met",
            submitted_at=timezone.now() - dt.timedelta(days=92 * index),
        )
    login(client, assessor)
    # session, user with roles, the assessor, aggregate per quarter, scale, latest practice;
    # then the session's save (savepoint, update, release).
    with django_assert_num_queries(9):
        response = client.get(_person(assessor.pk))
    assert len(response.context["history"].quarters) == quarters


def test_criteria_ranking_and_csv(client, admin_user, framework, assessor, other_assessor):
    # Two portfolios: they split on 1.1 on both, on 2.1 on one; everything else alike.
    split_both = ["not_met"] + ["met"] * 19
    split_both_and_21 = ["not_met", "met", "partly_met"] + ["met"] * 17
    scored_portfolio(framework, {assessor: "met", other_assessor: split_both}, "met")
    scored_portfolio(framework, {assessor: "met", other_assessor: split_both_and_21}, "met")
    ranking = criterion_disagreement()
    assert [(r.criterion.code, r.portfolios, r.splits) for r in ranking[:2]] == [
        ("1.1", 2, 2),
        ("2.1", 2, 1),
    ]
    assert len(ranking) == 20
    response = login(client, admin_user).get("/reviews/agreement/criteria.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "rank"
    assert [r[2] for r in rows[1:3]] == ["1.1", "2.1"]
    assert [r[5:8] for r in rows[1:3]] == [["2", "2", "1.000"], ["2", "1", "0.500"]]
    page = login(client, admin_user).get(CRITERIA)
    assert page.context["ranking"] == ranking


def test_practice_ratings_never_count_in_real_figures(framework, assessor, other_assessor):
    scored_portfolio(framework, {assessor: "met", other_assessor: "met"}, "met")
    exercise = practice(framework, references="met")
    practised(exercise, assessor, "not_met")
    practised(exercise, other_assessor, "met")
    # Even an agreed rating on the practice portfolio (which the portal never writes) is
    # left out of every real figure.
    factories.AgreedScoreFactory(portfolio=exercise.portfolio, rating="met")
    figures = agreement_by_assessor()
    assert (figures[assessor.pk].n, figures[assessor.pk].agreed) == (20, 20)
    assert (figures[other_assessor.pk].n, figures[other_assessor.pk].agreed) == (20, 20)
    assert [(r.portfolios, r.splits) for r in criterion_disagreement()] == [(1, 0)] * 20


@pytest.mark.parametrize("portfolios", [1, 3])
def test_criteria_page_query_count_is_constant(
    client, framework, assessor, django_assert_num_queries, portfolios
):
    admin_user = factories.AdminFactory()
    other = factories.AssessorProfileFactory().user
    for _ in range(portfolios):
        scored_portfolio(framework, {assessor: one_split(), other: "met"}, "met")
    login(client, admin_user)
    # session, user with roles, the nested aggregate, its criteria; the session's save (3).
    with django_assert_num_queries(7):
        response = client.get(CRITERIA)
    assert len(response.context["ranking"]) == 20
