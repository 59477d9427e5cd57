from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from .csv_io import MAX_IMPORT_BYTES
from .enums import TYPED_PROGRAMMES, MembershipStatus, Region, SettingType, UnitRoleKind
from .models import Membership, Organisation, Programme, Unit, User
from .selectors import MemberFilters

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices) -> list[tuple[str, str]]:
    return [("", "Any"), *choices]


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search unit or organisation"), required=False, max_length=100
    )
    programme = forms.ChoiceField(required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Membership status"),
        required=False,
        choices=_blank(MembershipStatus.choices),
    )
    setting_type = forms.ChoiceField(required=False, choices=_blank(SettingType.choices))
    region = forms.ChoiceField(required=False, choices=_blank(Region.choices))
    ending_within = forms.IntegerField(
        label=gettext_lazy("Membership ends within (days)"),
        required=False,
        min_value=0,
        max_value=3650,
    )

    def __init__(self, *args, programmes: list[Programme], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = _blank([(p.code, p.name) for p in programmes])

    def filters(self) -> MemberFilters:
        """The filters to apply; invalid values are ignored (the form shows their errors)."""
        self.is_valid()  # cleaned_data then holds only the fields that are valid
        data = self.cleaned_data
        return MemberFilters(
            search=(data.get("q") or "").strip(),
            programme=data.get("programme") or "",
            status=data.get("status") or "",
            setting_type=data.get("setting_type") or "",
            region=data.get("region") or "",
            ending_within_days=data.get("ending_within"),
        )


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "website", "notes"]


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = [
            "organisation",
            "name",
            "setting_type",
            "region",
            "show_on_register",
            "register_opt_in",
            "address",
        ]


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = [
            "programme",
            "membership_type",
            "start_date",
            "end_date",
            "status",
            "status_reason",
            "fee_reference",
            "notes",
        ]
        widgets = {"start_date": _DATE, "end_date": _DATE}
        labels = {"status_reason": "Reason (needed if lapsed or suspended)"}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error(
                "end_date", gettext_lazy("The membership must end on or after its start date.")
            )
        if data.get("status") != MembershipStatus.ACTIVE and not data.get("status_reason"):
            self.add_error("status_reason", gettext_lazy("Please give a reason for this status."))
        programme = data.get("programme")
        typed = programme is not None and programme.code in TYPED_PROGRAMMES
        if typed and not data.get("membership_type"):
            self.add_error(
                "membership_type", _("Choose the membership type: it decides what they get.")
            )
        if programme is not None and not typed and data.get("membership_type"):
            self.add_error(
                "membership_type",
                _("%(programme)s has no membership types: leave this empty.")
                % {"programme": programme},
            )
        return data


class RenewalForm(forms.Form):
    start_date = forms.DateField(widget=_DATE)
    end_date = forms.DateField(widget=_DATE)
    fee_reference = forms.CharField(
        label=gettext_lazy("Fee or invoice reference"), max_length=64, required=False
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error(
                "end_date", gettext_lazy("The membership must end on or after its start date.")
            )
        return data


class MembershipStatusForm(forms.Form):
    status = forms.ChoiceField(choices=MembershipStatus.choices)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=gettext_lazy("Needed when lapsing or suspending: the unit's lead may ask why."),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("status") in (MembershipStatus.LAPSED, MembershipStatus.SUSPENDED)  # type: ignore[operator]
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", gettext_lazy("Please give a reason."))
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email address"))
    role = forms.ChoiceField(choices=UnitRoleKind.choices, initial=UnitRoleKind.CONTRIBUTOR)

    def __init__(self, *args, can_invite_leads: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_invite_leads:
            self.fields["role"].choices = [
                (UnitRoleKind.CONTRIBUTOR, UnitRoleKind.CONTRIBUTOR.label)
            ]
            self.fields["role"].help_text = "Unit leads invite contributors."


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(choices=UnitRoleKind.choices)


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Your full name"), max_length=150)
    password1 = forms.CharField(
        label=gettext_lazy("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "At least 10 characters, not a common password and not all numbers."
        ),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", gettext_lazy("The two passwords don't match."))
        elif first:
            try:
                validate_password(
                    first, user=User(email=self.email, full_name=data.get("full_name", ""))
                )
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8 CSV, at most %(value)s MiB.")
        % {"value": MAX_IMPORT_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class SecureSettingsForm(forms.Form):
    """Which setting types are secure (issue 15); every box unticked means none is."""

    secure = forms.MultipleChoiceField(
        label=_("Secure settings"),
        required=False,
        choices=SettingType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Units in these settings stay off the public register unless they opt in. They "
            "must say a photo shows no resident before they link it. Their evidence gets a "
            "watermark when an assessor downloads it."
        ),
    )
