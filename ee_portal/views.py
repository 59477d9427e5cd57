from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from .celery_app import app as celery_app
from .lib.clamav import Clamd


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        if user.is_ccqi_admin:
            return redirect("network:dashboard")
        if user.is_assessor:
            return redirect("reviews:list")
        return redirect("portfolios:list")
    return render(request, "home.html")


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_storage() -> str:
    name = default_storage.save("health/probe.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as handle:
            if handle.read() != b"ok":
                return "error: read back different content"
    finally:
        default_storage.delete(name)
    return "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def _check_scanner() -> str:
    if not settings.EE_CLAMD_URL:
        return "not configured"
    Clamd(settings.EE_CLAMD_URL, timeout=2).ping()
    return "ok"


CHECKS = {
    "database": _check_database,
    "storage": _check_storage,
    "broker": _check_broker,
    "scanner": _check_scanner,
}


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """One key per dependency; 503 when any is down. Never reveals more than the error class."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001 -- any failure means "down", reported by class
            results[name] = f"error: {type(exc).__name__}"
    healthy = all(not value.startswith("error") for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **results}, status=200 if healthy else 503
    )


@require_http_methods(["GET", "HEAD", "POST"])
def bench_bare(request: HttpRequest) -> HttpResponse:
    """Benchmark baseline (only with EE_BENCH_VIEWS): the full middleware stack plus one query.
    Its POST passes the same stack's CSRF check first (the baseline of posting pages)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (value,) = cursor.fetchone()
    return HttpResponse(f"ok {value}", content_type="text/plain")
