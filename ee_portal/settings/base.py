"""All settings, read from the environment (12-factor). See README "Configuration"."""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _required(name: str, dev_default: str) -> str:
    """A production secret: refuse to start without it, naming the variable."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(
        f"{name} is not set. It is required when DJANGO_DEBUG is off "
        f"(see .env.example and the README's Configuration section)."
    )


SECRET_KEY = _required("SECRET_KEY", "django-insecure-dev-only-never-use-in-production")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set. It is required when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute links in emails, certificates and QR codes.
EE_SITE_URL = env.str("EE_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "ee_portal.audit",
    "ee_portal.outbox",
    "ee_portal.caching",
    "network",
    "standards",
    "portfolios",
    "reviews",
    "awards",
    "programmes",
    "questionnaires",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Whole HTML pages only (issue 15: low bandwidth); must see the finished response.
    "ee_portal.compression.PageGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's own language (network.User.language) wins over the cookie.
    "network.middleware.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

# `make demo` serves with DEBUG on but shows the portal's own 404 and 500 pages, not Django's
# technical pages listing every URL pattern (ee_portal/errors.py). Off unless set.
EE_FRIENDLY_ERRORS = env.bool("EE_FRIENDLY_ERRORS", default=False)
if DEBUG and EE_FRIENDLY_ERRORS:
    MIDDLEWARE.insert(0, "ee_portal.errors.ProductErrorPagesMiddleware")

ROOT_URLCONF = "ee_portal.urls"
WSGI_APPLICATION = "ee_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "network.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "network.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend with a cheaper per-request load of the signed-in person.
    "network.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-axes: lock an account/IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form posts "username" (Django's AuthenticationForm), though users sign in by email.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "ee_portal.lib.http.client_address"

LANGUAGE_CODE = "en-gb"
# English and Welsh (issue 15). Translated URLs are not used: one address for both.
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Remembers an anonymous visitor's choice for a year (a signed-in person's is on their row).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Private files: never served under a public URL. Evidence is streamed by a
# permission-checked view, or through a short-lived signed S3 URL.
EE_MEDIA_ROOT = Path(env.str("EE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
EE_S3_BUCKET = env.str("EE_S3_BUCKET", default="")
if EE_S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": EE_S3_BUCKET,
            "endpoint_url": env.str("EE_S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("EE_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("EE_S3_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env.str("EE_S3_REGION", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env.int("EE_S3_URL_EXPIRY_SECONDS", default=300),
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(EE_MEDIA_ROOT), "base_url": "/no-public-media/"},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
# Uploads above this go to a temporary file, never wholly into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
EE_MAX_UPLOAD_BYTES = env.int("EE_MAX_UPLOAD_BYTES", default=200 * 1024 * 1024)
# ClamAV's daemon, which scans every upload before it is stored (portfolios/uploads.py):
# tcp://host:3310 or unix:///run/clamav/clamd.ctl. Required when DJANGO_DEBUG is off (a system
# check, portfolios/checks.py); a scanner that is set but down refuses uploads (fail closed).
EE_CLAMD_URL = env.str("EE_CLAMD_URL", default="")
EE_CLAMD_TIMEOUT = 60  # seconds per socket operation: under gunicorn's 120 s (docker-compose.yml)
# Uploads go unscanned without EE_CLAMD_URL only when DEBUG was on as the settings loaded (the
# demo, the tests). Decided here because pytest-django turns DEBUG off inside each test.
EE_UNSCANNED_UPLOADS_ALLOWED = DEBUG
EE_AWARD_YEARS = env.int("EE_AWARD_YEARS", default=3)
EE_EVIDENCE_RETENTION_DAYS = env.int("EE_EVIDENCE_RETENTION_DAYS", default=6 * 365)
# Calibration (issue 16): an assessor whose last practice AC1 is below this, or who has not
# completed a practice portfolio within this many months, is flagged when being assigned.
EE_CALIBRATION_MIN_AC1 = env.float("EE_CALIBRATION_MIN_AC1", default=0.6)
EE_CALIBRATION_VALID_MONTHS = env.int("EE_CALIBRATION_VALID_MONTHS", default=12)
EE_INVITATION_DAYS = 14
# Anonymous questionnaire posts (answers, contributions) per address per hour; 0 turns the
# throttle off (benchmarks). Counted in the shared cache under a keyed hash of the address.
EE_QUESTIONNAIRE_POSTS_PER_HOUR = env.int("EE_QUESTIONNAIRE_POSTS_PER_HOUR", default=60)
# How many reverse proxies of ours stand in front of gunicorn (each appends to X-Forwarded-For):
# the visitor's address for throttling and sign-in lock-outs (ee_portal/lib/http.py).
EE_TRUSTED_PROXIES = env.int("EE_TRUSTED_PROXIES", default=0)
# Adds /bench/bare/, the one-query baseline view that `make bench` compares pages against.
EE_BENCH_VIEWS = env.bool("EE_BENCH_VIEWS", default=False)

# Celery: eager (in-process) unless a broker is configured.
REDIS_URL = env.str("REDIS_URL", default="")
# In eager mode Celery still opens an in-memory producer; naming a host keeps kombu quiet.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery closes the database connection around every task unless this is set; here the
# connections are kept between tasks as between requests (CONN_MAX_AGE, ee_portal/celery_app.py).
CELERY_DB_REUSE_MAX = 2**31
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Fail fast when the broker is down: the outbox keeps the task for outbox.drain.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
    # With acks_late, Redis hands an unacknowledged task to another worker after this long
    # (kombu's default is an hour). Longer than CELERY_TASK_TIME_LIMIT, so a running task is
    # never delivered twice; a task whose worker died is retried within ten minutes.
    "visibility_timeout": 600,
}
CELERY_BEAT_SCHEDULE = {
    "outbox-drain": {"task": "outbox.drain", "schedule": 30.0},
    "review-reminders": {"task": "reviews.send_review_reminders", "schedule": 6 * 3600},
    "award-reminders": {"task": "reviews.send_award_reminders", "schedule": 6 * 3600},
}

# One cache shared by every process (Redis), or, without REDIS_URL, a per-process cache for
# the one process of `make demo` and no cache at all in production (a per-process cache would
# let processes disagree; ee_portal/caching/checks.py refuses it with DEBUG off).
CACHES = {
    "default": (
        {"BACKEND": "ee_portal.caching.backends.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache"
            if DEBUG
            else "django.core.cache.backends.dummy.DummyCache"
        }
    )
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="EE Portal <no-reply@ee-portal.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security headers and cookies. Production values unless debugging locally.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=4 * 3600)
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout rather than a fixed one
# Evidence previews opt in to same-origin framing with @xframe_options_sameorigin.
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # WeasyPrint logs every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
