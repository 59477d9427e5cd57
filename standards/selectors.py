from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from .models import Criterion, Framework, Standard


def framework_current() -> Framework | None:
    """The newest published framework (one query)."""
    return Framework.objects.current()


def standard_list(*, framework: Framework) -> QuerySet[Standard]:
    """Standards of a framework with their criterion count (one query)."""
    return framework.standards.annotate(criterion_count=Count("criteria")).order_by("number")


def standard_get_with_criteria(*, framework: Framework, number: int) -> Standard | None:
    """One standard and its criteria (two queries)."""
    return (
        framework.standards.filter(number=number)
        .prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.order_by("order", "code"))
        )
        .first()
    )


def criteria_for_framework(*, framework: Framework) -> QuerySet[Criterion]:
    return Criterion.objects.filter(standard__framework=framework).select_related("standard")


# Language (issue 15) --------------------------------------------------------------------------

WELSH = "cy"
# The texts of each model that may carry Welsh (the keys of its ``welsh`` field).
WELSH_FIELDS = {
    "Framework": ("title", "description"),
    "Standard": ("name", "value_statement", "easy_read", "description"),
    "Criterion": ("text", "guidance", "examples"),
}


@dataclass(frozen=True)
class LocalisedText:
    """A text in the reader's language, or in English with ``fallback`` set (no translation)."""

    text: str
    language: str
    fallback: bool


def text_in_language(
    obj: Framework | Standard | Criterion, field: str, language: str | None
) -> LocalisedText:
    """``obj.<field>`` in ``language``: the Welsh from ``obj.welsh`` when the reader reads
    Welsh and it is there, else the English, marked as a fallback when Welsh was wanted. No
    query. (Setting-aware wording is chosen first; this only adds the language.)"""
    english = str(getattr(obj, field) or "")
    if not language or not language.startswith(WELSH):
        return LocalisedText(english, "en-gb", fallback=False)
    welsh = str((obj.welsh or {}).get(field) or "").strip()
    if welsh:
        return LocalisedText(welsh, WELSH, fallback=False)
    return LocalisedText(english, "en-gb", fallback=bool(english))


def missing_welsh(obj: Framework | Standard | Criterion) -> list[str]:
    """The texts of ``obj`` that have English but no Welsh (for admins). No query."""
    fields = WELSH_FIELDS[type(obj).__name__]
    return [f for f in fields if getattr(obj, f) and not (obj.welsh or {}).get(f)]
