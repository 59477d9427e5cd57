"""What questionnaires adds to the lower apps' pages, through their registries
(portfolios/hooks.py): results per standard on the builder, the scoring page and the report
PDFs, a questionnaires card on the builder, and the readiness rule.

Every number shown comes from selectors.round_results (the threshold rule lives there).
"""

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse

from portfolios import hooks as portfolio_hooks
from portfolios.selectors import MissingItem
from standards.models import Standard

from .selectors import BAR_KEY, RoundResult, StandardResult, portfolio_results, questionnaire_needs

PANEL_TEMPLATE = "questionnaires/_standard_panel.html"


def _pairs(
    results: list[RoundResult], standard_id: int
) -> list[tuple[RoundResult, StandardResult | None]]:
    return [(result, result.standards.get(standard_id)) for result in results]


def standard_panels(*, portfolio: Any, place: str) -> dict[int, str]:
    """{standard id: html} with this cycle's (and the previous cycle's) results per audience.
    Nothing when the portfolio has no rounds, and nothing for the report PDFs (they take the
    whole section from portfolio_panel)."""
    if place not in ("builder", "scoring"):
        return {}
    current, previous = portfolio_results(portfolio=portfolio)
    if not current and not previous:
        return {}
    standards = Standard.objects.filter(framework_id=portfolio.framework_id)
    panels: dict[int, str] = {}
    for index, standard in enumerate(standards):
        current_pairs = _pairs(current, standard.pk)
        # The previous cycle's standards are another framework's rows: match by number.
        previous_pairs = [
            (
                result,
                next((s for s in result.standards.values() if s.number == standard.number), None),
            )
            for result in previous
        ]
        panels[standard.pk] = render_to_string(
            PANEL_TEMPLATE,
            {
                "standard": standard,
                "current": current_pairs,
                "previous": previous_pairs,
                "place": place,
                # The colours' key once, under the first standard.
                "bar_key": BAR_KEY if index == 0 else None,
            },
        )
    return panels


def portfolio_panel(*, portfolio: Any, place: str) -> str:
    if place == "report":
        current, previous = portfolio_results(portfolio=portfolio)
        if not current:
            return ""
        return render_to_string(
            "pdf/_questionnaire_section.html", {"results": current, "previous": previous}
        )
    if place != "builder":
        return ""
    return render_to_string("questionnaires/_builder_card.html", {"portfolio": portfolio})


def readiness_check(*, portfolio: Any) -> list[MissingItem]:
    url = reverse("questionnaires:rounds", kwargs={"pk": portfolio.pk})
    needs = questionnaire_needs(portfolio=portfolio)
    return [MissingItem("questionnaire", need.message, url) for need in needs]


def register() -> None:
    """Called from QuestionnairesConfig.ready()."""
    portfolio_hooks.on_standard_panels("questionnaires.results", standard_panels)
    portfolio_hooks.on_portfolio_panel("questionnaires.card", portfolio_panel)
    portfolio_hooks.on_readiness_check("questionnaires.rounds", readiness_check)
    portfolio_hooks.on_demo_step("questionnaires.demo", _seed_demo)


def _seed_demo(demo: Any) -> None:
    from .demo import seed_questionnaires  # noqa: PLC0415 -- demo code loads only for seed_demo

    seed_questionnaires(demo)
