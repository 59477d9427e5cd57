"""Award pages: the public register and verification, unit and admin award pages, downloads,
and a person's data export (awards/privacy.py)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ee_portal.audit.services import audit_log
from ee_portal.lib.pagecache import (
    cache_public_page,
)
from ee_portal.lib.views import admin_required, refusal_message
from network.models import User
from portfolios.enums import Cycle
from reviews.enums import ReportStatus

from .enums import AwardStatus, CertificateStatus, LiveStatus
from .forms import OpenReviewForm, RegisterFilterForm, ReinstateForm, RevokeForm, SuspendForm
from .privacy import person_data_export
from .selectors import (
    award_get_by_verify_code,
    award_get_for_page,
    award_list_visible_to,
    award_live_reason,
    award_live_status,
    award_register_queryset,
    feedback_report_for,
    open_review_portfolios,
    portfolio_has_agreed_scores,
)
from .services import (
    award_open_review,
    award_reinstate,
    award_revoke,
    award_suspend,
    award_title_for,
    certificate_record_download,
    certificate_requeue,
    feedback_report_release,
    feedback_report_request,
)

REGISTER_PAGE_SIZE = 50
LIST_PAGE_SIZE = 50


def _messages_from(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


@require_safe
@cache_public_page  # issue 8: the same for every anonymous visitor; see ee_portal/lib/pagecache.py
def award_register(request: HttpRequest) -> HttpResponse:
    form = RegisterFilterForm(request.GET or None)
    filters: dict[str, str] = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    awards = award_register_queryset(**filters)
    page = Paginator(awards, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return render(
        request,
        "awards/award_register.html",
        {
            "form": form,
            "page_obj": page,
            "awards": page.object_list,
            "querystring": query,
            "filtered": bool(filters),
        },
    )


@require_safe
@cache_public_page  # issue 8: revocation, suspension or a lapse invalidates it (pagecache.py)
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    award = award_get_by_verify_code(code=code)
    if award is None:
        return render(request, "awards/certificate_not_found.html", status=404)
    return render(
        request,
        "awards/certificate_verify.html",
        {
            "award": award,
            "certificate": award.certificate,
            "live": award_live_status(award),
            "reason": award_live_reason(award),
            "LiveStatus": LiveStatus,
            "award_title": award_title_for(award.framework),
        },
    )


@require_safe
@login_required
def award_list(request: HttpRequest) -> HttpResponse:
    awards = award_list_visible_to(user=request.user)
    failed_only = request.user.is_ccqi_admin and request.GET.get("certificate") == "failed"
    if failed_only:
        awards = awards.filter(certificate__status=CertificateStatus.FAILED)
    page = Paginator(awards, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "awards/award_list.html",
        {
            "page_obj": page,
            "awards": page.object_list,
            "failed_only": failed_only,
            "querystring": "certificate=failed" if failed_only else "",
        },
    )


def _award_or_404(request: HttpRequest, pk: int, perm: str = "awards.view_award"):
    award = award_get_for_page(pk=pk)
    if award is None or not request.user.has_perm(perm, award):
        raise Http404
    return award


@require_safe
@login_required
def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    award = _award_or_404(request, pk)
    is_admin = request.user.has_perm("awards.manage_award", award)
    report = feedback_report_for(portfolio_id=award.portfolio_id)
    context = {
        "award": award,
        "certificate": getattr(award, "certificate", None),
        "live": award_live_status(award),
        "reason": award_live_reason(award),
        "is_admin": is_admin,
        "report": report,
        "report_downloadable": report is not None
        and report.status == ReportStatus.READY
        and request.user.has_perm("awards.download_feedback_report", report),
        "LiveStatus": LiveStatus,
        "AwardStatus": AwardStatus,
        "CertificateStatus": CertificateStatus,
        "ReportStatus": ReportStatus,
    }
    if is_admin:
        context.update(
            # Offered only when it can work (issue 17): the report lists the agreed ratings.
            can_prepare_feedback=portfolio_has_agreed_scores(portfolio_id=award.portfolio_id),
            reinstate_form=ReinstateForm(),
            Cycle=Cycle,
        )
        # A cycle already open is linked, not offered again (issue 17).
        context["open_portfolios"] = list(open_review_portfolios(award=award))
        context["open_cycles"] = {p.cycle for p in context["open_portfolios"]}
    return render(request, "awards/award_detail.html", context)


@require_safe
@login_required
def certificate_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    award = _award_or_404(request, pk, "awards.download_certificate")
    certificate = getattr(award, "certificate", None)
    if certificate is None or certificate.status != CertificateStatus.READY or not certificate.pdf:
        messages.info(request, _("The certificate is still being prepared. Please try again soon."))
        return redirect("awards:detail", pk=award.pk)
    try:
        handle = certificate.pdf.open("rb")
    except FileNotFoundError:
        messages.error(request, _("The certificate file is missing. The CCQI team has been told."))
        audit_log(actor=request.user, verb="certificate.file_missing", obj=certificate)
        return redirect("awards:detail", pk=award.pk)
    certificate_record_download(certificate=certificate, actor=request.user)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
    )


# Suspending and revoking each have their own page with their own titled form (issue 17): one
# click on the award page never changes its status, and revoking needs a tick as well.
_STATUS_PAGES: dict[str, dict[str, Any]] = {
    "suspend": {
        "form": SuspendForm,
        "action": award_suspend,
        "allowed_from": (AwardStatus.VALID,),
        "title": _("Suspend the award"),
        "intro": _(
            "Suspending pauses the award, for example while a concern is looked into. The "
            "public verification page shows it as suspended, with your reason, and the unit "
            "lead is emailed. You can reinstate it later."
        ),
        "button": _("Suspend the award"),
        "button_class": "btn-warning",
    },
    "revoke": {
        "form": RevokeForm,
        "action": award_revoke,
        "allowed_from": (AwardStatus.VALID, AwardStatus.SUSPENDED),
        "title": _("Revoke the award"),
        "intro": _(
            "Revoking ends the award for good: it cannot be reinstated, and the unit would need "
            "a new award. The public verification page shows it as revoked, with your reason, "
            "and the unit lead is emailed. To pause the award instead, suspend it."
        ),
        "button": _("Revoke the award for good"),
        "button_class": "btn-danger",
    },
}


def _status_change(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    award = _award_or_404(request, pk, "awards.manage_award")
    page = _STATUS_PAGES[kind]
    form = page["form"](request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            award = page["action"](
                award=award, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in _messages_from(exc):
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The award is now %(status)s.") % {"status": award.get_status_display().lower()},
            )
        return redirect("awards:detail", pk=award.pk)
    return render(
        request,
        "awards/award_status_form.html",
        {
            "award": award,
            "form": form,
            "page": page,
            "allowed": award.status in page["allowed_from"],
            "AwardStatus": AwardStatus,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def award_suspend_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_change(request, pk, "suspend")


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def award_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_change(request, pk, "revoke")


@require_POST
@admin_required
def award_reinstate_view(request: HttpRequest, pk: int) -> HttpResponse:
    award = _award_or_404(request, pk, "awards.manage_award")
    form = ReinstateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The note is too long: please keep it under 1,000 characters."))
        return redirect("awards:detail", pk=award.pk)
    try:
        award_reinstate(award=award, actor=request.user, note=form.cleaned_data["note"])
    except ValidationError as exc:
        for message in _messages_from(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The award is valid again."))
    return redirect("awards:detail", pk=award.pk)


@require_POST
@admin_required
def certificate_requeue_view(request: HttpRequest, pk: int) -> HttpResponse:
    award = _award_or_404(request, pk, "awards.manage_award")
    certificate = getattr(award, "certificate", None)
    if certificate is None:
        raise Http404
    requeued = False
    with refusal_message(request) as refused:
        requeued = certificate_requeue(certificate=certificate, actor=request.user)
    if requeued:
        messages.success(request, _("The certificate is being prepared again."))
    elif not refused:
        messages.info(request, _("The certificate is already ready: nothing to do."))
    return redirect("awards:detail", pk=award.pk)


@require_POST
@admin_required
def award_open_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    award = _award_or_404(request, pk, "awards.manage_award")
    form = OpenReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an interim review or a renewal."))
        return redirect("awards:detail", pk=award.pk)
    try:
        portfolio = award_open_review(
            award=award, actor=request.user, cycle=form.cleaned_data["cycle"]
        )
    except ValidationError as exc:
        for message in _messages_from(exc):
            messages.error(request, message)
        return redirect("awards:detail", pk=award.pk)
    messages.success(
        request,
        _("The %(cycle)s portfolio is open for the unit.")
        % {"cycle": portfolio.get_cycle_display().lower()},
    )
    return redirect(reverse("awards:detail", kwargs={"pk": award.pk}))


@require_POST
@admin_required
def feedback_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    award = _award_or_404(request, pk, "awards.manage_award")
    try:
        feedback_report_request(portfolio=award.portfolio, actor=request.user)
    except ValidationError as exc:
        for message in _messages_from(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The feedback report is being prepared."))
    return redirect("awards:detail", pk=award.pk)


@require_POST
@admin_required
def feedback_release_view(request: HttpRequest, pk: int) -> HttpResponse:
    award = _award_or_404(request, pk, "awards.manage_award")
    report = feedback_report_for(portfolio_id=award.portfolio_id)
    if report is None:
        raise Http404
    try:
        feedback_report_release(report=report, actor=request.user)
    except ValidationError as exc:
        for message in _messages_from(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The unit can now download its feedback report."))
    return redirect("awards:detail", pk=award.pk)


@require_safe
@login_required
def feedback_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    award = _award_or_404(request, pk)
    report = feedback_report_for(portfolio_id=award.portfolio_id)
    if (
        report is None
        or report.status != ReportStatus.READY
        or not report.pdf
        or not request.user.has_perm("awards.download_feedback_report", report)
    ):
        raise Http404
    audit_log(actor=request.user, verb="feedback_report.downloaded", obj=report)
    return FileResponse(
        report.pdf.open("rb"),
        as_attachment=True,
        filename=f"feedback-{award.unit.name}.pdf".replace(" ", "-"),
        content_type="application/pdf",
    )


@require_safe
@admin_required
def person_export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    person = get_object_or_404(User, pk=pk)
    response = StreamingHttpResponse(
        person_data_export(person=person, actor=request.user), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}-data.zip"'
    response["Cache-Control"] = "no-store"
    return response
