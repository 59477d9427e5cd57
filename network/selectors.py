import datetime as dt

from django.db.models import QuerySet

from .enums import MembershipStatus
from .models import Membership, Unit


def membership_is_active(*, unit: Unit, programme_code: str, on: dt.date) -> bool:
    """Whether the unit holds an active membership of the programme on that date (one query)."""
    return Membership.objects.filter(
        unit=unit,
        programme__code=programme_code,
        status=MembershipStatus.ACTIVE,
        start_date__lte=on,
        end_date__gte=on,
    ).exists()


def unit_list_for_user(*, user) -> QuerySet[Unit]:
    """Units the user belongs to (admins: all), with the organisation (one query)."""
    qs = Unit.objects.select_related("organisation")
    if user.is_ccqi_admin:
        return qs
    return qs.filter(roles__user=user).distinct()
