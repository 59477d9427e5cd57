"""What the questionnaires' models mean for the shared caches (ee_portal/lib/fragments.py).

Results show on the builder and the scoring page, whose bodies are cached under the
portfolio's scope: a round or a contribution moves that scope (a response moves it from the
services).
"""

from typing import Any

from ee_portal.lib import fragments
from portfolios.cache import portfolio_scope
from standards.cache import STANDARDS


def _round_portfolio(instance: Any) -> int | None:
    return getattr(instance, "portfolio_id", None)


def _via_round(instance: Any) -> int | None:
    round_ = getattr(instance, "_ee_round", None)
    if round_ is not None:
        return round_.portfolio_id
    from .models import Round  # noqa: PLC0415 -- models are loaded by ready()

    return Round.objects.filter(pk=instance.round_id).values_list("portfolio_id", flat=True).first()


def _scopes(portfolio_id: int | None) -> tuple[str, ...]:
    # The builder and the scoring page both hold the portfolio's scope.
    return (portfolio_scope(portfolio_id),) if portfolio_id else ()


def register() -> None:
    """Called from QuestionnairesConfig.ready() in every process."""
    fragments.watch("questionnaires.Round", lambda instance: _scopes(_round_portfolio(instance)))
    # Responses are many and anonymous: services.response_submit and paper_sheet_enter touch
    # the portfolio's scope themselves, once after the commit, instead of a watcher's two
    # bumps per row.
    fragments.watch("questionnaires.Contribution", lambda instance: _scopes(_via_round(instance)))
    # A set published (or its items) changes every builder of its framework: the readiness
    # rule and the statements. Pages about a portfolio hold the standards' scope.
    for label in ("questionnaires.QuestionnaireSet", "questionnaires.Item"):
        fragments.watch(label, lambda _instance: (STANDARDS,))
