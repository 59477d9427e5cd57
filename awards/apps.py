from django.apps import AppConfig


class AwardsConfig(AppConfig):
    """Awards and certificates: the top of the import stack (awards -> reviews -> portfolios)."""

    name = "awards"
    verbose_name = "Awards"

    def ready(self):
        # reviews never imports awards: it offers a "decision recorded" hook that awards fills
        # here (docs/architecture.md). An "awarded" decision issues its award and certificate
        # inside the decision's transaction.
        from ee_portal.lib import pagecache  # noqa: PLC0415 -- apps are loaded first
        from reviews import hooks  # noqa: PLC0415

        from . import hooks as award_hooks  # noqa: PLC0415
        from . import services  # noqa: PLC0415

        hooks.on_decision_recorded("awards.issue", services.award_on_decision_recorded)
        # The award on the awarded portfolio's builder, the portfolio list and the unit's page
        # (portfolios/hooks.py, network/hooks.py).
        award_hooks.register()
        # Awards and certificates show on the public register and verification pages.
        pagecache.watch_public("awards.Award", "awards.Certificate")
