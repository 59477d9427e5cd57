import pytest
from django.contrib import admin

from network import models
from tests import factories

pytestmark = pytest.mark.django_db

MODELS = [
    models.User,
    models.Organisation,
    models.Unit,
    models.Programme,
    models.Membership,
    models.UnitRole,
    models.AssessorProfile,
    models.Invitation,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_is_in_django_admin_with_search(client, model, unit):
    factories.MembershipFactory(unit=unit)
    factories.InvitationFactory(unit=unit)
    factories.AssessorProfileFactory()
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    url = f"/django-admin/network/{model._meta.model_name}/?q=a"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 0
    assert (
        client.get(f"/django-admin/network/{model._meta.model_name}/?q=zzzz-none")
        .context["cl"]
        .result_count
        == 0
    )
