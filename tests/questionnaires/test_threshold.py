"""The anonymity threshold (questionnaires.selectors): nothing below N anywhere, and no
sequence of allowed views, filters and exports tells apart fewer than N people."""

from collections import Counter

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from questionnaires.models import Item
from questionnaires.selectors import (
    export_rows,
    included_count,
    national_results,
    round_comments,
    round_results,
    rounds_for_export,
    rounds_with_filter,
)
from questionnaires.services import response_submit
from tests import factories

from .conftest import answer

pytestmark = pytest.mark.django_db

N = 3
VALUES = ("1", "2", "3", "4", "5", "dk", "pn")


def test_included_count_is_whole_groups():
    assert [included_count(n, 5) for n in (0, 4, 5, 9, 10, 12)] == [0, 0, 5, 5, 10, 10]


def test_below_n_nothing_but_the_count_is_shown(round_):
    for _ in range(4):
        answer(round_, "5", text="A comment")
    result = round_results(rounds=[round_])[round_.pk]
    assert (result.responses, result.included, result.visible) == (4, 0, False)
    assert result.standards == {}
    assert round_comments(round_=round_) == []


def test_at_n_results_and_comments_show(round_):
    for value in ("5", "4", "2", "dk", "pn"):
        answer(round_, value, text=f"Comment {value}")
    result = round_results(rounds=[round_])[round_.pk]
    assert (result.responses, result.included, result.visible) == (5, 5, True)
    first = result.standards[min(result.standards)]
    # Agreed = 4 and 5 over those who answered (not don't know / prefer not to say); the
    # first standard also holds the yes/no item.
    assert first.counts == {"5": 1, "4": 1, "2": 1, "dk": 1, "pn": 1, "yes": 2, "no": 3}
    assert (first.agreed, first.answered, first.share) == (4, 8, 50)
    assert sorted(round_comments(round_=round_)) == sorted(
        f"Comment {v}" for v in ("5", "4", "2", "dk", "pn")
    )


def test_results_grow_in_whole_groups(round_):
    for _ in range(7):
        answer(round_, "4")
    result = round_results(rounds=[round_])[round_.pk]
    assert (result.responses, result.included, result.waiting) == (7, 5, 2)
    other = [s for s in result.standards.values() if s.number == 2][0]
    assert other.counts == {"4": 5}


def test_a_standard_with_fewer_than_n_answers_is_suppressed(round_):
    for _ in range(5):
        answer(round_, "dk")
    result = round_results(rounds=[round_])[round_.pk]
    standard = [s for s in result.standards.values() if s.number == 2][0]
    assert standard.answered == 0
    assert standard.suppressed is True


def test_national_view_counts_only_units_with_a_whole_group(questionnaire, framework):
    rounds = []
    for size in (5, 4, 10):
        portfolio = factories.PortfolioFactory(framework=framework)
        round_ = factories.RoundFactory(portfolio=portfolio, questionnaire=questionnaire)
        for _ in range(size):
            answer(round_, "4")
        rounds.append(round_)
    rows, counted = national_results(questionnaire=questionnaire)
    assert counted == 2
    second = [r for r in rows if r.standard.number == 2][0]
    assert (second.audience, second.units, second.standard.counts) == (
        "service_users",
        2,
        {"4": 15},
    )


def test_export_holds_whole_groups_without_dates_or_ids(round_):
    for _ in range(6):
        answer(round_, "4", text="hello")
    rows = list(export_rows(rounds=rounds_for_export(portfolio=round_.portfolio)))
    assert rows[0] == [
        "unit",
        "audience",
        "response",
        "item",
        "standard",
        "criterion",
        "value",
        "text",
    ]
    assert {row[2] for row in rows[1:]} == {1, 2, 3, 4, 5}
    flat = " ".join(str(v) for row in rows for v in row)
    assert str(round_.responses.first().submitted_on) not in flat


# --- property: no sequence of allowed queries reveals a group below N ---------------------------

op = st.one_of(
    st.tuples(st.just("respond"), st.integers(0, 2), st.sampled_from(VALUES)),
    st.tuples(st.just("round"), st.integers(0, 2), st.none()),
    st.tuples(st.just("national"), st.sampled_from(["", "service_users", "staff"]), st.none()),
    st.tuples(st.just("export"), st.integers(0, 2), st.none()),
    st.tuples(st.just("export_national"), st.sampled_from(["", "service_users"]), st.none()),
)


def _items(round_) -> list[Item]:
    return list(Item.objects.filter(questionnaire=round_.questionnaire, audience=round_.audience))


@given(ops=st.lists(op, min_size=1, max_size=30))
def test_no_sequence_of_views_reveals_fewer_than_n(framework, ops):
    with transaction.atomic():
        questionnaire = factories.make_questionnaire(framework, min_responses=N)
        # Two units' service-user rounds and the first unit's staff round.
        first = factories.PortfolioFactory(framework=framework)
        second = factories.PortfolioFactory(framework=framework)
        rounds = [
            factories.RoundFactory(portfolio=first, questionnaire=questionnaire),
            factories.RoundFactory(portfolio=second, questionnaire=questionnaire),
            factories.RoundFactory(portfolio=first, questionnaire=questionnaire, audience="staff"),
        ]
        items = [_items(r) for r in rounds]
        stored: list[list[str]] = [[], [], []]  # each round's answers, in the order stored
        seen: list[tuple[str, int]] = []  # (what, how many people it was drawn from)
        for number, (kind, arg, value) in enumerate(ops):
            if kind == "respond":
                round_ = rounds[arg]
                agree = [i for i in items[arg] if i.answer_type == "agree5"]
                response_submit(
                    round_=round_,
                    items=items[arg],
                    answers={i.pk: value for i in agree},
                    token=f"t{number}",
                )
                stored[arg].append(value)
            elif kind == "round":
                result = round_results(rounds=[rounds[arg]])[rounds[arg].pk]
                expected_n = included_count(len(stored[arg]), N)
                for standard in result.standards.values():
                    people = sum(standard.counts.values())
                    # Exactly the first k*N responses, whatever else was stored.
                    assert standard.counts == Counter(stored[arg][:expected_n])
                    seen.append((f"round{arg}-{standard.number}", people))
                assert result.visible == (expected_n >= N)
            elif kind == "national":
                rows, _counted = national_results(questionnaire=questionnaire, audience=arg)
                for row in rows:
                    seen.append(
                        (
                            f"national-{row.audience}-{row.standard.number}",
                            sum(row.standard.counts.values()),
                        )
                    )
            else:
                qs = (
                    rounds_for_export(portfolio=rounds[arg].portfolio)
                    if kind == "export"
                    else rounds_with_filter(questionnaire=questionnaire, audience=arg)
                )
                rows = list(export_rows(rounds=qs))[1:]
                # One row per response has item 1 (every response answers it here).
                per_group = Counter((row[0], row[1]) for row in rows if row[3] == 1)
                for group, people in per_group.items():
                    seen.append((f"export-{group}", people))
        for _what, people in seen:
            # Every figure is drawn from whole groups of N people (so any two differ by 0 or
            # at least N): nothing singles out fewer than N.
            assert people >= N
            assert people % N == 0
        for _a, x in seen:
            for _b, y in seen:
                assert abs(x - y) == 0 or abs(x - y) >= N
        transaction.set_rollback(True)
