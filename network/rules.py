from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import rules
from django.db import connection

from ee_portal.lib import fragments
from ee_portal.lib.db import Extra

from .enums import UnitRoleKind

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import Invitation, Unit, UnitRole, User

    # Predicates are also asked about signed-out visitors (the permission backend runs them).
    AnyUser: TypeAlias = User | AnonymousUser


@rules.predicate
def is_ccqi_admin(user: AnyUser) -> bool:
    return bool(getattr(user, "is_ccqi_admin", False))


@rules.predicate
def is_assessor(user: AnyUser) -> bool:
    return bool(getattr(user, "is_assessor", False))


@rules.predicate
def is_peer_reviewer(user: AnyUser) -> bool:
    """An approved Community of Communities peer reviewer (issue 14)."""
    return bool(getattr(user, "is_peer_reviewer", False))


def holds_review_role(user: AnyUser) -> bool:
    """May hold an assignment: an EE assessor, an approved peer reviewer, or CCQI staff (the
    lead reviewer of a peer-review team). Read from the user row on every request."""
    return bool(
        getattr(user, "is_assessor", False)
        or getattr(user, "is_peer_reviewer", False)
        or getattr(user, "is_ccqi_admin", False)
    )


def user_unit_roles(user: AnyUser) -> dict[int, tuple[str, str]]:
    """{unit id: (role, unit name)} for every unit the user has a role in, ordered by unit name.

    Issue 12: read from the database once per user object, so once per request, and never
    from a cache: a removed role takes effect on the very next request, on every process.
    Usually read with the person themselves, in one query (network.backends.ModelBackend
    calls remember_roles()); read here on its own otherwise. Shared by the permission rules
    of every app and the navigation bar. forget_roles() drops it when a role changes within
    the request.
    """
    if not user.is_authenticated:
        return {}
    roles: dict[int, tuple[str, str]] | None = getattr(user, "_network_unit_roles", None)
    if roles is None:
        with connection.cursor() as cursor:
            cursor.execute(_roles_sql(), [user.pk])
            rows = cursor.fetchall()
        roles = remember_roles(user, rows)
    return roles


def remember_roles(user: User, rows: Sequence[Sequence[Any]]) -> dict[int, tuple[str, str]]:
    """Keep the roles read by ROLES' columns (epoch, unit id, role, unit name; one row per
    role, or one row of NULLs but the epoch) as this user's roles for the request."""
    # The cache epoch comes in the same round trip (ee_portal/lib/fragments.py).
    fragments.remember_epoch(rows[0][0] if rows else None)
    roles = {unit_id: (role, name) for _epoch, unit_id, role, name in rows if unit_id}
    user._network_unit_roles = roles
    return roles


@functools.cache
def roles_extra() -> Extra:
    """A person's unit roles with their units' names, and the cache epoch, as columns joined
    to the person's own row (``a``): one indexed query for everything a permission needs to
    know about the person (issue 12: read on every request, so kept cheap)."""
    from .models import Unit, UnitRole  # noqa: PLC0415 -- models are loaded by now

    q = connection.ops.quote_name
    roles, units = q(UnitRole._meta.db_table), q(Unit._meta.db_table)
    return Extra(
        key="network.roles",
        columns=f"{fragments.epoch_sql()}, r.{q('unit_id')}, r.{q('role')}, u.{q('name')}",
        joins=(
            f"LEFT JOIN {roles} r ON r.{q('user_id')} = a.{q('id')} "
            f"LEFT JOIN {units} u ON u.{q('id')} = r.{q('unit_id')}"
        ),
        order_by=f"u.{q('name')}, r.{q('unit_id')}",
    )


@functools.cache
def _roles_sql() -> str:
    """roles_extra() for a person already loaded: the same columns, from a one-row table."""
    extra = roles_extra()
    q = connection.ops.quote_name
    return (
        f"SELECT {extra.columns} FROM (SELECT %s AS {q('id')}) AS a "  # noqa: S608 -- our own names
        f"{extra.joins} ORDER BY {extra.order_by}"
    )


def _role_in(user: AnyUser, unit_id: int | None) -> str | None:
    """The user's role in the unit (from user_unit_roles' per-request cache)."""
    if unit_id is None:
        return None
    entry = user_unit_roles(user).get(unit_id)
    return entry[0] if entry else None


def forget_roles(user: AnyUser) -> None:
    """Drop the cached roles after a role of this user changed in the same request."""
    if hasattr(user, "_network_unit_roles"):
        del user._network_unit_roles


@rules.predicate
def is_unit_member(user: AnyUser, unit: Unit | None) -> bool:
    return unit is not None and _role_in(user, unit.pk) is not None


@rules.predicate
def is_unit_lead(user: AnyUser, unit: Unit | None) -> bool:
    return unit is not None and _role_in(user, unit.pk) == UnitRoleKind.LEAD


@rules.predicate
def leads_unit_of(user: AnyUser, obj: Invitation | UnitRole | None) -> bool:
    """Lead of the unit an invitation or unit role belongs to."""
    return obj is not None and _role_in(user, obj.unit_id) == UnitRoleKind.LEAD


@rules.predicate
def is_for_contributor(user: AnyUser, obj: Invitation | UnitRole | None) -> bool:
    """The invitation or unit role is a contributor one (leads manage only those)."""
    return obj is not None and obj.role == UnitRoleKind.CONTRIBUTOR


rules.add_perm("network.manage_network", is_ccqi_admin)
rules.add_perm("network.view_unit", is_ccqi_admin | is_unit_member)
rules.add_perm("network.manage_unit_people", is_ccqi_admin | is_unit_lead)
# Issue 15: whether a unit in a secure setting appears on the public register is its lead's
# choice (and CCQI's).
rules.add_perm("network.choose_register", is_ccqi_admin | is_unit_lead)
# obj: an Invitation. Leads re-send or revoke contributor invitations of their own unit.
rules.add_perm("network.manage_invitation", is_ccqi_admin | (leads_unit_of & is_for_contributor))
# obj: a UnitRole. Leads remove contributors of their own unit; admins remove anyone.
rules.add_perm("network.remove_unit_role", is_ccqi_admin | (leads_unit_of & is_for_contributor))
