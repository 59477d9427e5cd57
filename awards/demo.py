"""Demo award for `manage.py seed_demo` (idempotent)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from network.demo import DemoNetwork
from portfolios.enums import Cycle, PortfolioState
from portfolios.models import Portfolio
from reviews.enums import DecisionOutcome
from reviews.models import Decision
from standards.models import Framework

from .enums import CertificateStatus
from .services import CertificateRenderError, award_issue_for_decision, certificate_render

# Days ago that Oak House's award was decided: well inside the award, before the interim review.
AWARDED_DAYS_AGO = 200


def seed_awards(demo: DemoNetwork) -> None:
    """Oak House holds a valid award with its certificate; adds its /verify/ URL to demo.notes.

    Demo data, so the awarded portfolio and the decision are made directly (the assessment
    itself is not replayed); the award and certificate come from the real services, and the
    certificate is rendered synchronously.
    """
    unit = demo.units["oak_house"]
    admin = demo.users["admin"]
    framework = Framework.objects.current()
    if framework is None:
        return
    portfolio = Portfolio.objects.filter(
        unit=unit, cycle=Cycle.INITIAL, state=PortfolioState.AWARDED
    ).first()
    decided_on = timezone.localdate() - dt.timedelta(days=AWARDED_DAYS_AGO)
    if portfolio is None:
        portfolio = Portfolio.objects.create(
            unit=unit,
            framework=framework,
            cycle=Cycle.INITIAL,
            state=PortfolioState.AWARDED,
            title="Oak House: initial award",
            created_by=demo.users["lead3"],
            closed_at=timezone.now() - dt.timedelta(days=AWARDED_DAYS_AGO),
        )
    decision = Decision.objects.filter(portfolio=portfolio, outcome=DecisionOutcome.AWARDED).first()
    if decision is None:
        decision = Decision.objects.create(
            portfolio=portfolio,
            outcome=DecisionOutcome.AWARDED,
            rationale="All ten standards are met; the community meeting is a particular strength.",
            decided_on=decided_on,
            decided_by=admin,
        )
    award = award_issue_for_decision(decision=decision, actor=admin)
    certificate = award.certificate
    if certificate.status != CertificateStatus.READY:
        try:
            # The row was made just above; render returns None only for a missing row.
            certificate = certificate_render(certificate_id=certificate.pk, notify=False)  # type: ignore[assignment]
        except CertificateRenderError as exc:
            demo.notes.append(f"The demo certificate could not be rendered yet: {exc}")
    demo.extra["oak_house_award"] = award
    demo.notes.append(
        f"Demo award verification URL: {settings.EE_SITE_URL}/verify/{certificate.verify_code}/"
    )
