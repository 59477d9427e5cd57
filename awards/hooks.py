"""What awards adds to the lower apps' pages, through their registries (issue 17): a unit's
members find their award, its certificate and its verification link from the awarded
portfolio's builder (portfolios/hooks.py "page panels"), beside it on the portfolio list
("list links") and on their unit's page (network/hooks.py "unit panels").

Every award shown comes from selectors.award_list_visible_to, the selector that agrees with
the awards.view_award rule: unit members of the award's unit and CCQI admins, nobody else.
"""

from typing import Any

from django.template.loader import render_to_string

from network import hooks as network_hooks
from portfolios import hooks as portfolio_hooks
from portfolios.enums import PortfolioState

from .enums import CertificateStatus, LiveStatus
from .selectors import award_list_visible_to


def _context(awards: list[Any]) -> dict[str, Any]:
    return {
        "awards": awards,
        "CertificateStatus": CertificateStatus,
        "LiveStatus": LiveStatus,
    }


def builder_panel(*, portfolio: Any, user: Any) -> str:
    """The award an awarded portfolio earned (one query; none for any other portfolio)."""
    if portfolio.state != PortfolioState.AWARDED:
        return ""
    awards = list(award_list_visible_to(user=user).filter(portfolio_id=portfolio.pk))
    if not awards:
        return ""
    return render_to_string("awards/_award_panel.html", {**_context(awards), "place": "builder"})


def list_links(*, portfolios: list[Any], user: Any) -> dict[int, str]:
    """{portfolio id: a link to its award} for the awarded ones (one query; none without)."""
    awarded = [p.pk for p in portfolios if p.state == PortfolioState.AWARDED]
    if not awarded:
        return {}
    links: dict[int, str] = {}
    for award in award_list_visible_to(user=user).filter(portfolio_id__in=awarded):
        links[award.portfolio_id] = links.get(award.portfolio_id, "") + render_to_string(
            "awards/_award_link.html", {"award": award}
        )
    return links


def unit_panel(*, unit: Any, user: Any) -> str:
    """The unit's awards, newest first, for its page (one query)."""
    awards = list(award_list_visible_to(user=user).filter(unit_id=unit.pk))
    return render_to_string("awards/_award_panel.html", {**_context(awards), "place": "unit"})


def register() -> None:
    """Called from AwardsConfig.ready()."""
    portfolio_hooks.on_page_panel("awards.award", builder_panel)
    portfolio_hooks.on_list_links("awards.award", list_links)
    network_hooks.on_unit_panel("awards.awards", unit_panel)
