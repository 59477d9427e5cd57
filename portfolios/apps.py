from django.apps import AppConfig


class PortfoliosConfig(AppConfig):
    name = "portfolios"

    def ready(self) -> None:
        from . import cache  # noqa: PLC0415 -- models are loaded now

        cache.register()
