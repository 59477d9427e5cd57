"""Registries that higher apps fill from their AppConfig.ready() (DESIGN.md, docs/architecture.md).

reviews never imports the apps above it (awards). Where the review cycle has to let them act,
it calls the hooks registered here instead. Today there is one: "decision recorded", called by
workflow.decision_record inside its transaction (after the Decision row, the portfolio
transition and the audit event), so whatever a receiver writes commits or rolls back with
the decision. awards registers award_on_decision_recorded, which issues the award and its
certificate for an "awarded" decision.

Receivers take keyword arguments ``decision`` and ``actor``, must be idempotent, and let
exceptions propagate (that rolls the decision back, as before the hook existed).
"""

from collections.abc import Callable

DecisionReceiver = Callable[..., object]

_decision_recorded: dict[str, DecisionReceiver] = {}


def on_decision_recorded(key: str, receiver: DecisionReceiver) -> None:
    """Register ``receiver`` under ``key`` (registering the same key again replaces it, so a
    second ready() call never makes a second award)."""
    _decision_recorded[key] = receiver


def decision_recorded(*, decision, actor) -> None:
    """Call every registered receiver, in registration order, inside the caller's transaction."""
    for receiver in list(_decision_recorded.values()):
        receiver(decision=decision, actor=actor)


def decision_receivers() -> dict[str, DecisionReceiver]:
    """The registered receivers (for tests and checks)."""
    return dict(_decision_recorded)
