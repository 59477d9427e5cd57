"""Demo award for `manage.py seed_demo` (idempotent)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from network.demo import DemoNetwork
from network.models import User
from portfolios.enums import Cycle, PortfolioState
from portfolios.models import Portfolio
from reviews.enums import DecisionOutcome
from reviews.models import AgreedScore, Decision
from standards.models import Criterion, Framework

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
    _seed_agreed_scores(portfolio, agreed_by=admin)
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


# The agreed rating of every criterion, so "Prepare the feedback report" works on the demo
# award (issue 17). The first value of the scale is its best ("Met" in the sample standards).
DEMO_AGREED_COMMENT = (
    "A clear account, backed by minutes and members' own words. A strength of the community."
)


def _seed_agreed_scores(portfolio: Portfolio, *, agreed_by: User) -> None:
    choices = portfolio.framework.rating_choices
    if not choices:
        return
    # One by one (about 40 rows, once): saves move the cache versions bulk_create would not.
    for criterion in Criterion.objects.filter(standard__framework_id=portfolio.framework_id):
        AgreedScore.objects.get_or_create(
            portfolio=portfolio,
            criterion=criterion,
            defaults={
                "rating": choices[0][0],
                "comment": DEMO_AGREED_COMMENT,
                "agreed_by": agreed_by,
            },
        )
