from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self):
        # Issue 8: the page caches (ee_portal/lib/pagecache.py) are invalidated when data is
        # saved, deleted or written in any other way, in every process.
        from ee_portal.lib import pagecache  # noqa: PLC0415 -- models must be loaded first

        pagecache.connect_signals()
