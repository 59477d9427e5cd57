from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "questionnaires"

    def ready(self) -> None:
        from . import cache, hooks, rules  # noqa: F401, PLC0415 -- models are loaded now

        cache.register()
        hooks.register()
