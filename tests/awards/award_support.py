"""Shared builders for the award tests (not a test module)."""

import datetime as dt
import secrets
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from awards.enums import AwardStatus
from network.enums import MembershipStatus
from tests import factories


def make_award(
    *,
    unit=None,
    framework=None,
    start: dt.date | None = None,
    days: int = 3 * 365,
    status: str = AwardStatus.VALID,
    reason: str = "",
    membership: str | None = MembershipStatus.ACTIVE,
    certificate: bool = True,
):
    """An award for ``unit`` (a new unit by default) with an EE membership and a certificate."""
    unit = unit or factories.UnitFactory()
    start = start or timezone.localdate() - dt.timedelta(days=10)
    if membership is not None:
        factories.MembershipFactory(unit=unit, status=membership)
    portfolio_kwargs = {"unit": unit}
    if framework is not None:
        portfolio_kwargs["framework"] = framework
    decision = factories.DecisionFactory(
        portfolio=factories.PortfolioFactory(state="awarded", **portfolio_kwargs), decided_on=start
    )
    award = factories.AwardFactory(
        decision=decision,
        start_date=start,
        end_date=start + dt.timedelta(days=days),
        interim_due=start + dt.timedelta(days=days // 2),
        status=status,
        status_reason=reason,
    )
    if certificate:
        factories.CertificateFactory(award=award, verify_code=secrets.token_urlsafe(32))
    return award


def storage_root() -> Path:
    """The private folder tests/conftest.py gives default storage for this test."""
    return Path(settings.STORAGES["default"]["OPTIONS"]["location"])


def upscaled(image, factor: int = 8):
    """The certificate's QR image (one pixel per module) enlarged as a viewer draws it."""
    return image.convert("L").resize((image.width * factor, image.height * factor), 0)
