import rules

from .enums import UnitRoleKind


@rules.predicate
def is_ccqi_admin(user) -> bool:
    return bool(getattr(user, "is_ccqi_admin", False))


@rules.predicate
def is_assessor(user) -> bool:
    return bool(getattr(user, "is_assessor", False))


@rules.predicate
def is_unit_member(user, unit) -> bool:
    if unit is None or not user.is_authenticated:
        return False
    return user.unit_roles.filter(unit=unit).exists()


@rules.predicate
def is_unit_lead(user, unit) -> bool:
    if unit is None or not user.is_authenticated:
        return False
    return user.unit_roles.filter(unit=unit, role=UnitRoleKind.LEAD).exists()


rules.add_perm("network.manage_network", is_ccqi_admin)
rules.add_perm("network.view_unit", is_ccqi_admin | is_unit_member)
rules.add_perm("network.manage_unit_people", is_ccqi_admin | is_unit_lead)
