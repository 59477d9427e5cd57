"""The network's pages. Thin: authorise (404 for anything the user may not see), bind a form,
call one service, then a message and a redirect."""

import csv
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ee_portal.lib.forms import add_validation_error
from ee_portal.lib.views import admin_required, refusal_message
from network.models import PeerReviewerProfile, Unit
from portfolios.enums import Cycle
from portfolios.models import Portfolio
from reviews.selectors import reports_for_portfolio

from . import selectors, services
from .forms import ActionPointForm, ApproveForm, NominateForm, PeerTeamForm
from .models import NationalReport, PeerVisit


def _cycle_for(request: HttpRequest, pk: int, perm: str) -> Portfolio:
    portfolio = get_object_or_404(
        Portfolio.objects.select_related("unit__organisation", "framework"),
        pk=pk,
        cycle=Cycle.ANNUAL,
    )
    if not request.user.has_perm(perm, portfolio):
        raise Http404
    return portfolio


def _form_page(  # noqa: PLR0913 -- one helper for the three form pages
    request: HttpRequest,
    form: Form,
    action: Callable[[dict[str, Any]], object],
    *,
    success: str,
    done: HttpResponse,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """GET shows the form; a valid POST calls the one service and redirects with a message;
    a refusal shows the service's reasons on the form (400), nothing saved."""
    if request.method == "POST":
        if form.is_valid():
            try:
                action(form.cleaned_data)
            except ValidationError as exc:
                add_validation_error(form, exc)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, success)
                return done
        return render(request, template, {**context, "form": form}, status=400)
    return render(request, template, {**context, "form": form})


@require_safe
@admin_required
def dashboard(request: HttpRequest) -> HttpResponse:
    data = selectors.coordinator_dashboard()
    return render(
        request,
        "programmes/dashboard.html",
        {"data": data, "years": selectors.national_years()},
    )


@require_safe
@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _cycle_for(request, pk, "programmes.view_cycle")
    manage = request.user.has_perm("programmes.manage_cycle", portfolio)
    membership_type = selectors.membership_type_for(unit_id=portfolio.unit_id)
    visit = PeerVisit.objects.filter(portfolio=portfolio).first()
    context = {
        "portfolio": portfolio,
        "stage": selectors.stage_label(portfolio.state),
        "steps": selectors.steps_for(membership_type),
        "membership_type": membership_type,
        "visit": visit,
        "manage": manage,
        # Members see only what has been released to them, never the peer ratings themselves.
        "reports": reports_for_portfolio(portfolio=portfolio, released_only=not manage),
        "team": portfolio.assignments.select_related("assessor").order_by("-is_lead", "id")
        if manage
        else [],
        "action_points": portfolio.action_points.select_related("criterion") if manage else [],
    }
    return render(request, "programmes/cycle_detail.html", context)


@require_POST
@login_required
def cycle_start(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=unit_pk)
    if not request.user.has_perm("programmes.start_cycle", unit):
        raise Http404
    portfolio = None
    with refusal_message(request) as refused:
        portfolio = services.annual_cycle_start(actor=request.user, unit=unit)
    if refused or portfolio is None:
        return redirect("network:unit_detail", pk=unit.pk)
    messages.success(
        request,
        _("The annual self-review for %(unit)s has started. Rate each criterion as you go.")
        % {"unit": unit},
    )
    return redirect("portfolios:detail", pk=portfolio.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def team_assign(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _cycle_for(request, pk, "programmes.manage_cycle")
    form = PeerTeamForm(request.POST or None)
    return _form_page(
        request,
        form,
        lambda data: services.peer_team_assign(
            actor=request.user,
            portfolio=portfolio,
            lead=data["lead"],
            reviewers=list(data["reviewers"]),
            visit_date=data["visit_date"],
        ),
        success=_("The peer team is assigned and each reviewer has been emailed."),
        done=redirect("programmes:cycle", pk=pk),
        template="programmes/team_form.html",
        context={"portfolio": portfolio},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def action_point_create(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _cycle_for(request, pk, "programmes.manage_cycle")
    form = ActionPointForm(request.POST or None, framework_id=portfolio.framework_id)
    return _form_page(
        request,
        form,
        lambda data: services.action_point_add(actor=request.user, portfolio=portfolio, **data),
        success=_("Action point added to the annual report."),
        done=redirect("programmes:cycle", pk=pk),
        template="programmes/action_point_form.html",
        context={"portfolio": portfolio},
    )


# --- reviewer pool -----------------------------------------------------------------------------


@require_safe
@admin_required
def reviewer_list(request: HttpRequest) -> HttpResponse:
    profiles = PeerReviewerProfile.objects.select_related(
        "user", "nominated_by_unit", "home_organisation"
    ).order_by("status", "user__full_name", "user__email")
    return render(
        request,
        "programmes/reviewer_list.html",
        {"profiles": profiles, "approve_form": ApproveForm()},
    )


@require_POST
@admin_required
def reviewer_approve(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(PeerReviewerProfile.objects.select_related("user"), pk=pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date they completed reviewer training."))
        return redirect("programmes:reviewers")
    with refusal_message(request) as refused:
        services.peer_reviewer_approve(
            actor=request.user, profile=profile, trained_on=form.cleaned_data["trained_on"]
        )
    if not refused:
        messages.success(
            request, _("%(person)s is now an approved reviewer.") % {"person": profile.user}
        )
    return redirect("programmes:reviewers")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def reviewer_nominate(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=unit_pk)
    if not request.user.has_perm("programmes.nominate_reviewer", unit):
        raise Http404
    form = NominateForm(request.POST or None)
    return _form_page(
        request,
        form,
        lambda data: services.peer_reviewer_nominate(
            actor=request.user, unit=unit, user=data["email"], kind=data["kind"]
        ),
        success=_("Thank you. CCQI will approve the nomination once their training is done."),
        done=redirect("network:unit_detail", pk=unit.pk),
        template="programmes/nominate_form.html",
        context={"unit": unit},
    )


# --- national report ---------------------------------------------------------------------------


@require_safe
@admin_required
def national(request: HttpRequest, year: int) -> HttpResponse:
    rows = selectors.national_report(year=year)
    report = NationalReport.objects.filter(programme=selectors.PROGRAMME, year=year).first()
    return render(
        request,
        "programmes/national_report.html",
        {
            "year": year,
            "rows": rows,
            "chart_height": max(len(rows), 1) * 40,
            "report": report,
            "years": selectors.national_years(),
        },
    )


@require_safe
@admin_required
def national_csv(request: HttpRequest, year: int) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="national-report-{year}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "standard",
            "name",
            "communities",
            "self_rated",
            "self_met",
            "self_met_percent",
            "peer_rated",
            "peer_met",
            "peer_met_percent",
        ]
    )
    for row in selectors.national_report(year=year):
        writer.writerow(
            [
                row.number,
                row.name,
                row.communities,
                row.self_total,
                row.self_met,
                "" if row.self_share is None else row.self_share,
                row.peer_total,
                row.peer_met,
                "" if row.peer_share is None else row.peer_share,
            ]
        )
    return response


@require_POST
@admin_required
def national_render(request: HttpRequest, year: int) -> HttpResponse:
    services.national_report_render(actor=request.user, year=year)
    messages.success(request, _("The PDF is being prepared. Refresh the page in a moment."))
    return redirect("programmes:national", year=year)


@require_safe
@admin_required
def national_pdf(request: HttpRequest, year: int) -> HttpResponseBase:
    report = NationalReport.objects.filter(
        programme=selectors.PROGRAMME, year=year, status="ready"
    ).first()
    if report is None or not report.pdf:
        raise Http404
    return FileResponse(
        report.pdf.open("rb"),
        as_attachment=True,
        filename=f"national-report-{year}.pdf",
        content_type="application/pdf",
    )
