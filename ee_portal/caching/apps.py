from django.apps import AppConfig


class CachingConfig(AppConfig):
    """The shared caches' one row in the database (CacheEpoch) and their per-request memo.

    The mechanism itself is ee_portal/lib/fragments.py and pagecache.py; each app tells them
    which of its models move which scopes from its own AppConfig.ready()."""

    name = "ee_portal.caching"
    label = "caching"
    verbose_name = "Page caches"

    def ready(self) -> None:
        from ee_portal.lib import fragments  # noqa: PLC0415 -- models are loaded now

        from . import checks  # noqa: F401, PLC0415 -- registers the system checks

        fragments.connect_request_signals()
