import csv
import io
import logging
import re
from collections.abc import Iterator
from urllib.parse import quote

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from csp.constants import SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from zipstream import ZIP_DEFLATED, ZIP_STORED, ZipStream

from ee_portal.lib import fragments
from ee_portal.lib.views import error_text
from network.context_processors import prefetch_page
from network.selectors import unit_is_secure
from standards.cache import STANDARDS
from standards.models import Framework

from . import hooks
from .cache import portfolio_scopes
from .enums import Cycle, EvidenceKind, PortfolioState, PrintStatus
from .forms import (
    DeclareForm,
    EvidenceEditForm,
    LibraryFilterForm,
    NarrativeForm,
    TextEvidenceForm,
    UploadForm,
)
from .models import CriterionResponse, Evidence, PortfolioPrint
from .rules import (
    SUBMITTABLE_STATES,
    evidence_is_open,
    is_portfolio_lead,
    is_portfolio_member,
    lock_message,
    reopened_criterion_ids,
    response_is_open,
)
from .selectors import (
    criterion_get,
    evidence_get_for_user,
    evidence_library,
    portfolio_builder,
    portfolio_criteria,
    portfolio_get_for_page,
    portfolio_get_for_user,
    portfolio_list_visible_to,
    portfolio_readiness,
    revision_diff,
    revision_list,
    units_ready_to_start,
)
from .services import (
    InvalidTransitionError,
    NarrativeConflictError,
    evidence_create_text,
    evidence_declare,
    evidence_delete,
    evidence_download_audit,
    evidence_link,
    evidence_set_links,
    evidence_unlink,
    evidence_update,
    evidence_upload,
    portfolio_create,
    portfolio_export_audit,
    portfolio_print_download_audit,
    portfolio_print_request,
    portfolio_resubmit,
    portfolio_submit,
    response_save,
)
from .uploads import (
    ALLOWED_EXTENSIONS,
    ALLOWED_SUMMARY,
    INLINE_TYPES,
    SizeLimitUploadHandler,
    upload_handlers,
)
from .watermark import WATERMARKED_TYPES, watermark, watermark_text

logger = logging.getLogger(__name__)


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get(
        "x-requested-with"
    ) == "XMLHttpRequest" or "application/json" in request.headers.get("accept", "")


def _criteria(portfolio):
    return portfolio_criteria(portfolio=portfolio)


@require_safe
@login_required
def portfolio_list(request: HttpRequest) -> HttpResponse:
    portfolios = list(
        portfolio_list_visible_to(user=request.user).order_by("unit__name", "-created_at")
    )
    # Higher apps' links beside a portfolio (awards: the award it earned): portfolios/hooks.py.
    links = hooks.list_links(portfolios=portfolios, user=request.user)
    for portfolio in portfolios:
        portfolio.extra_links = links.get(portfolio.pk, "")
    return render(
        request,
        "portfolios/portfolio_list.html",
        {"portfolios": portfolios, "startable_units": units_ready_to_start(user=request.user)},
    )


@require_POST
@login_required
def portfolio_start(request: HttpRequest) -> HttpResponse:
    """A unit lead starts their unit's first (initial award) portfolio."""
    unit = units_ready_to_start(user=request.user).filter(pk=request.POST.get("unit")).first()  # type: ignore[misc]
    if unit is None:
        raise Http404
    framework = Framework.objects.current()
    if framework is None:
        messages.error(request, _("No standards are published yet, so a portfolio cannot start."))
        return redirect("portfolios:list")
    try:
        portfolio = portfolio_create(
            unit=unit, framework=framework, cycle=Cycle.INITIAL, actor=request.user
        )
    except (IntegrityError, ValidationError):
        messages.info(
            request, _("%(name)s already has a portfolio under way.") % {"name": unit.name}
        )
        return redirect("portfolios:list")
    messages.success(
        request,
        _("Your portfolio for %(name)s has started. Take it one criterion at a time.")
        % {"name": unit.name},
    )
    return redirect("portfolios:detail", pk=portfolio.pk)


@require_safe
@login_required
def portfolio_detail(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = portfolio_get_for_page(user=request.user, pk=pk)
    can_edit = request.user.has_perm("portfolios.edit_portfolio", portfolio)
    can_submit = request.user.has_perm("portfolios.submit_portfolio", portfolio)
    show_readiness = (
        is_portfolio_member(request.user, portfolio) and portfolio.state in SUBMITTABLE_STATES
    )
    # Issue 8: the body is shared by everyone with the same permissions until the portfolio
    # changes (a submitted one is read for weeks by its assessors); its key holds what was
    # just read fresh and decided what it shows (issue 12).
    template, scopes = "portfolios/_detail_body.html", portfolio_scopes(portfolio.pk)
    # The date: a registered readiness check may depend on it (a questionnaire round closes
    # on its last day without any row changing).
    # The unit's setting decides the wording of standards and criteria (issue 15).
    vary = (
        portfolio.state,
        can_edit,
        can_submit,
        show_readiness,
        timezone.localdate(),
        portfolio.unit.setting_type,
    )
    prefetch_page(request, (template, scopes, vary))

    def body_context() -> dict:
        standards = portfolio_builder(portfolio=portfolio)
        # Higher apps' panels per standard and for the page (portfolios/hooks.py).
        panels = hooks.standard_panels(portfolio=portfolio, place="builder")
        for row in standards:
            row.panel = panels.get(row.standard.pk, "")
        done = sum(s.done for s in standards)
        total = sum(s.total for s in standards)
        return {
            "portfolio": portfolio,
            "standards": standards,
            "done": done,
            "total": total,
            "percent": round(100 * done / total) if total else 0,
            "missing": portfolio_readiness(portfolio=portfolio),
            "rating_nudges": [
                row
                for standard in standards
                for row in standard.criteria
                if row.open and row.rating_nudge
            ]
            if show_readiness
            else [],
            "revisions": list(revision_list(portfolio=portfolio)),
            "can_edit": can_edit,
            "can_submit": can_submit,
            "show_readiness": show_readiness,
            "extra_panels": hooks.portfolio_panels(portfolio=portfolio, place="builder"),
            "is_resubmission": portfolio.state in SUBMITTABLE_STATES - {PortfolioState.DRAFT},
            "lock_message": ""
            if portfolio.state in (PortfolioState.DRAFT, PortfolioState.DEFERRED)
            else lock_message(portfolio),
        }

    body = fragments.render_cached(
        request, template, scopes=scopes, vary=vary, context=body_context
    )
    # Outside the cached body, afresh for this viewer (awards: the award this portfolio
    # earned, for the unit's members): portfolios/hooks.py "page panels".
    page_panels = hooks.page_panels(portfolio=portfolio, user=request.user)
    return render(
        request,
        "portfolios/portfolio_detail.html",
        {
            "portfolio": portfolio,
            "body": body,
            "page_panels": page_panels,
            "can_print": request.user.has_perm("portfolios.print_portfolio", portfolio),
        },
    )


def _criterion_context(request, portfolio, criterion, response, form):
    linked = list(
        Evidence.objects.filter(links__criterion=criterion, portfolio=portfolio)
        .select_related("uploaded_by")
        .order_by("title")
    )
    linked_ids = {e.pk for e in linked}
    library = [
        e
        for e in Evidence.objects.filter(portfolio=portfolio)
        .only("id", "title", "kind")
        .order_by("title")
        if e.pk not in linked_ids
    ]
    return {
        "portfolio": portfolio,
        "criterion": criterion,
        "response": response,
        "form": form,
        "linked": linked,
        "library": library,
        "can_edit": request.user.has_perm("portfolios.edit_response", response),
        "is_open": response_is_open(response),
        "lock_message": lock_message(portfolio),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def criterion_edit(request: HttpRequest, pk: int, code: str) -> HttpResponse:  # noqa: PLR0911 -- JSON and HTML answers
    portfolio = portfolio_get_for_user(user=request.user, pk=pk)
    criterion = criterion_get(portfolio=portfolio, code_or_id=code)
    response = (
        CriterionResponse.objects.select_related("updated_by")
        .filter(portfolio=portfolio, criterion=criterion)
        .first()
    )
    if response is None:
        raise Http404
    response.portfolio = portfolio
    response.criterion = criterion
    if request.method != "POST":
        form = NarrativeForm(
            portfolio=portfolio,
            initial={
                "narrative": response.narrative,
                "self_rating": response.self_rating,
                "version": response.version,
            },
        )
        return render(
            request,
            "portfolios/criterion_form.html",
            _criterion_context(request, portfolio, criterion, response, form),
        )

    form = NarrativeForm(request.POST, portfolio=portfolio)
    as_json = _wants_json(request)
    if not form.is_valid():
        if as_json:
            return JsonResponse({"ok": False, "errors": form.errors.get_json_data()}, status=400)
        return render(
            request,
            "portfolios/criterion_form.html",
            _criterion_context(request, portfolio, criterion, response, form),
            status=400,
        )
    data = form.cleaned_data
    try:
        saved = response_save(
            response=response,
            actor=request.user,
            base_version=data["version"],
            narrative=data["narrative"],
            self_rating=data["self_rating"],
        )
    except NarrativeConflictError as conflict:
        theirs = conflict.current
        who = theirs.updated_by.get_full_name() if theirs.updated_by else "Someone"
        when = timezone.localtime(theirs.updated_at).strftime("%H:%M")
        if as_json:
            return JsonResponse(
                {
                    "ok": False,
                    "conflict": True,
                    "their_text": theirs.narrative,
                    "their_rating": theirs.self_rating,
                    "their_version": theirs.version,
                    "their_author": who,
                    "their_saved_at": when,
                },
                status=409,
            )
        # Keep the user's text in the editor, based on the newer version, beside theirs.
        form = NarrativeForm(
            portfolio=portfolio,
            initial={
                "narrative": data["narrative"],
                "self_rating": data["self_rating"],
                "version": theirs.version,
            },
        )
        context = _criterion_context(request, portfolio, criterion, theirs, form)
        context.update(conflict={"text": theirs.narrative, "author": who, "saved_at": when})
        return render(request, "portfolios/criterion_form.html", context, status=409)
    except (PermissionDenied, ValidationError) as exc:
        if as_json:
            return JsonResponse(
                {"ok": False, "error": error_text(exc)},
                status=403 if isinstance(exc, PermissionDenied) else 400,
            )
        messages.error(request, error_text(exc))
        return redirect("portfolios:criterion", pk=portfolio.pk, code=criterion.code)
    saved_at = timezone.localtime(saved.updated_at).strftime("%H:%M")
    if as_json:
        return JsonResponse({"ok": True, "version": saved.version, "saved_at": saved_at})
    messages.success(request, _("Saved at %(saved_at)s.") % {"saved_at": saved_at})
    return redirect("portfolios:criterion", pk=portfolio.pk, code=criterion.code)


@require_safe
@login_required
def evidence_library_view(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = portfolio_get_for_page(user=request.user, pk=pk)
    user = request.user
    is_lead = is_portfolio_lead(user, portfolio)
    can_add = user.has_perm("portfolios.add_evidence", portfolio)
    # Issue 8: shared until the portfolio changes by everyone who sees the same (a lead sees
    # every item's buttons, a contributor only on their own items); the key holds what was
    # just read fresh and decided that (issue 12).
    template, scopes = "portfolios/_evidence_library_body.html", portfolio_scopes(portfolio.pk)
    # Issue 15: the unit's setting words the criteria; a secure one asks about photos.
    setting, secure = portfolio.unit.setting_type, unit_is_secure(unit=portfolio.unit)
    vary = (
        portfolio.state,
        "lead" if is_lead else user.pk,
        can_add,
        sorted(request.GET.lists()),
        setting,
        secure,
    )
    prefetch_page(request, (template, scopes, vary))

    def body_context() -> dict:
        criteria = _criteria(portfolio)
        filters = LibraryFilterForm(request.GET or None, criteria=criteria)
        search, evidence_type, criterion_id = "", "", None
        if filters.is_valid():
            search = filters.cleaned_data["q"]
            evidence_type = filters.cleaned_data["type"]
            criterion_id = filters.cleaned_data["criterion"]
        items = list(
            evidence_library(
                portfolio=portfolio,
                search=search,
                evidence_type=evidence_type,
                criterion_id=criterion_id,
            )
        )
        reopened = (
            reopened_criterion_ids(portfolio)
            if portfolio.state == PortfolioState.MORE_EVIDENCE
            else set()
        )
        for item in items:
            item.portfolio = portfolio
            mine = is_lead or item.uploaded_by_id == user.pk
            item.can_change = mine and evidence_is_open(
                portfolio,
                linked_ids=[link.criterion_id for link in item.links.all()],
                reopened_ids=reopened,
            )
        # Items this person may change that still need their declarations: answered once
        # for all of them (issue 17). From the items already read: no query.
        undeclared = [i for i in items if i.can_change and not i.declarations_complete]
        declare_form = (
            DeclareForm(
                prefix="dc", items=undeclared, initial={"items": [i.pk for i in undeclared]}
            )
            if undeclared
            else None
        )
        for_id = request.GET.get("for", "")
        preselected = int(for_id) if for_id.isdigit() else None

        def forms_html() -> tuple[str, str]:
            upload_form = UploadForm(
                prefix="up",
                initial={"criteria": [preselected] if preselected else []},
                ask_free_of_residents=secure,
            )
            upload_form.set_criteria(criteria)
            text_form = TextEvidenceForm(
                prefix="tx", initial={"criteria": [preselected] if preselected else []}
            )
            text_form.set_criteria(criteria)
            return str(as_crispy_form(upload_form)), str(as_crispy_form(text_form))

        # Issue 8: the two unbound forms (a checkbox per criterion, through crispy) were a
        # third of this page's time; their HTML depends only on the framework's criteria and
        # the preselected criterion, so every portfolio of the framework shares one copy.
        upload_html, text_html = fragments.cached_data(
            fragments.data_spec(
                "evidence-forms",
                [STANDARDS],
                [portfolio.framework_id, preselected, setting, secure],
            ),
            forms_html,
        )
        return {
            "portfolio": portfolio,
            "items": items,
            "filters": filters,
            "can_add": can_add,
            "declare_form": declare_form,
            "undeclared_count": len(undeclared),
            "upload_form_html": mark_safe(upload_html),  # noqa: S308 -- crispy's output
            "text_form_html": mark_safe(text_html),  # noqa: S308 -- crispy's output
            "accept": ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS),
            "allowed_summary": ALLOWED_SUMMARY,
            "max_bytes": settings.EE_MAX_UPLOAD_BYTES,
            "lock_message": "" if can_add else lock_message(portfolio),
        }

    body = fragments.render_cached(
        request, template, scopes=scopes, vary=vary, context=body_context
    )
    return render(
        request, "portfolios/evidence_library.html", {"portfolio": portfolio, "body": body}
    )


@csrf_exempt
@require_POST
@login_required
def evidence_upload_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Permission first, before the body is read; then a handler that stops oversized files
    # as they arrive. The CSRF check runs after the handler is installed (Django's documented
    # pattern for changing upload handlers).
    portfolio = portfolio_get_for_user(user=request.user, pk=pk)
    limiter, handlers = upload_handlers(request, max_bytes=settings.EE_MAX_UPLOAD_BYTES)
    request.upload_handlers = handlers
    return _evidence_upload(request, portfolio, limiter)


@csrf_protect
def _evidence_upload(  # noqa: PLR0911, PLR0912 -- JSON and HTML answers per file
    request: HttpRequest, portfolio, limiter: SizeLimitUploadHandler
) -> HttpResponse:
    as_json = _wants_json(request)
    form = UploadForm(
        request.POST, prefix="up", ask_free_of_residents=unit_is_secure(unit=portfolio.unit)
    )
    form.set_criteria(_criteria(portfolio))
    files = request.FILES.getlist("up-files") or request.FILES.getlist("files")
    results: list[dict] = [
        {
            "name": name,
            "ok": False,
            "error": "This file is larger than the limit of "
            f"{filesizeformat(settings.EE_MAX_UPLOAD_BYTES)}.",
        }
        for name in limiter.too_big
    ]
    if not form.is_valid():
        if as_json:
            return JsonResponse(
                {"ok": False, "errors": form.errors.get_json_data(), "files": results}, status=400
            )
        messages.error(
            request,
            "Please check the details of the upload: "
            + " ".join(m for errs in form.errors.values() for m in errs),  # type: ignore[misc]
        )
        return redirect("portfolios:evidence_library", pk=portfolio.pk)
    if not files and not results:
        if as_json:
            return JsonResponse(
                {"ok": False, "error": "Choose at least one file.", "files": []}, status=400
            )
        messages.error(request, _("Choose at least one file to upload."))
        return redirect("portfolios:evidence_library", pk=portfolio.pk)
    data = form.cleaned_data
    status = 200
    for upload in files:
        try:
            evidence = evidence_upload(
                portfolio=portfolio,
                actor=request.user,
                upload=upload,
                title=request.POST.get("up-title", "") if len(files) == 1 else "",
                description=data["description"],
                evidence_type=data["evidence_type"],
                contains_identifiable=data["contains_identifiable"],
                consent_recorded=data["consent_recorded"],
                criterion_ids=data["criteria"],
                free_of_residents=data.get("free_of_residents") or None,
            )
        except PermissionDenied as exc:
            if as_json:
                return JsonResponse(
                    {"ok": False, "error": error_text(exc), "files": results}, status=403
                )
            messages.error(request, error_text(exc))
            return redirect("portfolios:evidence_library", pk=portfolio.pk)
        except ValidationError as exc:
            results.append({"name": upload.name, "ok": False, "error": error_text(exc)})
            continue
        results.append(
            {
                "name": evidence.original_name,
                "ok": True,
                "id": evidence.pk,
                "title": evidence.title,
                "edit_url": reverse("portfolios:evidence_edit", kwargs={"pk": evidence.pk}),
                "declarations_complete": evidence.declarations_complete,
            }
        )
    failed = [r for r in results if not r["ok"]]
    if failed and len(failed) == len(results):
        status = 400
    if as_json:
        return JsonResponse({"ok": not failed, "files": results}, status=status)
    for result in results:
        if result["ok"] and not result["declarations_complete"]:
            messages.warning(
                request,
                _(
                    "Uploaded “%(name)s”. It still needs its declarations: open it from the "
                    "library to say whether it could identify someone."
                )
                % {"name": result["name"]},
            )
        elif result["ok"]:
            messages.success(request, _("Uploaded “%(result)s”.") % {"result": result["name"]})
        else:
            messages.error(
                request,
                _("“%(result)s” was not uploaded: %(result2)s")
                % {"result": result["name"], "result2": result["error"]},
            )
    return redirect("portfolios:evidence_library", pk=portfolio.pk)


@require_POST
@login_required
def evidence_text_create(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = portfolio_get_for_user(user=request.user, pk=pk)
    form = TextEvidenceForm(request.POST, prefix="tx")
    form.set_criteria(_criteria(portfolio))
    if not form.is_valid():
        messages.error(request, _("Please give the text evidence a title and some text."))
        return redirect("portfolios:evidence_library", pk=portfolio.pk)
    data = form.cleaned_data
    try:
        evidence = evidence_create_text(
            portfolio=portfolio,
            actor=request.user,
            title=data["title"],
            text=data["text"],
            description=data["description"],
            evidence_type=data["evidence_type"],
            contains_identifiable=data["contains_identifiable"],
            consent_recorded=data["consent_recorded"],
            criterion_ids=data["criteria"],
        )
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, error_text(exc))
        return redirect("portfolios:evidence_library", pk=portfolio.pk)
    if not data["criteria"]:
        messages.success(
            request,
            _("Added “%(title)s”. Thank you! Now tick the criteria it supports.")
            % {"title": evidence.title},
        )
        return redirect("portfolios:evidence_edit", pk=evidence.pk)
    messages.success(request, _("Added “%(title)s”. Thank you!") % {"title": evidence.title})
    return redirect("portfolios:evidence_library", pk=portfolio.pk)


@require_POST
@login_required
def evidence_declare_view(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = portfolio_get_for_user(user=request.user, pk=pk)
    back = reverse("portfolios:evidence_library", kwargs={"pk": portfolio.pk})
    items = Evidence.objects.filter(portfolio=portfolio).only("id", "title")
    form = DeclareForm(request.POST, prefix="dc", items=items)
    if not form.is_valid():
        messages.error(
            request,
            _("Please check the declarations: %(errors)s")
            % {"errors": " ".join(str(m) for errs in form.errors.values() for m in errs)},
        )
        return redirect(back)
    data = form.cleaned_data
    try:
        declared = evidence_declare(
            portfolio=portfolio,
            actor=request.user,
            evidence_ids=data["items"],
            contains_identifiable=data["contains_identifiable"],
            consent_recorded=data["consent_recorded"],
        )
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, error_text(exc))
        return redirect(back)
    messages.success(
        request,
        ngettext(
            "Saved the declarations of %(count)d item. Thank you!",
            "Saved the declarations of %(count)d items. Thank you!",
            len(declared),
        )
        % {"count": len(declared)},
    )
    return redirect(back)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def evidence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = evidence_get_for_user(user=request.user, pk=pk)
    portfolio = evidence.portfolio
    criteria = _criteria(portfolio)
    linked_ids = list(evidence.links.values_list("criterion_id", flat=True))
    can_change = request.user.has_perm("portfolios.change_evidence", evidence)
    ask_photo = evidence.is_photo and unit_is_secure(unit=portfolio.unit)
    if request.method == "POST":
        form = EvidenceEditForm(request.POST, evidence=evidence, ask_free_of_residents=ask_photo)
        form.set_criteria(criteria)
        if form.is_valid():
            data = form.cleaned_data
            try:
                # Details and links are one edit: a refused link change keeps neither.
                with transaction.atomic():
                    evidence_update(
                        evidence=evidence,
                        actor=request.user,
                        title=data["title"],
                        description=data["description"],
                        evidence_type=data["evidence_type"],
                        contains_identifiable=data["contains_identifiable"],
                        consent_recorded=data["consent_recorded"],
                        text=data.get("text"),
                        free_of_residents=data["free_of_residents"] if ask_photo else None,
                    )
                    evidence_set_links(
                        evidence=evidence, criterion_ids=data["criteria"], actor=request.user
                    )
            except (PermissionDenied, ValidationError) as exc:
                messages.error(request, error_text(exc))
                return redirect("portfolios:evidence_edit", pk=evidence.pk)
            messages.success(request, _("Saved “%(title)s”.") % {"title": evidence.title})
            return redirect("portfolios:evidence_library", pk=portfolio.pk)
    else:
        form = EvidenceEditForm(evidence=evidence)  # initial values from the evidence
        form = EvidenceEditForm(
            evidence=evidence,
            initial={**form.initial, "criteria": linked_ids},
            ask_free_of_residents=ask_photo,
        )
        form.set_criteria(criteria)
    return render(
        request,
        "portfolios/evidence_form.html",
        {
            "portfolio": portfolio,
            "evidence": evidence,
            "form": form,
            "can_change": can_change,
            "lock_message": lock_message(portfolio),
            "inline": evidence.content_type in INLINE_TYPES,
        },
    )


@require_POST
@login_required
def evidence_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = evidence_get_for_user(user=request.user, pk=pk)
    portfolio_pk = evidence.portfolio_id
    title = evidence.title
    try:
        evidence_delete(evidence=evidence, actor=request.user)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, error_text(exc))
        return redirect("portfolios:evidence_library", pk=portfolio_pk)
    messages.success(request, _("Deleted “%(title)s”.") % {"title": title})
    return redirect("portfolios:evidence_library", pk=portfolio_pk)


def _link_view(request: HttpRequest, pk: int, *, link: bool) -> HttpResponse:
    evidence = evidence_get_for_user(user=request.user, pk=pk)
    portfolio = evidence.portfolio
    try:
        criterion = criterion_get(portfolio=portfolio, code_or_id=request.POST.get("criterion", ""))
    except Http404:
        messages.error(request, _("Choose a criterion from this portfolio."))
        return redirect("portfolios:evidence_library", pk=portfolio.pk)
    try:
        if link:
            evidence_link(evidence=evidence, criterion=criterion, actor=request.user)
            messages.success(
                request,
                _("Linked “%(title)s” to %(code)s.")
                % {"title": evidence.title, "code": criterion.code},
            )
        else:
            evidence_unlink(evidence=evidence, criterion=criterion, actor=request.user)
            messages.success(
                request,
                _("Unlinked “%(title)s” from %(code)s.")
                % {"title": evidence.title, "code": criterion.code},
            )
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, error_text(exc))
    return redirect("portfolios:criterion", pk=portfolio.pk, code=criterion.code)


@require_POST
@login_required
def evidence_link_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _link_view(request, pk, link=True)


@require_POST
@login_required
def evidence_unlink_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _link_view(request, pk, link=False)


def _is_s3(storage) -> bool:
    return hasattr(storage, "bucket_name")


def _disposition(kind: str, name: str) -> str:
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", name) or "evidence"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _download_mark(request: HttpRequest) -> str:
    return watermark_text(
        name=request.user.get_full_name(),
        date_text=date_format(timezone.localdate(), "j F Y"),
    )


def _marked_file(item: Evidence, text: str) -> Iterator[bytes]:
    """The item's file watermarked, read when the ZIP reaches it. A file that cannot be marked
    never leaves unmarked: a short plain-text note takes its place under its name."""
    try:
        with default_storage.open(item.file.name, "rb") as handle:
            yield watermark(handle.read(), item.content_type, text)
    except Exception:  # noqa: BLE001 -- pypdf and Pillow raise many kinds on a damaged file
        logger.warning("Evidence %s could not be watermarked for a ZIP", item.pk)
        yield _("This file could not be marked for download, so it is not included.").encode()


def _watermarked_download(
    request: HttpRequest, evidence: Evidence, disposition: str, *, inline: bool
) -> HttpResponseBase:
    """The file read through the server (never a signed S3 URL) and watermarked with the
    downloader's name and today's date; a file that cannot be marked is not handed out."""
    try:
        with default_storage.open(evidence.file.name, "rb") as handle:
            data = watermark(handle.read(), evidence.content_type, _download_mark(request))
    except Exception:  # noqa: BLE001 -- pypdf and Pillow raise many kinds on a damaged file
        logger.warning("Evidence %s could not be watermarked", evidence.pk)
        messages.error(
            request,
            _(
                "We could not add the download mark to this file, so it cannot be downloaded "
                "from this secure setting. Please ask the unit for another copy."
            ),
        )
        return redirect("portfolios:evidence_edit", pk=evidence.pk)
    evidence_download_audit(evidence=evidence, actor=request.user, inline=inline, watermarked=True)
    response = HttpResponse(data, content_type=evidence.content_type)
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})
def evidence_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    evidence = evidence_get_for_user(user=request.user, pk=pk)
    if not request.user.has_perm("portfolios.download_evidence", evidence):
        raise Http404
    inline = request.GET.get("inline") == "1" and evidence.content_type in INLINE_TYPES
    if evidence.kind == EvidenceKind.TEXT or not evidence.file or evidence.file_purged_at:
        raise Http404
    name = evidence.original_name or "evidence"
    disposition = _disposition("inline" if inline else "attachment", name)
    storage = default_storage
    # Issue 15: evidence from a secure setting leaves the unit marked with who took it.
    if (
        evidence.content_type in WATERMARKED_TYPES
        and not is_portfolio_member(request.user, evidence.portfolio)
        and unit_is_secure(unit=evidence.portfolio.unit)
    ):
        return _watermarked_download(request, evidence, disposition, inline=inline)
    evidence_download_audit(evidence=evidence, actor=request.user, inline=inline)
    if _is_s3(storage):
        url = storage.url(  # type: ignore[call-arg]  # S3Storage.url takes parameters
            evidence.file.name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": evidence.content_type or "application/octet-stream",
            },
        )
        response: HttpResponseBase = HttpResponseRedirect(url)
    else:
        response = FileResponse(
            storage.open(evidence.file.name, "rb"),
            content_type=evidence.content_type or "application/octet-stream",
        )
        response["Content-Disposition"] = disposition
        response["Content-Length"] = (
            str(evidence.size) if evidence.size else response.get("Content-Length", "")
        )
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def portfolio_diff(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = portfolio_get_for_user(user=request.user, pk=pk)
    revisions = list(revision_list(portfolio=portfolio))
    by_number = {r.number: r for r in revisions}

    def pick(param: str, default):
        value = request.GET.get(param, "")
        if value.isdigit() and int(value) in by_number:
            return by_number[int(value)]
        return default

    new = pick("new", revisions[-1] if revisions else None)
    old = pick("old", revisions[-2] if len(revisions) > 1 else None)
    changes = revision_diff(old=old, new=new) if old and new else []
    return render(
        request,
        "portfolios/portfolio_diff.html",
        {
            "portfolio": portfolio,
            "revisions": revisions,
            "old": old,
            "new": new,
            "changes": changes,
        },
    )


def _safe_part(text: str, limit: int = 60) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "", text).strip().strip(".")
    return cleaned[:limit].strip() or "untitled"


def _stream_file(name: str) -> Iterator[bytes]:
    with default_storage.open(name, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            yield chunk


@require_safe
@login_required
def portfolio_export_zip(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    portfolio = portfolio_get_for_user(user=request.user, pk=pk)
    standards = portfolio_builder(portfolio=portfolio)
    items = list(evidence_library(portfolio=portfolio))
    by_criterion: dict[int, list[Evidence]] = {}
    unlinked: list[Evidence] = []
    for item in items:
        links = list(item.links.all())
        if not links:
            unlinked.append(item)
        for link in links:
            by_criterion.setdefault(link.criterion_id, []).append(item)

    # Issue 15: as single downloads, a secure setting's PDFs and pictures leave marked.
    mark_text = (
        _download_mark(request)
        if not is_portfolio_member(request.user, portfolio) and unit_is_secure(unit=portfolio.unit)
        else ""
    )
    zs = ZipStream(compress_type=ZIP_DEFLATED, compress_level=6, sized=False)
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(
        [
            "path",
            "title",
            "type",
            "criterion",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "added_by",
            "contains_identifiable",
            "consent_recorded",
            "from_previous_cycle",
        ]
    )
    index_rows = []

    def add_item(folder: str, item: Evidence, code: str, used: set[str]) -> str:
        if item.kind == EvidenceKind.TEXT:
            ext = "txt"
        else:
            ext = (item.original_name.rpartition(".")[2] or "bin").lower()
        base = f"{item.pk:05d} {_safe_part(item.title)}"
        filename = f"{base}.{ext}"
        while filename in used:
            filename = f"{base}-{len(used)}.{ext}"
        used.add(filename)
        path = f"{folder}/{filename}"
        if item.kind == EvidenceKind.TEXT:
            zs.add(item.text.encode("utf-8"), path)
        else:
            # Issue 8: photos, video, audio, PDFs and office files are compressed already, so
            # deflating them only burnt CPU (5x `zip -0` for 1 GiB): store them; deflate text.
            compress = ZIP_DEFLATED if item.content_type.startswith("text/") else ZIP_STORED
            if mark_text and item.content_type in WATERMARKED_TYPES:
                zs.add(_marked_file(item, mark_text), path, compress_type=compress)
            else:
                zs.add(_stream_file(item.file.name), path, compress_type=compress)
        writer.writerow([
            path, item.title, item.get_evidence_type_display(), code, item.original_name,
            item.content_type, item.size, item.sha256,
            item.uploaded_by.get_full_name() if item.uploaded_by else "",
            {True: "yes", False: "no"}.get(item.contains_identifiable, "not answered"),
            {True: "yes", False: "no"}.get(item.consent_recorded, ""),
            "yes" if item.carried_over_from_id else "no",
        ])  # fmt: skip
        return path

    for standard_row in standards:
        std_folder = f"{standard_row.standard.number:02d} {_safe_part(standard_row.standard.name)}"
        for row in standard_row.criteria:
            folder = f"{std_folder}/{_safe_part(row.criterion.code + ' ' + row.criterion.text, 70)}"
            rating = row.response.get_self_rating_display()
            zs.add(
                (f"{row.criterion.code} {row.criterion.text}\n\nThe unit's own rating: {rating}\n\n"
                 f"{row.response.narrative}\n").encode(),
                f"{folder}/narrative.txt",
            )  # fmt: skip
            used: set[str] = {"narrative.txt"}
            paths = [
                (item, add_item(folder, item, row.criterion.code, used))
                for item in by_criterion.get(row.criterion.pk, [])
            ]
            index_rows.append((standard_row.standard, row, folder, paths))
    unlinked_paths = [
        (item, add_item("Not linked to a criterion", item, "", set())) for item in unlinked
    ]
    zs.add(
        render_to_string(
            "portfolios/export_index.html",
            {
                "portfolio": portfolio,
                "rows": index_rows,
                "unlinked": unlinked_paths,
                "generated": timezone.now(),
            },
        ).encode("utf-8"),
        "index.html",
    )
    zs.add(manifest.getvalue().encode("utf-8"), "manifest.csv")
    portfolio_export_audit(portfolio=portfolio, actor=request.user)
    filename = f"{slugify(portfolio.unit.name)}-{portfolio.cycle}-portfolio.zip"
    response = StreamingHttpResponse(zs, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def portfolio_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole portfolio as one PDF (issue 15): make it, watch its progress, download it.
    Without JavaScript the page refreshes itself while the PDF is being made."""
    portfolio = portfolio_get_for_user(user=request.user, pk=pk)
    if not request.user.has_perm("portfolios.print_portfolio", portfolio):
        raise Http404
    if request.method == "POST":
        portfolio_print_request(portfolio=portfolio, actor=request.user)
        messages.success(request, _("Your PDF is being made. This page shows how far it has got."))
        return redirect("portfolios:print", pk=portfolio.pk)
    printed = PortfolioPrint.objects.filter(portfolio=portfolio).first()
    return render(
        request,
        "portfolios/portfolio_print.html",
        {"portfolio": portfolio, "printed": printed},
    )


@require_safe
@login_required
def portfolio_print_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    portfolio = portfolio_get_for_user(user=request.user, pk=pk)
    if not request.user.has_perm("portfolios.print_portfolio", portfolio):
        raise Http404
    printed = PortfolioPrint.objects.filter(portfolio=portfolio).first()
    if printed is None or printed.status != PrintStatus.READY or not printed.pdf:
        raise Http404
    portfolio_print_download_audit(portfolio=portfolio, actor=request.user)
    response = FileResponse(
        default_storage.open(printed.pdf.name, "rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{slugify(portfolio.unit.name) or 'portfolio'}-portfolio.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def portfolio_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = portfolio_get_for_user(user=request.user, pk=pk)
    service = portfolio_submit if portfolio.state == PortfolioState.DRAFT else portfolio_resubmit
    try:
        revision = service(portfolio=portfolio, actor=request.user)
    except (PermissionDenied, ValidationError, InvalidTransitionError) as exc:
        messages.error(request, error_text(exc))
        return redirect("portfolios:detail", pk=portfolio.pk)
    messages.success(
        request,
        _(
            "Well done! Your portfolio has been resubmitted and the CCQI team has been told. "
            "It is now locked while it is assessed."
        )
        if revision.number > 1
        else _(
            "Well done! Your portfolio has been submitted and the CCQI team has been told. "
            "It is now locked while it is assessed."
        ),
    )
    return redirect("portfolios:detail", pk=portfolio.pk)
