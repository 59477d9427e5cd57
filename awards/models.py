"""Awards, their certificates and the reminder log.

Moved from reviews (issue 12) with their data: see awards/migrations. The index and
constraint names keep their reviews_ prefix, the names the database already has.
"""

import datetime as dt

from django.db import models
from django.utils import timezone

from ee_portal.lib.db import TimeStampedModel

from .enums import AwardStatus, CertificateStatus


def certificate_upload_to(instance: "Certificate", filename: str) -> str:
    return f"certificates/{instance.number}.pdf"


class Award(TimeStampedModel):
    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="awards")
    portfolio = models.ForeignKey(
        "portfolios.Portfolio", on_delete=models.PROTECT, related_name="awards"
    )
    decision = models.OneToOneField(
        "reviews.Decision", on_delete=models.PROTECT, related_name="award"
    )
    framework = models.ForeignKey("standards.Framework", on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField()
    interim_due = models.DateField()
    status = models.CharField(max_length=16, choices=AwardStatus.choices, default=AwardStatus.VALID)
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["status", "end_date"], name="reviews_award_current_idx")]

    def __str__(self) -> str:
        return f"EE Award – {self.unit} ({self.start_date:%Y})"

    def is_expired(self, today: dt.date | None = None) -> bool:
        return self.end_date < (today or timezone.localdate())


class Certificate(TimeStampedModel):
    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(max_length=32, unique=True)
    # Long and random, independent of the number: the public verification key.
    verify_code = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=16, choices=CertificateStatus.choices, default=CertificateStatus.PENDING
    )
    pdf = models.FileField(upload_to=certificate_upload_to, blank=True, max_length=300)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A retried task or double click can never make a second certificate.
            models.UniqueConstraint(fields=["award"], name="reviews_one_certificate_per_award"),
        ]

    def __str__(self) -> str:
        return self.number
