import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from .enums import SECURE_BY_DEFAULT, MembershipStatus, SettingType
from .models import Invitation, Membership, Organisation, SettingProfile, Unit, UnitRole, User


def membership_is_active(*, unit: Unit, programme_code: str, on: dt.date) -> bool:
    """Whether the unit holds an active membership of the programme on that date (one query)."""
    return Membership.objects.filter(
        unit=unit,
        programme__code=programme_code,
        status=MembershipStatus.ACTIVE,
        start_date__lte=on,
        end_date__gte=on,
    ).exists()


def unit_list_for_user(*, user: User) -> QuerySet[Unit]:
    """Units the user belongs to (admins: all), with the organisation (one query)."""
    qs = Unit.objects.select_related("organisation")
    if user.is_ccqi_admin:
        return qs
    return qs.filter(roles__user=user).distinct()


def current_memberships() -> QuerySet[Membership]:
    """The latest membership row of each unit × programme (older rows are history).

    "Latest" is the greatest start date, ties broken by id; one query with a NOT EXISTS.
    """
    newer = Membership.objects.filter(
        unit=OuterRef("unit"), programme=OuterRef("programme")
    ).filter(
        Q(start_date__gt=OuterRef("start_date"))
        | Q(start_date=OuterRef("start_date"), pk__gt=OuterRef("pk"))
    )
    return Membership.objects.filter(~Exists(newer))


@dataclass(frozen=True)
class MemberFilters:
    """The member list's search and filters; empty values mean "any"."""

    search: str = ""
    programme: str = ""  # programme code
    status: str = ""
    setting_type: str = ""
    region: str = ""
    ending_within_days: int | None = None


def member_list(*, filters: MemberFilters, today: dt.date | None = None) -> QuerySet[Unit]:
    """Units matching the filters, ordered by name.

    Membership filters apply to the *current* membership of each programme, together (the
    same row must match programme, status and end date). Each unit carries
    ``current_memberships`` (prefetched with the programme): 2 queries when evaluated.
    """
    today = today or timezone.localdate()
    units = Unit.objects.select_related("organisation").order_by("name", "pk")
    if filters.search:
        units = units.filter(
            Q(name__icontains=filters.search) | Q(organisation__name__icontains=filters.search)
        )
    if filters.setting_type:
        units = units.filter(setting_type=filters.setting_type)
    if filters.region:
        units = units.filter(region=filters.region)
    current = current_memberships()
    membership_filter = Q()
    if filters.programme:
        membership_filter &= Q(programme__code=filters.programme)
    if filters.status:
        membership_filter &= Q(status=filters.status)
    if filters.ending_within_days is not None:
        membership_filter &= Q(
            end_date__gte=today, end_date__lte=today + dt.timedelta(days=filters.ending_within_days)
        )
    if membership_filter:
        units = units.filter(Exists(current.filter(membership_filter).filter(unit=OuterRef("pk"))))
    return units.prefetch_related(
        Prefetch(
            "memberships",
            queryset=current.select_related("programme").order_by("programme__name"),
            to_attr="current_memberships",
        )
    )


@dataclass(frozen=True)
class Dashboard:
    by_programme: list[dict[str, Any]]
    ending_soon: list[Membership]
    pending_invitations: list[Invitation]


def dashboard_data(*, today: dt.date | None = None, ending_days: int = 90) -> Dashboard:
    """Counts of current memberships by programme and status (one aggregate query), current
    active memberships ending within ``ending_days`` and pending invitations (one query each).
    """
    today = today or timezone.localdate()
    counts = (
        current_memberships()
        .values("programme__code", "programme__name", "status")
        .annotate(n=Count("pk"))
        .order_by("programme__name", "status")
    )
    table: dict[str, dict[str, Any]] = {}
    for row in counts:
        entry = table.setdefault(
            row["programme__code"],
            {"code": row["programme__code"], "name": row["programme__name"], "total": 0}
            | {status: 0 for status in MembershipStatus.values},
        )
        entry[row["status"]] = row["n"]
        entry["total"] += row["n"]
    ending = list(
        current_memberships()
        .filter(
            status=MembershipStatus.ACTIVE,
            end_date__gte=today,
            end_date__lte=today + dt.timedelta(days=ending_days),
        )
        .select_related("unit__organisation", "programme")
        .order_by("end_date", "unit__name")
    )
    return Dashboard(
        by_programme=list(table.values()),
        ending_soon=ending,
        pending_invitations=list(invitation_list_pending()),
    )


def invitation_list_pending(*, unit: Unit | None = None) -> QuerySet[Invitation]:
    """Invitations not accepted, revoked or expired, newest first, with unit and inviter."""
    qs = Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("unit__organisation", "invited_by")
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.order_by("-created_at", "-pk")


def invitation_list_open(*, unit: Unit) -> QuerySet[Invitation]:
    """The unit's invitations not accepted or revoked (pending and expired: both can be
    re-sent), with the inviter (one query)."""
    return (
        Invitation.objects.filter(unit=unit, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def invitation_get_by_token(*, token: str) -> Invitation | None:
    """The invitation whose token hashes to the stored hash, whatever its state (one query)."""
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    return Invitation.objects.select_related("unit").filter(token_hash=token_hash).first()


def unit_people(*, unit: Unit) -> QuerySet[UnitRole]:
    """The unit's roles with their users, leads first (one query)."""
    return unit.roles.select_related("user").order_by("role", "user__full_name", "user__email")


def unit_membership_history(*, unit: Unit) -> QuerySet[Membership]:
    """Every membership row of the unit, newest first, with the programme (one query)."""
    return unit.memberships.select_related("programme").order_by(
        "programme__name", "-start_date", "-pk"
    )


def person_list(*, search: str = "") -> QuerySet[User]:
    """People (users) by name, with their unit roles and units prefetched (2 queries)."""
    qs = User.objects.order_by("full_name", "email")
    if search:
        qs = qs.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    return qs.prefetch_related(
        Prefetch(
            "unit_roles",
            queryset=UnitRole.objects.select_related("unit__organisation").order_by("unit__name"),
        )
    )


def organisation_list(*, search: str = "") -> QuerySet[Organisation]:
    """Organisations by name with their unit count (one query)."""
    qs = Organisation.objects.annotate(unit_count=Count("units")).order_by("name")
    if search:
        qs = qs.filter(name__icontains=search)
    return qs


# Secure settings (issue 15) ----------------------------------------------------------------


def secure_setting_types() -> frozenset[str]:
    """The setting types that are secure: flagged by CCQI admins, or secure by default and
    not unflagged (one query, read fresh every time)."""
    flags = dict(SettingProfile.objects.values_list("setting_type", "is_secure"))
    return frozenset(s for s in SettingType.values if flags.get(s, s in SECURE_BY_DEFAULT))


def secure_q(prefix: str = "") -> Q:
    """Units (reached through ``prefix``, e.g. "unit__") in a secure setting, as a condition
    (subqueries; no query of its own)."""
    flagged = SettingProfile.objects.filter(is_secure=True).values("setting_type")
    unflagged = SettingProfile.objects.filter(is_secure=False).values("setting_type")
    field = f"{prefix}setting_type__in"
    return Q(**{field: flagged}) | (
        Q(**{field: list(SECURE_BY_DEFAULT)}) & ~Q(**{field: unflagged})
    )


def annotate_secure(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Adds ``is_secure`` (the unit's setting type is secure) to each unit, in the same
    query."""
    return units.annotate(is_secure=ExpressionWrapper(secure_q(), output_field=BooleanField()))


def unit_is_secure(*, unit: Unit) -> bool:
    """Whether the unit's setting type is secure (one query)."""
    flag = (
        SettingProfile.objects.filter(setting_type=unit.setting_type)
        .values_list("is_secure", flat=True)
        .first()
    )
    return unit.setting_type in SECURE_BY_DEFAULT if flag is None else flag


def on_register_q(prefix: str = "") -> Q:
    """Units that may appear on the public register (a condition, no query of its own).

    Everyone may, unless they opted out (show_on_register); units in a secure setting only
    when they also opted in (register_opt_in). ``prefix`` reaches the unit from another
    model, e.g. "unit__"."""
    return Q(**{f"{prefix}show_on_register": True}) & (
        ~secure_q(prefix) | Q(**{f"{prefix}register_opt_in": True})
    )


def setting_profile_list() -> list[tuple[str, str, bool]]:
    """Every setting type as (value, label, is_secure), in the enum's order (one query)."""
    secure = secure_setting_types()
    return [(value, str(label), value in secure) for value, label in SettingType.choices]


def reader_setting_type(*, user: User) -> str:
    """The setting type of the user's units when they all share one, else "" (one query).

    Decides the wording of the public standards page for a signed-in unit member."""
    settings = set(
        UnitRole.objects.filter(user=user).values_list("unit__setting_type", flat=True)[:20]
    )
    return settings.pop() if len(settings) == 1 else ""
