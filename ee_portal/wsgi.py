import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ee_portal.settings.base")

application = get_wsgi_application()


def _refuse_serious_check_messages() -> None:
    """Django runs its system checks for manage.py commands, not for a WSGI server: run them
    here too, so that gunicorn refuses to start with, say, a per-process cache in production
    (ee_portal/caching/checks.py)."""
    from django.core import checks  # noqa: PLC0415 -- after Django is set up

    serious = [message for message in checks.run_checks() if message.is_serious()]
    if serious:
        raise ImproperlyConfigured("\n".join(str(message) for message in serious))


_refuse_serious_check_messages()
