"""Test overrides only. Everything else comes from base.py and the environment."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from .base import *  # noqa: E402,F403

SECRET_KEY = "test-only-secret-key-not-for-production-0123456789abcdef"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://localhost/"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests log in through the test client; lockout itself is tested with AXES_ENABLED on.
AXES_ENABLED = False
EE_SITE_URL = "http://testserver"
# Uploads are not scanned here (DEBUG is on as these settings load); tests/security/
# test_malware.py points this at a real clamd that its fixture starts.
EE_CLAMD_URL = ""
STORAGES = {
    # conftest.py points this at a fresh temporary folder for every test.
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
# Serve static files from the finders (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
