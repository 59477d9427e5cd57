from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ee_portal.lib.pagecache import cache_public_page

from . import selectors
from .enums import DEFAULT_PROGRAMME


def _framework_or_404():
    framework = selectors.framework_current()
    if framework is None:
        raise Http404("No standards have been published yet.")
    return framework


@require_safe
@cache_public_page  # issue 8: published standards are immutable; cached for anonymous visitors
def standard_list(request: HttpRequest) -> HttpResponse:
    framework = _framework_or_404()
    standards = selectors.standard_list(framework=framework)
    return render(
        request,
        "standards/standard_list.html",
        {"framework": framework, "standards": standards},
    )


@require_safe
@cache_public_page  # issue 8: published standards are immutable; cached for anonymous visitors
def standard_detail(request: HttpRequest, number: int) -> HttpResponse:
    framework = _framework_or_404()
    standard = selectors.standard_get_with_criteria(framework=framework, number=number)
    if standard is None:
        raise Http404("No such standard.")
    setting = request.GET.get("setting", "")
    return render(
        request,
        "standards/standard_detail.html",
        {
            "framework": framework,
            "standard": standard,
            "criteria": standard.criteria.all(),
            "setting_statement": standard.setting_wording.get(setting, ""),
        },
    )


@require_safe
@cache_public_page  # published standards are immutable; cached for anonymous visitors
def programme_standards(request: HttpRequest, programme: str) -> HttpResponse:
    """A network's current standards with their criteria and types, and its core values as
    context. Public, like the EE standards (a network's associates read them here)."""
    framework = selectors.framework_current(programme=programme)
    if framework is None or programme == DEFAULT_PROGRAMME:
        raise Http404("No standards have been published for this programme.")
    return render(
        request,
        "standards/programme_standards.html",
        {
            "framework": framework,
            "standards": selectors.standards_with_criteria(framework=framework),
        },
    )
