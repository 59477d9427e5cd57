"""Demo award for `manage.py seed_demo` (idempotent)."""

from network.demo import DemoNetwork


def seed_awards(demo: DemoNetwork) -> None:
    """Oak House holds a valid award with its certificate; adds its /verify/ URL to demo.notes."""
