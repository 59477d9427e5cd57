from django.db.models import Count, Prefetch, QuerySet

from .enums import DEFAULT_PROGRAMME
from .models import Criterion, Framework, Standard


def framework_current(*, programme: str = DEFAULT_PROGRAMME) -> Framework | None:
    """The newest published framework of a programme, the EE Award's by default (one query)."""
    return Framework.objects.current(programme=programme)


def standards_with_criteria(*, framework: Framework) -> QuerySet[Standard]:
    """Every standard of a framework with its criteria in order (two queries)."""
    return framework.standards.prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("order", "code"))
    ).order_by("number")


def standard_list(*, framework: Framework) -> QuerySet[Standard]:
    """Standards of a framework with their criterion count (one query)."""
    return framework.standards.annotate(criterion_count=Count("criteria")).order_by("number")


def standard_get_with_criteria(*, framework: Framework, number: int) -> Standard | None:
    """One standard and its criteria (two queries)."""
    return (
        framework.standards.filter(number=number)
        .prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.order_by("order", "code"))
        )
        .first()
    )


def criteria_for_framework(*, framework: Framework) -> QuerySet[Criterion]:
    return Criterion.objects.filter(standard__framework=framework).select_related("standard")
