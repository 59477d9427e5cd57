import csv
import datetime as dt
import secrets

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import check_for_language, get_supported_language_variant, gettext
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ee_portal.lib import fragments
from ee_portal.lib.forms import add_validation_error
from ee_portal.lib.views import admin_required, error_text, refusal_message

from . import csv_io, hooks, selectors, services
from .cache import NETWORK
from .context_processors import prefetch_page
from .enums import MembershipStatus, UnitRoleKind
from .forms import (
    ImportUploadForm,
    InvitationAcceptForm,
    InvitationForm,
    MemberFilterForm,
    MembershipForm,
    MembershipStatusForm,
    OrganisationForm,
    RenewalForm,
    RoleChangeForm,
    SecureSettingsForm,
    UnitForm,
)
from .models import Invitation, Membership, Organisation, Programme, Unit, UnitRole, User

PAGE_SIZE = 50
_IMPORT_SESSION_KEY = "network_import"
_GET_POST = require_http_methods(["GET", "HEAD", "POST"])


def _visible_or_404(user: User, perm: str, obj):
    """Objects a person may not act on do not exist for them (no existence leak)."""
    if not user.has_perm(perm, obj):
        raise Http404
    return obj


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# Dashboard and member list ---------------------------------------------------------------


@require_safe
@admin_required
def dashboard(request: HttpRequest) -> HttpResponse:
    data = selectors.dashboard_data()
    return render(
        request, "network/dashboard.html", {"data": data, "statuses": MembershipStatus.choices}
    )


def _member_filters(request: HttpRequest) -> tuple[MemberFilterForm, selectors.MemberFilters]:
    form = MemberFilterForm(request.GET or None, programmes=list(Programme.objects.all()))
    filters = form.filters() if form.is_bound else selectors.MemberFilters()
    return form, filters


@require_safe
@admin_required
def unit_list(request: HttpRequest) -> HttpResponse:
    def body_context() -> dict:
        form, filters = _member_filters(request)
        page = Paginator(selectors.member_list(filters=filters), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return {
            "form": form,
            "page_obj": page,
            "units": page.object_list,
            "querystring": _querystring(request),
        }

    # Issue 8: the admins share one copy per query until a unit, organisation, membership or
    # programme changes (and per day: "current" and "ending within" depend on the date).
    # Read with the page chrome in one cache round trip.
    template, scopes = "network/_unit_list_body.html", (NETWORK,)
    vary = (sorted(request.GET.lists()), timezone.localdate())
    prefetch_page(request, (template, scopes, vary))
    body = fragments.render_cached(
        request, template, scopes=scopes, vary=vary, context=body_context
    )
    return render(request, "network/unit_list.html", {"body": body})


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


@require_safe
@admin_required
def unit_export(request: HttpRequest) -> StreamingHttpResponse:
    _form, filters = _member_filters(request)
    units = selectors.member_list(filters=filters).iterator(chunk_size=500)
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # BOM: Excel then reads the file as UTF-8
        for row in csv_io.export_rows(units):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    filename = f"ee-members-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Units -----------------------------------------------------------------------------------


@_GET_POST
@admin_required
def unit_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("organisation", "").isdigit():
        initial["organisation"] = request.GET["organisation"]
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, gettext("%(name)s has been added.") % {"name": unit.name})
            return redirect("network:unit_detail", pk=unit.pk)
    return render(request, "network/unit_form.html", {"form": form, "unit": None})


@_GET_POST
@admin_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk)
    form = UnitForm(request.POST or None, instance=Unit.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, gettext("The unit's details have been saved."))
            return redirect("network:unit_detail", pk=unit.pk)
    return render(request, "network/unit_form.html", {"form": form, "unit": unit})


@require_safe
@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(
        selectors.annotate_secure(Unit.objects.select_related("organisation")), pk=pk
    )
    user = request.user
    _visible_or_404(user, "network.view_unit", unit)
    can_manage_people = user.has_perm("network.manage_unit_people", unit)
    is_secure = unit.is_secure
    people = list(selectors.unit_people(unit=unit))
    for unit_role in people:
        unit_role.can_remove = user.has_perm("network.remove_unit_role", unit_role)
    invitations = []
    if can_manage_people:
        invitations = list(selectors.invitation_list_open(unit=unit))
        for invitation in invitations:
            invitation.can_manage = user.has_perm("network.manage_invitation", invitation)
    return render(
        request,
        "network/unit_detail.html",
        {
            "unit": unit,
            "is_admin": user.is_ccqi_admin,
            "is_secure": is_secure,
            "can_choose_register": is_secure and user.has_perm("network.choose_register", unit),
            "on_register": unit.show_on_register and (unit.register_opt_in or not is_secure),
            "can_manage_people": can_manage_people,
            "memberships": list(selectors.unit_membership_history(unit=unit)),
            "people": people,
            "invitations": invitations,
            "role_choices": UnitRoleKind.choices,
            "now": timezone.now(),
            # Higher apps' sections (awards: the unit's awards and certificates): hooks.py.
            "extra_panels": hooks.unit_panels(unit=unit, user=user),
        },
    )


@require_POST
@login_required
def unit_register_choice(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk)
    _visible_or_404(request.user, "network.view_unit", unit)
    if not request.user.has_perm("network.choose_register", unit):
        raise Http404
    opt_in = request.POST.get("opt_in") == "yes"
    services.unit_register_choose(actor=request.user, unit=unit, opt_in=opt_in)
    messages.success(
        request,
        _("Your unit may now appear on the public register of award holders.")
        if opt_in
        else _("Your unit is kept off the public register."),
    )
    return redirect("network:unit_detail", pk=unit.pk)


@_GET_POST
@admin_required
def secure_settings(request: HttpRequest) -> HttpResponse:
    profiles = selectors.setting_profile_list()
    # Every box unticked is an answer too ("none is secure"), not an unbound form.
    form = SecureSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"secure": [value for value, _label, secure in profiles if secure]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.setting_profiles_save(
                actor=request.user, secure=set(form.cleaned_data["secure"])
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("The secure settings have been saved."))
            return redirect("network:secure_settings")
    return render(request, "network/secure_settings.html", {"form": form})


# Memberships -----------------------------------------------------------------------------


@_GET_POST
@admin_required
def membership_create(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("organisation"), pk=pk)
    start = timezone.localdate()
    form = MembershipForm(
        request.POST or None,
        initial={"start_date": start, "end_date": services.default_end_date(start)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_create(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, gettext("The membership has been recorded."))
            return redirect("network:unit_detail", pk=unit.pk)
    return render(request, "network/membership_form.html", {"form": form, "unit": unit})


@_GET_POST
@admin_required
def membership_renew(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("unit__organisation", "programme"), pk=pk
    )
    start = membership.end_date + dt.timedelta(days=1)
    form = RenewalForm(
        request.POST or None,
        initial={
            "start_date": start,
            "end_date": services.default_end_date(start),
            "fee_reference": membership.fee_reference,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_renew(
                actor=request.user, membership=membership, **form.cleaned_data
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(
                request,
                gettext("The %(name)s membership is renewed.")
                % {"name": membership.programme.name},
            )
            return redirect("network:unit_detail", pk=membership.unit_id)
    return render(
        request,
        "network/membership_renew.html",
        {"form": form, "membership": membership, "unit": membership.unit},
    )


@_GET_POST
@admin_required
def membership_status(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("unit__organisation", "programme"), pk=pk
    )
    form = MembershipStatusForm(
        request.POST or None,
        initial={"status": membership.status, "reason": membership.status_reason},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_set_status(
                actor=request.user,
                membership=membership,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(
                request,
                gettext("The membership is now %(status)s.")
                % {"status": membership.get_status_display()},
            )
            return redirect("network:unit_detail", pk=membership.unit_id)
    return render(
        request,
        "network/membership_status.html",
        {"form": form, "membership": membership, "unit": membership.unit},
    )


# People and invitations ------------------------------------------------------------------


@_GET_POST
@login_required
def invitation_create(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("organisation"), pk=pk)
    _visible_or_404(request.user, "network.manage_unit_people", unit)
    form = InvitationForm(request.POST or None, can_invite_leads=request.user.is_ccqi_admin)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.invitation_create(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            email = form.cleaned_data["email"]
            if outcome.role is not None:
                messages.success(
                    request,
                    gettext(
                        "%(email)s already has an account, so they have been added to the unit "
                        "and told by email."
                    )
                    % {"email": email},
                )
            else:
                messages.success(
                    request, gettext("An invitation is on its way to %(email)s.") % {"email": email}
                )
            return redirect("network:unit_detail", pk=unit.pk)
    return render(request, "network/invitation_form.html", {"form": form, "unit": unit})


def _invitation_for(request: HttpRequest, pk: int) -> Invitation:
    invitation = get_object_or_404(Invitation.objects.select_related("unit"), pk=pk)
    return _visible_or_404(request.user, "network.manage_invitation", invitation)


@require_POST
@login_required
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation_for(request, pk)
    try:
        services.invitation_resend(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, gettext("A new link is on its way to %(email)s.") % {"email": invitation.email}
        )
    return redirect("network:unit_detail", pk=invitation.unit_id)


@require_POST
@login_required
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation_for(request, pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            gettext("The invitation for %(email)s is revoked.") % {"email": invitation.email},
        )
    return redirect("network:unit_detail", pk=invitation.unit_id)


_UNUSABLE_STATUS = {"unknown": 404, "expired": 410, "used": 410, "revoked": 410}


@never_cache
@_GET_POST
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_get_by_token(token=token)
    state = services.invitation_state(invitation)
    if state != "ok":
        return render(
            request,
            "network/invitation_unusable.html",
            {"reason": state},
            status=_UNUSABLE_STATUS[state],
        )
    account = User.objects.filter(email__iexact=invitation.email).first()
    context = {"invitation": invitation, "unit": invitation.unit}
    if account is not None:
        signed_in_as_invitee = request.user.is_authenticated and request.user.pk == account.pk
        if request.method == "POST" and signed_in_as_invitee:
            # Refused (a race with a revocation, say): the page again, with the reason.
            with refusal_message(request, services.InvitationUnusable) as refused:
                services.invitation_accept(token=token, user=request.user)
            if not refused:
                messages.success(
                    request, gettext("Welcome to %(name)s.") % {"name": invitation.unit.name}
                )
                return redirect("network:unit_detail", pk=invitation.unit_id)
        login_url = f"{reverse('login')}?next={request.path}"
        return render(
            request,
            "network/invitation_existing.html",
            {**context, "signed_in_as_invitee": signed_in_as_invitee, "login_url": login_url},
        )
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationUnusable as exc:
            return render(
                request,
                "network/invitation_unusable.html",
                {"reason": exc.reason},
                status=_UNUSABLE_STATUS[exc.reason],
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            login(request, user, backend="network.backends.ModelBackend")
            messages.success(
                request,
                gettext("Welcome, %(short_name)s. You're all set up.")
                % {"short_name": user.get_short_name()},
            )
            return redirect("network:unit_detail", pk=invitation.unit_id)
    return render(request, "network/invitation_accept.html", {**context, "form": form})


@require_POST
@login_required
def role_remove(request: HttpRequest, pk: int) -> HttpResponse:
    unit_role = get_object_or_404(UnitRole.objects.select_related("user", "unit"), pk=pk)
    _visible_or_404(request.user, "network.remove_unit_role", unit_role)
    with refusal_message(request) as refused:
        services.unit_role_remove(actor=request.user, unit_role=unit_role)
    if not refused:
        messages.success(
            request,
            gettext("%(user)s is no longer part of %(name)s.")
            % {"user": unit_role.user, "name": unit_role.unit.name},
        )
    return redirect("network:unit_detail", pk=unit_role.unit_id)


@require_POST
@admin_required
def role_change(request: HttpRequest, pk: int) -> HttpResponse:
    unit_role = get_object_or_404(UnitRole.objects.select_related("user", "unit"), pk=pk)
    form = RoleChangeForm(request.POST)
    if form.is_valid():
        with refusal_message(request) as refused:
            services.unit_role_change(
                actor=request.user, unit_role=unit_role, role=form.cleaned_data["role"]
            )
        if not refused:
            messages.success(
                request,
                gettext("%(user)s is now %(role)s.")
                % {"user": unit_role.user, "role": unit_role.get_role_display()},
            )
    else:
        messages.error(request, gettext("Choose lead or contributor."))
    return redirect("network:unit_detail", pk=unit_role.unit_id)


@require_safe
@admin_required
def person_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.person_list(search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "network/person_list.html",
        {
            "page_obj": page,
            "people": page.object_list,
            "q": search,
            "querystring": _querystring(request),
        },
    )


# Organisations ---------------------------------------------------------------------------


@require_safe
@admin_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.organisation_list(search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "network/organisation_list.html",
        {
            "page_obj": page,
            "organisations": page.object_list,
            "q": search,
            "querystring": _querystring(request),
        },
    )


@_GET_POST
@admin_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(
                request,
                gettext("%(name)s has been added. Now add its units.")
                % {"name": organisation.name},
            )
            return redirect(f"{reverse('network:unit_create')}?organisation={organisation.pk}")
    return render(request, "network/organisation_form.html", {"form": form, "organisation": None})


@_GET_POST
@admin_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    form = OrganisationForm(request.POST or None, instance=Organisation.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, gettext("The organisation's details have been saved."))
            return redirect("network:organisation_list")
    return render(
        request, "network/organisation_form.html", {"form": form, "organisation": organisation}
    )


# CSV import ------------------------------------------------------------------------------


def _import_help() -> dict:
    return {
        "columns": csv_io.COLUMNS,
        "required_columns": csv_io.REQUIRED_COLUMNS,
        "max_rows": csv_io.MAX_IMPORT_ROWS,
    }


def _stored_import(request: HttpRequest) -> tuple[str, str] | None:
    """(storage name, text) of the upload waiting for confirmation, if any."""
    name = request.session.get(_IMPORT_SESSION_KEY)
    if not name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return name, handle.read().decode("utf-8")


def _forget_import(request: HttpRequest) -> None:
    name = request.session.pop(_IMPORT_SESSION_KEY, None)
    if name and default_storage.exists(name):
        default_storage.delete(name)


@_GET_POST
@admin_required
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > csv_io.MAX_IMPORT_BYTES:
                raise csv_io.ImportFileError(
                    f"The file is too large ({upload.size / 1024 / 1024:.1f} MiB). The limit "
                    f"is {csv_io.MAX_IMPORT_BYTES // (1024 * 1024)} MiB and "
                    f"{csv_io.MAX_IMPORT_ROWS:,} rows: please split it into smaller files."
                )
            text = csv_io.decode_upload(upload.read())
            parsed = csv_io.parse_members_csv(text)
        except csv_io.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            if parsed.errors:
                return render(
                    request,
                    "network/import_preview.html",
                    {"parsed": parsed, "filename": upload.name, "can_confirm": False},
                )
            _forget_import(request)
            name = default_storage.save(
                f"network-imports/{secrets.token_hex(16)}.csv", ContentFile(text.encode("utf-8"))
            )
            request.session[_IMPORT_SESSION_KEY] = name
            return redirect("network:import_preview")
    return render(request, "network/import_upload.html", {"form": form, **_import_help()})


@_GET_POST
@admin_required
def import_preview(request: HttpRequest) -> HttpResponse:
    stored = _stored_import(request)
    if stored is None:
        messages.info(request, gettext("There is no upload waiting: please choose a file."))
        return redirect("network:import_upload")
    _name, text = stored
    if request.method == "POST":
        try:
            result = services.membership_import_apply(actor=request.user, text=text)
        except services.ImportInvalid as exc:
            parsed = csv_io.ParsedImport(errors=exc.errors)
            return render(
                request,
                "network/import_preview.html",
                {"parsed": parsed, "can_confirm": False, "changed": True},
            )
        except (csv_io.ImportFileError, ValidationError) as exc:
            messages.error(request, error_text(exc))
            return redirect("network:import_preview")
        _forget_import(request)
        messages.success(
            request,
            f"Imported {result.memberships} memberships, {result.units} new units and "
            f"{result.organisations} new organisations"
            + (f" ({result.skipped} already recorded, skipped)." if result.skipped else "."),
        )
        return redirect("network:unit_list")
    parsed = csv_io.parse_members_csv(text)
    return render(
        request,
        "network/import_preview.html",
        {"parsed": parsed, "can_confirm": not parsed.errors},
    )


@require_POST
@admin_required
def import_cancel(request: HttpRequest) -> HttpResponse:
    _forget_import(request)
    messages.info(request, gettext("The upload was discarded; nothing was imported."))
    return redirect("network:import_upload")


# Language -------------------------------------------------------------------------------------


def _csrf_checked(request: HttpRequest) -> HttpResponse:  # pragma: no cover -- never called
    """A stand-in view that is not exempt, so CsrfViewMiddleware checks the token for it."""
    return HttpResponse()


# The switcher is in the page chrome, which public pages serve from a shared cache: it carries
# no per-visitor token. Switching language is harmless for a visitor (a cookie); the write to
# a signed-in person's row is checked for CSRF below (their chrome carries the token).
@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (the cookie, then back to ``next`` or the page it came from), and
    for a signed-in person their choice on their row too, so every device and email follows
    it. A signed-in person's post without a valid CSRF token is refused (403)."""
    if request.user.is_authenticated:
        refused = CsrfViewMiddleware(lambda _request: HttpResponse()).process_view(
            request, _csrf_checked, (), {}
        )
        if refused is not None:
            return refused
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(language):
        try:
            supported = get_supported_language_variant(language)
        except LookupError:  # a language Django knows but the portal does not offer
            return response
        services.user_set_language(user=request.user, language=supported)
    return response
