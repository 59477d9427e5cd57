from collections.abc import Callable

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.log import log_response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be the thing that failed.
    from django.template import loader  # noqa: PLC0415 -- only needed on the error path

    return HttpResponse(loader.get_template("500.html").render(), status=500)


class ProductErrorPagesMiddleware:
    """The portal's own 404 and 500 pages while DEBUG is on (`make demo`, EE_FRIENDLY_ERRORS).

    With DEBUG on, Django answers a wrong address with a page listing every URL pattern and an
    error with its traceback page, instead of the handlers above. The demo keeps DEBUG on
    (seed_demo and the local defaults of settings/base.py need it), so this middleware, first
    in MIDDLEWARE, puts the product's pages back: an address that matched no URL (no
    resolver_match) and a view's Http404 get 404.html; any other exception of a view is logged
    as Django logs it and gets 500.html. 403 already uses handler403 with DEBUG on, and
    responses a view builds itself (a 404 with its own page) are left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and request.resolver_match is None:
            return page_not_found(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        if isinstance(exception, PermissionDenied | BadRequest | SuspiciousOperation):
            return None
        response = server_error(request)
        # As Django logs it, traceback included; marks the response so it is logged once.
        log_response(
            "Internal Server Error: %s",
            request.path,
            response=response,
            request=request,
            exception=exception,
        )
        return response
