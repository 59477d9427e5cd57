from django.db import models
from django.utils.translation import gettext_lazy as _


class Cycle(models.TextChoices):
    INITIAL = "initial", _("Initial award")
    INTERIM = "interim", _("Interim review")
    RENEWAL = "renewal", _("Renewal")
    # A quality network's yearly cycle (Community of Communities): the community rates itself
    # on the network's framework, peer reviewers rate it, a report follows (docs/programmes.md).
    ANNUAL = "annual", _("Annual self-review")


class PortfolioState(models.TextChoices):
    """The award cycle (DESIGN.md). The one enum for every state a portfolio passes through."""

    DRAFT = "draft", _("Being built")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    MORE_EVIDENCE = "more_evidence", _("More evidence requested")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    INTERIM_REPORT = "interim_report", _("Interim report")
    VISIT = "visit", _("Visit")
    PANEL = "panel", _("With the panel")
    AWARDED = "awarded", _("Awarded")
    DEFERRED = "deferred", _("Deferred")
    NOT_AWARDED = "not_awarded", _("Not awarded")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # The annual cycle's end for members without an accreditation decision.
    COMPLETED = "completed", _("Cycle complete")


# The unit may edit narratives and evidence only in these states (and in MORE_EVIDENCE only
# for the reopened criteria).
EDITABLE_STATES = frozenset(
    {PortfolioState.DRAFT, PortfolioState.MORE_EVIDENCE, PortfolioState.DEFERRED}
)
CLOSED_STATES = frozenset(
    {
        PortfolioState.AWARDED,
        PortfolioState.NOT_AWARDED,
        PortfolioState.WITHDRAWN,
        PortfolioState.COMPLETED,
    }
)
OPEN_STATES = frozenset(set(PortfolioState) - CLOSED_STATES)
# States in which assessors are at work on a portfolio.
REVIEW_STATES = frozenset(
    {
        PortfolioState.SUBMITTED,
        PortfolioState.IN_REVIEW,
        PortfolioState.RESUBMITTED,
        PortfolioState.INTERIM_REPORT,
        PortfolioState.VISIT,
        PortfolioState.PANEL,
    }
)


# About 3,000 words: room for a full account, but a bound on what one request can store.
NARRATIVE_MAX_CHARS = 20_000


class SelfRating(models.TextChoices):
    """The unit's own view of how well it meets a criterion today; the assessors rate it
    separately. "not_started" is the default nobody chose, so it reads "Not rated yet"."""

    NOT_STARTED = "not_started", _("Not rated yet")
    WORKING_TOWARDS = "working_towards", _("Working towards")
    MET = "met", _("Met")
    # The annual self-review rates on the framework's own scale (met / partly met / not met).
    PARTLY_MET = "partly_met", _("Partly met")
    NOT_MET = "not_met", _("Not met")


# What the EE builder offers; an annual self-review offers "not rated yet" and the framework's
# rating scale instead (portfolios.forms.NarrativeForm).
EE_SELF_RATINGS = (SelfRating.NOT_STARTED, SelfRating.WORKING_TOWARDS, SelfRating.MET)
ANNUAL_SELF_RATINGS = (
    SelfRating.NOT_STARTED,
    SelfRating.MET,
    SelfRating.PARTLY_MET,
    SelfRating.NOT_MET,
)


class EvidenceKind(models.TextChoices):
    FILE = "file", _("File")
    TEXT = "text", _("Text")


class EvidenceType(models.TextChoices):
    DOCUMENT = "document", _("Document")
    PHOTO = "photo", _("Photo")
    MINUTES = "minutes", _("Minutes")
    FEEDBACK = "feedback", _("Feedback")
    POLICY = "policy", _("Policy")
    OTHER = "other", _("Other")


class PrintStatus(models.TextChoices):
    RENDERING = "rendering", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


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
    S.COMPLETED: frozenset(),
}
# The annual cycle (Cycle.ANNUAL): self-review (draft) -> submitted -> peer review (in_review)
# -> completed once the annual report is released, or -> panel (the accreditation committee)
# -> accredited (awarded) / deferred / not accredited.
ANNUAL_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.IN_REVIEW, S.COMPLETED, S.PANEL, S.WITHDRAWN}),
    S.IN_REVIEW: frozenset({S.COMPLETED, S.PANEL, S.WITHDRAWN}),
    S.PANEL: frozenset({S.AWARDED, S.DEFERRED, S.NOT_AWARDED}),
    S.DEFERRED: frozenset({S.PANEL, S.NOT_AWARDED, S.WITHDRAWN}),
    S.AWARDED: frozenset(),
    S.NOT_AWARDED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.COMPLETED: frozenset(),
}
del S


def self_ratings_for(cycle: str) -> tuple[SelfRating, ...]:
    return ANNUAL_SELF_RATINGS if cycle == Cycle.ANNUAL else EE_SELF_RATINGS


def transitions_for(cycle: str) -> dict[str, frozenset[str]]:
    """The state graph of a cycle kind: the programme decides which steps a cycle has."""
    return ANNUAL_TRANSITIONS if cycle == Cycle.ANNUAL else TRANSITIONS
