from django.db import models
from django.utils.translation import gettext_lazy

__all__ = ["AwardStatus", "CertificateStatus", "LiveStatus"]


class AwardStatus(models.TextChoices):
    """Stored status. "Expired" and "suspended by lapsed membership" are derived on read."""

    VALID = "valid", gettext_lazy("Valid")
    SUSPENDED = "suspended", gettext_lazy("Suspended")
    REVOKED = "revoked", gettext_lazy("Revoked")


class CertificateStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Being prepared")
    READY = "ready", gettext_lazy("Ready")
    FAILED = "failed", gettext_lazy("Failed")


class LiveStatus(models.TextChoices):
    """What the public sees: the stored status, expiry and the unit's membership together."""

    VALID = "valid", gettext_lazy("Valid")
    EXPIRED = "expired", gettext_lazy("Expired")
    SUSPENDED = "suspended", gettext_lazy("Suspended")
    REVOKED = "revoked", gettext_lazy("Revoked")
