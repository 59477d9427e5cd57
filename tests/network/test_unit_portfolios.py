import re

import pytest
from django.urls import reverse

from portfolios.enums import Cycle, PortfolioState
from tests import factories

pytestmark = pytest.mark.django_db


def test_unit_page_lists_the_units_portfolios_with_links(client, admin_user, unit, other_unit):
    mine = factories.PortfolioFactory(unit=unit, cycle=Cycle.INITIAL, state=PortfolioState.DRAFT)
    factories.PortfolioFactory(unit=other_unit)
    client.force_login(admin_user)
    html = client.get(reverse("network:unit_detail", kwargs={"pk": unit.pk})).content.decode()
    assert f'href="{reverse("portfolios:detail", kwargs={"pk": mine.pk})}"' in html
    assert "Initial award portfolio" in html
    assert re.findall(r'href="/portfolios/(\d+)/"', html) == [str(mine.pk)]


def test_unit_page_says_when_no_portfolio_has_started(client, lead, unit):
    client.force_login(lead)
    html = client.get(reverse("network:unit_detail", kwargs={"pk": unit.pk})).content.decode()
    assert "No portfolio has been started yet." in html
