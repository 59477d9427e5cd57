"""YAML import and export (import_questionnaires, export_questionnaires) and the sample set."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from questionnaires.models import Item, QuestionnaireLockedError, QuestionnaireSet
from questionnaires.services import (
    QuestionnaireImportError,
    questionnaire_export,
    questionnaire_import,
)
from standards.services import framework_import

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SAMPLE = FIXTURES / "questionnaires" / "ee-sample.yaml"


@pytest.fixture
def sample_standards():
    text = (FIXTURES / "standards" / "ee-sample.yaml").read_text(encoding="utf-8")
    return framework_import(text=text, publish=True)


SMALL = """\
code: small-set
title: Small set
version: "1"
framework: {framework}
audiences: [service_users, staff]
items:
  service_users:
    - standard: 1
      criterion: "1.1"
      type: agree5
      text: I feel welcome.
      easy_read: People are kind.
  staff:
    - standard: 2
      type: yes_no
      text: Are the rules clear?
      easy_read: Are the rules clear?
"""


def test_the_sample_set_imports_marked_as_sample_with_two_items_per_standard(sample_standards):
    questionnaire = questionnaire_import(text=SAMPLE.read_text(encoding="utf-8"))
    assert questionnaire.sample is True
    assert questionnaire.status == "published"
    assert questionnaire.audiences == ["service_users", "staff"]
    assert questionnaire.min_responses == 5
    assert questionnaire.required_for_submission is True
    for audience in ("service_users", "staff"):
        per_standard = {
            n: Item.objects.filter(
                questionnaire=questionnaire,
                audience=audience,
                answer_type="agree5",
                standard__number=n,
            ).count()
            for n in range(1, 11)
        }
        assert per_standard == {n: 2 for n in range(1, 11)}
    assert "SAMPLE" in SAMPLE.read_text(encoding="utf-8").splitlines()[0]


def test_export_round_trips_through_import(sample_standards):
    original = questionnaire_import(text=SAMPLE.read_text(encoding="utf-8"))
    text = questionnaire_export(questionnaire=original)
    copy_text = text.replace(original.code, "copy-of-sample", 1)
    copy = questionnaire_import(text=copy_text)
    assert questionnaire_export(questionnaire=copy) == copy_text
    assert copy.items.count() == original.items.count()


def test_a_missing_standard_is_named_with_its_line(sample_standards):
    text = SMALL.format(framework=sample_standards.code).replace("standard: 2", "standard: 12")
    with pytest.raises(QuestionnaireImportError) as caught:
        questionnaire_import(text=text)
    assert [str(e) for e in caught.value.errors] == [
        "line 14, items.staff[0].standard: standard 12 is not in framework 'ee-sample-2013'"
    ]
    assert not QuestionnaireSet.objects.exists()


def test_an_item_without_a_standard_is_named_with_its_line(sample_standards):
    text = SMALL.format(framework=sample_standards.code).replace(
        "    - standard: 2\n", "    - x: 2\n"
    )
    with pytest.raises(QuestionnaireImportError) as caught:
        questionnaire_import(text=text)
    messages = [str(e) for e in caught.value.errors]
    assert messages == [
        "line 14, items.staff[0].standard: is required: the number of the standard it asks about"
    ]


def test_every_problem_is_reported_at_once(sample_standards):
    text = (
        SMALL.format(framework=sample_standards.code)
        .replace("type: agree5", "type: stars")
        .replace('criterion: "1.1"', 'criterion: "2.1"')
        .replace("text: I feel welcome.", "text: " + "x" * 301)
    )
    with pytest.raises(QuestionnaireImportError) as caught:
        questionnaire_import(text=text)
    lines = sorted((e.path, e.line) for e in caught.value.errors)
    assert lines == [
        ("items.service_users[0].criterion", 9),
        ("items.service_users[0].text", 11),
        ("items.service_users[0].type", 10),
    ]


def test_unknown_framework_and_bad_yaml_are_reported(sample_standards):
    with pytest.raises(QuestionnaireImportError) as caught:
        questionnaire_import(text=SMALL.format(framework="nope"))
    assert [str(e) for e in caught.value.errors] == [
        "line 4, framework: no framework with code 'nope'"
    ]
    with pytest.raises(QuestionnaireImportError) as caught:
        questionnaire_import(text="code: [unclosed")
    assert caught.value.errors[0].line == 1


def test_a_published_set_is_immutable_and_not_replaced(sample_standards):
    questionnaire = questionnaire_import(
        text=SMALL.format(framework=sample_standards.code), publish=True
    )
    item = questionnaire.items.first()
    item.text = "changed"
    with pytest.raises(QuestionnaireLockedError):
        item.save()
    questionnaire.title = "changed"
    with pytest.raises(QuestionnaireLockedError):
        questionnaire.save()
    with pytest.raises(QuestionnaireImportError) as caught:
        questionnaire_import(text=SMALL.format(framework=sample_standards.code))
    assert "already published" in str(caught.value)


def test_a_draft_is_replaced_by_a_new_import(sample_standards):
    questionnaire_import(text=SMALL.format(framework=sample_standards.code))
    again = questionnaire_import(
        text=SMALL.format(framework=sample_standards.code).replace("I feel welcome.", "Welcome?")
    )
    assert list(again.items.values_list("text", flat=True).order_by("audience")) == [
        "Welcome?",
        "Are the rules clear?",
    ]


def test_commands_import_and_export(sample_standards, tmp_path, capsys):
    call_command("import_questionnaires", str(SAMPLE))
    assert "Imported ee-sample-questionnaires-2013 (published)" in capsys.readouterr().out
    out = tmp_path / "out.yaml"
    call_command("export_questionnaires", "ee-sample-questionnaires-2013", "-o", str(out))
    assert "easy_read: People were kind to me when I came here." in out.read_text()
    with pytest.raises(CommandError, match="Known codes: ee-sample-questionnaires-2013"):
        call_command("export_questionnaires", "nope")


def test_import_command_prints_each_error_with_its_line(sample_standards, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        SMALL.format(framework=sample_standards.code).replace("standard: 2", "standard: 99")
    )
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_questionnaires", str(bad))
    assert f"{bad}: line 14, items.staff[0].standard: standard 99" in capsys.readouterr().err


def test_setting_wording_keys_must_be_setting_types(sample_standards):
    text = SMALL.format(framework=sample_standards.code).replace(
        "      easy_read: People are kind.\n",
        "      easy_read: People are kind.\n      setting_wording:\n        school: Pupils?\n",
    )
    with pytest.raises(QuestionnaireImportError) as caught:
        questionnaire_import(text=text)
    assert [e.path for e in caught.value.errors] == [
        "items.service_users[0].setting_wording.school"
    ]
    assert caught.value.errors[0].line == 14
