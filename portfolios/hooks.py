"""Registries that higher apps fill from their AppConfig.ready() (docs/architecture.md).

portfolios never imports the apps above it. Where the builder, the readiness checklist or a
page about a portfolio must show something a higher app owns (questionnaire results, a
questionnaire round still to close), that app registers a function here, under a key, so that
registering twice replaces rather than doubles.

- "standard panels": ``panels(*, portfolio, place)`` returns ``{standard_id: html}`` for the
  portfolio's standards; ``place`` says where it is shown ("builder", "scoring", "report"),
  so the provider can pick its markup. The provider enforces its own visibility rules: the
  HTML goes to everyone who may see the page.
- "portfolio panels": ``panel(*, portfolio, place)`` returns html for a section of the
  builder (a link to the questionnaires, a moderation queue's count), or "".
- "readiness checks": ``check(*, portfolio)`` returns a list of
  ``portfolios.selectors.MissingItem``; portfolio_readiness adds them to its own.
- "page panels": ``panel(*, portfolio, user)`` returns html shown at the top of the builder
  page, outside its cached body, rendered afresh for each viewer (awards: the award this
  portfolio earned, its certificate and verification link), or "". Called on every view of
  the builder: return "" without a query where it cannot apply.
- "list links": ``links(*, portfolios, user)`` returns ``{portfolio_id: html}`` shown beside
  those portfolios on the portfolio list (awards: a link to the award), at most one query for
  the whole list.
- "pdf renderer": ``render(*, template, context)`` returns PDF bytes (reviews: its pdf
  module, the one place WeasyPrint is imported, loaded only when called, inside a task).
- "demo steps": ``step(demo)`` seeds the app's demo data; seed_demo (awards) calls each after
  its own steps, with the DemoNetwork they filled (network.demo).
"""

from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString, mark_safe

StandardPanels = Callable[..., dict[int, str]]
PortfolioPanel = Callable[..., str]
ReadinessCheck = Callable[..., list[Any]]
ListLinks = Callable[..., dict[int, str]]

_standard_panels: dict[str, StandardPanels] = {}
_portfolio_panels: dict[str, PortfolioPanel] = {}
_readiness_checks: dict[str, ReadinessCheck] = {}
_demo_steps: dict[str, Callable[[Any], None]] = {}
_page_panels: dict[str, PortfolioPanel] = {}
_list_links: dict[str, ListLinks] = {}
_pdf_renderers: dict[str, Callable[..., bytes]] = {}


def on_standard_panels(key: str, provider: StandardPanels) -> None:
    _standard_panels[key] = provider


def on_portfolio_panel(key: str, provider: PortfolioPanel) -> None:
    _portfolio_panels[key] = provider


def on_readiness_check(key: str, check: ReadinessCheck) -> None:
    _readiness_checks[key] = check


def on_page_panel(key: str, provider: PortfolioPanel) -> None:
    _page_panels[key] = provider


def on_list_links(key: str, provider: ListLinks) -> None:
    _list_links[key] = provider


def on_pdf_renderer(key: str, render: Callable[..., bytes]) -> None:
    _pdf_renderers[key] = render


def render_pdf(*, template: str, context: dict[str, Any]) -> bytes:
    """PDF bytes from the registered renderer; RuntimeError when none is registered."""
    for render in list(_pdf_renderers.values()):
        return render(template=template, context=context)
    raise RuntimeError("No PDF renderer is registered (reviews fills portfolios.hooks).")


def on_demo_step(key: str, step: Callable[[Any], None]) -> None:
    _demo_steps[key] = step


def demo_steps() -> list[Callable[[Any], None]]:
    return list(_demo_steps.values())


def standard_panels(*, portfolio: Any, place: str) -> dict[int, SafeString]:
    """Every provider's HTML per standard id, joined in registration order."""
    joined: dict[int, str] = {}
    for provider in list(_standard_panels.values()):
        for standard_id, html in provider(portfolio=portfolio, place=place).items():
            joined[standard_id] = joined.get(standard_id, "") + html
    return {k: mark_safe(v) for k, v in joined.items()}  # noqa: S308 -- providers render templates


def portfolio_panels(*, portfolio: Any, place: str) -> SafeString:
    html = "".join(
        provider(portfolio=portfolio, place=place) for provider in list(_portfolio_panels.values())
    )
    return mark_safe(html)  # noqa: S308 -- providers render templates


def page_panels(*, portfolio: Any, user: Any) -> SafeString:
    html = "".join(
        provider(portfolio=portfolio, user=user) for provider in list(_page_panels.values())
    )
    return mark_safe(html)  # noqa: S308 -- providers render templates


def list_links(*, portfolios: list[Any], user: Any) -> dict[int, SafeString]:
    """Every provider's HTML per portfolio id, joined in registration order."""
    joined: dict[int, str] = {}
    for provider in list(_list_links.values()):
        for portfolio_id, html in provider(portfolios=portfolios, user=user).items():
            joined[portfolio_id] = joined.get(portfolio_id, "") + html
    return {k: mark_safe(v) for k, v in joined.items()}  # noqa: S308 -- providers render templates


def readiness_missing(*, portfolio: Any) -> list[Any]:
    missing: list[Any] = []
    for check in list(_readiness_checks.values()):
        missing.extend(check(portfolio=portfolio))
    return missing


def registered() -> dict[str, list[str]]:
    """What is registered (for tests and checks)."""
    return {
        "standard_panels": list(_standard_panels),
        "portfolio_panels": list(_portfolio_panels),
        "readiness_checks": list(_readiness_checks),
        "demo_steps": list(_demo_steps),
        "page_panels": list(_page_panels),
        "list_links": list(_list_links),
    }
