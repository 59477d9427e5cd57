"""Agreement and calibration pages (issue 16).

Every assessor's agreement (CCQI admins), one assessor's figures over time (the assessor
themself, or an admin), the criteria assessors most often split on (a page and a CSV), and the
practice portfolios with their results. Units never see any of it: anything else is a 404."""

import csv

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ee_portal.lib.views import error_text
from network.models import User

from .agreement import (
    assessor_agreement_list,
    assessor_chart,
    assessor_history,
    criterion_disagreement,
    trend_chart,
)
from .calibration import (
    calibration_publish_example,
    calibration_start,
    calibration_status,
    practice_assignments,
    practice_comparison,
    practice_tables,
    published_exercises,
)
from .enums import AssignmentState
from .models import Assignment


def _require(request: HttpRequest, perm: str, obj: object = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise Http404


@require_safe
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    _require(request, "reviews.view_agreement_overview")
    rows = assessor_agreement_list()
    statuses = calibration_status(assessor_ids=[row.assessor.pk for row in rows])
    context = {
        "rows": [(row, statuses.get(row.assessor.pk)) for row in rows],
        "chart": assessor_chart(rows),
        "criteria": criterion_disagreement()[:10],
    }
    return render(request, "reviews/agreement_overview.html", context)


@require_safe
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    if not request.user.is_assessor:
        raise Http404
    return redirect("reviews:agreement_assessor", pk=request.user.pk)


@require_safe
@login_required
def assessor(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk, is_assessor=True)
    _require(request, "reviews.view_assessor_agreement", person)
    history = assessor_history(assessor=person)
    context = {
        "person": person,
        "history": history,
        "chart": trend_chart(history.quarters) if history.quarters else None,
        "status": calibration_status(assessor_ids=[person.pk]).get(person.pk),
        "is_self": person.pk == request.user.pk,
    }
    return render(request, "reviews/agreement_assessor.html", context)


@require_safe
@login_required
def criteria(request: HttpRequest) -> HttpResponse:
    _require(request, "reviews.view_agreement_overview")
    return render(request, "reviews/agreement_criteria.html", {"ranking": criterion_disagreement()})


@require_safe
@login_required
def criteria_csv(request: HttpRequest) -> HttpResponse:
    _require(request, "reviews.view_agreement_overview")
    ranking = criterion_disagreement()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="criteria-disagreement.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("rank"),
            _("framework"),
            _("criterion"),
            _("standard"),
            _("text"),
            _("portfolios scored by two or more assessors"),
            _("portfolios where they split"),
            _("split rate"),
        ]
    )
    for rank, row in enumerate(ranking, start=1):
        writer.writerow(
            [
                rank,
                row.criterion.standard.framework.code,
                row.criterion.code,
                row.criterion.standard.name,
                row.criterion.text,
                row.portfolios,
                row.splits,
                f"{row.rate:.3f}",
            ]
        )
    return response


# --- calibration -------------------------------------------------------------------------------


@require_safe
@login_required
def calibration_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    is_admin = user.has_perm("reviews.manage_calibration")
    if not (is_admin or user.has_perm("reviews.take_calibration")):
        raise Http404
    exercises = list(published_exercises())
    # django-rules alone: Django's ModelBackend would read the person's permission rows too.
    takes_part = rules.has_perm("reviews.take_calibration", user)
    own: dict[int, Assignment] = {}
    if takes_part:
        for assignment in practice_assignments(assessor=user):
            own.setdefault(assignment.portfolio_id, assignment)
    everyone = []
    if is_admin:
        practice = list(practice_assignments())
        figures = practice_tables(
            assignment_ids=[a.pk for a in practice if a.state == AssignmentState.SUBMITTED]
        )
        everyone = [(a, figures.get(a.pk)) for a in practice]
    context = {
        "exercises": [(e, own.get(e.portfolio_id)) for e in exercises],
        "status": calibration_status(assessor_ids=[int(user.pk)]).get(user.pk)
        if takes_part
        else None,
        "takes_part": takes_part,
        "everyone": everyone,
        "is_admin": is_admin,
        "threshold": settings.EE_CALIBRATION_MIN_AC1,
        "months": settings.EE_CALIBRATION_VALID_MONTHS,
    }
    return render(request, "reviews/calibration_home.html", context)


@require_POST
@login_required
def calibration_publish(request: HttpRequest) -> HttpResponse:
    _require(request, "reviews.manage_calibration")
    try:
        exercise = calibration_publish_example(actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            _("“%(title)s” is published. Assessors can now practise on it.")
            % {"title": exercise.title},
        )
    return redirect("reviews:calibration")


@require_POST
@login_required
def calibration_begin(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "reviews.take_calibration")
    exercise = get_object_or_404(published_exercises(), pk=pk)
    try:
        assignment = calibration_start(exercise=exercise, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("reviews:calibration")
    return redirect("reviews:score", pk=assignment.pk)


@require_safe
@login_required
def calibration_result(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.filter(portfolio__calibration__isnull=False).select_related(
            "assessor", "portfolio__framework", "portfolio__calibration"
        ),
        pk=pk,
    )
    _require(request, "reviews.view_calibration_result", assignment)
    submitted = assignment.state == AssignmentState.SUBMITTED
    if not submitted and not request.user.is_ccqi_admin:
        # The reference stays hidden until the assessor has committed to their own ratings.
        messages.info(request, _("Submit your practice ratings first, then compare them here."))
        return redirect("reviews:score", pk=pk)
    labels = dict(assignment.portfolio.framework.rating_choices)
    rows = practice_comparison(assignment=assignment)
    context = {
        "assignment": assignment,
        "exercise": assignment.portfolio.calibration,
        "rows": [
            (
                row,
                labels.get(row.rating, row.rating),
                labels.get(row.reference.rating, row.reference.rating) if row.reference else "",
            )
            for row in rows
        ],
        "agreement": practice_tables(assignment_ids=[assignment.pk]).get(assignment.pk)
        if submitted
        else None,
        "threshold": settings.EE_CALIBRATION_MIN_AC1,
        "is_self": assignment.assessor_id == request.user.pk,
    }
    return render(request, "reviews/calibration_result.html", context)
