import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from ee_portal.lib.db import TimeStampedModel

if TYPE_CHECKING:
    from standards.models import Criterion

from .enums import (
    CLOSED_STATES,
    Cycle,
    EvidenceKind,
    EvidenceType,
    PortfolioState,
    PrintStatus,
    SelfRating,
)


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # Generated key: the original name is kept only as display metadata.
    return f"evidence/{instance.portfolio_id}/{uuid.uuid4().hex}"


class Portfolio(TimeStampedModel):
    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="portfolios")
    framework = models.ForeignKey(
        "standards.Framework", on_delete=models.PROTECT, related_name="portfolios"
    )
    cycle = models.CharField(max_length=16, choices=Cycle.choices, default=Cycle.INITIAL)
    state = models.CharField(
        max_length=20, choices=PortfolioState.choices, default=PortfolioState.DRAFT, db_index=True
    )
    title = models.CharField(max_length=200, blank=True)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=gettext_lazy(
            "The portfolio with the award. A renewal or interim review starts from it."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The network year of an annual self-review (Cycle.ANNUAL); empty for the EE Award.
    cycle_year = models.PositiveSmallIntegerField(null=True, blank=True)

    # Per-request cache of portfolios.rules.reopened_criterion_ids (declared for mypy only).
    _ee_reopened_ids: set[int]

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "cycle"],
                condition=~Q(state__in=sorted(s.value for s in CLOSED_STATES)),
                name="portfolios_one_open_per_unit_cycle",
            )
        ]

    def __str__(self) -> str:
        return self.title or f"{self.unit} – {self.get_cycle_display()}"

    def get_absolute_url(self) -> str:
        return reverse("portfolios:detail", kwargs={"pk": self.pk})


class CriterionResponse(TimeStampedModel):
    """The unit's narrative and self-rating for one criterion."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="responses")
    criterion = models.ForeignKey(
        "standards.Criterion", on_delete=models.PROTECT, related_name="responses"
    )
    narrative = models.TextField(blank=True)
    self_rating = models.CharField(
        max_length=20, choices=SelfRating.choices, default=SelfRating.NOT_STARTED
    )
    # Optimistic concurrency: a save names the version it was based on.
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when an assessor asks for more evidence on this criterion.
    reopened = models.BooleanField(default=False)

    class Meta:
        ordering = ["criterion__standard__number", "criterion__order", "criterion__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "criterion"], name="portfolios_one_response_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.portfolio} – {self.criterion.code}"


class Evidence(TimeStampedModel):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=8, choices=EvidenceKind.choices, default=EvidenceKind.FILE)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    evidence_type = models.CharField(
        max_length=16, choices=EvidenceType.choices, default=EvidenceType.DOCUMENT
    )
    file = models.FileField(upload_to=evidence_upload_to, max_length=300, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    text = models.TextField(
        blank=True, help_text=gettext_lazy("For text evidence: a quote or testimonial.")
    )
    # None means "not declared yet": submission needs both declarations.
    contains_identifiable = models.BooleanField(null=True, blank=True)
    consent_recorded = models.BooleanField(null=True, blank=True)
    # Secure settings (issue 15): a photo is linked only once declared free of any resident
    # who could be recognised (face, tattoo, name, cell number). None: not declared.
    free_of_residents = models.BooleanField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    carried_over_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_purged_at = models.DateTimeField(null=True, blank=True)
    # Accepted by the lead from a resident's anonymous contribution (no account behind it).
    contributed_by_resident = models.BooleanField(default=False)
    criteria: "models.ManyToManyField[Criterion, EvidenceLink]" = models.ManyToManyField(
        "standards.Criterion", through="EvidenceLink", related_name="evidence", blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=EvidenceKind.TEXT) | ~Q(file=""),
                name="portfolios_file_evidence_has_file",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_photo(self) -> bool:
        return self.kind == EvidenceKind.FILE and self.content_type.startswith("image/")

    @property
    def declarations_complete(self) -> bool:
        if self.contains_identifiable is None:
            return False
        return not self.contains_identifiable or bool(self.consent_recorded)


class EvidenceLink(models.Model):
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="links")
    criterion = models.ForeignKey(
        "standards.Criterion", on_delete=models.PROTECT, related_name="evidence_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "criterion"], name="portfolios_one_link_per_evidence_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evidence} → {self.criterion.code}"


class PortfolioRevision(models.Model):
    """A frozen copy of every narrative and evidence link, taken at each (re)submission."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {"criteria": {"1.1": {"narrative", "self_rating", "evidence": [[id, title, sha256]]}}}
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["portfolio", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "number"], name="portfolios_revision_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.portfolio} revision {self.number}"


class PortfolioEvent(models.Model):
    """One append-only row per state transition of a portfolio (the award cycle's history)."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_state = models.CharField(max_length=20, choices=PortfolioState.choices)
    to_state = models.CharField(max_length=20, choices=PortfolioState.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.portfolio}: {self.from_state} → {self.to_state}"


def print_upload_to(instance: "PortfolioPrint", filename: str) -> str:
    return f"portfolio-prints/{instance.portfolio_id}/{uuid.uuid4().hex}.pdf"


class PortfolioPrint(TimeStampedModel):
    """The whole portfolio as one PDF (issue 15), made by a Celery task; one per portfolio,
    made again on request. Private: served only by a permission-checked view."""

    portfolio = models.OneToOneField(Portfolio, on_delete=models.CASCADE, related_name="print")
    status = models.CharField(
        max_length=12, choices=PrintStatus.choices, default=PrintStatus.RENDERING
    )
    # How far the task has got (0-100), for the progress bar.
    progress = models.PositiveSmallIntegerField(default=0)
    pdf = models.FileField(upload_to=print_upload_to, max_length=300, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="portfolios_print_progress_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return f"PDF of {self.portfolio}"
