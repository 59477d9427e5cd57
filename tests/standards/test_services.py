import pytest
import yaml
from django.core.exceptions import ValidationError

from standards.enums import FrameworkStatus
from standards.models import Criterion, Framework, FrameworkLockedError, Standard
from standards.services import (
    StandardsImportError,
    framework_export,
    framework_import,
    framework_publish,
    framework_retire,
)

pytestmark = pytest.mark.django_db


def _errors(text: str) -> list[str]:
    with pytest.raises(StandardsImportError) as info:
        framework_import(text=text)
    return [str(e) for e in info.value.errors]


def test_framework_import_sample_loads_ten_standards(sample_text):
    framework = framework_import(text=sample_text)
    assert framework.status == FrameworkStatus.PUBLISHED
    assert list(framework.standards.values_list("name", flat=True)) == [
        "Belonging", "Boundaries", "Communication", "Development", "Involvement",
        "Safety", "Structure", "Empowerment", "Leadership", "Openness",
    ]  # fmt: skip
    counts = [s.criteria.count() for s in framework.standards.all()]
    assert all(3 <= c <= 5 for c in counts)
    assert "sample" in framework.description.lower()
    first = Criterion.objects.get(standard__framework=framework, code="1.1")
    assert first.guidance
    assert len(first.example_list) >= 2


def test_framework_import_round_trips_through_export(sample_text):
    original = framework_import(text=sample_text)
    exported = framework_export(framework=original)
    data = yaml.safe_load(exported)
    data["code"] = "copy-of-sample"
    copy = framework_import(text=yaml.safe_dump(data, sort_keys=False, allow_unicode=True))

    def shape(fw):
        return [
            (s.number, s.name, s.value_statement, s.setting_wording,
             [(c.code, c.text, c.guidance, c.examples, c.order) for c in s.criteria.all()])
            for s in fw.standards.prefetch_related("criteria")
        ]  # fmt: skip

    assert shape(copy) == shape(original)
    assert copy.rating_scale == original.rating_scale
    assert yaml.safe_load(framework_export(framework=copy))["standards"] == data["standards"]


def test_framework_import_reports_field_and_line_and_writes_nothing(sample_data):
    sample_data["standards"][2]["criteria"][1]["code"] = "3.1"  # duplicate of the first
    del sample_data["standards"][4]["name"]
    sample_data["standards"][9]["number"] = 1
    text = yaml.safe_dump(sample_data, sort_keys=False)
    errors = _errors(text)
    assert any("standards[2].criteria[1].code" in e and "used twice" in e for e in errors)
    assert any("standards[4].name: is required" in e for e in errors)
    assert any("standards[9].number" in e and "used twice" in e for e in errors)
    assert all(e.startswith("line ") for e in errors)
    assert Framework.objects.count() == 0
    assert Standard.objects.count() == 0


def test_framework_import_line_numbers_point_at_the_field(sample_data):
    sample_data["standards"][0]["criteria"][0]["text"] = ""
    text = yaml.safe_dump(sample_data, sort_keys=False)
    (error,) = _errors(text)
    line_no = int(error.split()[1].rstrip(","))
    assert "text:" in text.splitlines()[line_no - 1]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["standards"].pop(), "exactly 10 standards (found 9)"),
        (lambda d: d.pop("title"), "title: is required"),
        (lambda d: d["standards"][0].update(criteria=[]), "at least one criterion"),
        (lambda d: d["standards"][1]["criteria"].append("just text"), "must be a mapping"),
        (lambda d: d.update(rating_scale=[{"value": "met"}]), "needs a value and a label"),
        (lambda d: d.update(status="live"), "status: must be one of"),
    ],
)
def test_framework_import_rejects_bad_structure(sample_data, mutate, expected):
    mutate(sample_data)
    errors = _errors(yaml.safe_dump(sample_data, sort_keys=False))
    assert any(expected in e for e in errors), errors
    assert Framework.objects.count() == 0


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "code: [unclosed\n"])
def test_framework_import_rejects_non_mapping_or_broken_yaml(text):
    assert _errors(text)
    assert Framework.objects.count() == 0


def test_framework_import_refuses_to_replace_a_published_framework(sample_text):
    framework_import(text=sample_text)
    errors = _errors(sample_text)
    assert any("already published" in e for e in errors)
    assert Framework.objects.count() == 1


def test_framework_import_replaces_an_existing_draft(sample_data):
    sample_data["status"] = "draft"
    framework_import(text=yaml.safe_dump(sample_data))
    sample_data["standards"][0]["name"] = "Belonging (revised)"
    framework = framework_import(text=yaml.safe_dump(sample_data))
    assert Framework.objects.count() == 1
    assert framework.standards.get(number=1).name == "Belonging (revised)"


def test_published_framework_is_immutable(sample_text):
    framework = framework_import(text=sample_text)
    framework.title = "Changed"
    with pytest.raises(FrameworkLockedError):
        framework.save()
    standard = Standard.objects.get(framework=framework, number=1)
    standard.name = "Changed"
    with pytest.raises(FrameworkLockedError):
        standard.save()
    criterion = Criterion.objects.filter(standard=standard).first()
    criterion.text = "Changed"
    with pytest.raises(ValidationError):
        criterion.save()
    with pytest.raises(FrameworkLockedError):
        criterion.delete()
    framework.refresh_from_db()
    assert framework.title != "Changed"
    assert Standard.objects.get(pk=standard.pk).name == "Belonging"


def test_framework_retire_is_the_one_allowed_change(sample_text):
    framework = framework_import(text=sample_text)
    framework_retire(framework=framework)
    framework.refresh_from_db()
    assert framework.status == FrameworkStatus.RETIRED
    assert Framework.objects.current() is None


def test_framework_publish_makes_a_draft_current(sample_data):
    sample_data["status"] = "draft"
    framework = framework_import(text=yaml.safe_dump(sample_data))
    assert Framework.objects.current() is None
    framework_publish(framework=framework)
    assert Framework.objects.current() == framework
