from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "network"

    def ready(self) -> None:
        from . import cache  # noqa: PLC0415 -- models are loaded now

        cache.register()
