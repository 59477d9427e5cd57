"""A unit's setting decides the wording of standards, criteria and guidance (issue 15)."""

import pytest
import yaml
from django.urls import reverse

from network.enums import SettingType, UnitRoleKind
from standards.models import Criterion
from standards.selectors import apply_setting_wording
from standards.services import StandardsImportError, framework_export, framework_import
from tests import factories
from tests.factories import GENERAL_STATEMENT, GENERAL_TEXT, PRISON_STATEMENT, PRISON_TEXT
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

PRISON = SettingType.PRISON_PROBATION.value


def _criterion(framework):
    return Criterion.objects.select_related("standard").get(
        standard__framework=framework, code="1.1"
    )


def test_apply_setting_wording_words_criterion_and_its_standard(worded_framework):
    criterion = _criterion(worded_framework)
    apply_setting_wording([criterion], setting_type=PRISON)
    assert (criterion.text, criterion.guidance, criterion.example_list) == (
        PRISON_TEXT,
        "Ask residents on the wing.",
        ["Wing leaflet", "Listener rota"],
    )
    assert criterion.standard.value_statement == PRISON_STATEMENT
    # Back to the general wording from the same instances: the original was kept.
    apply_setting_wording([criterion], setting_type="")
    assert (criterion.text, criterion.standard.value_statement) == (
        GENERAL_TEXT,
        GENERAL_STATEMENT,
    )


def test_a_setting_without_wording_reads_the_general_wording(worded_framework):
    criterion = _criterion(worded_framework)
    apply_setting_wording([criterion], setting_type=SettingType.EDUCATION)
    assert (criterion.text, criterion.guidance) == (GENERAL_TEXT, "Ask service users.")


def test_a_worded_copy_refuses_to_be_saved(worded_framework):
    worded_framework.status = "draft"  # even where the framework itself could change
    criterion = _criterion(worded_framework)
    apply_setting_wording([criterion], setting_type=PRISON)
    with pytest.raises(ValueError, match="cannot be saved"):
        criterion.save()
    with pytest.raises(ValueError, match="cannot be saved"):
        criterion.standard.save()
    assert Criterion.objects.get(pk=criterion.pk).text == GENERAL_TEXT


def test_public_standards_page_switches_setting(client, worded_framework):
    general = visible_text(client.get("/standards/").content)
    assert GENERAL_STATEMENT in general
    assert PRISON_STATEMENT not in general
    assert "Show the wording for" in general
    response = client.get("/standards/", {"setting": PRISON})
    prison = visible_text(response.content)
    assert PRISON_STATEMENT in prison
    assert GENERAL_STATEMENT not in prison
    assert response.context["setting_choices"] == [
        ("", "General wording"),
        (PRISON, "Prison or probation"),
    ]
    # The link to the standard keeps the setting.
    assert f'href="/standards/1/?setting={PRISON}"'.encode() in response.content


def test_public_standard_detail_shows_prison_criteria_and_guidance(client, worded_framework):
    text = visible_text(client.get("/standards/1/", {"setting": PRISON}).content)
    for wording in (PRISON_STATEMENT, PRISON_TEXT, "Ask residents on the wing.", "Listener rota"):
        assert wording in text
    for wording in (GENERAL_TEXT, "Ask service users.", "Leaflet for service users"):
        assert wording not in text


def test_unknown_setting_reads_the_general_wording(client, worded_framework):
    text = visible_text(client.get("/standards/1/", {"setting": "spaceship"}).content)
    assert GENERAL_TEXT in text
    assert PRISON_TEXT not in text


def test_signed_in_prison_member_reads_prison_wording_by_default(client, worded_framework):
    unit = factories.UnitFactory(setting_type=PRISON)
    role = factories.UnitRoleFactory(unit=unit, role=UnitRoleKind.LEAD)
    client.force_login(role.user)
    assert PRISON_TEXT in visible_text(client.get("/standards/1/").content)
    # ...and can still choose the general wording.
    assert GENERAL_TEXT in visible_text(client.get("/standards/1/", {"setting": ""}).content)


def test_ward_member_reads_the_general_wording(client, worded_framework, lead):
    client.force_login(lead)
    assert GENERAL_TEXT in visible_text(client.get(reverse("standards:detail", args=[1])).content)


def test_criterion_wording_round_trips_through_export_and_import(worded_framework):
    text = framework_export(framework=worded_framework).replace(worded_framework.code, "copy-of-it")
    copy = framework_import(text=text)
    criterion = Criterion.objects.get(standard__framework=copy, code="1.1")
    assert criterion.setting_wording == {
        PRISON: {
            "text": PRISON_TEXT,
            "guidance": "Ask residents on the wing.",
            "examples": ["Wing leaflet", "Listener rota"],
        }
    }


def test_import_refuses_malformed_criterion_wording(sample_text):
    data = yaml.safe_load(sample_text)
    data["code"] = "bad-wording"
    data["standards"][0]["criteria"][0]["setting_wording"] = {PRISON: {"title": "Nope"}}
    with pytest.raises(StandardsImportError) as caught:
        framework_import(text=yaml.safe_dump(data))
    assert [e.path for e in caught.value.errors] == [
        "standards[0].criteria[0].setting_wording.prison_probation"
    ]


def test_sample_standards_have_prison_wording_where_it_differs(sample_text):
    framework = framework_import(text=sample_text)
    standards = list(framework.standards.all())
    worded = [s.number for s in standards if s.setting_wording.get(PRISON)]
    assert worded == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    criteria = Criterion.objects.filter(standard__framework=framework)
    prison = [c for c in criteria if c.setting_wording.get(PRISON)]
    assert len(prison) >= 30
    # Nowhere does the prison wording still speak of "service users" or "pupils".
    for criterion in prison:
        apply_setting_wording([criterion], setting_type=PRISON)
        assert "service user" not in criterion.text.lower()
