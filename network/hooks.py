"""A registry that higher apps fill from their AppConfig.ready() (docs/architecture.md).

network never imports the apps above it. Where a unit's page must show something a higher app
owns (awards: the unit's awards and certificates), that app registers a function here, under a
key, so that registering twice replaces rather than doubles.

- "unit panels": ``panel(*, unit, user)`` returns html for a section of the unit's page, or "".
  The page is shown to the unit's members and CCQI admins and is not cached; the provider
  enforces its own visibility rules for what it shows (at most a query or two per page).
"""

from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString, mark_safe

UnitPanel = Callable[..., str]

_unit_panels: dict[str, UnitPanel] = {}


def on_unit_panel(key: str, provider: UnitPanel) -> None:
    _unit_panels[key] = provider


def unit_panels(*, unit: Any, user: Any) -> SafeString:
    html = "".join(provider(unit=unit, user=user) for provider in list(_unit_panels.values()))
    return mark_safe(html)  # noqa: S308 -- providers render templates


def registered() -> dict[str, list[str]]:
    """What is registered (for tests and checks)."""
    return {"unit_panels": list(_unit_panels)}
