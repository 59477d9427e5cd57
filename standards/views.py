from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ee_portal.lib.pagecache import cache_public_page

from . import hooks, selectors
from .enums import DEFAULT_PROGRAMME
from .models import Framework


def _framework_or_404():
    framework = selectors.framework_current()
    if framework is None:
        raise Http404("No standards have been published yet.")
    return framework


def _chosen_setting(request: HttpRequest, framework: Framework) -> tuple[str, list]:
    """The setting whose wording to show: ?setting=, else a signed-in member's own setting.

    A setting without wording of its own in this framework reads the general wording."""
    choices = selectors.setting_choices(framework=framework)
    setting = request.GET.get("setting")
    if setting is None and request.user.is_authenticated:
        setting = hooks.reader_setting(request.user)
    if setting not in {key for key, _label in choices}:
        setting = ""
    return setting, choices


@require_safe
@cache_public_page  # issue 8: published standards are immutable; cached for anonymous visitors
def standard_list(request: HttpRequest) -> HttpResponse:
    framework = _framework_or_404()
    setting, choices = _chosen_setting(request, framework)
    standards = list(selectors.standard_list(framework=framework))
    selectors.apply_setting_wording(standards, setting_type=setting)
    return render(
        request,
        "standards/standard_list.html",
        {
            "framework": framework,
            "standards": standards,
            "setting": setting,
            "setting_choices": choices,
        },
    )


@require_safe
@cache_public_page  # issue 8: published standards are immutable; cached for anonymous visitors
def standard_detail(request: HttpRequest, number: int) -> HttpResponse:
    framework = _framework_or_404()
    standard = selectors.standard_get_with_criteria(framework=framework, number=number)
    if standard is None:
        raise Http404("No such standard.")
    setting, choices = _chosen_setting(request, framework)
    selectors.apply_setting_wording([standard], setting_type=setting)
    return render(
        request,
        "standards/standard_detail.html",
        {
            "framework": framework,
            "standard": standard,
            "criteria": standard.criteria.all(),
            "setting": setting,
            "setting_choices": choices,
            "setting_statement": standard.value_statement if setting else "",
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
