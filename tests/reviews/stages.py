"""The artefacts each review stage needs (issue 17), for tests that drive a portfolio on.

reviews.workflow refuses to move a portfolio on while the stage's artefacts are missing
(reviews.selectors.STEP_REQUIREMENTS). Tests that are not about that rule call
``complete_stages`` first instead of weakening it.
"""

from django.utils import timezone

from reviews.enums import AssignmentState, ReportKind, VisitMode
from reviews.models import AgreedScore, Assignment, Report
from reviews.selectors import (
    DECISION_STEP,
    LIVE_ASSIGNMENT_STATES,
    criteria_for_portfolio,
    unfinished_before,
)
from tests import factories

ORDER = ("interim_report", "visit", "panel", DECISION_STEP)


def complete_stages(portfolio, upto=DECISION_STEP):
    """Make every artefact needed up to and including the step ``upto`` (idempotent).

    Live assignments become submitted (one submitted assessor is added if there is none),
    every criterion gets an agreed "met", the interim report is released, the visit is
    recorded and the summary report released, as far as ``upto`` asks.
    """
    steps = ORDER[: ORDER.index(upto) + 1]
    author = None
    if "interim_report" in steps:
        live = Assignment.objects.filter(portfolio=portfolio, state__in=LIVE_ASSIGNMENT_STATES)
        if not live.exists():
            factories.AssignmentFactory(portfolio=portfolio, state=AssignmentState.SUBMITTED)
        live.update(state=AssignmentState.SUBMITTED, scores_submitted_at=timezone.now())
        author = live.order_by("-is_lead", "id").first().assessor
        for criterion in criteria_for_portfolio(portfolio=portfolio):
            AgreedScore.objects.update_or_create(
                portfolio=portfolio, criterion=criterion, defaults={"rating": "met"}
            )
    for step, kind in (
        ("visit", ReportKind.INTERIM),
        ("panel", ReportKind.VISIT),
        (DECISION_STEP, ReportKind.SUMMARY),
    ):
        if step not in steps:
            continue
        defaults = {"author": author, "strengths": "A warm, welcoming community."}
        if kind != ReportKind.VISIT:
            defaults["released_at"] = timezone.now()
        else:
            defaults.update(
                visit_date=timezone.localdate(),
                visit_mode=VisitMode.IN_PERSON,
                findings="Members lead the community meeting.",
            )
        report = Report.objects.filter(portfolio=portfolio, kind=kind).first()
        if report is None:
            Report.objects.create(portfolio=portfolio, kind=kind, **defaults)
        elif kind != ReportKind.VISIT and report.released_at is None:
            Report.objects.filter(pk=report.pk).update(released_at=timezone.now())
        elif kind == ReportKind.VISIT and report.visit_date is None:
            Report.objects.filter(pk=report.pk).update(visit_date=timezone.localdate())
    assert not unfinished_before(portfolio=portfolio, step=upto)
    return portfolio
