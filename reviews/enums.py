from django.db import models
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from portfolios.enums import TRANSITIONS, PortfolioState

__all__ = [
    "PortfolioState",
    "AssignmentState",
    "ReportKind",
    "ReportStatus",
    "VisitMode",
    "DecisionOutcome",
    "TRANSITIONS",
]


class AssignmentState(models.TextChoices):
    AWAITING_DECLARATION = "awaiting_declaration", gettext_lazy("Waiting for conflict declaration")
    SCORING = "scoring", gettext_lazy("Scoring")
    SUBMITTED = "submitted", gettext_lazy("Scores submitted")
    CONFLICT = "conflict", gettext_lazy("Conflict declared")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")


ACTIVE_ASSIGNMENT_STATES = frozenset({AssignmentState.SCORING, AssignmentState.SUBMITTED})


# A score comment is a few sentences; the bound keeps one request from storing megabytes.
COMMENT_MAX_CHARS = 5_000


class ReportKind(models.TextChoices):
    INTERIM = "interim", gettext_lazy("Interim (desk) report")
    VISIT = "visit", gettext_lazy("Visit record")
    SUMMARY = "summary", gettext_lazy("Summary report")
    FEEDBACK = "feedback", gettext_lazy("Feedback report")
    # The annual cycle's report: self vs peer ratings, achievements, action points.
    ANNUAL = "annual", _("Annual report")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    RENDERING = "rendering", gettext_lazy("Preparing PDF")
    READY = "ready", gettext_lazy("PDF ready")
    FAILED = "failed", gettext_lazy("PDF failed")


class VisitMode(models.TextChoices):
    IN_PERSON = "in_person", gettext_lazy("In person")
    VIRTUAL = "virtual", gettext_lazy("Virtual")


class DecisionOutcome(models.TextChoices):
    AWARDED = "awarded", gettext_lazy("Awarded")
    DEFERRED = "deferred", gettext_lazy("Deferred")
    NOT_AWARDED = "not_awarded", gettext_lazy("Not awarded")
