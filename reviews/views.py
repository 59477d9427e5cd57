from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import assignment_list_for_assessor


@require_GET
@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_assessor or user.is_ccqi_admin):
        raise Http404
    assignments = assignment_list_for_assessor(user=user)
    return render(request, "reviews/review_list.html", {"assignments": assignments})
