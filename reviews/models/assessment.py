from django.conf import settings
from django.db import models
from django.db.models import Q

from ee_portal.lib.db import TimeStampedModel
from reviews.enums import AssignmentState


class Assignment(TimeStampedModel):
    """One assessor's work on one portfolio."""

    portfolio = models.ForeignKey(
        "portfolios.Portfolio", on_delete=models.CASCADE, related_name="assignments"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_lead = models.BooleanField("lead assessor", default=False)
    due_date = models.DateField()
    state = models.CharField(
        max_length=24,
        choices=AssignmentState.choices,
        default=AssignmentState.AWAITING_DECLARATION,
        db_index=True,
    )
    declared_at = models.DateTimeField(null=True, blank=True)
    conflict_reason = models.TextField(blank=True)
    scores_submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "assessor"],
                condition=~Q(state__in=["conflict", "withdrawn"]),
                name="reviews_one_live_assignment_per_assessor",
            ),
            models.UniqueConstraint(
                fields=["portfolio"],
                condition=Q(is_lead=True) & ~Q(state__in=["conflict", "withdrawn"]),
                name="reviews_one_lead_per_portfolio",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessor} on {self.portfolio}"


class CriterionScore(TimeStampedModel):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        "standards.Criterion", on_delete=models.PROTECT, related_name="scores"
    )
    rating = models.CharField(max_length=32, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["criterion__standard__number", "criterion__order", "criterion__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "criterion"], name="reviews_one_score_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.rating or '—'}"


class AgreedScore(TimeStampedModel):
    """The consolidated rating for one criterion, agreed by the lead assessor or an admin."""

    portfolio = models.ForeignKey(
        "portfolios.Portfolio", on_delete=models.CASCADE, related_name="agreed_scores"
    )
    criterion = models.ForeignKey("standards.Criterion", on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=32)
    comment = models.TextField(blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "criterion"], name="reviews_one_agreed_score_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.rating}"


class EvidenceRequest(TimeStampedModel):
    """A request for more evidence on named criteria; only those reopen."""

    portfolio = models.ForeignKey(
        "portfolios.Portfolio", on_delete=models.CASCADE, related_name="evidence_requests"
    )
    criteria = models.ManyToManyField("standards.Criterion", related_name="+")
    message = models.TextField()
    due_date = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_revision = models.PositiveIntegerField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"More evidence for {self.portfolio} by {self.due_date}"
