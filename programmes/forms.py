from django import forms
from django.utils.translation import gettext_lazy as _

from network.enums import ReviewerKind
from network.models import PeerReviewerProfile, User
from standards.models import Criterion

from .selectors import approved_reviewers, lead_reviewer_choices

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReviewerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: PeerReviewerProfile) -> str:
        community = obj.nominated_by_unit or _("independent")
        return f"{obj.user} ({obj.get_kind_display()}; {community})"


class PeerTeamForm(forms.Form):
    lead = forms.ModelChoiceField(
        label=_("Lead reviewer (CCQI)"), queryset=User.objects.none(), required=False
    )
    reviewers = ReviewerChoiceField(
        label=_("Peer reviewers"),
        queryset=PeerReviewerProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "At least two, from other member communities, and at least one service-user or "
            "former-resident reviewer. Conflicts are checked when you save."
        ),
    )
    visit_date = forms.DateField(label=_("Visit date"), widget=_DATE, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = lead_reviewer_choices()
        self.fields["reviewers"].queryset = approved_reviewers()


class ActionPointForm(forms.Form):
    text = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(label=_("Who will do it"), max_length=120)
    due_date = forms.DateField(label=_("By when"), widget=_DATE)
    criterion = forms.ModelChoiceField(
        label=_("Criterion (optional)"), queryset=Criterion.objects.none(), required=False
    )

    def __init__(self, *args, framework_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = (
            Criterion.objects.filter(standard__framework_id=framework_id)
            .select_related("standard")
            .order_by("standard__number", "order", "code")
        )


class NominateForm(forms.Form):
    email = forms.EmailField(
        label=_("Their email address"),
        help_text=_("They need an account on the portal already (invite them to your unit first)."),
    )
    kind = forms.ChoiceField(label=_("They are"), choices=ReviewerKind.choices)

    def clean_email(self) -> User:
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("No account uses this address. Invite them to your unit first."),
                code="unknown",
            )
        return user


class ApproveForm(forms.Form):
    trained_on = forms.DateField(label=_("Reviewer training completed on"), widget=_DATE)
