from django.db.models import QuerySet

from .models import Assignment


def assignment_list_for_assessor(*, user) -> QuerySet[Assignment]:
    """The assessor's assignments, soonest due first (one query)."""
    return (
        Assignment.objects.filter(assessor=user)
        .select_related("portfolio__unit__organisation")
        .order_by("due_date", "id")
    )
