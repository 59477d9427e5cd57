from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from ee_portal.lib.views import admin_required
from network.models import User

from .privacy import person_data_export


@require_GET
@admin_required
def person_export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    person = get_object_or_404(User, pk=pk)
    response = StreamingHttpResponse(
        person_data_export(person=person, actor=request.user), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}-data.zip"'
    response["Cache-Control"] = "no-store"
    return response
