"""Review pages. Thin: authorise (404 for anything the user may not see), bind a form, call
one workflow/service function, then a message and a redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ee_portal.audit.services import audit_log
from ee_portal.lib import fragments
from ee_portal.lib.db import get_with_related
from ee_portal.lib.forms import add_validation_error
from ee_portal.lib.views import error_text, refusal_message
from network.context_processors import prefetch_page
from portfolios import hooks as portfolio_hooks
from portfolios.cache import QUEUE, portfolio_scopes, review_scope
from portfolios.enums import TRANSITIONS, PortfolioState
from portfolios.models import Portfolio
from standards.models import Criterion

from . import services, workflow
from .agreement import portfolio_agreement
from .calibration import calibration_status
from .enums import AssignmentState, ReportKind, ReportStatus
from .forms import (
    AdvanceForm,
    AssignForm,
    ConsolidationForm,
    DecisionForm,
    DeclarationForm,
    EvidenceRequestForm,
    ReportForm,
    ScoreForm,
)
from .models import Assignment, Report
from .selectors import (
    DECISION_STEP,
    QUEUE_STATES,
    assignment_list_for_assessor,
    changes_since_last_revision,
    changes_since_previous_cycle,
    consolidation_data,
    criteria_for_portfolio,
    criteria_to_rate,
    decisions_for_portfolio,
    is_practice,
    open_evidence_request,
    reopened_criterion_ids,
    reports_for_portfolio,
    review_queue_counts,
    review_queue_for_admin,
    scoring_rows,
    unfinished_before,
)

REPORT_KINDS = (ReportKind.INTERIM, ReportKind.VISIT, ReportKind.SUMMARY)
QUEUE_PAGE_SIZE = 50


def _portfolio_for(request: HttpRequest, pk: int, perm: str) -> Portfolio:
    portfolio = get_object_or_404(
        Portfolio.objects.select_related("unit__organisation", "framework"), pk=pk
    )
    if not request.user.has_perm(perm, portfolio):
        raise Http404
    return portfolio


def _assignment_for(request: HttpRequest, pk: int, perm: str) -> Assignment:
    assignment = get_object_or_404(
        Assignment.objects.select_related(
            "portfolio__unit__organisation", "portfolio__framework", "assessor"
        ),
        pk=pk,
    )
    if not request.user.has_perm(perm, assignment):
        raise Http404
    return assignment


def _report_for(request: HttpRequest, pk: int, perm: str) -> Report:
    """A generic report (interim, visit, summary) the user may act on, else 404.

    Feedback reports have one path, the award pages (awards/views.py): the generic report
    routes never see them.
    """
    report = get_object_or_404(
        Report.objects.select_related(
            "portfolio__unit__organisation", "portfolio__framework"
        ).exclude(kind=ReportKind.FEEDBACK),
        pk=pk,
    )
    if not request.user.has_perm(perm, report):
        raise Http404
    return report


# --- lists -----------------------------------------------------------------------------------


@require_safe
@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_assessor or user.is_ccqi_admin):
        raise Http404

    def queue_context() -> dict:
        counts = review_queue_counts()
        return {
            # Paginated (issue 8): the queue can hold thousands of portfolios; 50 per page
            # keeps the page's cost flat (tests/perf/test_regressions.py).
            "queue": Paginator(review_queue_for_admin(), QUEUE_PAGE_SIZE).get_page(
                request.GET.get("page")
            ),
            "queue_states": [
                (PortfolioState(state).label, counts.get(state, 0)) for state in QUEUE_STATES
            ],
        }

    # Issue 8: the admins share one copy of the queue per page and day (overdue is by date)
    # until a portfolio, assignment, unit or assessor changes (lib/fragments.py); read with
    # the page chrome in one cache round trip.
    template, scopes = "reviews/_review_queue.html", (QUEUE,)
    vary = (request.GET.get("page", ""), timezone.localdate())
    if user.is_ccqi_admin:
        prefetch_page(request, (template, scopes, vary))
    context = {
        "assignments": assignment_list_for_assessor(user=user) if user.is_assessor else [],
        "queue_html": fragments.render_cached(
            request, template, scopes=scopes, vary=vary, context=queue_context
        )
        if user.is_ccqi_admin
        else "",
    }
    return render(request, "reviews/review_list.html", context)


# --- a portfolio under review ----------------------------------------------------------------


def _portfolio_page(request: HttpRequest, portfolio: Portfolio, assign_form=None) -> HttpResponse:
    user = request.user
    can_assign = user.has_perm("reviews.assign_assessor", portfolio)
    if can_assign and assign_form is None and portfolio.state in workflow.ASSIGNABLE_STATES:
        assign_form = AssignForm(portfolio=portfolio)
    assignments = portfolio.assignments.select_related("assessor").order_by("-is_lead", "id")
    reports = {r.kind: r for r in reports_for_portfolio(portfolio=portfolio)}
    practice = is_practice(portfolio)  # issue 16: assessors start practice themselves
    shown_form = (
        assign_form if portfolio.state in workflow.ASSIGNABLE_STATES and not practice else None
    )
    context = {
        "portfolio": portfolio,
        "assignments": assignments,
        "assign_form": shown_form,
        "practice": practice,
        # Issue 16: a warning beside the form, never a block.
        "calibration_flags": _calibration_flags(shown_form) if can_assign else [],
        "can_assign": can_assign,
        "can_consolidate": user.has_perm("reviews.consolidate_scores", portfolio),
        "can_request": user.has_perm("reviews.request_more_evidence", portfolio)
        and portfolio.state in workflow.REQUEST_EVIDENCE_STATES,
        "can_accept": user.has_perm("reviews.accept_resubmission", portfolio)
        and portfolio.state == PortfolioState.RESUBMITTED,
        "advance_to": [
            (
                state,
                PortfolioState(state).label,
                unfinished_before(portfolio=portfolio, step=state),
                AdvanceForm(initial={"to_state": state}, auto_id=f"id_{state}_%s"),
            )
            for state in workflow.ADVANCE_TARGETS
            if state in TRANSITIONS.get(portfolio.state, ())
        ]
        if user.has_perm("reviews.advance_review", portfolio)
        else [],
        "can_write_reports": user.has_perm("reviews.write_report", portfolio),
        "can_decide": user.has_perm("reviews.record_decision", portfolio)
        and portfolio.state == PortfolioState.PANEL,
        "report_rows": [(kind, ReportKind(kind).label, reports.get(kind)) for kind in REPORT_KINDS],
        "evidence_request": open_evidence_request(portfolio=portfolio),
        "decisions": decisions_for_portfolio(portfolio=portfolio),
        "own_assignment": next((a for a in assignments if a.assessor_id == user.pk), None),
    }
    return render(request, "reviews/portfolio_review.html", context)


def _calibration_flags(form: AssignForm | None) -> list[tuple[object, list[str]]]:
    """The assessors the form offers whose calibration needs a look (issue 16)."""
    if form is None:
        return []
    offered = list(form.fields["assessor"].queryset)
    statuses = calibration_status(assessor_ids=[a.pk for a in offered])
    return [(a, statuses[a.pk].flags) for a in offered if statuses[a.pk].flags]


@require_safe
@login_required
def portfolio_review(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _portfolio_for(request, pk, "reviews.view_review")
    return _portfolio_page(request, portfolio)


@require_POST
@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _portfolio_for(request, pk, "reviews.assign_assessor")
    form = AssignForm(request.POST, portfolio=portfolio)
    if form.is_valid():
        try:
            assignment = workflow.assessor_assign(
                portfolio=portfolio,
                assessor=form.cleaned_data["assessor"],
                due_date=form.cleaned_data["due_date"],
                is_lead=form.cleaned_data.get("is_lead", False),
                actor=request.user,
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        except workflow.InvalidTransitionError as exc:
            messages.error(request, str(exc))
            return redirect("reviews:portfolio", pk=pk)
        else:
            messages.success(
                request, f"{assignment.assessor} is assigned. We have emailed them the details."
            )
            flags = calibration_status(assessor_ids=[assignment.assessor_id])[
                assignment.assessor_id
            ].flags
            if flags:
                messages.warning(
                    request,
                    _("Please note: %(name)s %(flags)s.")
                    % {"name": assignment.assessor, "flags": "; ".join(flags)},
                )
            return redirect("reviews:portfolio", pk=pk)
    return _portfolio_page(request, portfolio, assign_form=form)


@require_POST
@login_required
def accept_resubmission(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _portfolio_for(request, pk, "reviews.accept_resubmission")
    try:
        workflow.portfolio_accept_resubmission(portfolio=portfolio, actor=request.user)
    except (ValidationError, workflow.InvalidTransitionError) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "The resubmission is accepted and back in review.")
    return redirect("reviews:portfolio", pk=pk)


@require_POST
@login_required
def advance(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _portfolio_for(request, pk, "reviews.advance_review")
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return redirect("reviews:portfolio", pk=pk)
    try:
        workflow.review_advance(
            portfolio=portfolio,
            to_state=form.cleaned_data["to_state"],
            override_reason=form.cleaned_data["override_reason"],
            actor=request.user,
        )
    except (ValidationError, workflow.InvalidTransitionError) as exc:
        messages.error(request, error_text(exc))
    except PermissionDenied:
        messages.error(
            request,
            _("Only the CCQI team can move a review on before every step is done."),
        )
    else:
        messages.success(request, f"The portfolio is now at: {portfolio.get_state_display()}.")
    return redirect("reviews:portfolio", pk=pk)


# --- an assessor's assignment ----------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The conflict-of-interest declaration; afterwards it leads to the scoring page."""
    assignment = _assignment_for(request, pk, "reviews.declare_assignment")
    if request.method != "POST" and assignment.state in (
        AssignmentState.SCORING,
        AssignmentState.SUBMITTED,
    ):
        return redirect("reviews:score", pk=pk)
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["declaration"] == DeclarationForm.NO_CONFLICT:
                workflow.assignment_declare_no_conflict(assignment=assignment, actor=request.user)
                messages.success(request, "Thank you. You can now see the evidence and score it.")
                return redirect("reviews:score", pk=pk)
            workflow.assignment_declare_conflict(
                assignment=assignment, reason=form.cleaned_data["reason"], actor=request.user
            )
            messages.success(
                request, "Thank you for telling us. The CCQI team will assign someone else."
            )
            return redirect("reviews:list")
        except ValidationError as exc:
            add_validation_error(form, exc)
        except workflow.InvalidTransitionError as exc:
            messages.error(request, str(exc))
            return redirect("reviews:assignment", pk=pk)
    return render(
        request, "reviews/assignment_detail.html", {"assignment": assignment, "form": form}
    )


SCORE_BODY = "reviews/_assignment_score_body.html"
INCOMPLETE_MESSAGE = _(
    "Nearly there: every criterion needs a rating before you submit. The ones still to rate "
    "are listed below."
)
TITLE_END = "<!--ee-title-end-->"


@require_safe
@login_required
def score(request: HttpRequest, pk: int) -> HttpResponse:
    # Issue 12: the assignment row decides who may see the page, so it is read from the
    # database on every request (one query by primary key). Issue 8: the body is cached until
    # the portfolio, its review, its framework or people's names change, under a key holding
    # the assignment's state just read; it also carries the page title, so the portfolio is
    # loaded only to render it.
    assignment = get_with_related(Assignment, pk, "portfolio")
    if assignment is None or not request.user.has_perm("reviews.score_assignment", assignment):
        raise Http404
    portfolio_id = assignment.portfolio_id
    scopes = (*portfolio_scopes(portfolio_id), review_scope(portfolio_id))
    vary = (pk, request.user.pk, assignment.state)
    prefetch_page(request, (SCORE_BODY, scopes, vary))

    def body_context() -> dict:
        portfolio = Portfolio.objects.select_related(
            "unit__organisation", "framework", "calibration"
        ).get(pk=portfolio_id)
        assignment.portfolio = portfolio
        rows = scoring_rows(assignment=assignment)
        choices = portfolio.framework.rating_choices
        labels = dict(choices)
        changes = changes_since_last_revision(portfolio=portfolio)
        across_cycles = not changes and portfolio.previous_id is not None
        if across_cycles:
            changes = changes_since_previous_cycle(portfolio=portfolio)
        for row in rows:
            row.change = changes.get(row.criterion.code)
            row.own_label = labels.get(row.score.rating, "") if row.score else ""
            for other in row.others:
                other.label = labels.get(other.rating, other.rating)
            row.form = ScoreForm(
                prefix=f"c{row.criterion.pk}",
                rating_choices=choices,
                initial={
                    "rating": row.score.rating if row.score else "",
                    "comment": row.score.comment if row.score else "",
                },
            )
        # Higher apps' panels per standard (questionnaire results), beside the standard's
        # first criterion: portfolios/hooks.py.
        panels = portfolio_hooks.standard_panels(portfolio=portfolio, place="scoring")
        seen: set[int] = set()
        for row in rows:
            standard_id = row.criterion.standard_id
            # The first criterion of each standard: its panel, and where "Jump to a
            # standard" leads (issue 17).
            row.first_of_standard = standard_id not in seen
            row.standard_panel = panels.get(standard_id, "") if row.first_of_standard else ""
            seen.add(standard_id)
        rated = sum(1 for row in rows if row.score and row.score.rating)
        return {
            "assignment": assignment,
            "portfolio": portfolio,
            "rows": rows,
            "rated": rated,
            "total": len(rows),
            "percent": round(100 * rated / len(rows)) if rows else 0,
            "editable": assignment.state == AssignmentState.SCORING,
            "reopened": reopened_criterion_ids(portfolio=portfolio),
            "changes_across_cycles": across_cycles,
            "practice": is_practice(portfolio),
        }

    html = fragments.render_cached(
        request, SCORE_BODY, scopes=scopes, vary=vary, context=body_context
    )
    title, body = html.split(TITLE_END, 1)
    return render(
        request,
        "reviews/assignment_score.html",
        {"title": mark_safe(title.strip()), "body": mark_safe(body)},  # noqa: S308 -- ours
    )


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("x-requested-with") == "fetch"


@require_POST
@login_required
def score_save(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    assignment = _assignment_for(request, pk, "reviews.score_assignment")
    criterion = get_object_or_404(
        criteria_for_portfolio(portfolio=assignment.portfolio), pk=criterion_pk
    )
    form = ScoreForm(
        request.POST,
        prefix=f"c{criterion.pk}",
        rating_choices=assignment.portfolio.framework.rating_choices,
    )
    error = ""
    if form.is_valid():
        try:
            services.criterion_score_save(
                assignment=assignment,
                criterion=criterion,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                actor=request.user,
            )
        except ValidationError as exc:
            error = error_text(exc)
    else:
        error = "Choose a rating from the scale."
    if _wants_json(request):
        rated = assignment.scores.exclude(rating="").count()
        return JsonResponse(
            {"ok": not error, "error": error, "rated": rated},
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Saved your score for {criterion.code}.")
    return HttpResponseRedirect(reverse("reviews:score", kwargs={"pk": pk}) + f"#c-{criterion.pk}")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def submit_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """GET checks first, then asks (issue 17): the criteria still to rate, each a link to its
    card, or, when every one has a rating, the confirmation with the button that submits."""
    assignment = _assignment_for(request, pk, "reviews.score_assignment")
    if request.method == "POST":
        try:
            workflow.assignment_submit_scores(assignment=assignment, actor=request.user)
        except ValidationError as exc:
            if exc.code == "incomplete":
                messages.error(request, INCOMPLETE_MESSAGE)
                return redirect("reviews:submit_scores", pk=pk)
            messages.error(request, error_text(exc))
        except workflow.InvalidTransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, "Thank you: your scores are submitted. You can now see the other scores."
            )
        return redirect("reviews:score", pk=pk)
    if assignment.state != AssignmentState.SCORING:
        return redirect("reviews:assignment", pk=pk)
    missing = criteria_to_rate(assignment=assignment)
    total = criteria_for_portfolio(portfolio=assignment.portfolio).count()
    standards: list[dict] = []
    for criterion in missing:
        if not standards or standards[-1]["standard"].pk != criterion.standard_id:
            standards.append({"standard": criterion.standard, "criteria": []})
        standards[-1]["criteria"].append(criterion)
    return render(
        request,
        "reviews/assignment_submit.html",
        {
            "assignment": assignment,
            "portfolio": assignment.portfolio,
            "missing": missing,
            "missing_by_standard": standards,
            "total": total,
            "rated": total - len(missing),
        },
    )


@require_safe
@login_required
def score_next(request: HttpRequest, pk: int) -> HttpResponse:
    """To the next criterion still to rate after ``?after=<criterion id>`` (from the top
    without it, round to the top after the last), or to the check before submitting when
    every criterion has a rating. Read afresh, so it is right however the scores were saved."""
    assignment = _assignment_for(request, pk, "reviews.score_assignment")
    if assignment.state != AssignmentState.SCORING:
        return redirect("reviews:score", pk=pk)
    missing = criteria_to_rate(assignment=assignment)
    if not missing:
        messages.success(request, _("Every criterion has a rating. Have a last look, then submit."))
        return redirect("reviews:submit_scores", pk=pk)
    after = request.GET.get("after", "")
    target = missing[0]
    current = None
    if after.isdigit():
        current = (
            criteria_for_portfolio(portfolio=assignment.portfolio).filter(pk=int(after)).first()
        )
    if current is not None:

        def place(c: Criterion) -> tuple:
            return (c.standard.number, c.order, c.code)

        target = next((c for c in missing if place(c) > place(current)), missing[0])
    url = reverse("reviews:score", kwargs={"pk": pk})
    return HttpResponseRedirect(f"{url}#c-{target.pk}")


# --- consolidation and more evidence ---------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def consolidate(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _portfolio_for(request, pk, "reviews.consolidate_scores")
    assignments, rows = consolidation_data(portfolio=portfolio)
    initial = {}
    for row in rows:
        initial[f"rating_{row.criterion.pk}"] = row.agreed.rating if row.agreed else row.suggested
        initial[f"comment_{row.criterion.pk}"] = row.agreed.comment if row.agreed else ""
    form = ConsolidationForm(
        request.POST or None,
        initial=initial,
        criteria=[row.criterion for row in rows],
        rating_choices=portfolio.framework.rating_choices,
        allow_override=request.user.is_ccqi_admin,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = workflow.scores_agree(
                portfolio=portfolio,
                ratings=form.ratings(),
                actor=request.user,
                override=bool(form.cleaned_data.get("override")),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except workflow.InvalidTransitionError as exc:
            messages.error(request, str(exc))
            return redirect("reviews:portfolio", pk=pk)
        else:
            messages.success(request, f"Agreed scores saved for {len(saved)} criteria.")
            return redirect("reviews:consolidate", pk=pk)
    labels = dict(portfolio.framework.rating_choices)
    for row in rows:
        for score_ in row.scores:
            if score_ is not None:
                score_.label = labels.get(score_.rating, score_.rating)
        row.rating_field = form[f"rating_{row.criterion.pk}"]
        row.comment_field = form[f"comment_{row.criterion.pk}"]
    submitted = sum(1 for a in assignments if a.state == AssignmentState.SUBMITTED)
    context = {
        "portfolio": portfolio,
        "assignments": assignments,
        "rows": rows,
        "form": form,
        "all_submitted": bool(assignments) and submitted == len(assignments),
        "disagreements": sum(1 for row in rows if row.disagreement),
        "agreement": portfolio_agreement(rows=rows, scale=list(labels)),
        "split_codes": [row.criterion.code for row in rows if row.disagreement],
    }
    return render(request, "reviews/portfolio_consolidate.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def request_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _portfolio_for(request, pk, "reviews.request_more_evidence")
    form = EvidenceRequestForm(request.POST or None, portfolio=portfolio)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.portfolio_request_more_evidence(
                portfolio=portfolio,
                criteria=form.cleaned_data["criteria"],
                message=form.cleaned_data["message"],
                due_date=form.cleaned_data["due_date"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except workflow.InvalidTransitionError as exc:
            messages.error(request, str(exc))
            return redirect("reviews:portfolio", pk=pk)
        else:
            messages.success(
                request, "The request is sent. Only the criteria you chose are open to the unit."
            )
            return redirect("reviews:portfolio", pk=pk)
    return render(
        request, "reviews/evidence_request_form.html", {"portfolio": portfolio, "form": form}
    )


# --- reports ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def report_edit(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    portfolio = _portfolio_for(request, pk, "reviews.write_report")
    if kind not in REPORT_KINDS:
        raise Http404
    report = portfolio.reports.filter(kind=kind).first()
    if report is not None and report.released_at is not None:
        messages.info(request, "This report has been released, so it can no longer be changed.")
        return redirect("reviews:report", pk=report.pk)
    form = ReportForm(request.POST or None, instance=report, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_save(
                portfolio=portfolio, kind=kind, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, f"{report.get_kind_display()} saved.")
            return redirect("reviews:report", pk=report.pk)
    return render(
        request,
        "reviews/report_form.html",
        {"portfolio": portfolio, "form": form, "kind_label": ReportKind(kind).label},
    )


@require_safe
@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk, "reviews.view_report")
    user = request.user
    context = {
        "report": report,
        "portfolio": report.portfolio,
        "can_edit": user.has_perm("reviews.edit_report", report) and report.released_at is None,
        "can_release": user.has_perm("reviews.release_report", report)
        and report.released_at is None
        and report.kind != ReportKind.FEEDBACK,
        "can_render": user.has_perm("reviews.edit_report", report)
        and report.status != ReportStatus.RENDERING
        and report.kind != ReportKind.FEEDBACK,
    }
    return render(request, "reviews/report_detail.html", context)


@require_safe
@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    report = _report_for(request, pk, "reviews.view_report")
    if report.status != ReportStatus.READY or not report.pdf:
        raise Http404
    audit_log(actor=request.user, verb="review.report_downloaded", obj=report)
    filename = f"{report.portfolio.unit.name} - {report.get_kind_display()}.pdf"
    return FileResponse(
        report.pdf.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )


@require_POST
@login_required
def report_release(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk, "reviews.release_report")
    with refusal_message(request, workflow.InvalidTransitionError) as refused:
        workflow.report_release(report=report, actor=request.user)
    if not refused:
        messages.success(request, "The report is released. We have emailed the unit lead.")
    return redirect("reviews:report", pk=pk)


@require_POST
@login_required
def report_render(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk, "reviews.edit_report")
    with refusal_message(request, workflow.InvalidTransitionError) as refused:
        workflow.report_render(report=report, actor=request.user)
    if not refused:
        messages.success(request, "The PDF is being prepared. Refresh the page in a moment.")
    return redirect("reviews:report", pk=pk)


# --- decision and outcome --------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _portfolio_for(request, pk, "reviews.record_decision")
    unfinished = unfinished_before(portfolio=portfolio, step=DECISION_STEP)
    form = DecisionForm(request.POST or None, allow_override=bool(unfinished))
    if request.method == "POST" and form.is_valid():
        try:
            workflow.decision_record(
                portfolio=portfolio,
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["rationale"],
                conditions=form.cleaned_data["conditions"],
                conditions_due=form.cleaned_data["conditions_due"],
                override_reason=form.cleaned_data.get("override_reason", ""),
                actor=request.user,
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        except workflow.InvalidTransitionError as exc:
            messages.error(request, str(exc))
            return redirect("reviews:portfolio", pk=pk)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request, "The decision is recorded and the letter is on its way to the unit lead."
            )
            return redirect("reviews:portfolio", pk=pk)
    return render(
        request,
        "reviews/decision_form.html",
        {"portfolio": portfolio, "form": form, "unfinished": unfinished},
    )


@require_safe
@login_required
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """What the unit sees: released reports and the panel's decisions (never scores)."""
    portfolio = _portfolio_for(request, pk, "portfolios.view_portfolio")
    context = {
        "portfolio": portfolio,
        "reports": reports_for_portfolio(portfolio=portfolio, released_only=True),
        "decisions": decisions_for_portfolio(portfolio=portfolio),
    }
    return render(request, "reviews/portfolio_outcome.html", context)
