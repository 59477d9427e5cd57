"""Scored history for the agreement and calibration tests (issue 16)."""

import datetime as dt

from django.utils import timezone

from portfolios.enums import PortfolioState
from reviews.enums import AssignmentState
from reviews.models import AgreedScore, Assignment, CriterionScore
from standards.models import Criterion
from tests import factories


def criteria_of(framework):
    return list(
        Criterion.objects.filter(standard__framework=framework).order_by(
            "standard__number", "order", "code"
        )
    )


def scored_portfolio(framework, ratings, agreed, *, submitted_at=None, unit=None):
    """A portfolio whose assessors submitted ``ratings`` ({assessor: [rating per criterion]})
    and whose agreed ratings are ``agreed`` (a list, or one value for every criterion)."""
    criteria = criteria_of(framework)
    portfolio = factories.PortfolioFactory(
        framework=framework,
        state=PortfolioState.INTERIM_REPORT,
        unit=unit or factories.UnitFactory(),
    )
    when = submitted_at or timezone.now()
    for assessor, given in ratings.items():
        assignment = factories.AssignmentFactory(
            portfolio=portfolio,
            assessor=assessor,
            state=AssignmentState.SUBMITTED,
            scores_submitted_at=when,
        )
        values = given if isinstance(given, list) else [given] * len(criteria)
        CriterionScore.objects.bulk_create(
            CriterionScore(assignment=assignment, criterion=c, rating=v)
            for c, v in zip(criteria, values, strict=True)
        )
    values = agreed if isinstance(agreed, list) else [agreed] * len(criteria)
    AgreedScore.objects.bulk_create(
        AgreedScore(portfolio=portfolio, criterion=c, rating=v)
        for c, v in zip(criteria, values, strict=True)
    )
    return portfolio


def practice(framework, references="met"):
    """A published practice portfolio with a reference per criterion."""
    criteria = criteria_of(framework)
    exercise = factories.CalibrationExerciseFactory(
        portfolio__framework=framework, portfolio__unit__name="Practice: Example Ward"
    )
    values = references if isinstance(references, list) else [references] * len(criteria)
    for criterion, value in zip(criteria, values, strict=True):
        factories.ReferenceRatingFactory(
            exercise=exercise, criterion=criterion, rating=value, comment=f"Why {criterion.code}."
        )
    return exercise


def practised(exercise, assessor, ratings, *, days_ago=1):
    """``assessor`` has submitted practice ratings on ``exercise``."""
    criteria = criteria_of(exercise.portfolio.framework)
    assignment = factories.AssignmentFactory(
        portfolio=exercise.portfolio,
        assessor=assessor,
        state=AssignmentState.SUBMITTED,
        scores_submitted_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    values = ratings if isinstance(ratings, list) else [ratings] * len(criteria)
    CriterionScore.objects.bulk_create(
        CriterionScore(assignment=assignment, criterion=c, rating=v, comment="Mine.")
        for c, v in zip(criteria, values, strict=True)
    )
    return Assignment.objects.get(pk=assignment.pk)
