from django.conf import settings
from django.db import models

from ee_portal.lib.db import TimeStampedModel


class PeerVisit(TimeStampedModel):
    """The peer-review visit of one annual cycle. The team is the portfolio's assignments
    (reviews.Assignment): the lead reviewer from CCQI and the peer reviewers."""

    portfolio = models.OneToOneField(
        "portfolios.Portfolio", on_delete=models.CASCADE, related_name="peer_visit"
    )
    visit_date = models.DateField()
    year = models.PositiveSmallIntegerField()
    arranged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["visit_date", "id"]
        indexes = [models.Index(fields=["visit_date"], name="programmes_visit_date_idx")]

    def __str__(self) -> str:
        return f"Peer-review visit to {self.portfolio.unit} on {self.visit_date}"


class ActionPoint(TimeStampedModel):
    """One action point of a community's annual report, with who does it and by when."""

    portfolio = models.ForeignKey(
        "portfolios.Portfolio", on_delete=models.CASCADE, related_name="action_points"
    )
    criterion = models.ForeignKey(
        "standards.Criterion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("action")
    owner = models.CharField("who will do it", max_length=120)
    due_date = models.DateField("by when")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return f"{self.text[:60]} ({self.owner}, {self.due_date})"


def national_report_upload_to(instance: "NationalReport", filename: str) -> str:
    return f"national-reports/{instance.programme}-{instance.year}.pdf"


class NationalReport(TimeStampedModel):
    """The national report PDF of one cycle year, rendered by a Celery task."""

    programme = models.SlugField(max_length=32, default="cofc")
    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, default="rendering")
    pdf = models.FileField(upload_to=national_report_upload_to, blank=True, max_length=300)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year"], name="programmes_one_national_report_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"National report {self.programme} {self.year}"
