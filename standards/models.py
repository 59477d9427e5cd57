from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy

from ee_portal.lib.db import TimeStampedModel

from .enums import (
    DEFAULT_PROGRAMME,
    DEFAULT_RATING_SCALE,
    AwardRule,
    CriterionType,
    FrameworkStatus,
)


class FrameworkLockedError(ValidationError):
    pass


def _refuse_worded_copy(instance: models.Model) -> None:
    # standards.selectors.apply_setting_wording rewrites the display fields of loaded rows;
    # such a copy must never be written back over the framework's own wording.
    if getattr(instance, "worded_for", None) is not None:
        raise ValueError(f"{instance!r} shows a setting's wording and cannot be saved.")


def default_rating_scale() -> list[dict[str, str]]:
    return [dict(item) for item in DEFAULT_RATING_SCALE]


class FrameworkQuerySet(models.QuerySet["Framework"]):
    def published(self) -> "FrameworkQuerySet":
        return self.filter(status=FrameworkStatus.PUBLISHED)

    def current(self, programme: str = DEFAULT_PROGRAMME) -> "Framework | None":
        """The newest published framework of a programme (the EE Award unless named), or None."""
        return self.published().filter(programme=programme).order_by("-published_at", "-id").first()


class Framework(TimeStampedModel):
    """A versioned set of standards. Once published it is immutable: changes make a new draft."""

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    description = models.TextField(blank=True)
    # Welsh title and description (issue 15), from the file's top-level ``cy:``.
    welsh = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    rating_scale = models.JSONField(default=default_rating_scale)
    award_rule = models.CharField(
        max_length=32, choices=AwardRule.choices, default=AwardRule.ALL_MET
    )
    programme = models.SlugField(
        max_length=32,
        default=DEFAULT_PROGRAMME,
        help_text="Code of the programme that uses this framework (ee-award, cofc, ...).",
    )
    # Clauses, all of which must hold: [{"type": 1 | None, "share": 0..1}]; evaluated only by
    # standards.decision.rule_evaluate. Empty means the award_rule above (every criterion met).
    decision_rule = models.JSONField(default=list, blank=True)
    # Values shown as context and used in training, never rated: [{"name", "statement"}].
    core_values = models.JSONField(default=list, blank=True)

    objects = FrameworkQuerySet.as_manager()

    # Set by services.framework_retire for the one save allowed after publishing (for mypy).
    _allow_status_change: bool

    class Meta:
        ordering = ["-published_at", "code"]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Immutability is guarded on the row itself so that admin, shell and services all
        # obey it; the only change allowed to a published framework is retiring it.
        if self.pk and not getattr(self, "_allow_status_change", False):
            stored = Framework.objects.filter(pk=self.pk).values("status").first()
            if stored and stored["status"] != FrameworkStatus.DRAFT:
                raise FrameworkLockedError(
                    "This framework is published and cannot be changed. Make a new draft version."
                )
        super().save(*args, **kwargs)

    @property
    def is_editable(self) -> bool:
        return self.status == FrameworkStatus.DRAFT

    @property
    def rating_choices(self) -> list[tuple[str, str]]:
        return [(item["value"], item["label"]) for item in self.rating_scale]


def _guard_framework(framework_id: int | None) -> None:
    if (
        framework_id
        and Framework.objects.filter(pk=framework_id).exclude(status=FrameworkStatus.DRAFT).exists()
    ):
        raise FrameworkLockedError(
            "This framework is published and cannot be changed. Make a new draft version."
        )


class Standard(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="standards")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=60)
    value_statement = models.CharField(max_length=300)
    # Issue 15: the value statement in short sentences and everyday words, shown beside it.
    easy_read = models.CharField("easy-read statement", max_length=300, blank=True)
    description = models.TextField(blank=True)
    # Optional per-setting wording, e.g. {"prison_probation": "Support is available for ..."}.
    setting_wording = models.JSONField(default=dict, blank=True)
    # Welsh text (issue 15): {"name": ..., "value_statement": ..., "easy_read": ...}; a text
    # missing here is shown in English, marked (standards.selectors.text_in_language).
    welsh = models.JSONField(default=dict, blank=True)

    # The setting whose wording the display fields show (selectors.apply_setting_wording).
    worded_for: str | None = None

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="standards_standard_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="standards_standard_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        _refuse_worded_copy(self)
        _guard_framework(self.framework_id)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("standards:detail", kwargs={"number": self.number})

    def delete(self, *args, **kwargs):
        _guard_framework(self.framework_id)
        return super().delete(*args, **kwargs)


class Criterion(models.Model):
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=16)
    text = models.TextField()
    guidance = models.TextField(blank=True)
    examples = models.TextField(
        "examples of evidence", blank=True, help_text=gettext_lazy("One example per line.")
    )
    order = models.PositiveSmallIntegerField(default=0)
    criterion_type = models.PositiveSmallIntegerField(
        "type", choices=CriterionType.choices, null=True, blank=True
    )
    # Optional per-setting wording, each part optional, e.g.
    # {"prison_probation": {"text": "...", "guidance": "...", "examples": ["...", "..."]}}.
    setting_wording = models.JSONField(default=dict, blank=True)

    worded_for: str | None = None  # as Standard.worded_for
    # Welsh text: {"text": ..., "guidance": ..., "examples": ...} (examples one per line).
    welsh = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["standard__number", "order", "code"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "code"], name="standards_criterion_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        _refuse_worded_copy(self)
        _guard_framework(
            Standard.objects.filter(pk=self.standard_id)
            .values_list("framework_id", flat=True)
            .first()
        )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _guard_framework(self.standard.framework_id)
        return super().delete(*args, **kwargs)

    @property
    def example_list(self) -> list[str]:
        return [line.strip() for line in self.examples.splitlines() if line.strip()]
