"""Demo assignments and scores for `manage.py seed_demo` (idempotent)."""

from network.demo import DemoNetwork


def seed_reviews(demo: DemoNetwork) -> None:
    """Riverside's submitted portfolio: assessor@ (no declaration yet), assessor2@ (half scored)."""
