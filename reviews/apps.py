from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self):
        # Issue 8: the page caches (ee_portal/lib/pagecache.py) are invalidated when data is
        # saved, deleted or written in any other way, in every process.
        # The shared fragment caches of signed-in pages likewise (ee_portal/lib/fragments.py).
        from ee_portal.lib import fragments, pagecache  # noqa: PLC0415 -- models loaded first

        pagecache.connect_signals()
        fragments.connect_signals()
