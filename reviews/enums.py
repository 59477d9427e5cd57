from django.db import models
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
    AWAITING_DECLARATION = "awaiting_declaration", "Waiting for conflict declaration"
    SCORING = "scoring", "Scoring"
    SUBMITTED = "submitted", "Scores submitted"
    CONFLICT = "conflict", "Conflict declared"
    WITHDRAWN = "withdrawn", "Withdrawn"


ACTIVE_ASSIGNMENT_STATES = frozenset({AssignmentState.SCORING, AssignmentState.SUBMITTED})


# A score comment is a few sentences; the bound keeps one request from storing megabytes.
COMMENT_MAX_CHARS = 5_000


class ReportKind(models.TextChoices):
    INTERIM = "interim", "Interim (desk) report"
    VISIT = "visit", "Visit record"
    SUMMARY = "summary", "Summary report"
    FEEDBACK = "feedback", "Feedback report"
    # The annual cycle's report: self vs peer ratings, achievements, action points.
    ANNUAL = "annual", _("Annual report")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RENDERING = "rendering", "Preparing PDF"
    READY = "ready", "PDF ready"
    FAILED = "failed", "PDF failed"


class VisitMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIRTUAL = "virtual", "Virtual"


class DecisionOutcome(models.TextChoices):
    AWARDED = "awarded", "Awarded"
    DEFERRED = "deferred", "Deferred"
    NOT_AWARDED = "not_awarded", "Not awarded"
