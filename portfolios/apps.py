import logging

from django.apps import AppConfig
from django.conf import settings

logger = logging.getLogger(__name__)


class PortfoliosConfig(AppConfig):
    name = "portfolios"

    def ready(self) -> None:
        from . import cache, checks  # noqa: F401, PLC0415 -- models are loaded now; checks

        cache.register()

        if not settings.EE_CLAMD_URL and settings.EE_UNSCANNED_UPLOADS_ALLOWED:
            logger.warning(
                "EE_CLAMD_URL is not set: uploads are NOT scanned for malware "
                "(allowed only because DJANGO_DEBUG is on)."
            )
