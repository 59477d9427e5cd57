"""Registries that apps above standards fill from their AppConfig.ready() (docs/architecture.md).

standards never imports another app, yet the public standards page offers the wording of each
setting by its name, and opens in a signed-in member's own setting:

- "setting labels": ``labels()`` returns ``{setting_type: label}`` for every setting type
  (network: its SettingType choices).
- "reader's setting": ``setting(user)`` returns the setting type whose wording this signed-in
  user reads by default, or "" (network: the setting of the user's units when they share one).
"""

from collections.abc import Callable
from typing import Any

_labels: dict[str, Callable[[], dict[str, str]]] = {}
_reader_setting: dict[str, Callable[[Any], str]] = {}


def on_setting_labels(key: str, provider: Callable[[], dict[str, str]]) -> None:
    _labels[key] = provider


def on_reader_setting(key: str, provider: Callable[[Any], str]) -> None:
    _reader_setting[key] = provider


def setting_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for provider in _labels.values():
        labels.update(provider())
    return labels


def reader_setting(user: Any) -> str:
    """The first non-empty answer of the registered providers, or ""."""
    for provider in _reader_setting.values():
        setting = provider(user)
        if setting:
            return setting
    return ""
