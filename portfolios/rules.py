import rules

from network.enums import UnitRoleKind
from network.rules import is_ccqi_admin

from .enums import EDITABLE_STATES, PortfolioState

# Mirrors reviews.enums.ACTIVE_ASSIGNMENT_STATES (reviews imports portfolios, not the other
# way round); tests/portfolios/test_rules.py asserts the two agree.
CLEARED_ASSIGNMENT_STATES = ("scoring", "submitted")


def _role(user, portfolio) -> str | None:
    if portfolio is None or not user.is_authenticated:
        return None
    cache = getattr(user, "_ee_unit_roles", None)
    if cache is None:
        cache = dict(user.unit_roles.values_list("unit_id", "role"))
        user._ee_unit_roles = cache
    return cache.get(portfolio.unit_id)


@rules.predicate
def is_portfolio_member(user, portfolio) -> bool:
    return _role(user, portfolio) is not None


@rules.predicate
def is_portfolio_lead(user, portfolio) -> bool:
    return _role(user, portfolio) == UnitRoleKind.LEAD


@rules.predicate
def is_cleared_assessor(user, portfolio) -> bool:
    """Assigned to this portfolio and has declared no conflict."""
    if portfolio is None or not user.is_authenticated or not user.is_assessor:
        return False
    return portfolio.assignments.filter(assessor=user, state__in=CLEARED_ASSIGNMENT_STATES).exists()


@rules.predicate
def is_editable(user, portfolio) -> bool:
    return portfolio is not None and portfolio.state in EDITABLE_STATES


@rules.predicate
def is_draft(user, portfolio) -> bool:
    return portfolio is not None and portfolio.state == PortfolioState.DRAFT


can_view = is_ccqi_admin | is_portfolio_member | is_cleared_assessor

rules.add_perm("portfolios.view_portfolio", can_view)
rules.add_perm("portfolios.edit_portfolio", (is_portfolio_member) & is_editable)
rules.add_perm("portfolios.submit_portfolio", is_portfolio_lead & is_editable)
rules.add_perm("portfolios.download_evidence", can_view)
