"""Writes for portfolios, narratives and evidence. Every write goes through a function here."""

from django.db import transaction
from django.utils import timezone

from ee_portal.audit.services import audit_log

from .enums import CLOSED_STATES, TRANSITIONS, PortfolioState
from .models import Portfolio, PortfolioEvent


class InvalidTransitionError(Exception):
    """The portfolio is not in a state from which this transition is allowed."""


def portfolio_transition(
    *, portfolio: Portfolio, to_state: str, actor, note: str = ""
) -> PortfolioEvent:
    """Move a portfolio to ``to_state`` and record it. The one place a state changes.

    The caller (a transition function in portfolios.services or reviews.workflow) has already
    checked permission and holds the row lock (select_for_update) inside transaction.atomic().
    Side effects: UPDATE of the portfolio's state (and submitted_at/closed_at), one
    PortfolioEvent row, one audit event.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("portfolio_transition must run inside transaction.atomic()")
    from_state = portfolio.state
    if to_state not in TRANSITIONS.get(from_state, ()):
        raise InvalidTransitionError(
            f"A portfolio that is {PortfolioState(from_state).label.lower()} cannot become "
            f"{PortfolioState(to_state).label.lower()}."
        )
    portfolio.state = to_state
    fields = ["state", "updated_at"]
    if to_state in (PortfolioState.SUBMITTED, PortfolioState.RESUBMITTED):
        portfolio.submitted_at = timezone.now()
        fields.append("submitted_at")
    if to_state in CLOSED_STATES:
        portfolio.closed_at = timezone.now()
        fields.append("closed_at")
    portfolio.save(update_fields=fields)
    event = PortfolioEvent.objects.create(
        portfolio=portfolio, actor=actor, from_state=from_state, to_state=to_state, note=note
    )
    audit_log(
        actor=actor,
        verb=f"portfolio.{to_state}",
        obj=portfolio,
        details={"from": from_state, "to": to_state},
    )
    return event
