"""Forms of the review cycle. They validate; reviews.workflow and reviews.services act."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.models import User
from portfolios.models import Portfolio
from standards.models import Criterion

from .enums import COMMENT_MAX_CHARS, DecisionOutcome, ReportKind
from .models import Decision, Report
from .selectors import (
    LIVE_ASSIGNMENT_STATES,
    assessor_conflict_reason,
    assessors_assignable_to,
    criteria_for_portfolio,
    portfolio_has_live_lead,
)


class DateInput(forms.DateInput):
    input_type = "date"


class AssessorChoiceField(forms.ModelChoiceField):
    """Offers ``queryset`` but accepts any of ``lookup_queryset`` when set, so that a choice
    no longer offered (assigned or conflicted meanwhile) gets its own reason from the form's
    clean method rather than "not one of the available choices"."""

    lookup_queryset = None

    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name()} ({obj.email})" if obj.full_name else obj.email

    def to_python(self, value):
        if self.lookup_queryset is None:
            return super().to_python(value)
        offered = self.queryset
        self.queryset = self.lookup_queryset
        try:
            return super().to_python(value)
        finally:
            self.queryset = offered


class AssignForm(forms.Form):
    assessor = AssessorChoiceField(queryset=User.objects.none())
    due_date = forms.DateField(
        widget=DateInput, help_text=_("When the desk review should be done.")
    )
    is_lead = forms.BooleanField(
        label=_("Lead assessor"),
        required=False,
        help_text=_("The lead agrees the scores and writes the reports with the CCQI team."),
    )

    def __init__(self, *args, portfolio: Portfolio, **kwargs):
        super().__init__(*args, **kwargs)
        self.portfolio = portfolio
        # Issue 17: offer only assessors the assignment would accept; clean_assessor still
        # checks, for a choice made stale by someone else meanwhile.
        self.fields["assessor"].queryset = assessors_assignable_to(portfolio=portfolio)
        self.fields["assessor"].lookup_queryset = User.objects.filter(
            is_assessor=True, is_active=True
        )
        self.fields["assessor"].help_text = _(
            "Assessors already on this review, or with a conflict of interest with this "
            "unit's organisation, are not listed."
        )
        # A stale form posted after a lead was assigned keeps the box, so that the
        # assignment refuses a second lead rather than silently making a plain one.
        if not self.is_bound and portfolio_has_live_lead(portfolio=portfolio):
            del self.fields["is_lead"]

    @property
    def has_choices(self) -> bool:
        return self.fields["assessor"].queryset.exists()

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."), code="past")
        return due

    def clean_assessor(self):
        assessor = self.cleaned_data["assessor"]
        reason = assessor_conflict_reason(assessor=assessor, unit=self.portfolio.unit)
        if reason:
            raise forms.ValidationError(
                _("Conflict of interest: %(reason)s") % {"reason": reason}, code="conflict"
            )
        if self.portfolio.assignments.filter(
            assessor=assessor, state__in=LIVE_ASSIGNMENT_STATES
        ).exists():
            raise forms.ValidationError(
                _("%(assessor)s is already assigned to this review.") % {"assessor": assessor},
                code="duplicate",
            )
        return assessor


class DeclarationForm(forms.Form):
    NO_CONFLICT = "no_conflict"
    CONFLICT = "conflict"
    declaration = forms.ChoiceField(
        widget=forms.RadioSelect,
        choices=[
            (NO_CONFLICT, "I have no conflict of interest with this unit or its organisation"),
            (CONFLICT, "I have a conflict of interest"),
        ],
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "If you have a conflict, say briefly what it is (for example, you used to "
            "work there). The CCQI team will assign someone else."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("declaration") == self.CONFLICT and not data.get("reason", "").strip():
            self.add_error("reason", _("Please say briefly what the conflict is."))
        return data


class ScoreForm(forms.Form):
    rating = forms.ChoiceField(required=False)
    comment = forms.CharField(
        required=False, max_length=COMMENT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, rating_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = [("", "Not rated yet"), *rating_choices]


class ConsolidationForm(forms.Form):
    """An agreed rating and comment per criterion (fields rating_<id>, comment_<id>)."""

    def __init__(self, *args, criteria: list[Criterion], rating_choices, allow_override, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"rating_{criterion.pk}"] = forms.ChoiceField(
                label=_("Agreed rating for %(code)s") % {"code": criterion.code},
                required=False,
                choices=[("", "Not agreed yet"), *rating_choices],
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Agreed comment for %(code)s") % {"code": criterion.code},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if allow_override:
            self.fields["override"] = forms.BooleanField(
                required=False,
                label=_("Agree the scores now, although not every assessor has submitted"),
            )

    def ratings(self) -> dict[int, tuple[str, str]]:
        return {
            c.pk: (self.cleaned_data[f"rating_{c.pk}"], self.cleaned_data[f"comment_{c.pk}"])
            for c in self.criteria
        }


class CriterionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Criterion) -> str:
        return f"{obj.code} {obj.text}"


class EvidenceRequestForm(forms.Form):
    criteria = CriterionChoiceField(
        queryset=Criterion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only these criteria reopen for the unit; everything else stays locked."),
    )
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What would help you? The unit sees this message."),
    )
    due_date = forms.DateField(widget=DateInput)

    def __init__(self, *args, portfolio: Portfolio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].queryset = criteria_for_portfolio(portfolio=portfolio)

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due <= timezone.localdate():
            raise forms.ValidationError(_("The due date must be in the future."), code="past")
        return due


REPORT_FORM_FIELDS = {
    ReportKind.INTERIM: ["strengths", "areas_for_development", "action_points"],
    ReportKind.VISIT: ["visit_date", "visit_mode", "people_met", "findings"],
    ReportKind.SUMMARY: ["strengths", "areas_for_development", "action_points"],
    # Action points of an annual report have owners and dates (programmes.ActionPoint).
    ReportKind.ANNUAL: ["strengths", "areas_for_development"],
}


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = [
            "strengths",
            "areas_for_development",
            "action_points",
            "visit_date",
            "visit_mode",
            "people_met",
            "findings",
        ]
        widgets = {"visit_date": DateInput, "visit_mode": forms.RadioSelect}
        labels = {"people_met": "Who you met", "visit_mode": "The visit was"}

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        keep = REPORT_FORM_FIELDS[ReportKind(kind)]
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if kind == ReportKind.ANNUAL:
            self.fields["strengths"].label = _("Achievements")
            self.fields["areas_for_development"].label = _("What to work on next")
        if kind == ReportKind.VISIT:
            self.fields["visit_date"].required = True
            self.fields["visit_mode"].required = True
            self.fields["visit_mode"].choices = [
                c for c in self.fields["visit_mode"].choices if c[0]
            ]

    def _post_clean(self):
        # The service validates and saves the row; the form only checks its own fields.
        pass


OVERRIDE_REASON_MAX_CHARS = 2_000


def _override_reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Why move on anyway?"),
        required=False,
        max_length=OVERRIDE_REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only if the unfinished steps above cannot be done. Your reason is recorded, and "
            "the decision letter will say what the panel did not have."
        ),
    )


class AdvanceForm(forms.Form):
    """Move on to the next stage; a reason only when overriding what is unfinished."""

    to_state = forms.CharField(widget=forms.HiddenInput)
    override_reason = _override_reason_field()


# The same outcomes, in a network's words (an annual cycle's accreditation committee).
ACCREDITATION_OUTCOMES = [
    (DecisionOutcome.AWARDED.value, _("Accredited")),
    (DecisionOutcome.DEFERRED.value, _("Deferred with conditions")),
    (DecisionOutcome.NOT_AWARDED.value, _("Not accredited")),
]


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["outcome", "rationale", "conditions", "conditions_due"]
        widgets = {
            "outcome": forms.RadioSelect,
            "conditions_due": DateInput,
            "rationale": forms.Textarea(attrs={"rows": 5}),
            "conditions": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"conditions_due": "Conditions due by"}
        help_texts = {"conditions": "Only for a deferral: what the unit needs to do."}

    def __init__(self, *args, allow_override: bool = False, accreditation: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = (
            ACCREDITATION_OUTCOMES if accreditation else DecisionOutcome.choices
        )
        if allow_override:
            self.fields["override_reason"] = _override_reason_field()

    def clean(self):
        data = super().clean()
        if data.get("outcome") == DecisionOutcome.DEFERRED:
            if not (data.get("conditions") or "").strip():
                self.add_error("conditions", _("Say what the unit needs to do."))
            if not data.get("conditions_due"):
                self.add_error("conditions_due", _("Give the date the conditions are due."))
        return data

    def _post_clean(self):
        pass
