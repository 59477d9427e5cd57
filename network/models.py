from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from ee_portal.lib.db import TimeStampedModel

from .enums import (
    Language,
    MembershipStatus,
    MembershipType,
    OrganisationKind,
    Region,
    ReviewerKind,
    ReviewerStatus,
    SettingType,
    UnitRoleKind,
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True, is_ccqi_admin=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text=gettext_lazy("Can sign in to the Django admin (operators).")
    )
    is_ccqi_admin = models.BooleanField(
        "CCQI admin",
        default=False,
        help_text=gettext_lazy("Manages the network, reviews and awards."),
    )
    is_assessor = models.BooleanField(
        default=False, help_text=gettext_lazy("A trained EE assessor.")
    )
    # Blank: no choice made yet, so the browser's language (or the cookie) decides.
    language = models.CharField(
        max_length=8,
        choices=Language.choices,
        blank=True,
        help_text=gettext_lazy("Pages and emails in."),
    )
    is_peer_reviewer = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "A peer reviewer for the Community of Communities. Set when CCQI approves them."
        ),
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # Per-request caches that rules modules keep on the user object (declared for mypy only:
    # bare annotations are not fields). network.rules.user_unit_roles and awards.rules.
    _network_unit_roles: dict[int, tuple[str, str]]
    _ee_award_unit_ids: set[int]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    @property
    def is_reviewer(self) -> bool:
        """May hold review assignments: an EE assessor or an approved peer reviewer."""
        return self.is_assessor or self.is_peer_reviewer

    def get_short_name(self) -> str:
        return (self.full_name.split(" ")[0] if self.full_name else "") or self.email


class Organisation(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(
        max_length=32, choices=OrganisationKind.choices, default=OrganisationKind.PROVIDER
    )
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(TimeStampedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(max_length=200)
    setting_type = models.CharField(max_length=32, choices=SettingType.choices)
    region = models.CharField(max_length=32, choices=Region.choices)
    show_on_register = models.BooleanField(
        "may appear on the public register",
        default=True,
        help_text=gettext_lazy(
            "Untick this for places that must stay private, such as secure units."
        ),
    )
    # Units in a secure setting (SettingProfile.is_secure) stay off the register unless they
    # opt in here as well: the reverse of everyone else's opt-out.
    register_opt_in = models.BooleanField(
        _("secure setting: appear on the public register"),
        default=False,
        help_text=_(
            "Units in secure settings, such as prisons and secure hospitals, stay off the "
            "public register unless this is ticked."
        ),
    )
    address = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="network_unit_name_unique_in_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SettingProfile(models.Model):
    """What a setting type means for its units; CCQI admins edit it (/network/settings/).

    A setting type without a row keeps its default (enums.SECURE_BY_DEFAULT)."""

    setting_type = models.CharField(max_length=32, choices=SettingType.choices, unique=True)
    is_secure = models.BooleanField(
        _("secure setting"),
        default=False,
        help_text=_(
            "Secure settings keep units off the public register unless they opt in. They ask "
            "for photos to be checked for residents, and they watermark what assessors "
            "download."
        ),
    )

    class Meta:
        ordering = ["setting_type"]

    def __str__(self) -> str:
        return self.get_setting_type_display()


class Programme(models.Model):
    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """A unit's membership of a programme for one period. Renewals add rows: history is kept."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="memberships")
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(
        max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    status_reason = models.TextField(blank=True)
    fee_reference = models.CharField("fee or invoice reference", max_length=64, blank=True)
    notes = models.TextField(blank=True)
    # Community of Communities only (network.enums.TYPED_PROGRAMMES); empty for the EE Award.
    membership_type = models.CharField(
        max_length=16, choices=MembershipType.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="network_membership_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["end_date", "status"], name="network_membership_end_idx")]

    def __str__(self) -> str:
        return f"{self.unit} in {self.programme} ({self.start_date}–{self.end_date})"


class UnitRole(TimeStampedModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="unit_roles")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=16, choices=UnitRoleKind.choices)

    class Meta:
        ordering = ["unit", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="network_one_role_per_user_unit")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} of {self.unit}"


class AssessorProfile(TimeStampedModel):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="assessor_profile")
    trained_frameworks = models.ManyToManyField(
        "standards.Framework", blank=True, related_name="trained_assessors"
    )
    trained_on = models.DateField(null=True, blank=True)
    expert_by_experience = models.BooleanField(default=False)
    home_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessors",
        help_text=gettext_lazy("Used to prevent conflicts of interest."),
    )

    def __str__(self) -> str:
        return f"Assessor profile of {self.user}"


class PeerReviewerProfile(TimeStampedModel):
    """A Community of Communities peer reviewer: nominated by a member community (or an
    independent former member of staff or resident), approved and trained by CCQI."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="peer_reviewer_profile"
    )
    kind = models.CharField(max_length=16, choices=ReviewerKind.choices)
    nominated_by_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nominated_reviewers",
        help_text="The member community that nominated them (empty for independent reviewers).",
    )
    home_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="peer_reviewers",
        help_text="Used to prevent conflicts of interest.",
    )
    status = models.CharField(
        max_length=16, choices=ReviewerStatus.choices, default=ReviewerStatus.NOMINATED
    )
    trained_on = models.DateField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"Peer reviewer profile of {self.user}"


class Invitation(TimeStampedModel):
    """An emailed, single-use link to join a unit. Only a hash of the token is stored."""

    email = models.EmailField()
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=16, choices=UnitRoleKind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    sent_count = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.unit}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
