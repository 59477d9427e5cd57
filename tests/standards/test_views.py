import pytest

from standards.services import framework_import, framework_retire
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(sample_text):
    return framework_import(text=sample_text)


def test_standard_list_shows_all_ten_publicly(client, sample):
    response = client.get("/standards/")
    assert response.status_code == 200
    names = [s.name for s in response.context["standards"]]
    assert len(names) == 10
    for name in names:
        assert name.encode() in response.content
    assert b"Relationships, and how good they are, come first." in response.content


def test_standard_detail_shows_criteria_guidance_and_examples(client, sample):
    response = client.get("/standards/6/")
    assert response.status_code == 200
    standard = response.context["standard"]
    assert standard.name == "Safety"
    for criterion in standard.criteria.all():
        assert criterion.code.encode() in response.content
        assert criterion.example_list[0].encode() in response.content


def test_standard_detail_setting_wording(client, sample):
    response = client.get("/standards/6/?setting=prison_probation")
    assert response.context["setting_statement"]
    assert response.context["setting_statement"].encode() in response.content


def test_standard_detail_unknown_number_is_404(client, sample):
    assert client.get("/standards/11/").status_code == 404


def test_standards_pages_404_when_nothing_published(client, sample):
    framework_retire(framework=sample)
    assert client.get("/standards/").status_code == 404


def test_standards_pages_reject_post(client, sample):
    assert client.post("/standards/").status_code == 405
    assert client.post("/standards/1/").status_code == 405


@pytest.mark.parametrize("criteria_count", [1, 5])
def test_standard_pages_constant_queries(client, django_assert_num_queries, criteria_count):
    factories.make_framework(criteria_per_standard=criteria_count)
    # 1 current framework, 2 the settings with wording of their own (setting switcher),
    # 3 standards with criterion counts
    # ...and the cache epoch, read once per request (ee_portal/lib/fragments.py)
    with django_assert_num_queries(4):
        client.get("/standards/")
    # 1 current framework, 2 the standard, 3 its criteria, 4 the settings with wording
    # ...and the cache epoch, read once per request (ee_portal/lib/fragments.py)
    with django_assert_num_queries(5):
        client.get("/standards/1/")


def test_standard_pages_show_the_newest_published_framework(client, sample):
    newer = factories.make_framework(criteria_per_standard=1)
    response = client.get("/standards/")
    assert response.context["framework"] == newer
