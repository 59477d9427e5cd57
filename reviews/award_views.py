from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import Award, Certificate


@require_GET
def award_register(request: HttpRequest) -> HttpResponse:
    awards = Award.objects.select_related("unit__organisation").filter(unit__show_on_register=True)
    return render(request, "reviews/award_register.html", {"awards": awards})


@require_GET
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    certificate = get_object_or_404(
        Certificate.objects.select_related("award__unit"), verify_code=code
    )
    return render(request, "reviews/certificate_verify.html", {"certificate": certificate})
