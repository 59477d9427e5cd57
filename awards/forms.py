from django import forms
from django.utils.translation import gettext_lazy as _

from network.enums import Region, SettingType
from portfolios.enums import Cycle


class RegisterFilterForm(forms.Form):
    setting_type = forms.ChoiceField(
        label=_("Setting"), required=False, choices=[("", "All settings"), *SettingType.choices]
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", "All regions"), *Region.choices]
    )


class StatusReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the public verification page and sent to the unit lead."),
        error_messages={"required": _("Please give a reason: it is shown to the public.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(
                _("Please give a reason: it is shown to the public."), code="required"
            )
        return reason


class SuspendForm(StatusReasonForm):
    """Its own form and page (issue 17): nobody suspends with the revoke form by mistake."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Why is the award suspended?")


class RevokeForm(StatusReasonForm):
    """Revoking is final, so it takes its own page, its own reason and a tick (issue 17)."""

    confirm = forms.BooleanField(
        label=_("I understand that revoking is final: the unit would need a new award."),
        error_messages={"required": _("Please tick the box to confirm that revoking is final.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Why is the award revoked?")


class ReinstateForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )


class OpenReviewForm(forms.Form):
    cycle = forms.ChoiceField(
        choices=[
            (Cycle.INTERIM.value, Cycle.INTERIM.label),
            (Cycle.RENEWAL.value, Cycle.RENEWAL.label),
        ]
    )
