"""Demo data for `manage.py seed_demo`: accounts, organisations, units, memberships.

Idempotent: every object is looked up by a natural key first. Never run in production.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from .enums import MembershipStatus, OrganisationKind, Region, SettingType, UnitRoleKind
from .models import (
    AssessorProfile,
    Invitation,
    Membership,
    Organisation,
    Programme,
    Unit,
    UnitRole,
    User,
)

DEMO_PASSWORD = "enabling-demo"  # noqa: S105 -- documented demo password (DESIGN.md)


@dataclass
class DemoNetwork:
    users: dict[str, User] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    # Filled by later steps of seed_demo (portfolios, reviews, awards), keyed by unit key.
    extra: dict[str, Any] = field(default_factory=dict)
    # Lines seed_demo prints at the end (e.g. the verification URL of the demo award).
    notes: list[str] = field(default_factory=list)


def _user(email: str, full_name: str, **flags) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=full_name, **flags
        )
    return user


def _unit(org: Organisation, name: str, setting: str, region: str, **extra) -> Unit:
    unit, _ = Unit.objects.get_or_create(
        organisation=org, name=name, defaults={"setting_type": setting, "region": region, **extra}
    )
    return unit


def _membership(
    unit: Unit,
    programme: Programme,
    start: dt.date,
    years: int,
    status: str,
    *,
    reason: str = "Demo: fee not yet paid",
    end: dt.date | None = None,
) -> None:
    if not Membership.objects.filter(unit=unit, programme=programme).exists():
        Membership.objects.create(
            unit=unit,
            programme=programme,
            start_date=start,
            end_date=end or start.replace(year=start.year + years) - dt.timedelta(days=1),
            status=status,
            status_reason="" if status == MembershipStatus.ACTIVE else reason,
            fee_reference=f"EE-{unit.pk:05d}",
        )


def seed_network() -> DemoNetwork:
    demo = DemoNetwork()
    users = demo.users
    users["admin"] = _user("admin@demo.test", "Ada Admin", is_ccqi_admin=True, is_staff=True)
    users["lead"] = _user("lead@demo.test", "Lee Lead")
    users["contributor"] = _user("contributor@demo.test", "Cam Contributor")
    users["assessor"] = _user("assessor@demo.test", "Asha Assessor", is_assessor=True)
    users["assessor2"] = _user("assessor2@demo.test", "Ben Assessor", is_assessor=True)
    users["lead2"] = _user("lead2@demo.test", "Lena Lead (Riverside)")
    users["lead3"] = _user("lead3@demo.test", "Lars Lead (Oak House)")

    orgs = demo.organisations
    orgs["trust"], _ = Organisation.objects.get_or_create(
        name="Demo Health NHS Trust", defaults={"kind": OrganisationKind.TRUST}
    )
    orgs["charity"], _ = Organisation.objects.get_or_create(
        name="Open Door Housing Charity", defaults={"kind": OrganisationKind.CHARITY}
    )
    orgs["prison"], _ = Organisation.objects.get_or_create(
        name="HMP Demo", defaults={"kind": OrganisationKind.PRISON_SERVICE}
    )
    orgs["assessors"], _ = Organisation.objects.get_or_create(
        name="Northern Assessors Collective", defaults={"kind": OrganisationKind.OTHER}
    )

    units = demo.units
    units["demo_ward"] = _unit(
        orgs["trust"], "Demo Ward", SettingType.HEALTH_INPATIENT, Region.LONDON
    )
    units["riverside"] = _unit(
        orgs["charity"], "Riverside Hostel", SettingType.HOUSING, Region.NORTH_WEST
    )
    units["oak_house"] = _unit(
        orgs["trust"],
        "Oak House Therapeutic Community",
        SettingType.THERAPEUTIC_COMMUNITY,
        Region.SOUTH_WEST,
    )
    units["wing"] = _unit(
        orgs["prison"],
        "Fellside Wing (PIPE)",
        SettingType.PRISON_PROBATION,
        Region.YORKSHIRE,
    )
    units["college"] = _unit(
        orgs["charity"], "Harbour College", SettingType.EDUCATION, Region.WALES
    )

    for key, user_key, role in [
        ("demo_ward", "lead", UnitRoleKind.LEAD),
        ("demo_ward", "contributor", UnitRoleKind.CONTRIBUTOR),
        ("riverside", "lead2", UnitRoleKind.LEAD),
        ("oak_house", "lead3", UnitRoleKind.LEAD),
    ]:
        UnitRole.objects.get_or_create(
            user=users[user_key], unit=units[key], defaults={"role": role}
        )

    for user_key, home in (("assessor", orgs["assessors"]), ("assessor2", orgs["assessors"])):
        AssessorProfile.objects.get_or_create(
            user=users[user_key],
            defaults={"home_organisation": home, "trained_on": dt.date(2025, 3, 1)},
        )

    ee = Programme.objects.get(code="ee-award")
    prisons = Programme.objects.get(code="ee-prisons")
    cofc = Programme.objects.get(code="cofc")
    today = timezone.localdate()
    _membership(units["demo_ward"], ee, today - dt.timedelta(days=200), 3, MembershipStatus.ACTIVE)
    _membership(units["riverside"], ee, today - dt.timedelta(days=400), 3, MembershipStatus.ACTIVE)
    _membership(units["oak_house"], ee, today - dt.timedelta(days=900), 3, MembershipStatus.ACTIVE)
    _membership(
        units["oak_house"], cofc, today - dt.timedelta(days=1000), 3, MembershipStatus.ACTIVE
    )
    _membership(units["wing"], prisons, today - dt.timedelta(days=1050), 3, MembershipStatus.ACTIVE)
    _membership(units["college"], ee, today - dt.timedelta(days=1200), 3, MembershipStatus.LAPSED)
    _seed_more_members(demo, today)
    _seed_fellside(demo)
    _seed_welsh_member(demo, ee, today)
    return demo


def _seed_fellside(demo: DemoNetwork) -> None:
    """Issue 15: Fellside Wing (PIPE), a prison unit, gets a lead. Prison or probation is a
    secure setting, so the wing stays off the public register unless it opts in."""
    demo.users["lead5"] = _user("lead5@demo.test", "Fran Lead (Fellside Wing)")
    UnitRole.objects.get_or_create(
        user=demo.users["lead5"], unit=demo.units["wing"], defaults={"role": UnitRoleKind.LEAD}
    )


WELSH_UNIT = "Ward Dyffryn"


def _seed_welsh_member(demo: DemoNetwork, ee: Programme, today: dt.date) -> None:
    """Issue 15: a Welsh-speaking unit lead (pages and emails in Welsh) on a ward in Wales,
    which holds an award (awards.demo: its certificate is bilingual)."""
    demo.users["cymraeg"] = user = _user("cymraeg@demo.test", "Siân Cymraeg", language="cy")
    demo.units["welsh_ward"] = unit = _unit(
        demo.organisations["trust"], WELSH_UNIT, SettingType.HEALTH_INPATIENT, Region.WALES
    )
    UnitRole.objects.get_or_create(user=user, unit=unit, defaults={"role": UnitRoleKind.LEAD})
    _membership(unit, ee, today - dt.timedelta(days=700), 3, MembershipStatus.ACTIVE)


def _seed_more_members(demo: DemoNetwork, today: dt.date) -> None:
    """More settings and regions, memberships in every state (one ending soon, one renewed,
    one suspended) and one pending invitation, for the admin screens."""
    orgs, units = demo.organisations, demo.units
    orgs["care"], _ = Organisation.objects.get_or_create(
        name="Greenfields Care Ltd", defaults={"kind": OrganisationKind.PROVIDER}
    )
    orgs["lantern"], _ = Organisation.objects.get_or_create(
        name="Lantern Trust", defaults={"kind": OrganisationKind.CHARITY}
    )
    units["northgate"] = _unit(
        orgs["trust"],
        "Northgate Community Mental Health Team",
        SettingType.HEALTH_COMMUNITY,
        Region.NORTH_EAST,
    )
    units["greenfields"] = _unit(
        orgs["care"], "Greenfields Care Home", SettingType.SOCIAL_CARE, Region.EAST_MIDLANDS
    )
    units["lantern"] = _unit(
        orgs["lantern"], "Lantern Recovery Café", SettingType.THIRD_SECTOR, Region.SCOTLAND
    )
    units["civic"] = _unit(
        orgs["care"], "Civic Works Staff Wellbeing", SettingType.WORKPLACE, Region.WEST_MIDLANDS
    )
    ee = Programme.objects.get(code="ee-award")
    cofc = Programme.objects.get(code="cofc")
    # Ends in 45 days: shows on the dashboard's "ending within 90 days".
    _membership(
        units["northgate"],
        ee,
        today - dt.timedelta(days=1050),
        3,
        MembershipStatus.ACTIVE,
        end=today + dt.timedelta(days=45),
    )
    _membership(
        units["greenfields"],
        ee,
        today - dt.timedelta(days=300),
        3,
        MembershipStatus.SUSPENDED,
        reason="Demo: suspended while the home changes manager",
    )
    _membership(units["civic"], cofc, today - dt.timedelta(days=30), 1, MembershipStatus.ACTIVE)
    # A renewal: the first period is kept as history, the second is current.
    if not Membership.objects.filter(unit=units["lantern"], programme=ee).exists():
        first_start = today - dt.timedelta(days=3 * 365 + 100)
        first_end = today - dt.timedelta(days=101)
        for start, end in (
            (first_start, first_end),
            (first_end + dt.timedelta(days=1), first_end + dt.timedelta(days=3 * 365)),
        ):
            Membership.objects.create(
                unit=units["lantern"],
                programme=ee,
                start_date=start,
                end_date=end,
                status=MembershipStatus.ACTIVE,
                fee_reference=f"EE-LANTERN-{start.year}",
            )
    # A pending invitation (no email is sent by the seed; re-send it from the unit page).
    if not Invitation.objects.filter(email="new.contributor@demo.test").exists():
        Invitation.objects.create(
            email="new.contributor@demo.test",
            unit=units["riverside"],
            role=UnitRoleKind.CONTRIBUTOR,
            token_hash=hashlib.sha256(secrets.token_urlsafe(32).encode()).hexdigest(),
            invited_by=demo.users["admin"],
            expires_at=timezone.now() + dt.timedelta(days=14),
        )
