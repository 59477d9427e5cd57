import pytest

from standards.models import Standard
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return factories.UserFactory(is_staff=True, is_superuser=True, is_ccqi_admin=True)


def test_admin_published_framework_cannot_be_changed(client, operator):
    framework = factories.make_framework(criteria_per_standard=1)
    standard = Standard.objects.get(framework=framework, number=1)
    client.force_login(operator)
    response = client.post(
        f"/django-admin/standards/standard/{standard.pk}/change/",
        {"framework": framework.pk, "number": 1, "name": "Hacked", "value_statement": "x"},
    )
    assert response.status_code == 403
    standard.refresh_from_db()
    assert standard.name == "Standard 1"
    page = client.get(f"/django-admin/standards/framework/{framework.pk}/change/")
    assert page.status_code == 200
    assert b'name="title"' not in page.content  # read-only view, no inputs


def test_admin_draft_framework_can_be_changed(client, operator):
    framework = factories.make_framework(criteria_per_standard=1, publish=False)
    client.force_login(operator)
    page = client.get(f"/django-admin/standards/framework/{framework.pk}/change/")
    assert b'name="title"' in page.content
