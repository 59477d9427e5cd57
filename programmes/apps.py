from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    """A quality network's annual cycle on the award's engine (docs/programmes.md): peer-review
    visits and teams, the reviewer pool, action points, the coordinator's views. At the top of
    the import stack beside awards (programmes -> reviews -> portfolios -> network, standards);
    no app imports it."""

    name = "programmes"
    verbose_name = "Programmes"

    def ready(self):
        from . import hooks  # noqa: PLC0415 -- apps are loaded first

        hooks.register()
