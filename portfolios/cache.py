"""What the portfolios' models mean for the shared caches (ee_portal/lib/fragments.py).

Scopes: ``portfolio:<pk>`` is a portfolio and what its unit wrote (responses, evidence,
links, revisions); ``review:<pk>`` is its state and its review (the reviews app's rows), so
scoring does not retire the builder; ``reviews`` is what the review queue lists. A unit or
organisation renamed touches its portfolios too.
"""

from collections.abc import Iterable
from typing import Any

from ee_portal.lib import fragments
from network.cache import INVISIBLE_USER_FIELDS, PEOPLE
from standards.cache import STANDARDS

QUEUE = "reviews"  # the review queue: portfolios, assignments, units, assessors' names


def portfolio_scope(portfolio_id: int) -> str:
    return f"portfolio:{portfolio_id}"


def review_scope(portfolio_id: int) -> str:
    return f"review:{portfolio_id}"


def portfolio_scopes(portfolio_id: int) -> tuple[str, str, str]:
    """What a page about one portfolio shows: the portfolio's rows, its criteria, and people's
    names (a unit's or organisation's new name touches the portfolio scope itself)."""
    return portfolio_scope(portfolio_id), STANDARDS, PEOPLE


def portfolio_change_scopes(portfolio_id: int | None) -> tuple[str, ...]:
    """The unit's side of a portfolio changed (or its state, which both sides show)."""
    if not portfolio_id:
        return ()
    return portfolio_scope(portfolio_id), review_scope(portfolio_id), QUEUE


def review_change_scopes(portfolio_id: int | None) -> tuple[str, ...]:
    """The assessors' side of a portfolio changed."""
    return (review_scope(portfolio_id), QUEUE) if portfolio_id else ()


def touch_portfolio(portfolio_id: int | None) -> None:
    fragments.touch(*portfolio_change_scopes(portfolio_id))


def touch_review(portfolio_id: int | None) -> None:
    fragments.touch(*review_change_scopes(portfolio_id))


def _evidence_link_portfolio(instance: Any) -> int | None:
    evidence = getattr(instance, "evidence", None)
    return evidence.portfolio_id if evidence is not None else None


def _unit_portfolios(instance: Any) -> Iterable[str]:
    """A unit's or organisation's name shows on the review queue and every page of its
    portfolios."""
    from .models import Portfolio  # noqa: PLC0415 -- models are loaded by ready()

    field = "unit_id" if instance._meta.label == "network.Unit" else "unit__organisation_id"
    ids = Portfolio.objects.filter(**{field: instance.pk}).values_list("pk", flat=True)
    return (QUEUE, *(scope for pk in ids for scope in (portfolio_scope(pk), review_scope(pk))))


def register() -> None:
    """Called from PortfoliosConfig.ready() in every process."""
    owners = {
        "portfolios.Portfolio": lambda instance: instance.pk,
        "portfolios.CriterionResponse": lambda instance: instance.portfolio_id,
        "portfolios.Evidence": lambda instance: instance.portfolio_id,
        "portfolios.EvidenceLink": _evidence_link_portfolio,
        "portfolios.PortfolioRevision": lambda instance: instance.portfolio_id,
    }
    for label, portfolio_of in owners.items():
        fragments.watch(
            label,
            lambda instance, f=portfolio_of: portfolio_change_scopes(f(instance)),  # type: ignore[misc]
        )
    fragments.watch("network.Unit", _unit_portfolios)
    fragments.watch("network.Organisation", _unit_portfolios)
    # Assessors' names show in the review queue.
    fragments.watch("network.User", lambda _instance: (QUEUE,), invisible=INVISIBLE_USER_FIELDS)
