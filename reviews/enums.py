from django.db import models

from portfolios.enums import PortfolioState

__all__ = [
    "PortfolioState",
    "AssignmentState",
    "ReportKind",
    "ReportStatus",
    "VisitMode",
    "DecisionOutcome",
    "AwardStatus",
    "CertificateStatus",
    "TRANSITIONS",
]


class AssignmentState(models.TextChoices):
    AWAITING_DECLARATION = "awaiting_declaration", "Waiting for conflict declaration"
    SCORING = "scoring", "Scoring"
    SUBMITTED = "submitted", "Scores submitted"
    CONFLICT = "conflict", "Conflict declared"
    WITHDRAWN = "withdrawn", "Withdrawn"


ACTIVE_ASSIGNMENT_STATES = frozenset({AssignmentState.SCORING, AssignmentState.SUBMITTED})


class ReportKind(models.TextChoices):
    INTERIM = "interim", "Interim (desk) report"
    VISIT = "visit", "Visit record"
    SUMMARY = "summary", "Summary report"
    FEEDBACK = "feedback", "Feedback report"


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


class AwardStatus(models.TextChoices):
    """Stored status. "Expired" and "suspended by lapsed membership" are derived on read."""

    VALID = "valid", "Valid"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"


class CertificateStatus(models.TextChoices):
    PENDING = "pending", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


# The award cycle (DESIGN.md): from-state -> allowed to-states.
S = PortfolioState
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.IN_REVIEW, S.WITHDRAWN}),
    S.IN_REVIEW: frozenset({S.MORE_EVIDENCE, S.INTERIM_REPORT, S.WITHDRAWN}),
    S.MORE_EVIDENCE: frozenset({S.RESUBMITTED, S.WITHDRAWN}),
    S.RESUBMITTED: frozenset({S.IN_REVIEW, S.MORE_EVIDENCE, S.INTERIM_REPORT, S.WITHDRAWN}),
    S.INTERIM_REPORT: frozenset({S.VISIT, S.MORE_EVIDENCE, S.WITHDRAWN}),
    S.VISIT: frozenset({S.PANEL, S.WITHDRAWN}),
    S.PANEL: frozenset({S.AWARDED, S.DEFERRED, S.NOT_AWARDED}),
    S.DEFERRED: frozenset({S.RESUBMITTED, S.NOT_AWARDED, S.WITHDRAWN}),
    S.AWARDED: frozenset(),
    S.NOT_AWARDED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
del S
