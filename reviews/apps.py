from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        from . import cache  # noqa: PLC0415 -- models are loaded now

        cache.register()
