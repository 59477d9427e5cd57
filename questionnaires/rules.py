"""Who may do what with questionnaires. Every predicate takes the portfolio the round belongs
to; views look the round or contribution up and ask about its portfolio."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from network.rules import is_ccqi_admin
from portfolios.rules import SUBMITTABLE_STATES, can_view, is_portfolio_lead

if TYPE_CHECKING:
    from network.rules import AnyUser
    from portfolios.models import Portfolio


@rules.predicate
def is_open_portfolio(user: AnyUser, portfolio: Portfolio | None) -> bool:
    """Rounds can be opened, and paper sheets entered, while the portfolio can change."""
    return portfolio is not None and portfolio.state in SUBMITTABLE_STATES


# Members, cleared assessors and admins see the rounds and the results (above the threshold).
rules.add_perm("questionnaires.view_rounds", can_view)
rules.add_perm("questionnaires.view_results", can_view)
# The unit lead runs the rounds: opens and closes them, prints, enters paper sheets, moderates.
rules.add_perm("questionnaires.manage_rounds", is_portfolio_lead)
rules.add_perm("questionnaires.open_round", is_portfolio_lead & is_open_portfolio)
rules.add_perm("questionnaires.enter_paper", is_portfolio_lead & is_open_portfolio)
rules.add_perm("questionnaires.moderate_contributions", is_portfolio_lead)
# Anonymous responses as CSV: the unit's lead (its own rounds) and CCQI admins.
rules.add_perm("questionnaires.export_responses", is_portfolio_lead | is_ccqi_admin)
rules.add_perm("questionnaires.view_national", is_ccqi_admin)
