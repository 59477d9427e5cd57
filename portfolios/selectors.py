from django.db.models import Q, QuerySet

from .models import Portfolio
from .rules import CLEARED_ASSIGNMENT_STATES


def portfolio_list_visible_to(*, user) -> QuerySet[Portfolio]:
    """Portfolios the user may see; agrees with the portfolios.view_portfolio rule.

    One query, with unit, organisation and framework joined.
    """
    qs = Portfolio.objects.select_related("unit__organisation", "framework")
    if not user.is_authenticated:
        return qs.none()
    if user.is_ccqi_admin:
        return qs
    visible = Q(unit__roles__user=user)
    if user.is_assessor:
        visible |= Q(assignments__assessor=user, assignments__state__in=CLEARED_ASSIGNMENT_STATES)
    return qs.filter(visible).distinct()
