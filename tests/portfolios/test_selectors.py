import threading

import pytest
from django.db import connection

from portfolios.enums import PortfolioState
from portfolios.models import CriterionResponse, Portfolio, PortfolioEvent, PortfolioRevision
from portfolios.rules import CLEARED_ASSIGNMENT_STATES, can_view
from portfolios.selectors import (
    narrative_diff,
    portfolio_list_visible_to,
    portfolio_readiness,
    revision_diff,
)
from portfolios.services import (
    InvalidTransitionError,
    evidence_create_text,
    portfolio_submit,
)
from reviews.enums import ACTIVE_ASSIGNMENT_STATES, AssignmentState
from tests import factories
from tests.conftest import need_service

from .conftest import make_ready

pytestmark = pytest.mark.django_db


def test_cleared_states_mirror_reviews():
    assert set(CLEARED_ASSIGNMENT_STATES) == {s.value for s in ACTIVE_ASSIGNMENT_STATES}


def test_readiness_lists_exactly_what_is_missing(portfolio, lead):
    CriterionResponse.objects.filter(portfolio=portfolio).update(narrative="Done")
    CriterionResponse.objects.filter(portfolio=portfolio, criterion__code="3.2").update(
        narrative=" "
    )
    criteria = list(
        portfolio.responses.exclude(criterion__code="5.1").values_list("criterion_id", flat=True)
    )
    evidence_create_text(
        portfolio=portfolio,
        actor=lead,
        title="Quote",
        text="x",
        contains_identifiable=False,
        criterion_ids=criteria,
    )
    evidence_create_text(portfolio=portfolio, actor=lead, title="Undeclared", text="y")
    evidence_create_text(
        portfolio=portfolio,
        actor=lead,
        title="No consent",
        text="z",
        contains_identifiable=True,
        consent_recorded=False,
    )
    missing = portfolio_readiness(portfolio=portfolio)
    assert [(m.kind, m.criterion_code) for m in missing[:2]] == [
        ("narrative", "3.2"),
        ("evidence", "5.1"),
    ]
    assert sorted(m.message for m in missing[2:]) == [
        "“No consent”: identifiable information needs consent recorded.",
        "“Undeclared”: say whether it contains identifiable information.",
    ]
    assert all(m.url.startswith("/portfolios/") for m in missing)


def test_readiness_empty_when_complete(ready_portfolio):
    assert portfolio_readiness(portfolio=ready_portfolio) == []


def test_readiness_in_more_evidence_covers_reopened_only(ready_portfolio):
    Portfolio.objects.filter(pk=ready_portfolio.pk).update(state=PortfolioState.MORE_EVIDENCE)
    ready_portfolio.refresh_from_db()
    CriterionResponse.objects.filter(portfolio=ready_portfolio, criterion__code="1.1").update(
        narrative=""
    )
    assert portfolio_readiness(portfolio=ready_portfolio) == []
    CriterionResponse.objects.filter(portfolio=ready_portfolio, criterion__code="1.1").update(
        reopened=True
    )
    assert [m.criterion_code for m in portfolio_readiness(portfolio=ready_portfolio)] == ["1.1"]


def test_revision_diff_per_criterion():
    old = factories.PortfolioRevisionFactory.build(
        snapshot={
            "criteria": {
                "1.1": {
                    "narrative": "We meet daily.",
                    "self_rating": "working_towards",
                    "evidence": [[1, "Minutes", "aa"]],
                },
                "1.2": {
                    "narrative": "Same",
                    "self_rating": "met",
                    "evidence": [[2, "Photo", "bb"]],
                },
                "10.1": {"narrative": "x", "self_rating": "met", "evidence": []},
            }
        }
    )
    new = factories.PortfolioRevisionFactory.build(
        snapshot={
            "criteria": {
                "1.1": {
                    "narrative": "We meet every day.",
                    "self_rating": "met",
                    "evidence": [[1, "Minutes", "aa"], [3, "Poster", "cc"]],
                },
                "1.2": {
                    "narrative": "Same",
                    "self_rating": "met",
                    "evidence": [[2, "Photo", "bb"]],
                },
                "10.1": {"narrative": "x", "self_rating": "met", "evidence": []},
                "2.1": {"narrative": "", "self_rating": "met", "evidence": []},
            }
        }
    )
    changes = revision_diff(old=old, new=new)
    assert [c.code for c in changes] == ["1.1", "2.1"]
    first = changes[0]
    assert first.narrative_changed
    assert first.rating_changed
    assert first.evidence_added == [{"id": 3, "title": "Poster"}]
    assert first.evidence_removed == []
    assert ("delete", "daily.") in first.narrative_diff
    assert ("insert", "every day.") in first.narrative_diff


def test_narrative_diff_round_trips():
    old, new = "One two three.\nFour.", "One 2 three.\nFour. Five."
    segments = narrative_diff(old, new)
    assert "".join(t for op, t in segments if op != "insert") == old
    assert "".join(t for op, t in segments if op != "delete") == new


@pytest.mark.parametrize(
    "who", ["lead", "contributor", "admin_user", "assessor", "other_lead", "other_assessor"]
)
def test_visible_selector_agrees_with_rule(request, portfolio, other_unit, assessor, who):
    factories.AssignmentFactory(
        portfolio=portfolio, assessor=assessor, state=AssignmentState.SCORING
    )
    factories.PortfolioFactory(unit=other_unit)
    user = request.getfixturevalue(who)
    expected = {p for p in Portfolio.objects.all() if can_view(user, p)}
    assert set(portfolio_list_visible_to(user=user)) == expected


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_make_one_transition(unit, framework, lead):
    need_service("PostgreSQL", connection.vendor == "postgresql", "row locks need DATABASE_URL")
    from portfolios.services import portfolio_create  # noqa: PLC0415

    portfolio = portfolio_create(unit=unit, framework=framework, cycle="initial", actor=lead)
    make_ready(portfolio, lead)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        from django.db import connections  # noqa: PLC0415

        try:
            barrier.wait()
            portfolio_submit(portfolio=Portfolio.objects.get(pk=portfolio.pk), actor=lead)
            outcomes.append("ok")
        except InvalidTransitionError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert PortfolioEvent.objects.filter(portfolio=portfolio).count() == 1
    assert PortfolioRevision.objects.filter(portfolio=portfolio).count() == 1
