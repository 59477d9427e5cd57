from django.db import models

__all__ = ["AwardStatus", "CertificateStatus", "LiveStatus"]


class AwardStatus(models.TextChoices):
    """Stored status. "Expired" and "suspended by lapsed membership" are derived on read."""

    VALID = "valid", "Valid"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"


class CertificateStatus(models.TextChoices):
    PENDING = "pending", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class LiveStatus(models.TextChoices):
    """What the public sees: the stored status, expiry and the unit's membership together."""

    VALID = "valid", "Valid"
    EXPIRED = "expired", "Expired"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"
