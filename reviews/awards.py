"""Awards and certificates: services and selectors (the award side of the reviews app)."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction

from .models import Award, Certificate, Decision

# 32 random bytes as URL-safe text: unguessable, unrelated to the certificate number.
VERIFY_CODE_BYTES = 32


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def certificate_number_for(award: Award) -> str:
    return f"EE-{award.start_date:%Y}-{award.pk:05d}"


@transaction.atomic
def award_issue_for_decision(*, decision: Decision, actor) -> Award:
    """Create the Award and its Certificate row for an "awarded" decision (idempotent).

    The hook the decision workflow calls inside its transaction. A second call for the same
    decision returns the existing award (the decision is one-to-one with its award).
    """
    existing = Award.objects.filter(decision=decision).select_related("certificate").first()
    if existing is not None:
        return existing
    years = settings.EE_AWARD_YEARS
    start = decision.decided_on
    end = _add_years(start, years) - dt.timedelta(days=1)
    award = Award(
        unit=decision.portfolio.unit,
        portfolio=decision.portfolio,
        decision=decision,
        framework=decision.portfolio.framework,
        start_date=start,
        end_date=end,
        interim_due=start + (end - start) / 2,
    )
    award.full_clean()
    try:
        with transaction.atomic():
            award.save()
    except IntegrityError:
        return Award.objects.get(decision=decision)
    Certificate.objects.create(
        award=award,
        number=certificate_number_for(award),
        verify_code=secrets.token_urlsafe(VERIFY_CODE_BYTES),
    )
    return award
