import csv
import hashlib
import io
import secrets
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ee_portal.caching.backends import count_hit
from ee_portal.lib.http import client_address
from ee_portal.lib.views import admin_required, error_text, refusal_message
from network.csv_io import csv_safe
from portfolios.selectors import portfolio_get_for_user
from portfolios.uploads import SizeLimitUploadHandler, upload_handlers
from standards.models import Criterion

from .enums import Audience, DocumentKind, DocumentStatus
from .forms import (
    HONEYPOT,
    AcceptForm,
    AnswerForm,
    ContributionForm,
    NationalFilterForm,
    PaperForm,
    RoundForm,
    SheetsForm,
)
from .models import Document, Round
from .selectors import (
    BAR_KEY,
    contribution_get_for_user,
    export_rows,
    items_for,
    national_results,
    pending_contributions,
    questionnaire_current,
    questionnaire_for_framework,
    round_comments,
    round_for_post,
    round_get_by_token,
    round_get_for_user,
    round_results,
    rounds_for_export,
    rounds_for_portfolio,
    rounds_with_filter,
)
from .services import (
    CONTRIBUTION_MAX_BYTES,
    RoundClosedError,
    contribution_accept,
    contribution_decline,
    contribution_submit,
    document_request,
    paper_sheet_enter,
    response_submit,
    round_close,
    round_open,
)
from .tasks import answer_url

# --- signed-in pages --------------------------------------------------------------------------


@require_safe
@login_required
def rounds(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = portfolio_get_for_user(user=request.user, pk=pk)
    if not request.user.has_perm("questionnaires.view_rounds", portfolio):
        raise Http404
    questionnaire = questionnaire_for_framework(framework_id=portfolio.framework_id)
    round_list = rounds_for_portfolio(portfolio=portfolio)
    results = round_results(rounds=round_list)
    is_lead = request.user.has_perm("questionnaires.manage_rounds", portfolio)
    can_open = request.user.has_perm("questionnaires.open_round", portfolio)
    taken = {r.audience for r in round_list}
    free = [a for a in (questionnaire.audiences if questionnaire else []) if a not in taken]
    return render(
        request,
        "questionnaires/round_list.html",
        {
            "portfolio": portfolio,
            "questionnaire": questionnaire,
            "results": [results[r.pk] for r in round_list],
            "is_lead": is_lead,
            "form": RoundForm(audiences=free) if can_open and free else None,
            "pending": pending_contributions(portfolio=portfolio).count() if is_lead else 0,
            "can_export": request.user.has_perm("questionnaires.export_responses", portfolio),
        },
    )


@require_POST
@login_required
def round_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = portfolio_get_for_user(user=request.user, pk=pk)
    if not request.user.has_perm("questionnaires.manage_rounds", portfolio):
        raise Http404
    questionnaire = questionnaire_for_framework(framework_id=portfolio.framework_id)
    form = RoundForm(request.POST, audiences=questionnaire.audiences if questionnaire else [])
    if not form.is_valid():
        messages.error(
            request,
            _("Please check the round's details: ")
            + " ".join(str(m) for errs in form.errors.values() for m in errs),
        )
        return redirect("questionnaires:rounds", pk=portfolio.pk)
    with refusal_message(request, PermissionDenied) as refused:
        round_ = round_open(portfolio=portfolio, actor=request.user, **form.cleaned_data)
    if refused:  # refusal_message has shown why
        return redirect("questionnaires:rounds", pk=portfolio.pk)
    messages.success(
        request,
        _("The round is open. Share the link or print the poster, and watch the answers come in."),
    )
    return redirect("questionnaires:round", pk=round_.pk)


@require_safe
@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_get_for_user(user=request.user, pk=pk, perm="questionnaires.view_results")
    result = round_results(rounds=[round_])[round_.pk]
    is_lead = request.user.has_perm("questionnaires.manage_rounds", round_.portfolio)
    documents = {d.kind: d for d in Document.objects.filter(round=round_)} if is_lead else {}
    return render(
        request,
        "questionnaires/round_detail.html",
        {
            "round": round_,
            "portfolio": round_.portfolio,
            "result": result,
            "standards": sorted(result.standards.values(), key=lambda s: s.number),
            "comments": round_comments(round_=round_) if result.visible else [],
            "is_lead": is_lead,
            "link": answer_url(round_.token) if is_lead else "",
            "documents": [
                (kind, label, documents.get(kind)) for kind, label in DocumentKind.choices
            ],
            "sheets_form": SheetsForm(),
            "can_export": request.user.has_perm(
                "questionnaires.export_responses", round_.portfolio
            ),
            "can_enter": request.user.has_perm("questionnaires.enter_paper", round_.portfolio),
            "bar_key": BAR_KEY,
        },
    )


@require_POST
@login_required
def round_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_get_for_user(user=request.user, pk=pk, perm="questionnaires.manage_rounds")
    with refusal_message(request, PermissionDenied) as refused:
        round_close(round_=round_, actor=request.user)
    if not refused:  # a refusal's reason is shown by refusal_message
        messages.success(request, _("The round is closed. Thank you to everyone who answered."))
    return redirect("questionnaires:round", pk=round_.pk)


@require_POST
@login_required
def document_render(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    round_ = round_get_for_user(user=request.user, pk=pk, perm="questionnaires.manage_rounds")
    if kind not in DocumentKind.values:
        raise Http404
    sheets = 0
    if kind != DocumentKind.POSTER:
        form = SheetsForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose between 1 and 500 sheets."))
            return redirect("questionnaires:round", pk=round_.pk)
        sheets = form.cleaned_data["sheets"]
    with refusal_message(request, PermissionDenied) as refused:
        document_request(round_=round_, actor=request.user, kind=kind, sheets=sheets)
    if not refused:  # a refusal's reason is shown by refusal_message
        messages.success(request, _("Your PDF is being made. It will be ready in a moment."))
    return redirect("questionnaires:round", pk=round_.pk)


@require_safe
@login_required
def document_download(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    round_ = round_get_for_user(user=request.user, pk=pk, perm="questionnaires.manage_rounds")
    document = Document.objects.filter(round=round_, kind=kind).first()
    if document is None or document.status != DocumentStatus.READY or not document.pdf:
        raise Http404
    return FileResponse(
        default_storage.open(document.pdf.name, "rb"),
        content_type="application/pdf",
        as_attachment=False,
        filename=f"{kind}-{round_.audience}.pdf",
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def paper_entry(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_get_for_user(user=request.user, pk=pk, perm="questionnaires.manage_rounds")
    items = items_for(questionnaire=round_.questionnaire, audience=round_.audience)
    allowed = request.user.has_perm("questionnaires.enter_paper", round_.portfolio)
    status = 200
    if request.method == "POST" and allowed:
        form = PaperForm(request.POST, items=items)
        if form.is_valid():
            try:
                paper_sheet_enter(
                    round_=round_,
                    actor=request.user,
                    sheet_number=form.cleaned_data["sheet_number"],
                    items=items,
                    answers=form.answers(),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error_text(exc))
            except PermissionDenied as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(
                    request,
                    _("Sheet %(n)s saved. Next sheet, please.")
                    % {"n": form.cleaned_data["sheet_number"]},
                )
                return redirect("questionnaires:paper_entry", pk=round_.pk)
        status = 400
    else:
        form = PaperForm(items=items)
    return render(
        request,
        "questionnaires/paper_entry.html",
        {
            "round": round_,
            "portfolio": round_.portfolio,
            "form": form,
            "allowed": allowed,
            "entered": round_.responses.filter(sheet_number__isnull=False).count(),
        },
        status=status,
    )


def _csv_stream(rows: Iterator[list]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        # Free text is written by anyone with the link: never a formula in a spreadsheet.
        writer.writerow([csv_safe(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _csv_response(rows: Iterator[list], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@login_required
def portfolio_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    portfolio = portfolio_get_for_user(user=request.user, pk=pk)
    if not request.user.has_perm("questionnaires.export_responses", portfolio):
        raise Http404
    if request.method == "HEAD":
        return HttpResponse(content_type="text/csv; charset=utf-8")
    return _csv_response(
        export_rows(rounds=rounds_for_export(portfolio=portfolio)),
        f"questionnaire-responses-{portfolio.pk}.csv",
    )


@require_safe
@admin_required
def national(request: HttpRequest) -> HttpResponse:
    questionnaire = questionnaire_current()
    filters = NationalFilterForm(request.GET or None)
    audience = filters.cleaned_data["audience"] if filters.is_valid() else ""
    rows, counted = (
        national_results(questionnaire=questionnaire, audience=audience)
        if questionnaire
        else ([], 0)
    )
    return render(
        request,
        "questionnaires/national.html",
        {
            "questionnaire": questionnaire,
            "rows": rows,
            "counted": counted,
            "filters": filters,
            "audience": audience,
            "bar_key": BAR_KEY,
        },
    )


@require_safe
@admin_required
def national_export(request: HttpRequest) -> HttpResponseBase:
    questionnaire = questionnaire_current()
    if questionnaire is None:
        raise Http404
    if request.method == "HEAD":
        return HttpResponse(content_type="text/csv; charset=utf-8")
    audience = request.GET.get("audience", "")
    if audience not in ("", *Audience.values):
        audience = ""
    return _csv_response(
        export_rows(rounds=rounds_with_filter(questionnaire=questionnaire, audience=audience)),
        "questionnaire-responses-national.csv",
    )


@require_safe
@login_required
def contributions(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = portfolio_get_for_user(user=request.user, pk=pk)
    if not request.user.has_perm("questionnaires.moderate_contributions", portfolio):
        raise Http404
    criteria = list(
        Criterion.objects.filter(standard__framework=portfolio.framework_id)
        .select_related("standard")
        .order_by("standard__number", "order", "code")
    )
    items = list(pending_contributions(portfolio=portfolio))
    return render(
        request,
        "questionnaires/contribution_list.html",
        {
            "portfolio": portfolio,
            "items": [(c, AcceptForm(prefix=f"c{c.pk}", criteria=criteria)) for c in items],
        },
    )


@require_POST
@login_required
def contribution_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = contribution_get_for_user(user=request.user, pk=pk)
    portfolio = contribution.round.portfolio
    criteria = Criterion.objects.filter(standard__framework=portfolio.framework_id).select_related(
        "standard"
    )
    form = AcceptForm(request.POST, prefix=f"c{contribution.pk}", criteria=criteria)
    ids = form.cleaned_data["criteria"] if form.is_valid() else []
    with refusal_message(request, PermissionDenied) as refused:
        contribution_accept(contribution=contribution, actor=request.user, criterion_ids=ids)
    if not refused:  # a refusal's reason is shown by refusal_message
        messages.success(
            request, _("Accepted. It is now in the evidence library, marked as a resident's.")
        )
    return redirect("questionnaires:contributions", pk=portfolio.pk)


@require_POST
@login_required
def contribution_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = contribution_get_for_user(user=request.user, pk=pk)
    portfolio_pk = contribution.round.portfolio_id
    with refusal_message(request, PermissionDenied) as refused:
        contribution_decline(contribution=contribution, actor=request.user)
    if not refused:  # a refusal's reason is shown by refusal_message
        messages.success(request, _("Declined. It has been deleted and nothing was kept."))
    return redirect("questionnaires:contributions", pk=portfolio_pk)


@require_safe
@login_required
def contribution_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    contribution = contribution_get_for_user(user=request.user, pk=pk)
    if not contribution.file:
        raise Http404
    return FileResponse(
        default_storage.open(contribution.file.name, "rb"),
        content_type=contribution.content_type or "application/octet-stream",
    )


# --- anonymous pages: no sign-in, nothing about the person stored -----------------------------


def _address_key(request: HttpRequest) -> str:
    """The throttle's cache key: a keyed hash of the address (the address itself is never
    stored anywhere), per hour."""
    address = client_address(request)
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    hour = timezone.now().strftime("%Y%m%d%H")
    return f"q-throttle:{digest}:{hour}"


def _throttled(request: HttpRequest) -> bool:
    """Counts this post; True when the address has posted more than the limit this hour."""
    limit = settings.EE_QUESTIONNAIRE_POSTS_PER_HOUR
    if not limit:
        return False
    return count_hit(_address_key(request), timeout=3600) > limit


def _unknown(request: HttpRequest) -> HttpResponse:
    return render(request, "questionnaires/answer_unknown.html", status=404)


def _easy(request: HttpRequest) -> bool:
    return (request.POST.get("easy") or request.GET.get("easy")) == "1"


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        return _answer_post(request, token)
    round_ = round_get_by_token(token=token)
    if round_ is None:
        return _unknown(request)
    easy = _easy(request)
    if not round_.is_open:
        return _closed(request, round_, easy)
    form = AnswerForm(
        initial={"token": secrets.token_urlsafe(24)},
        items=items_for(questionnaire=round_.questionnaire, audience=round_.audience),
        easy=easy,
        setting_type=round_.portfolio.unit.setting_type,
    )
    return render(request, "questionnaires/answer.html", _answer_context(round_, easy, form=form))


def _answer_context(round_: Round, easy: bool, **extra: Any) -> dict[str, Any]:
    return {
        "round": round_,
        "unit": round_.portfolio.unit,
        "easy": easy,
        "token": round_.token,
        **extra,
    }


def _closed(request: HttpRequest, round_: Round, easy: bool) -> HttpResponse:
    return render(request, "questionnaires/answer_closed.html", _answer_context(round_, easy))


def _answer_post(request: HttpRequest, token: str) -> HttpResponse:  # noqa: PLR0911 -- one page per outcome
    # A post that is stored only redirects: the round's ids come from round_for_post (whether
    # it is open is checked by the insert itself on PostgreSQL), and the round and its unit
    # are read afresh only when a page is rendered.
    posted = round_for_post(token=token)
    if posted is None:
        return _unknown(request)
    easy = _easy(request)

    def page(template: str, status: int, **extra: Any) -> HttpResponse:
        round_ = round_get_by_token(token=token)
        if round_ is None:
            return _unknown(request)
        return render(request, template, _answer_context(round_, easy, **extra), status=status)

    if _throttled(request):
        return page("questionnaires/answer_throttled.html", 429)
    thanks = reverse("questionnaires:thanks", kwargs={"token": token})
    if request.POST.get(HONEYPOT):
        # Filled by software, not people: thank it and store nothing.
        return redirect(thanks)
    items = items_for(questionnaire=posted.questionnaire, audience=posted.audience)
    # The service checks every answer (as it does for paper sheets), so a good post builds
    # no form: the form is built only to show the page again with what was wrong.
    try:
        response_submit(
            round_=posted,
            items=items,
            answers={item.pk: request.POST.get(f"item_{item.pk}", "") for item in items},
            token=request.POST.get("token", ""),
        )
    except RoundClosedError:
        return page("questionnaires/answer_closed.html", 200)
    except ValidationError as exc:
        form = AnswerForm(request.POST, items=items, easy=easy)
        if form.is_valid():  # else the form's own messages say it, once
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error_text(exc))
        round_ = round_get_by_token(token=token)
        if round_ is None:
            return _unknown(request)
        if not round_.is_open:  # nothing to correct: the round closed (answers checked first)
            return _closed(request, round_, easy)
        form.relabel(setting_type=round_.portfolio.unit.setting_type)
        return render(
            request,
            "questionnaires/answer.html",
            _answer_context(round_, easy, form=form),
            status=400,
        )
    return redirect(thanks + ("?easy=1" if easy else ""))


@require_safe
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    round_ = round_get_by_token(token=token)
    if round_ is None:
        return _unknown(request)
    return render(
        request, "questionnaires/answer_thanks.html", _answer_context(round_, _easy(request))
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def contribute(request: HttpRequest, token: str) -> HttpResponse:
    # The size limit is installed before the body is read; the CSRF check runs after it
    # (Django's documented pattern for changing upload handlers, as portfolios does).
    limiter, handlers = upload_handlers(request, max_bytes=CONTRIBUTION_MAX_BYTES)
    request.upload_handlers = handlers
    return _contribute(request, token, limiter)


@csrf_protect
def _contribute(request: HttpRequest, token: str, limiter: SizeLimitUploadHandler) -> HttpResponse:  # noqa: PLR0912 -- one answer per refusal
    round_ = round_get_by_token(token=token)
    if round_ is None:
        return _unknown(request)
    easy = _easy(request)
    context = _answer_context(round_, easy)
    if not round_.is_open:
        return render(request, "questionnaires/answer_closed.html", context)
    status = 200
    if request.method == "POST":
        if _throttled(request):
            return render(request, "questionnaires/answer_throttled.html", context, status=429)
        if request.POST.get(HONEYPOT):
            return redirect(reverse("questionnaires:thanks", kwargs={"token": token}) + "?shared=1")
        form = ContributionForm(request.POST, request.FILES)
        if limiter.too_big:
            form.add_error(None, _("The photo is too large: please send one under 10 MB."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                contribution_submit(
                    round_=round_,
                    kind=data["kind"],
                    title=data["title"],
                    text=data["text"],
                    upload=data["photo"],
                    consent=data["consent"],
                    token=data["token"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error_text(exc))
            else:
                url = reverse("questionnaires:thanks", kwargs={"token": token})
                return redirect(url + "?shared=1" + ("&easy=1" if easy else ""))
        status = 400
    else:
        form = ContributionForm(initial={"token": secrets.token_urlsafe(24)})
    context["form"] = form
    return render(request, "questionnaires/contribute.html", context, status=status)
