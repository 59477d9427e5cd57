from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import portfolio_list_visible_to


@require_GET
@login_required
def portfolio_list(request: HttpRequest) -> HttpResponse:
    portfolios = portfolio_list_visible_to(user=request.user).order_by("unit__name", "-created_at")
    return render(request, "portfolios/portfolio_list.html", {"portfolios": portfolios})
