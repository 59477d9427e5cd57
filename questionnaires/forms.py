from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portfolios.forms import criteria_choices

from .enums import (
    AGREE_CHOICES,
    AGREE_EASY_CHOICES,
    CONTRIBUTION_TEXT_MAX_CHARS,
    TEXT_ANSWER_MAX_CHARS,
    YES_NO_CHOICES,
    AnswerType,
    Audience,
    ContributionKind,
)
from .models import Item
from .selectors import item_label

HONEYPOT = "website"  # a field people never see; software that fills every field does


class RoundForm(forms.Form):
    audience = forms.ChoiceField(label=_("Who is it for?"), choices=Audience.choices)
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(
        label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    expected_count = forms.IntegerField(
        label=_("About how many people could answer?"),
        min_value=1,
        max_value=10_000,
        help_text=_("So you can see how many have answered so far."),
    )

    def __init__(self, *args, audiences: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if audiences is not None:
            self.fields["audience"].choices = [(a, Audience(a).label) for a in audiences]
        today = timezone.localdate()
        self.fields["opens_on"].initial = today
        self.fields["closes_on"].initial = today + timedelta(days=28)

    def clean(self):
        data = super().clean() or {}
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", _("The closing date must be on or after the opening date."))
        return data


class SheetsForm(forms.Form):
    sheets = forms.IntegerField(label=_("How many sheets?"), min_value=1, max_value=500, initial=20)


def _item_field(item: Item, *, easy: bool, setting_type: str) -> forms.Field:
    label = item_label(item, easy=easy, setting_type=setting_type, language=get_language())
    if item.answer_type == AnswerType.TEXT:
        return forms.CharField(
            label=label,
            required=False,
            max_length=TEXT_ANSWER_MAX_CHARS,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    choices = (
        (AGREE_EASY_CHOICES if easy else AGREE_CHOICES)
        if item.answer_type == AnswerType.AGREE5
        else YES_NO_CHOICES
    )
    return forms.ChoiceField(label=label, required=False, choices=choices, widget=forms.RadioSelect)


class AnswerForm(forms.Form):
    """The anonymous questionnaire: one field per item, a one-time token, a honeypot."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=100)
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def __init__(self, *args, items: list[Item], easy: bool, setting_type: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.easy = easy
        for item in items:
            self.fields[f"item_{item.pk}"] = _item_field(item, easy=easy, setting_type=setting_type)

    def answers(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data.get(f"item_{item.pk}") or "" for item in self.items}

    def item_fields(self):
        return [(item, self[f"item_{item.pk}"]) for item in self.items]

    def relabel(self, *, setting_type: str) -> None:
        """The statements in the setting's wording (a post is checked without it)."""
        if not self.easy:
            for item in self.items:
                self.fields[f"item_{item.pk}"].label = item.wording(setting_type)


# Keys typed on the data-entry screen, per answer type.
PAPER_KEYS = {
    AnswerType.AGREE5: {"1": "1", "2": "2", "3": "3", "4": "4", "5": "5", "d": "dk", "p": "pn"},
    AnswerType.YES_NO: {"y": "yes", "n": "no", "p": "pn", "1": "yes", "2": "no"},
}


class PaperForm(forms.Form):
    """One paper sheet: its printed number, then one short box per item (keys 1-5)."""

    sheet_number = forms.IntegerField(label=_("Sheet number"), min_value=1, max_value=1_000_000)

    def __init__(self, *args, items: list[Item], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            if item.answer_type == AnswerType.TEXT:
                field: forms.Field = forms.CharField(
                    label=item.text,
                    required=False,
                    max_length=TEXT_ANSWER_MAX_CHARS,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            else:
                field = forms.CharField(
                    label=item.text,
                    required=False,
                    max_length=1,
                    widget=forms.TextInput(
                        attrs={"size": 2, "autocomplete": "off", "class": "paper-key"}
                    ),
                )
            self.fields[f"item_{item.pk}"] = field

    def clean(self):
        data = super().clean() or {}
        for item in self.items:
            name = f"item_{item.pk}"
            raw = (data.get(name) or "").strip().lower()
            if not raw or item.answer_type == AnswerType.TEXT:
                continue
            value = PAPER_KEYS[AnswerType(item.answer_type)].get(raw)
            if value is None:
                keys = ", ".join(PAPER_KEYS[AnswerType(item.answer_type)])
                self.add_error(name, _("Use one of these keys: %(keys)s.") % {"keys": keys})
            else:
                data[name] = value
        return data

    def answers(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data.get(f"item_{item.pk}") or "" for item in self.items}

    def item_fields(self):
        return [(item, self[f"item_{item.pk}"]) for item in self.items]


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What would you like to share?"),
        choices=ContributionKind.choices,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("A title (optional)"), required=False, max_length=200)
    text = forms.CharField(
        label=_("Your words"),
        required=False,
        max_length=CONTRIBUTION_TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Please do not write names, yours or anyone else's."),
    )
    photo = forms.FileField(
        label=_("A photo of your artwork (optional)"),
        required=False,
        help_text=_("A JPEG or PNG photo. Please make sure no faces or names are in it."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the unit may use this in its Enabling Environments portfolio, "
            "which assessors from the Royal College of Psychiatrists will read."
        ),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=100)
    website = forms.CharField(required=False, label=_("Leave this empty"))


class AcceptForm(forms.Form):
    criteria = forms.TypedMultipleChoiceField(
        label=_("Which criteria does it support?"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].choices = criteria_choices(criteria)


class NationalFilterForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Audience"),
        required=False,
        choices=[("", _("All audiences")), *Audience.choices],
    )
