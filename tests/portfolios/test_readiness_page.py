import pytest
from django.urls import reverse

from portfolios.selectors import portfolio_readiness

pytestmark = pytest.mark.django_db


def test_builder_lists_every_missing_item_first_six_then_the_rest_folded(client, lead, portfolio):
    missing = portfolio_readiness(portfolio=portfolio)
    assert len(missing) == 40  # 20 criteria, each without narrative and evidence
    client.force_login(lead)
    html = client.get(reverse("portfolios:detail", kwargs={"pk": portfolio.pk})).content.decode()
    visible, folded = html.split("<details", 1)
    assert "40 things still need doing, starting with these:" in visible
    for item in missing[:6]:
        assert item.message in visible
    assert "Show the other 34" in folded
    for item in missing[6:]:
        assert f'<a href="{item.url}">{item.message}</a>' in folded
