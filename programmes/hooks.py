"""What programmes adds to the lower apps' pages through their registries
(portfolios/hooks.py): the self vs peer section of the annual report PDF, and the network's
card on an annual self-review's builder."""

from typing import Any

from django.template.loader import render_to_string

from network import hooks as network_hooks
from network.enums import CycleStep
from portfolios import hooks as portfolio_hooks
from portfolios.enums import Cycle

from . import selectors


def portfolio_panel(*, portfolio: Any, place: str) -> str:
    if portfolio.cycle != Cycle.ANNUAL:
        return ""
    if place == "report":
        data = selectors.annual_report_data(portfolio=portfolio)
        return render_to_string("pdf/_annual_section.html", {"data": data})
    if place == "builder":
        return render_to_string(
            "programmes/_builder_card.html",
            {"portfolio": portfolio, "framework": portfolio.framework},
        )
    return ""


def unit_panel(*, unit: Any, user: Any) -> str:
    """The community's network membership on its unit page: its type, this year's cycle (or
    a button to start it) and a link to nominate peer reviewers. Two queries; "" for units
    that are not network members."""
    membership_type = selectors.membership_type_for(unit_id=unit.pk)
    if not membership_type:
        return ""
    year = selectors.network_year()
    cycle = unit.portfolios.filter(cycle=Cycle.ANNUAL, cycle_year=year).first()
    return render_to_string(
        "programmes/_unit_panel.html",
        {
            "unit": unit,
            "year": year,
            "membership_type": membership_type,
            "runs_cycle": CycleStep.SELF_REVIEW in selectors.steps_for(membership_type),
            "cycle": cycle,
            "can_start": user.has_perm("programmes.start_cycle", unit),
            "can_nominate": user.has_perm("programmes.nominate_reviewer", unit),
        },
    )


def register() -> None:
    """Called from ProgrammesConfig.ready()."""
    network_hooks.on_unit_panel("programmes.membership", unit_panel)
    portfolio_hooks.on_portfolio_panel("programmes.annual", portfolio_panel)
    portfolio_hooks.on_demo_step("programmes.demo", _seed_demo)


def _seed_demo(demo: Any) -> None:
    from .demo import seed  # noqa: PLC0415 -- demo code loads only when seeding

    seed(demo)
