from django.conf import settings
from django.db import models

from ee_portal.lib.db import TimeStampedModel
from reviews.enums import DecisionOutcome, ReportKind, ReportStatus, VisitMode


def report_upload_to(instance: "Report", filename: str) -> str:
    return f"reports/{instance.portfolio_id}/{instance.kind}-{instance.pk}.pdf"


class Report(TimeStampedModel):
    """Interim (desk) report, visit record, summary or feedback report, and its PDF."""

    portfolio = models.ForeignKey(
        "portfolios.Portfolio", on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(max_length=16, choices=ReportKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    strengths = models.TextField(blank=True)
    areas_for_development = models.TextField(blank=True)
    action_points = models.TextField(blank=True)
    visit_date = models.DateField(null=True, blank=True)
    visit_mode = models.CharField(max_length=16, choices=VisitMode.choices, blank=True)
    people_met = models.TextField(blank=True)
    findings = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    pdf = models.FileField(upload_to=report_upload_to, blank=True, max_length=300)
    task_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["portfolio", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "kind"], name="reviews_one_report_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.portfolio}"


class Decision(TimeStampedModel):
    """The panel's outcome for a portfolio. A deferred portfolio may later get a second one."""

    portfolio = models.ForeignKey(
        "portfolios.Portfolio", on_delete=models.CASCADE, related_name="decisions"
    )
    outcome = models.CharField(max_length=16, choices=DecisionOutcome.choices)
    rationale = models.TextField()
    conditions = models.TextField(blank=True)
    conditions_due = models.DateField(null=True, blank=True)
    decided_on = models.DateField()
    # The framework's decision rule applied to the agreed ratings when the decision was made
    # (standards.decision): {"passed": bool, "clauses": [{"label", "met", "total", "passed"}]}.
    rule_result = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} – {self.portfolio}"
