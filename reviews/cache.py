"""What the reviews' models mean for the shared caches (ee_portal/lib/fragments.py)."""

from typing import Any

from ee_portal.lib import fragments
from portfolios.cache import review_change_scopes


def _score_portfolio(instance: Any) -> int | None:
    assignment = getattr(instance, "assignment", None)
    return assignment.portfolio_id if assignment is not None else None


def register() -> None:
    """Called from ReviewsConfig.ready() in every process."""
    owners = {
        "reviews.Assignment": lambda instance: instance.portfolio_id,
        "reviews.CriterionScore": _score_portfolio,
        "reviews.AgreedScore": lambda instance: instance.portfolio_id,
        "reviews.EvidenceRequest": lambda instance: instance.portfolio_id,
        "reviews.Report": lambda instance: instance.portfolio_id,
        "reviews.Decision": lambda instance: instance.portfolio_id,
    }
    for label, portfolio_of in owners.items():
        fragments.watch(
            label,
            lambda instance, f=portfolio_of: review_change_scopes(f(instance)),  # type: ignore[misc]
        )
