from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from awards.demo import seed_awards, seed_fellside_award, seed_welsh_award
from network.demo import DEMO_PASSWORD, seed_network
from portfolios import hooks as portfolio_hooks
from portfolios.demo import seed_portfolios
from reviews.demo import seed_agreement, seed_reviews
from standards.models import Framework
from standards.services import framework_import

SAMPLE_STANDARDS = settings.BASE_DIR / "fixtures" / "standards" / "ee-sample.yaml"


class Command(BaseCommand):
    # In awards, the top app, because it seeds every app (network, portfolios, reviews, awards).
    help = "Create demo accounts and data (idempotent). For local demos only, never production."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run even though DJANGO_DEBUG is off (e.g. a staging demo). Never in production.",
        )

    def handle(self, *args, allow_without_debug: bool, **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "seed_demo creates accounts with a published password, so it only runs with "
                "DJANGO_DEBUG=1 (or --allow-without-debug on a throw-away demo server)."
            )
        # The demo's own notification emails (assignments, certificates) are not sent anywhere.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            transaction.atomic(),
        ):
            if Framework.objects.current() is None:
                framework = framework_import(
                    text=SAMPLE_STANDARDS.read_text(encoding="utf-8"), publish=True
                )
                self.stdout.write(f"Loaded the sample standards ({framework.code}).")
            demo = seed_network()
            seed_portfolios(demo)
            seed_reviews(demo)
            seed_agreement(demo)
            seed_awards(demo)
            seed_welsh_award(demo)
            seed_fellside_award(demo)
            # Apps above portfolios that awards does not import (questionnaires) seed here.
            for step in portfolio_hooks.demo_steps():
                step(demo)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /accounts/login/ with:"))
        for key in ("admin", "lead", "contributor", "assessor", "assessor2", "reviewer", "cymraeg"):
            user = demo.users.get(key)
            if user is None:  # a step registered by a higher app adds it (programmes)
                continue
            self.stdout.write(f"  {user.email:<26} password: {DEMO_PASSWORD}")
        for note in demo.notes:
            self.stdout.write(note)
