"""What the standards' models mean for the shared caches (ee_portal/lib/fragments.py)."""

from ee_portal.lib import fragments, pagecache

STANDARDS = "standards"  # frameworks, standards and criteria
MODELS = ("standards.Framework", "standards.Standard", "standards.Criterion")


def register() -> None:
    """Called from StandardsConfig.ready() in every process."""
    for label in MODELS:
        fragments.watch(label, lambda _instance: (STANDARDS,))
    pagecache.watch_public(*MODELS)
