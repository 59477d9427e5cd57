"""The decision rule as data: one evaluator for every programme (issue 14)."""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from standards.decision import rule_evaluate
from standards.models import Criterion, Framework
from standards.services import StandardsImportError, framework_export, framework_import

COFC = Path(__file__).resolve().parents[2] / "fixtures" / "standards" / "cofc-sample.yaml"
NETWORK_RULE = [{"type": 1, "share": 1}, {"type": 2, "share": 0.8}]


@pytest.fixture
def cofc_data() -> dict:
    return yaml.safe_load(COFC.read_text(encoding="utf-8"))


def test_rule_evaluate_every_criterion_met_is_the_ee_rule():
    types = {1: None, 2: None, 3: None}
    assert rule_evaluate(
        rule=[], criterion_types=types, ratings={1: "met", 2: "met", 3: "met"}
    ).passed
    result = rule_evaluate(rule=[], criterion_types=types, ratings={1: "met", 2: "partly_met"})
    assert not result.passed
    assert [(c.met, c.total) for c in result.clauses] == [(1, 3)]


def test_rule_evaluate_network_rule_needs_every_type_1_and_a_share_of_type_2():
    types = {1: 1, 2: 1, 3: 2, 4: 2, 5: 2, 6: 2, 7: 2, 8: 3}
    all_type_1 = {1: "met", 2: "met"}
    four_of_five = {3: "met", 4: "met", 5: "met", 6: "met", 7: "not_met"}
    three_of_five = {3: "met", 4: "met", 5: "met", 6: "partly_met", 7: "not_met"}
    ok = rule_evaluate(rule=NETWORK_RULE, criterion_types=types, ratings=all_type_1 | four_of_five)
    assert ok.passed
    short = rule_evaluate(
        rule=NETWORK_RULE, criterion_types=types, ratings=all_type_1 | three_of_five
    )
    assert not short.passed
    assert [c.passed for c in short.clauses] == [True, False]
    one_type_1_missed = rule_evaluate(
        rule=NETWORK_RULE, criterion_types=types, ratings={1: "met", 2: "partly_met"} | four_of_five
    )
    assert [c.passed for c in one_type_1_missed.clauses] == [False, True]
    assert [c.label for c in ok.clauses] == [
        "every type 1 criterion met",
        "at least 80% of type 2 criteria met",
    ]


RATING = st.sampled_from(["met", "partly_met", "not_met", ""])
TYPE = st.sampled_from([None, 1, 2, 3])
RULES = st.lists(
    st.fixed_dictionaries({"type": TYPE, "share": st.sampled_from([0.25, 0.5, 0.8, 0.9, 1])}),
    max_size=3,
)


@given(
    rule=RULES,
    criteria=st.lists(st.tuples(TYPE, RATING), max_size=30),
    new_type=TYPE,
    improve=st.integers(min_value=0, max_value=29),
)
def test_rule_evaluate_a_met_criterion_never_turns_a_pass_into_a_fail(
    rule, criteria, new_type, improve
):
    types = {i: t for i, (t, _) in enumerate(criteria)}
    ratings = {i: r for i, (_, r) in enumerate(criteria)}
    before = rule_evaluate(rule=rule, criterion_types=types, ratings=ratings).passed
    # Adding a met criterion ...
    added = rule_evaluate(
        rule=rule,
        criterion_types=types | {len(criteria): new_type},
        ratings=ratings | {len(criteria): "met"},
    ).passed
    # ... or raising one rating to met never turns accredited into not accredited.
    raised = rule_evaluate(
        rule=rule, criterion_types=types, ratings=ratings | {improve: "met"}
    ).passed
    if before:
        assert added
        assert raised


@pytest.mark.django_db
def test_import_standards_loads_the_network_sample_beside_the_ee_one(cofc_data, capsys):
    call_command("import_standards", str(COFC))
    framework = Framework.objects.get(code="cofc-sample-2026")
    assert framework.programme == "cofc"
    assert framework.decision_rule == NETWORK_RULE
    assert [v["name"] for v in framework.core_values][:3] == [
        "Attachment",
        "Containment",
        "Respect",
    ]
    assert len(framework.core_values) == 10
    types = list(
        Criterion.objects.filter(standard__framework=framework)
        .order_by("standard__number", "order")
        .values_list("criterion_type", flat=True)
    )
    assert types[:4] == [1, 1, 2, 3]
    assert set(types) == {1, 2, 3}
    # The network's framework never becomes the EE Award's current one.
    assert Framework.objects.current() is None
    assert Framework.objects.current(programme="cofc") == framework


@pytest.mark.django_db
def test_import_refuses_a_rule_naming_a_type_no_criterion_has(cofc_data):
    for std in cofc_data["standards"]:
        for crit in std["criteria"]:
            if crit["type"] == 3:
                crit["type"] = 2
    cofc_data["decision_rule"].append({"type": 3, "share": 0.5})
    with pytest.raises(StandardsImportError) as caught:
        framework_import(text=yaml.safe_dump(cofc_data))
    messages = [f"{e.path}: {e.message}" for e in caught.value.errors]
    assert messages == [
        "decision_rule[2].type: names type 3, but no criterion in this framework has that type"
    ]
    assert Framework.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("clause", "path"),
    [
        ({"type": 4, "share": 1}, "decision_rule[2].type"),
        ({"type": 2, "share": 0}, "decision_rule[2].share"),
    ],
)
def test_import_refuses_a_malformed_rule_clause(cofc_data, clause, path):
    cofc_data["decision_rule"].append(clause)
    with pytest.raises(StandardsImportError) as caught:
        framework_import(text=yaml.safe_dump(cofc_data))
    assert [e.path for e in caught.value.errors] == [path]
    assert Framework.objects.count() == 0


@pytest.mark.django_db
def test_network_framework_round_trips_through_export(cofc_data):
    cofc_data["status"] = "draft"
    original = framework_import(text=yaml.safe_dump(cofc_data))
    exported = yaml.safe_load(framework_export(framework=original))
    assert exported["programme"] == "cofc"
    assert exported["decision_rule"] == NETWORK_RULE
    assert exported["core_values"] == cofc_data["core_values"]
    assert exported["standards"][0]["criteria"][0]["type"] == 1
