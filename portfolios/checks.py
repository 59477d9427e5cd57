"""System checks: evidence uploads must be scanned for malware outside the demo."""

from django.conf import settings
from django.core.checks import Error, register

from ee_portal.lib.clamav import parse_url


@register()
def check_upload_scanner(app_configs, **kwargs) -> list[Error]:
    """EE_CLAMD_URL is required when DEBUG is off, and must be a clamd URL when set.

    Runs with every management command that checks (check, check --deploy, migrate, runserver),
    so the web container, which migrates first, does not start without a scanner.
    """
    url = settings.EE_CLAMD_URL
    if not url:
        if settings.DEBUG:
            return []
        return [
            Error(
                "EE_CLAMD_URL is not set: evidence uploads would be stored without a virus scan.",
                hint="Set EE_CLAMD_URL to ClamAV's daemon, e.g. tcp://clamav:3310 or "
                "unix:///run/clamav/clamd.ctl (see .env.example and docs/security.md).",
                id="portfolios.E001",
            )
        ]
    try:
        parse_url(url)
    except ValueError:
        return [
            Error(
                "EE_CLAMD_URL is not a clamd address.",
                hint="Use tcp://host:port or unix:///path/to/clamd.ctl.",
                id="portfolios.E002",
            )
        ]
    return []
