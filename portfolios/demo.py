"""Demo portfolios for `manage.py seed_demo` (idempotent)."""

from network.demo import DemoNetwork


def seed_portfolios(demo: DemoNetwork) -> None:
    """Demo Ward: a draft about half complete; Riverside Hostel: complete and submitted."""
