"""Every write to the network app: organisations, units, memberships, roles, invitations."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from ee_portal.audit.services import audit_log
from ee_portal.lib import fragments, pagecache
from ee_portal.lib.celery import enqueue_on_commit

from . import csv_io
from .cache import NETWORK
from .enums import Language, MembershipStatus, OrganisationKind, SettingType, UnitRoleKind
from .models import (
    Invitation,
    Membership,
    Organisation,
    Programme,
    SettingProfile,
    Unit,
    UnitRole,
    User,
)
from .rules import forget_roles
from .selectors import secure_setting_types
from .tasks import send_invitation, send_role_added


def _require(actor: User, perm: str, obj: Any = None) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied


def _apply(obj: Any, fields: dict[str, Any]) -> dict[str, list[str]]:
    """Set fields, validate, save only the changed ones; return {field: [old, new]}."""
    changes = {}
    for name, value in fields.items():
        old = getattr(obj, name)
        if old != value:
            changes[name] = [str(old), str(value)]
            setattr(obj, name, value)
    if changes:
        obj.full_clean()
        obj.save(update_fields=[*changes, "updated_at"])
    return changes


# Organisations and units ------------------------------------------------------------------


def organisation_create(
    *,
    actor: User,
    name: str,
    kind: str = OrganisationKind.PROVIDER,
    website: str = "",
    notes: str = "",
) -> Organisation:
    """Create an organisation. Side effects: audit event."""
    _require(actor, "network.manage_network")
    organisation = Organisation(name=name, kind=kind, website=website, notes=notes)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
        audit_log(actor=actor, verb="network.organisation_created", obj=organisation)
    return organisation


def organisation_update(*, actor: User, organisation: Organisation, **fields: Any) -> Organisation:
    """Change an organisation's fields. Side effects: audit event listing the changes."""
    _require(actor, "network.manage_network")
    with transaction.atomic():
        changes = _apply(organisation, fields)
        if changes:
            audit_log(
                actor=actor,
                verb="network.organisation_updated",
                obj=organisation,
                details={"changes": changes},
            )
    return organisation


def unit_create(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    setting_type: str,
    region: str,
    show_on_register: bool = True,
    register_opt_in: bool = False,
    address: str = "",
) -> Unit:
    """Create a unit in an organisation. Side effects: audit event."""
    _require(actor, "network.manage_network")
    unit = Unit(
        organisation=organisation,
        name=name,
        setting_type=setting_type,
        region=region,
        show_on_register=show_on_register,
        register_opt_in=register_opt_in,
        address=address,
    )
    unit.full_clean()
    with transaction.atomic():
        unit.save()
        audit_log(actor=actor, verb="network.unit_created", obj=unit)
    return unit


def unit_update(*, actor: User, unit: Unit, **fields: Any) -> Unit:
    """Change a unit's fields. Side effects: audit event listing the changes."""
    _require(actor, "network.manage_network")
    with transaction.atomic():
        changes = _apply(unit, fields)
        if changes:
            audit_log(
                actor=actor, verb="network.unit_updated", obj=unit, details={"changes": changes}
            )
    return unit


def unit_register_choose(*, actor: User, unit: Unit, opt_in: bool) -> Unit:
    """A unit in a secure setting opts in to (or out of) the public register (issue 15).

    Side effects: one locked UPDATE and an audit event when it changes; the public pages'
    cache is renewed by the save (network/cache.py)."""
    _require(actor, "network.choose_register", unit)
    with transaction.atomic():
        locked = Unit.objects.select_for_update().get(pk=unit.pk)
        if locked.register_opt_in != opt_in:
            locked.register_opt_in = opt_in
            locked.save(update_fields=["register_opt_in", "updated_at"])
            audit_log(
                actor=actor,
                verb="network.register_opt_in" if opt_in else "network.register_opt_out",
                obj=locked,
            )
    return locked


def setting_profiles_save(*, actor: User, secure: set[str]) -> list[str]:
    """Flag exactly the setting types in ``secure`` as secure; return those that changed.

    Side effects: one row per setting type created or updated inside one transaction, and an
    audit event listing the changes; saving a profile renews the public pages' cache
    (network/cache.py), so the register hides or shows secure units at once. Unknown setting
    types raise ValidationError.
    """
    _require(actor, "network.manage_network")
    unknown = secure - set(SettingType.values)
    if unknown:
        raise ValidationError(_("Choose setting types from the list."))
    changed: list[str] = []
    with transaction.atomic():
        # Locked in a fixed order so that two admins saving at once cannot interleave.
        list(SettingProfile.objects.select_for_update().order_by("pk"))
        current = secure_setting_types()
        for setting_type in SettingType.values:
            wanted = setting_type in secure
            if wanted != (setting_type in current):
                SettingProfile.objects.update_or_create(
                    setting_type=setting_type, defaults={"is_secure": wanted}
                )
                changed.append(setting_type)
        if changed:
            audit_log(
                actor=actor,
                verb="network.secure_settings_changed",
                obj=None,
                details={"secure": sorted(secure), "changed": changed},
            )
    return changed


# Memberships -----------------------------------------------------------------------------


def default_end_date(start: dt.date) -> dt.date:
    """A membership runs for the award cycle (EE_AWARD_YEARS), ending the day before."""
    years = settings.EE_AWARD_YEARS
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        anniversary = start.replace(year=start.year + years, day=28)
    return anniversary - dt.timedelta(days=1)


def membership_create(
    *,
    actor: User,
    unit: Unit,
    programme: Programme,
    start_date: dt.date,
    end_date: dt.date,
    status: str = MembershipStatus.ACTIVE,
    status_reason: str = "",
    fee_reference: str = "",
    notes: str = "",
    membership_type: str = "",
    verb: str = "network.membership_created",
) -> Membership:
    """Record a membership period (a first membership or a renewal: history is kept).

    Side effects: audit event (``verb``).
    """
    _require(actor, "network.manage_network")
    membership = Membership(
        unit=unit,
        programme=programme,
        start_date=start_date,
        end_date=end_date,
        status=status,
        status_reason=status_reason,
        fee_reference=fee_reference,
        notes=notes,
        membership_type=membership_type,
    )
    membership.full_clean()
    with transaction.atomic():
        membership.save()
        audit_log(
            actor=actor,
            verb=verb,
            obj=membership,
            details={
                "unit_id": unit.pk,
                "programme": programme.code,
                "status": status,
                "membership_type": membership_type,
            },
        )
    return membership


def membership_renew(
    *,
    actor: User,
    membership: Membership,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    fee_reference: str = "",
    notes: str = "",
) -> Membership:
    """Renew: a new active row for the same unit and programme, starting by default the day
    after the previous one ends. The previous row is left as history.

    Side effects: audit event "network.membership_renewed".
    """
    start = start_date or membership.end_date + dt.timedelta(days=1)
    return membership_create(
        actor=actor,
        unit=membership.unit,
        programme=membership.programme,
        start_date=start,
        end_date=end_date or default_end_date(start),
        fee_reference=fee_reference,
        notes=notes,
        membership_type=membership.membership_type,
        verb="network.membership_renewed",
    )


def membership_set_status(
    *, actor: User, membership: Membership, status: str, reason: str = ""
) -> Membership:
    """Lapse, suspend or reactivate a membership. Lapsing and suspending need a reason.

    Side effects: row lock; audit event "network.membership_status_changed". No-op when
    nothing changes.
    """
    _require(actor, "network.manage_network")
    if status not in MembershipStatus.values:
        raise ValidationError(
            {"status": gettext("Choose active, lapsed or suspended.")}, code="invalid"
        )
    if status != MembershipStatus.ACTIVE and not reason.strip():
        raise ValidationError(
            {"reason": gettext("Please give a reason: the unit's lead may ask.")}, code="required"
        )
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        old = locked.status
        if old == status and locked.status_reason == reason:
            return locked
        locked.status = status
        locked.status_reason = reason.strip()
        locked.save(update_fields=["status", "status_reason", "updated_at"])
        audit_log(
            actor=actor,
            verb="network.membership_status_changed",
            obj=locked,
            details={"from": old, "to": status, "reason": locked.status_reason},
        )
    membership.status, membership.status_reason = locked.status, locked.status_reason
    return locked


# People and invitations ------------------------------------------------------------------


@dataclass(frozen=True)
class InviteOutcome:
    """Either a new invitation was emailed, or an existing account was given the role."""

    invitation: Invitation | None = None
    role: UnitRole | None = None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(*, actor: User, unit: Unit, email: str, role: str) -> InviteOutcome:
    """Invite a person to a unit with a role.

    Admins invite leads and contributors; a unit's lead invites contributors to that unit.
    An email that already has an account gets the role straight away (email "role-added").
    Otherwise an Invitation is stored and the email "invitation" is queued; the token is
    minted by the task so it is never stored or queued in clear.
    Side effects: audit event; one email task on commit.
    """
    _require(actor, "network.manage_unit_people", unit)
    if role not in UnitRoleKind.values:
        raise ValidationError({"role": gettext("Choose lead or contributor.")}, code="invalid")
    if role != UnitRoleKind.CONTRIBUTOR and not actor.is_ccqi_admin:
        raise PermissionDenied
    email = User.objects.normalize_email(email).strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    with transaction.atomic():
        if existing is not None:
            current = UnitRole.objects.filter(user=existing, unit=unit).first()
            if current is not None:
                raise ValidationError(
                    {
                        "email": gettext("%(email)s is already a %(role)s of this unit.")
                        % {"email": email, "role": current.get_role_display().lower()}
                    },
                    code="duplicate",
                )
            unit_role = UnitRole(user=existing, unit=unit, role=role)
            unit_role.full_clean()
            unit_role.save()
            forget_roles(existing)
            audit_log(
                actor=actor,
                verb="network.role_added",
                obj=unit_role,
                details={"unit_id": unit.pk, "user_id": existing.pk, "role": role},
            )
            enqueue_on_commit(send_role_added, role_id=unit_role.pk, actor_id=actor.pk)
            return InviteOutcome(role=unit_role)
        pending = Invitation.objects.filter(
            unit=unit,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).exists()
        if pending:
            raise ValidationError(
                {
                    "email": gettext(
                        "%(email)s already has a pending invitation to this unit: "
                        "re-send it from the unit page instead."
                    )
                    % {"email": email}
                },
                code="duplicate",
            )
        invitation = Invitation(
            email=email,
            unit=unit,
            role=role,
            invited_by=actor,
            # Placeholder until the email task mints the real token.
            token_hash=_token_hash(secrets.token_urlsafe(32)),
            expires_at=timezone.now() + dt.timedelta(days=settings.EE_INVITATION_DAYS),
        )
        invitation.full_clean()
        invitation.save()
        audit_log(
            actor=actor,
            verb="network.invitation_sent",
            obj=invitation,
            details={"unit_id": unit.pk, "role": role, "email": email},
        )
        enqueue_on_commit(send_invitation, invitation_id=invitation.pk)
    return InviteOutcome(invitation=invitation)


def invitation_issue_token(*, invitation: Invitation) -> str:
    """Mint a fresh token for the invitation and store only its hash; return the token.

    Earlier links stop working. Called by the email task just before sending.
    """
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _token_hash(token)
    invitation.save(update_fields=["token_hash", "updated_at"])
    return token


def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Re-send a pending or expired invitation: a new link, valid for EE_INVITATION_DAYS again.

    Side effects: row lock; sent_count + 1; audit event; email task on commit.
    """
    _require(actor, "network.manage_invitation", invitation)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at or locked.revoked_at:
            raise ValidationError(
                gettext("This invitation has been used or taken back, so it cannot be re-sent."),
                code="closed",
            )
        locked.expires_at = timezone.now() + dt.timedelta(days=settings.EE_INVITATION_DAYS)
        locked.sent_count += 1
        locked.save(update_fields=["expires_at", "sent_count", "updated_at"])
        audit_log(
            actor=actor,
            verb="network.invitation_resent",
            obj=locked,
            details={"sent_count": locked.sent_count},
        )
        enqueue_on_commit(send_invitation, invitation_id=locked.pk)
    return locked


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Revoke an invitation so its link stops working. No-op if already revoked.

    Side effects: row lock; audit event.
    """
    _require(actor, "network.manage_invitation", invitation)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.revoked_at:
            return locked
        if locked.accepted_at:
            raise ValidationError(
                gettext(
                    "This invitation has been used. "
                    "To take the person off the unit, remove their role."
                ),
                code="closed",
            )
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at", "updated_at"])
        audit_log(actor=actor, verb="network.invitation_revoked", obj=locked)
    return locked


class InvitationUnusable(Exception):  # noqa: N818 -- reads as a state, not an error class
    """The link cannot be used: ``reason`` is unknown, expired, used or revoked."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def invitation_state(invitation: Invitation | None) -> str:
    """ "ok", or why the invitation cannot be used: unknown, used, revoked, expired."""
    if invitation is None:
        return "unknown"
    if invitation.accepted_at:
        return "used"
    if invitation.revoked_at:
        return "revoked"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "ok"


def invitation_accept(
    *, token: str, full_name: str = "", password: str = "", user: User | None = None
) -> User:
    """Accept an invitation: create the account (full name, validated password), or, for a
    person who already has an account and is signed in as ``user``, add the role.

    Raises InvitationUnusable (nothing created) or ValidationError.
    Side effects: row lock on the invitation; user and UnitRole rows; audit event.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().filter(token_hash=_token_hash(token)).first()
        )
        state = invitation_state(invitation)
        if state != "ok" or invitation is None:  # "ok" implies an invitation: for mypy
            raise InvitationUnusable(state)
        account = User.objects.filter(email__iexact=invitation.email).first()
        if account is None:
            if user is not None:
                raise PermissionDenied
            if not full_name.strip():
                raise ValidationError(
                    {"full_name": gettext("Please tell us your name.")}, code="required"
                )
            account = User(email=invitation.email, full_name=full_name.strip())
            validate_password(password, user=account)
            account.set_password(password)
            account.full_clean()
            account.save()
        elif user is None or user.pk != account.pk:
            raise PermissionDenied
        unit_role = UnitRole.objects.filter(user=account, unit_id=invitation.unit_id).first()
        if unit_role is None:
            unit_role = UnitRole.objects.create(
                user=account, unit_id=invitation.unit_id, role=invitation.role
            )
        elif invitation.role == UnitRoleKind.LEAD and unit_role.role != UnitRoleKind.LEAD:
            unit_role.role = UnitRoleKind.LEAD
            unit_role.save(update_fields=["role", "updated_at"])
        forget_roles(account)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = account
        invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
        audit_log(
            actor=account,
            verb="network.invitation_accepted",
            obj=invitation,
            details={"unit_id": invitation.unit_id, "role": unit_role.role},
        )
    return account


def unit_role_remove(*, actor: User, unit_role: UnitRole) -> None:
    """Take a person off a unit (admins: anyone; a unit's lead: its contributors).

    Side effects: deletes the UnitRole; audit event "network.role_removed".
    """
    _require(actor, "network.remove_unit_role", unit_role)
    with transaction.atomic():
        audit_log(
            actor=actor,
            verb="network.role_removed",
            obj=unit_role,
            details={
                "unit_id": unit_role.unit_id,
                "user_id": unit_role.user_id,
                "role": unit_role.role,
            },
        )
        unit_role.delete()
    forget_roles(actor)


def unit_role_change(*, actor: User, unit_role: UnitRole, role: str) -> UnitRole:
    """Make a unit member a lead or a contributor (admins only).

    Side effects: audit event "network.role_changed"; no-op when unchanged.
    """
    _require(actor, "network.manage_network")
    if role not in UnitRoleKind.values:
        raise ValidationError({"role": gettext("Choose lead or contributor.")}, code="invalid")
    if unit_role.role == role:
        return unit_role
    with transaction.atomic():
        old = unit_role.role
        unit_role.role = role
        unit_role.save(update_fields=["role", "updated_at"])
        audit_log(
            actor=actor,
            verb="network.role_changed",
            obj=unit_role,
            details={
                "unit_id": unit_role.unit_id,
                "user_id": unit_role.user_id,
                "from": old,
                "to": role,
            },
        )
    return unit_role


# CSV import ------------------------------------------------------------------------------


class ImportInvalid(Exception):  # noqa: N818 -- carries the row errors to show
    def __init__(self, errors: list[csv_io.RowError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    organisations: int
    units: int
    memberships: int
    skipped: int


def membership_import_apply(*, actor: User, text: str) -> ImportResult:
    """Import organisations, units and memberships from the member CSV, all or nothing.

    The text is parsed and validated again inside the transaction, so the database state at
    confirmation is what counts. Existing organisations and units (matched by name, ignoring
    case) are reused unchanged; memberships already recorded (same unit, programme and start
    date) are skipped. Raises ImportInvalid (nothing written) or csv_io.ImportFileError.
    Side effects: rows created; one audit event "network.csv_imported" with the counts.
    """
    _require(actor, "network.manage_network")
    with transaction.atomic():
        parsed = csv_io.parse_members_csv(text)
        if parsed.errors:
            raise ImportInvalid(parsed.errors)
        programmes = {p.code: p for p in Programme.objects.all()}
        orgs: dict[str, Organisation] = {}
        units: dict[tuple[int, str], Unit] = {}
        counts = {"organisations": 0, "units": 0, "memberships": 0, "skipped": 0}
        new_memberships = []
        for row in parsed.rows:
            org_key = row.organisation.casefold()
            org = orgs.get(org_key)
            if org is None:
                org = Organisation.objects.filter(name__iexact=row.organisation).first()
                if org is None:
                    org = Organisation(name=row.organisation, kind=row.organisation_kind)
                    org.full_clean()
                    org.save()
                    counts["organisations"] += 1
                orgs[org_key] = org
            unit_key = (org.pk, row.unit.casefold())
            unit = units.get(unit_key)
            if unit is None:
                unit = Unit.objects.filter(organisation=org, name__iexact=row.unit).first()
                if unit is None:
                    unit = Unit(
                        organisation=org,
                        name=row.unit,
                        setting_type=row.setting_type,
                        region=row.region,
                        show_on_register=row.show_on_register,
                    )
                    unit.full_clean()
                    unit.save()
                    counts["units"] += 1
                units[unit_key] = unit
            if row.already_recorded:
                counts["skipped"] += 1
                continue
            membership = Membership(
                unit=unit,
                programme=programmes[row.programme_code],
                start_date=row.start_date,
                end_date=row.end_date,
                status=row.status,
                status_reason=row.status_reason,
                fee_reference=row.fee_reference,
                notes=row.notes,
            )
            membership.full_clean()
            new_memberships.append(membership)
        Membership.objects.bulk_create(new_memberships)
        # bulk_create sends no signals: the cached member list and public pages must know.
        fragments.touch(NETWORK)
        pagecache.bump_public_version()
        counts["memberships"] = len(new_memberships)
        audit_log(actor=actor, verb="network.csv_imported", details=counts)
    return ImportResult(**counts)


# Language ---------------------------------------------------------------------------------


def user_set_language(*, user: User, language: str) -> User:
    """Remember the language a person chose (pages and emails follow it). Bad input changes
    nothing: an unknown code raises ValidationError. Writes one row, only if it changed."""
    if language not in Language.values:
        raise ValidationError({"language": gettext("Unknown language.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
