"""Permissions of the network's annual cycle. Portfolio and review permissions stay with
their apps (a reviewer scores through reviews.score_assignment)."""

from __future__ import annotations

import rules

from network.rules import is_ccqi_admin, is_unit_lead
from portfolios.rules import is_portfolio_member

# Object: the annual-cycle Portfolio. The cycle page never shows peer ratings before the
# annual report is released (the page reads only released reports for members).
rules.add_perm("programmes.view_cycle", is_ccqi_admin | is_portfolio_member)
rules.add_perm("programmes.manage_cycle", is_ccqi_admin)
# Object: Unit.
rules.add_perm("programmes.start_cycle", is_ccqi_admin | is_unit_lead)
rules.add_perm("programmes.nominate_reviewer", is_ccqi_admin | is_unit_lead)
# The coordinator's views and the reviewer pool (no object).
rules.add_perm("programmes.coordinate", is_ccqi_admin)
