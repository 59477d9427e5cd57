from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from . import hooks
from .enums import DEFAULT_PROGRAMME
from .models import Criterion, Framework, Standard


def framework_current(*, programme: str = DEFAULT_PROGRAMME) -> Framework | None:
    """The newest published framework of a programme, the EE Award's by default (one query)."""
    return Framework.objects.current(programme=programme)


def standards_with_criteria(*, framework: Framework) -> QuerySet[Standard]:
    """Every standard of a framework with its criteria in order (two queries)."""
    return framework.standards.prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("order", "code"))
    ).order_by("number")


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


def _plain(item: Standard | Criterion, fields: tuple[str, ...]) -> dict[str, str]:
    # The framework's own wording, kept on the instance the first time it is reworded, so that
    # wording the same rows again (for another setting) starts from the original.
    stored: dict[str, str] | None = item.__dict__.get("_plain_wording")
    if stored is None:
        stored = {name: getattr(item, name) for name in fields}
        item.__dict__["_plain_wording"] = stored
    return stored


def _word_standard(standard: Standard, setting_type: str) -> None:
    plain = _plain(standard, ("value_statement",))
    wording = standard.setting_wording.get(setting_type) if setting_type else None
    standard.value_statement = str(wording or plain["value_statement"])
    standard.worded_for = setting_type


def _word_criterion(criterion: Criterion, setting_type: str) -> None:
    plain = _plain(criterion, ("text", "guidance", "examples"))
    wording = criterion.setting_wording.get(setting_type) if setting_type else None
    wording = wording if isinstance(wording, dict) else {}
    criterion.text = str(wording.get("text") or plain["text"])
    criterion.guidance = str(wording.get("guidance") or plain["guidance"])
    examples = wording.get("examples")
    criterion.examples = "\n".join(examples) if examples else plain["examples"]
    criterion.worded_for = setting_type


def apply_setting_wording(items: Iterable[Standard | Criterion], *, setting_type: str) -> None:
    """Show these loaded standards and criteria in the wording of ``setting_type`` (no query).

    The one place that decides a unit's wording: a standard's value statement, a criterion's
    text, guidance and examples become the setting's own where the framework has them, and
    stay the general wording otherwise ("" is the general wording). A criterion's standard is
    worded too when it was loaded with it (select_related or a prefetch). The instances are
    display copies from then on (``worded_for`` is set) and refuse to be saved.
    """
    for item in items:
        if isinstance(item, Criterion):
            _word_criterion(item, setting_type)
            if "standard" in item._state.fields_cache:
                _word_standard(item.standard, setting_type)
        else:
            _word_standard(item, setting_type)
            cache = getattr(item, "_prefetched_objects_cache", {})
            if "criteria" in cache:
                for criterion in cache["criteria"]:
                    _word_criterion(criterion, setting_type)


def setting_choices(*, framework: Framework) -> list[tuple[str, str]]:
    """The settings with wording of their own in this framework, by label (one query).

    Starts with ("", "General wording"); labels come from standards.hooks (network)."""
    keys: set[str] = set()
    rows = Criterion.objects.filter(standard__framework=framework).values_list(
        "setting_wording", "standard__setting_wording"
    )
    for criterion_wording, standard_wording in rows:
        keys.update(criterion_wording or {})
        keys.update(standard_wording or {})
    labels = hooks.setting_labels()
    return [("", str(_("General wording")))] + sorted(
        ((key, labels.get(key, key)) for key in keys), key=lambda choice: choice[1]
    )


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
