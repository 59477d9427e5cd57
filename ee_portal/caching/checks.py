"""System checks: the shared caches must be shared (issue 12).

Cached copies are retired by moving versions held in the cache. A per-process cache (locmem)
keeps a copy per process, so a change made through one process leaves the others serving old
pages; with DEBUG off that is refused. Without REDIS_URL the cache is Django's dummy backend
(no caching), which is safe in one process; several web processes also need REDIS_URL for what
must be shared between them (sign-in throttling, and later the questionnaires' throttling).
"""

import os
import re
import sys
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

PER_PROCESS_BACKENDS = ("django.core.cache.backends.locmem.LocMemCache",)


def web_processes(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """How many web processes serve the site, as far as this process can tell: the
    EE_WEB_PROCESSES setting (environment), gunicorn's WEB_CONCURRENCY, or gunicorn's
    ``--workers``/``-w`` on the command line. 1 when nothing says otherwise."""
    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    for name in ("EE_WEB_PROCESSES", "WEB_CONCURRENCY"):
        if environ.get(name, "").strip().isdigit():
            return int(environ[name])
    if argv and "gunicorn" in os.path.basename(argv[0]):
        for i, arg in enumerate(argv):
            match = re.fullmatch(r"(?:--workers|-w)(?:=?(\d+))?", arg)
            if match:
                value = match.group(1) or (argv[i + 1] if i + 1 < len(argv) else "")
                if value.isdigit():
                    return int(value)
    return 1


@register(Tags.caches, deploy=False)
def check_shared_cache(app_configs: Any = None, **_kwargs: Any) -> list[Error]:
    errors = []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if not settings.DEBUG and backend in PER_PROCESS_BACKENDS:
        errors.append(
            Error(
                f"The default cache is kept per process ({backend}) while DJANGO_DEBUG is off.",
                hint="Set REDIS_URL so every process shares one cache, or use "
                "django.core.cache.backends.dummy.DummyCache (no caching).",
                id="ee_portal.E001",
            )
        )
    processes = web_processes()
    if not settings.DEBUG and not settings.REDIS_URL and processes > 1:
        errors.append(
            Error(
                f"The site runs {processes} web processes but REDIS_URL is not set.",
                hint="Set REDIS_URL: several processes must share one cache, or run one web "
                "process (EE_WEB_PROCESSES=1, gunicorn --workers 1).",
                id="ee_portal.E002",
            )
        )
    return errors
