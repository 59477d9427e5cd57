from django.conf import settings
from django.db import models

from ee_portal.lib.db import TimeStampedModel


class CalibrationExercise(TimeStampedModel):
    """A practice portfolio with the expert panel's reference ratings (issue 16).

    The portfolio is a complete, anonymised example: assessors rate it on the normal scoring
    page, and their practice scores never count in any real statistic (reviews/agreement.py
    leaves out every portfolio that has an exercise).
    """

    portfolio = models.OneToOneField(
        "portfolios.Portfolio", on_delete=models.CASCADE, related_name="calibration"
    )
    title = models.CharField(max_length=200)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ReferenceRating(TimeStampedModel):
    """The expert panel's rating and comment for one criterion of a practice portfolio."""

    exercise = models.ForeignKey(
        CalibrationExercise, on_delete=models.CASCADE, related_name="references"
    )
    criterion = models.ForeignKey("standards.Criterion", on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=32)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["criterion__standard__number", "criterion__order", "criterion__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "criterion"], name="reviews_one_reference_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.rating}"
