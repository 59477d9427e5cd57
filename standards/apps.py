from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "standards"

    def ready(self) -> None:
        from . import cache  # noqa: PLC0415 -- models are loaded now

        cache.register()
