from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ee_portal.lib.views import admin_required

from .models import Unit


@require_GET
@admin_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "network/dashboard.html", {})


@require_GET
@admin_required
def unit_list(request: HttpRequest) -> HttpResponse:
    units = Unit.objects.select_related("organisation").order_by("name")
    page = Paginator(units, 50).get_page(request.GET.get("page"))
    return render(request, "network/unit_list.html", {"page_obj": page, "units": page.object_list})
