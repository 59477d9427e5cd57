"""Issue 15: Welsh text of standards, criteria and questionnaire items from the YAML (`cy:`),
with English where a text has none; easy-read statements beside the official wording."""

import pytest
import yaml
from django.conf import settings
from django.test import Client
from django.utils import translation

from questionnaires.models import Item
from questionnaires.selectors import item_label
from questionnaires.services import questionnaire_export, questionnaire_import
from standards.models import Criterion, Framework, Standard
from standards.selectors import missing_welsh, text_in_language
from standards.services import StandardsImportError, framework_export, framework_import
from tests import factories

pytestmark = pytest.mark.django_db

FIXTURES = settings.BASE_DIR / "fixtures"


@pytest.fixture
def sample_standards() -> Framework:
    text = (FIXTURES / "standards" / "ee-sample.yaml").read_text(encoding="utf-8")
    return framework_import(text=text, publish=True)


def test_the_sample_standards_have_welsh_names_statements_and_easy_read(sample_standards):
    assert text_in_language(sample_standards, "title", "cy").text == (
        "Safonau Amgylcheddau Galluogi (meini prawf enghreifftiol)"
    )
    assert missing_welsh(sample_standards) == []
    belonging = sample_standards.standards.get(number=1)
    assert belonging.easy_read == "Good relationships come first here."
    assert text_in_language(belonging, "name", "cy").text == "Perthyn"
    assert text_in_language(belonging, "easy_read", "cy").text == (
        "Perthnasoedd da sy'n dod gyntaf yma."
    )
    assert text_in_language(belonging, "name", "en-gb").text == "Belonging"
    for standard in sample_standards.standards.all():
        assert {"name", "value_statement", "easy_read", "description"} <= set(standard.welsh)
        assert standard.easy_read
    first = Criterion.objects.get(standard=belonging, code="1.1")
    assert text_in_language(first, "text", "cy").text.startswith("Caiff pobl newydd")
    guidance = text_in_language(first, "guidance", "cy")
    assert (guidance.text, guidance.fallback) == (first.guidance, True)
    assert missing_welsh(first) == ["guidance", "examples"]


def test_welsh_round_trips_through_export_and_import(sample_standards):
    exported = yaml.safe_load(framework_export(framework=sample_standards))
    assert exported["cy"]["title"].startswith("Safonau Amgylcheddau Galluogi")
    standard = exported["standards"][0]
    assert standard["cy"]["name"] == "Perthyn"
    assert standard["easy_read"] == "Good relationships come first here."
    assert standard["criteria"][0]["cy"] == {
        "text": "Caiff pobl newydd groeso cynnes a help i setlo."
    }
    exported["code"] = "ee-sample-copy"
    copy = framework_import(text=yaml.safe_dump(exported, allow_unicode=True))
    assert copy.standards.get(number=1).welsh == sample_standards.standards.get(number=1).welsh
    assert copy.welsh == sample_standards.welsh


def test_bad_welsh_in_a_standards_file_is_refused_with_its_line_and_nothing_is_written():
    text = (FIXTURES / "standards" / "ee-sample.yaml").read_text(encoding="utf-8")
    text = text.replace('      name: "Perthyn"', '      nam: "Perthyn"', 1)
    text = text.replace(
        '    easy_read: "We can try new things and learn."', "    easy_read: [1]", 1
    )
    with pytest.raises(StandardsImportError) as refused:
        framework_import(text=text)
    messages = [str(error) for error in refused.value.errors]
    assert len(messages) == 2
    assert "standards[0].cy.nam: is not a text with Welsh" in messages[0]
    assert messages[0].startswith("line ")
    assert "standards[3].easy_read: must be text" in messages[1]
    assert not Framework.objects.exists()
    assert not Standard.objects.exists()


def test_the_sample_questionnaire_asks_in_welsh_with_the_settings_wording(sample_standards):
    text = (FIXTURES / "questionnaires" / "ee-sample.yaml").read_text(encoding="utf-8")
    questionnaire = questionnaire_import(text=text)
    item = Item.objects.get(questionnaire=questionnaire, audience="service_users", number=1)
    ward = "health_inpatient"
    assert item_label(item, easy=False, setting_type=ward, language="cy") == (
        "Roeddwn i'n teimlo bod croeso i mi pan ddes i ar y ward gyntaf."
    )
    assert item_label(item, easy=True, setting_type=ward, language="cy") == (
        "Roedd pobl yn garedig wrtha i pan ddes i yma."
    )
    assert item_label(item, easy=False, setting_type="housing", language="cy").startswith(
        "Roeddwn i'n teimlo bod croeso i mi pan gyrhaeddais"
    )
    assert item_label(item, easy=False, setting_type=ward, language="en-gb") == (
        "I felt welcome when I first came onto the ward."
    )
    exported = yaml.safe_load(questionnaire_export(questionnaire=questionnaire))
    assert exported["items"]["service_users"][0]["cy"]["easy_read"] == (
        "Roedd pobl yn garedig wrtha i pan ddes i yma."
    )


def test_an_item_without_welsh_is_asked_in_english():
    item = Item(text="How are you?", easy_read="OK?", setting_wording={}, welsh={})
    assert item_label(item, easy=False, setting_type="", language="cy") == "How are you?"


def test_the_welsh_answer_page_shows_welsh_items_and_the_standards_easy_read():
    framework = factories.make_framework(criteria_per_standard=1)
    Standard.objects.filter(framework=framework, number=1).update(
        easy_read="We get on well.", welsh={"easy_read": "Rydym yn cyd-dynnu'n dda."}
    )
    questionnaire = factories.make_questionnaire(framework)
    Item.objects.filter(questionnaire=questionnaire, number=1).update(
        welsh={"text": "Datganiad un.", "easy_read": "Hawdd un."}
    )
    round_ = factories.RoundFactory(
        portfolio=factories.PortfolioFactory(framework=framework), questionnaire=questionnaire
    )
    client = Client()
    client.cookies.load({"django_language": "cy"})
    html = client.get(f"/q/{round_.token}/").content.decode()
    assert '<html lang="cy">' in html
    assert "Datganiad un." in html
    assert "Anfon fy atebion" in html  # "Send my answers"
    assert 'name="language" value="en-gb"' in html  # the switch back, without JavaScript
    easy = client.get(f"/q/{round_.token}/?easy=1").content.decode()
    assert "Hawdd un." in easy
    assert '<p class="about">Rydym yn cyd-dynnu&#x27;n dda.</p>' in easy
    english = Client().get(f"/q/{round_.token}/?easy=1").content.decode()
    assert '<p class="about">We get on well.</p>' in english


def test_units_see_the_easy_read_statement_beside_the_official_wording(client, sample_standards):
    html = client.get("/standards/1/").content.decode()
    assert "Relationships, and how good they are, come first." in html
    assert "In simple words:</strong> Good relationships come first here." in html


def test_admins_see_which_texts_still_need_welsh(client):
    operator = factories.UserFactory(is_staff=True, is_superuser=True, is_ccqi_admin=True)
    framework = factories.make_framework(criteria_per_standard=1)
    Standard.objects.filter(framework=framework, number=1).update(
        welsh={"name": "Perthyn", "value_statement": "Perthnasoedd sy'n dod gyntaf."},
        description="",
        easy_read="",
    )
    Standard.objects.filter(framework=framework, number=2).update(description="", easy_read="")
    client.force_login(operator)
    page = client.get(f"/django-admin/standards/standard/?framework__id__exact={framework.pk}")
    rows = page.content.decode()
    assert "Welsh still missing" in rows
    assert missing_welsh(Standard.objects.get(framework=framework, number=1)) == []
    assert missing_welsh(Standard.objects.get(framework=framework, number=2)) == [
        "name",
        "value_statement",
    ]
    assert '<td class="field-welsh_missing">name, value_statement</td>' in rows
    assert '<td class="field-welsh_missing">none</td>' in rows


def test_a_welsh_speaking_lead_gets_the_poster_and_paper_form_in_welsh(
    django_capture_on_commit_callbacks,
):
    import io  # noqa: PLC0415

    from pypdf import PdfReader  # noqa: PLC0415

    from questionnaires.models import Document  # noqa: PLC0415

    framework = factories.make_framework(criteria_per_standard=1)
    questionnaire = factories.make_questionnaire(framework)
    Item.objects.filter(questionnaire=questionnaire, audience="service_users", number=1).update(
        welsh={"easy_read": "Hawdd un."}
    )
    portfolio = factories.PortfolioFactory(framework=framework)
    lead = factories.UnitRoleFactory(unit=portfolio.unit, role="lead", user__language="cy").user
    round_ = factories.RoundFactory(portfolio=portfolio, questionnaire=questionnaire)
    client = Client()
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/questionnaires/rounds/{round_.pk}/documents/poster/")
        client.post(f"/questionnaires/rounds/{round_.pk}/documents/paper_easy/", {"sheets": 1})

    def text(kind: str) -> str:
        document = Document.objects.get(round=round_, kind=kind)
        with document.pdf.open("rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
        return " ".join(" ".join(page.extract_text() for page in reader.pages).split())

    assert "Dweud eich dweud" in text("poster")  # "Have your say"
    assert "Have your say" not in text("poster")
    paper = text("paper_easy")
    assert "Hawdd un." in paper
    assert "Dywedwch wrthym sut beth yw bod yma" in paper


def test_a_members_file_with_english_or_welsh_labels_imports_for_a_welsh_reader():
    from network import csv_io  # noqa: PLC0415
    from network.enums import Region, SettingType  # noqa: PLC0415

    header = (
        "organisation,unit,setting_type,region,programme,start_date,end_date,status,fee_reference"
    )
    rows = [
        "Hope Trust,Ash Ward,Health: inpatient,Wales,ee-award,2026-01-01,2028-12-31,active,F1",
        "Hope Trust,Elm Ward,Iechyd: cleifion mewnol,Cymru,ee-award,2026-01-01,2028-12-31,"
        "Gweithredol,F2",
    ]
    with translation.override("cy"):
        parsed = csv_io.parse_members_csv("\n".join([header, *rows]))
    assert parsed.errors == []
    assert [(r.setting_type, r.region) for r in parsed.rows] == [
        (SettingType.HEALTH_INPATIENT, Region.WALES),
        (SettingType.HEALTH_INPATIENT, Region.WALES),
    ]
