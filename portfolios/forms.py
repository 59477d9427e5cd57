from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import NARRATIVE_MAX_CHARS, Cycle, EvidenceType, SelfRating, self_ratings_for
from .models import Evidence, Portfolio

YES_NO_UNSET = [("", "Not answered yet"), ("yes", "Yes"), ("no", "No")]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def yes_no_initial(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "")


class DeclarationsMixin(forms.Form):
    contains_identifiable = forms.TypedChoiceField(
        label=_("Does it contain information that could identify someone?"),
        help_text=_("For example a name, a face, a room number or a date of birth."),
        choices=YES_NO_UNSET,
        coerce=_yes_no,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    consent_recorded = forms.TypedChoiceField(
        label=_("If yes: is the person's consent recorded?"),
        choices=YES_NO_UNSET,
        coerce=_yes_no,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class PhotoDeclarationMixin(forms.Form):
    """Secure settings (issue 15): the declaration a photo needs before it supports a
    criterion. The field exists only when asked for (``ask_free_of_residents``)."""

    free_of_residents = forms.BooleanField(
        label=_("No resident can be recognised in this photo"),
        help_text=_(
            "No faces, tattoos, names or cell numbers. In a secure setting a photo can support "
            "a criterion only once this is ticked."
        ),
        required=False,
    )

    def __init__(self, *args, ask_free_of_residents: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not ask_free_of_residents:
            del self.fields["free_of_residents"]


class CriteriaChoiceMixin(forms.Form):
    criteria = forms.TypedMultipleChoiceField(
        label=_("Supports these criteria"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def set_criteria(self, criteria) -> None:
        self.fields["criteria"].choices = criteria_choices(criteria)


def criteria_choices(criteria) -> list[tuple[str, list[tuple[int, str]]]]:
    """Checkbox choices grouped under their standard, each with the criterion's whole text
    (issue 17: labels cut at 80 characters read "…check they are worthwh")."""
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for c in criteria:
        standard = c.standard
        heading = f"{standard.number}. {standard.name}"
        groups.setdefault(standard.pk, (heading, []))[1].append((c.pk, f"{c.code} {c.text}"))
    return list(groups.values())


class NarrativeForm(forms.Form):
    narrative = forms.CharField(
        label=_("How we meet this criterion"),
        required=False,
        max_length=NARRATIVE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Write in your own words. Your text is saved automatically as you type."),
    )
    self_rating = forms.ChoiceField(
        label=_("Our own rating (the unit's view)"),
        help_text=_(
            "How well your unit thinks it meets this criterion today. It helps you see what is "
            "left; the assessors make their own rating."
        ),
        choices=SelfRating.choices,
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, portfolio: Portfolio | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cycle = portfolio.cycle if portfolio is not None else Cycle.INITIAL
        field = self.fields["self_rating"]
        field.choices = [(v.value, v.label) for v in self_ratings_for(cycle)]
        if cycle == Cycle.ANNUAL:
            field.label = _("Our community's own rating")
            field.help_text = _(
                "How well your community meets this criterion today. The peer reviewers make "
                "their own rating, and your annual report shows both side by side."
            )


class UploadForm(DeclarationsMixin, PhotoDeclarationMixin, CriteriaChoiceMixin):
    evidence_type = forms.ChoiceField(
        label=_("Type of evidence"),
        choices=[("", _("Decide from each file")), *EvidenceType.choices],
        required=False,
        help_text=_(
            "Pictures become photos and recordings “other”. You can change the type of any "
            "item later on its page."
        ),
    )
    description = forms.CharField(
        label=_("Description (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The declarations come first and are asked once for the whole batch (issue 17: they sat
    # below forty checkboxes, so every bulk upload landed as "Declarations needed").
    field_order = [
        "contains_identifiable",
        "consent_recorded",
        "free_of_residents",
        "evidence_type",
        "description",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contains_identifiable"].label = _(
            "Do any of these files contain information that could identify someone?"
        )
        self.fields["contains_identifiable"].help_text = _(
            "One answer for every file you add now. For example a name, a face, a room number "
            "or a date of birth. You can change the answer for one file later on its page."
        )
        self.fields["consent_recorded"].label = _("If yes: is each person's consent recorded?")


class TextEvidenceForm(DeclarationsMixin, CriteriaChoiceMixin):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("The quote or testimonial"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Remove names unless the person has agreed to be named."),
    )
    description = forms.CharField(label=_("Where it comes from (optional)"), required=False)
    evidence_type = forms.ChoiceField(
        label=_("Type of evidence"), choices=EvidenceType.choices, initial=EvidenceType.FEEDBACK
    )
    # Hidden: the library already shows the upload form's checklist of every criterion, and
    # one page should not carry it twice (issue 17). It carries the criterion the person came
    # from (``?for=``); the edit page that follows offers the whole checklist.
    criteria = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.MultipleHiddenInput
    )


class EvidenceEditForm(DeclarationsMixin, PhotoDeclarationMixin, CriteriaChoiceMixin):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence_type = forms.ChoiceField(label=_("Type of evidence"), choices=EvidenceType.choices)
    text = forms.CharField(
        label=_("The quote or testimonial"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, evidence: Evidence, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": evidence.title,
                "description": evidence.description,
                "evidence_type": evidence.evidence_type,
                "text": evidence.text,
                "contains_identifiable": yes_no_initial(evidence.contains_identifiable),
                "consent_recorded": yes_no_initial(evidence.consent_recorded),
                "free_of_residents": bool(evidence.free_of_residents),
            },
        )
        super().__init__(*args, **kwargs)
        if evidence.kind != "text":
            del self.fields["text"]


class DeclareForm(DeclarationsMixin):
    """One set of answers for every ticked item that still needs its declarations (issue 17:
    a bulk upload left each item to be opened one by one)."""

    items = forms.TypedMultipleChoiceField(
        label=_("The items these answers are for"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, items=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(e.pk, e.title) for e in items]
        self.fields["contains_identifiable"].label = _(
            "Do the ticked items contain information that could identify someone?"
        )
        self.fields["consent_recorded"].label = _("If yes: is each person's consent recorded?")

    def clean_contains_identifiable(self):
        value = self.cleaned_data["contains_identifiable"]
        if value is None:
            raise forms.ValidationError(
                _("Say whether the ticked items could identify someone."), code="required"
            )
        return value


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", "All types"), *EvidenceType.choices]
    )
    criterion = forms.TypedChoiceField(
        label=_("Criterion"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, criteria=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [("", "All criteria")] + [
            (c.pk, c.code) for c in criteria
        ]


class LinkForm(forms.Form):
    criterion = forms.IntegerField(widget=forms.HiddenInput)
