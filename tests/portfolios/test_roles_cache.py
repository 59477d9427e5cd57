"""Each person's unit roles are cached (network.rules.user_unit_roles, issue 8) and decide
what they may see: a role removed, added or changed must take effect on the very next request."""

import pytest
from django.test import Client
from django.urls import reverse

from network.enums import UnitRoleKind
from network.models import UnitRole
from network.services import unit_role_change, unit_role_remove
from tests import factories

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_removed_contributor_loses_access_at_once(portfolio, lead, contributor):
    client = signed_in(contributor)
    url = reverse("portfolios:detail", kwargs={"pk": portfolio.pk})
    assert client.get(url).status_code == 200  # roles (and the page) now cached
    unit_role_remove(actor=lead, unit_role=UnitRole.objects.get(user=contributor))
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("portfolios:evidence_library", kwargs={"pk": portfolio.pk})).status_code
        == 404
    )


def test_a_new_role_gives_access_and_a_nav_link_at_once(portfolio, admin_user):
    newcomer = factories.UserFactory(email="new@example.test")
    client = signed_in(newcomer)
    url = reverse("portfolios:detail", kwargs={"pk": portfolio.pk})
    assert client.get(url).status_code == 404
    factories.UnitRoleFactory(user=newcomer, unit=portfolio.unit, role=UnitRoleKind.CONTRIBUTOR)
    page = client.get(url)
    assert page.status_code == 200
    assert reverse("network:unit_detail", args=[portfolio.unit_id]) in page.content.decode()


def test_a_lead_made_contributor_loses_the_submit_button_at_once(
    portfolio, lead, admin_user, contributor
):
    from tests.portfolios.conftest import make_ready  # noqa: PLC0415

    make_ready(portfolio, lead)
    client = signed_in(lead)
    url = reverse("portfolios:detail", kwargs={"pk": portfolio.pk})
    assert "Submit the portfolio" in client.get(url).content.decode()
    unit_role_change(
        actor=admin_user, unit_role=UnitRole.objects.get(user=lead), role=UnitRoleKind.CONTRIBUTOR
    )
    page = client.get(url).content.decode()
    assert "Submit the portfolio" not in page
    assert "Your unit lead can now submit the portfolio." in page
