"""Questionnaire sets (data, like standards), rounds per portfolio, anonymous responses and
residents' contributions.

Anonymity is structural: Response and Answer hold no user, no address, no browser and no
time of day (only the date); Contribution the same until the lead accepts it.
"""

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ee_portal.lib.db import TimeStampedModel

from .enums import (
    AnswerType,
    Audience,
    ContributionKind,
    DocumentKind,
    DocumentStatus,
    QuestionnaireStatus,
    ResponseSource,
)

DEFAULT_MIN_RESPONSES = 5


class QuestionnaireLockedError(ValidationError):
    pass


LOCKED_MESSAGE = _(
    "This questionnaire set is published and cannot be changed. Import a new version."
)


class QuestionnaireSet(TimeStampedModel):
    """A versioned set of questionnaires for one framework. Immutable once published."""

    framework = models.ForeignKey(
        "standards.Framework", on_delete=models.PROTECT, related_name="questionnaire_sets"
    )
    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    description = models.TextField(blank=True)
    sample = models.BooleanField(default=False, help_text=_("Sample wording, not official."))
    status = models.CharField(
        max_length=16, choices=QuestionnaireStatus.choices, default=QuestionnaireStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    audiences = models.JSONField(default=list)  # Audience values, in the order offered
    # The anonymity threshold: no result for a group with fewer responses.
    min_responses = models.PositiveSmallIntegerField(default=DEFAULT_MIN_RESPONSES)
    # A closed round per audience with min_responses is needed before a portfolio is submitted.
    required_for_submission = models.BooleanField(default=True)

    _allow_status_change: bool

    class Meta:
        ordering = ["-published_at", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_responses__gte=1), name="questionnaires_min_responses_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and not getattr(self, "_allow_status_change", False):
            stored = QuestionnaireSet.objects.filter(pk=self.pk).values("status").first()
            if stored and stored["status"] != QuestionnaireStatus.DRAFT:
                raise QuestionnaireLockedError(LOCKED_MESSAGE)
        super().save(*args, **kwargs)

    @property
    def is_editable(self) -> bool:
        return self.status == QuestionnaireStatus.DRAFT


class Item(models.Model):
    questionnaire = models.ForeignKey(
        QuestionnaireSet, on_delete=models.CASCADE, related_name="items"
    )
    audience = models.CharField(max_length=16, choices=Audience.choices)
    number = models.PositiveSmallIntegerField()
    standard = models.ForeignKey(
        "standards.Standard", on_delete=models.PROTECT, related_name="questionnaire_items"
    )
    criterion = models.ForeignKey(
        "standards.Criterion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questionnaire_items",
    )
    answer_type = models.CharField(max_length=8, choices=AnswerType.choices)
    text = models.CharField(max_length=300)
    easy_read = models.CharField(max_length=300)
    # Per-setting wording, e.g. {"prison_probation": "... residents ..."}.
    setting_wording = models.JSONField(default=dict, blank=True)
    # Welsh (issue 15): {"text": ..., "easy_read": ..., "setting_wording": {...}}; a missing
    # text is asked in English (questionnaires.selectors.item_label).
    welsh = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["questionnaire", "audience", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "audience", "number"],
                name="questionnaires_item_number_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} {self.number}: {self.text[:60]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        _guard(self.questionnaire_id)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        _guard(self.questionnaire_id)
        return super().delete(*args, **kwargs)

    def wording(self, setting_type: str = "") -> str:
        return str(self.setting_wording.get(setting_type) or self.text)


def _guard(questionnaire_id: int | None) -> None:
    if (
        questionnaire_id
        and QuestionnaireSet.objects.filter(pk=questionnaire_id)
        .exclude(status=QuestionnaireStatus.DRAFT)
        .exists()
    ):
        raise QuestionnaireLockedError(LOCKED_MESSAGE)


class Round(TimeStampedModel):
    """One audience's questionnaire round for one portfolio."""

    portfolio = models.ForeignKey(
        "portfolios.Portfolio", on_delete=models.CASCADE, related_name="questionnaire_rounds"
    )
    questionnaire = models.ForeignKey(
        QuestionnaireSet, on_delete=models.PROTECT, related_name="rounds"
    )
    audience = models.CharField(max_length=16, choices=Audience.choices)
    opens_on = models.DateField()
    closes_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True, help_text=_("Closed early by the lead."))
    expected_count = models.PositiveIntegerField()
    # Paper sheets numbered so far (1..sheets_issued): each printed sheet has its own number.
    sheets_issued = models.PositiveIntegerField(default=0)
    # The anonymous link's credential (also on the posters, so kept readable).
    token = models.CharField(max_length=43, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["portfolio", "audience"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "audience"], name="questionnaires_one_round_per_audience"
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="questionnaires_round_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(expected_count__gte=1), name="questionnaires_expected_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.portfolio} – {self.get_audience_display()}"

    @property
    def last_day(self) -> Any:
        return self.closed_on or self.closes_on

    @property
    def is_open(self) -> bool:
        today = timezone.localdate()
        return self.closed_on is None and self.opens_on <= today <= self.closes_on

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None or timezone.localdate() > self.closes_on

    @property
    def not_yet_open(self) -> bool:
        return self.closed_on is None and timezone.localdate() < self.opens_on


class Response(models.Model):
    """One person's answers. No user, address, browser or time: only the day."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    submitted_on = models.DateField()
    source = models.CharField(max_length=8, choices=ResponseSource.choices)
    # sha256 of the form's one-time token: a double post stores once (the constraint below;
    # not unique=True, which on PostgreSQL adds a second, LIKE-pattern index nobody uses).
    submission_key = models.CharField(max_length=64)
    # The number printed on a paper sheet (paper only): each sheet is entered once.
    sheet_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"], name="questionnaires_submitted_once"
            ),
            models.UniqueConstraint(
                fields=["round", "sheet_number"],
                condition=Q(sheet_number__isnull=False),
                name="questionnaires_sheet_entered_once",
            ),
            models.CheckConstraint(
                condition=Q(source=ResponseSource.ONLINE, sheet_number__isnull=True)
                | Q(source=ResponseSource.PAPER, sheet_number__isnull=False),
                name="questionnaires_sheet_number_only_on_paper",
            ),
        ]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.round_id}"


class Answer(models.Model):
    """One answer of a response. Written only together with its response (one statement on
    PostgreSQL, one transaction elsewhere: services.response_submit, paper_sheet_enter) and
    never changed.

    The two keys are checked by Django, not by the database (``db_constraint=False``): Django
    deletes a response's answers with it and refuses to delete an item that has answers
    (CASCADE and PROTECT are Django's own, with or without the database's constraint), and
    every query of answers joins their response. With the database's constraints each post
    ran two checks per answer at commit, each locking the referenced row: every post to a
    round queued on the same item rows, and a post cost half as much again (pgbench, 4
    clients: 2,317 posts/s with both constraints, 4,568 without; docs/performance.md).
    """

    # No index of its own: the unique (response, item) index below leads with it, and every
    # post writes one row per answer (bench/questionnaires.py).
    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        related_name="answers",
        db_index=False,
        db_constraint=False,
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="answers", db_constraint=False
    )
    value = models.CharField(max_length=4, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "item"], name="questionnaires_one_answer_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.value or '(text)'}"


def contribution_upload_to(instance: "Contribution", filename: str) -> str:
    return f"contributions/{instance.round_id}/{uuid.uuid4().hex}"


class Contribution(models.Model):
    """A resident's piece for the portfolio, waiting for the lead. Declined ones are deleted."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="contributions")
    kind = models.CharField(max_length=8, choices=ContributionKind.choices)
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    file = models.FileField(upload_to=contribution_upload_to, max_length=300, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    consent = models.BooleanField(default=False)
    submitted_on = models.DateField()
    submission_key = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["round", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(consent=True), name="questionnaires_consent_given"),
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(file=""), name="questionnaires_contribution_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


def document_upload_to(instance: "Document", filename: str) -> str:
    return f"questionnaires/{instance.round_id}/{uuid.uuid4().hex}.pdf"


class Document(TimeStampedModel):
    """A printable PDF of a round (poster, paper forms), made by a Celery task."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=12, choices=DocumentKind.choices)
    status = models.CharField(
        max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.RENDERING
    )
    pdf = models.FileField(upload_to=document_upload_to, max_length=300, blank=True)
    sheets = models.PositiveIntegerField(default=0)
    first_sheet = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "kind"], name="questionnaires_one_document")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.round}"
