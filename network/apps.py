from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "network"

    def ready(self) -> None:
        from standards import hooks as standards_hooks  # noqa: PLC0415 -- apps are loaded now

        from . import cache, selectors  # noqa: PLC0415 -- models are loaded now
        from .enums import SettingType  # noqa: PLC0415 -- beside the modules above

        cache.register()
        standards_hooks.on_setting_labels(
            "network", lambda: {value: str(label) for value, label in SettingType.choices}
        )
        standards_hooks.on_reader_setting(
            "network", lambda user: selectors.reader_setting_type(user=user)
        )
