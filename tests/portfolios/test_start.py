import pytest
from django.urls import reverse

from ee_portal.audit.models import AuditEvent
from network.enums import UnitRoleKind
from portfolios.enums import Cycle, PortfolioState
from portfolios.models import Portfolio
from tests import factories

pytestmark = pytest.mark.django_db


def test_lead_starts_the_first_portfolio(client, lead, unit, framework):
    client.force_login(lead)
    page = client.get(reverse("portfolios:list"))
    assert list(page.context["startable_units"]) == [unit]
    assert b"Start our portfolio" in page.content
    response = client.post(reverse("portfolios:start"), {"unit": unit.pk})
    portfolio = Portfolio.objects.get(unit=unit)
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolios:detail", kwargs={"pk": portfolio.pk})
    assert (portfolio.cycle, portfolio.state, portfolio.framework) == (
        Cycle.INITIAL,
        PortfolioState.DRAFT,
        framework,
    )
    assert portfolio.responses.count() == 20
    assert list(client.get(reverse("portfolios:list")).context["startable_units"]) == []


def test_start_twice_makes_one_portfolio(client, lead, unit, framework):
    client.force_login(lead)
    client.post(reverse("portfolios:start"), {"unit": unit.pk})
    response = client.post(reverse("portfolios:start"), {"unit": unit.pk})
    assert response.status_code == 404
    assert Portfolio.objects.filter(unit=unit).count() == 1


@pytest.mark.parametrize("who", ["contributor", "other_lead", "assessor", "admin_user"])
def test_only_the_units_lead_can_start(request, client, unit, framework, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("portfolios:start"), {"unit": unit.pk})
    assert response.status_code == 404
    assert not Portfolio.objects.exists()


def test_start_needs_published_standards(client, lead, unit):
    client.force_login(lead)
    response = client.post(reverse("portfolios:start"), {"unit": unit.pk}, follow=True)
    assert "No standards are published yet" in response.content.decode()
    assert not Portfolio.objects.exists()


def test_start_rejects_get_and_anonymous(client, unit, framework):
    assert client.post(reverse("portfolios:start"), {"unit": unit.pk}).status_code == 302
    factories.UnitRoleFactory(unit=unit, role=UnitRoleKind.LEAD, user__email="l@example.test")
    client.force_login(unit.roles.get().user)
    assert client.get(reverse("portfolios:start")).status_code == 405
    assert not Portfolio.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="portfolio.").exists()


def test_a_unit_with_a_portfolio_under_way_is_not_offered(client, lead, unit, framework):
    factories.PortfolioFactory(unit=unit, framework=framework, state=PortfolioState.IN_REVIEW)
    client.force_login(lead)
    assert list(client.get(reverse("portfolios:list")).context["startable_units"]) == []
