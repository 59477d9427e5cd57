"""Settings are read from the environment: each case runs a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "debug": settings.DEBUG,
    "db": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "storage": settings.STORAGES["default"]["BACKEND"],
    "storage_options": {k: str(v) for k, v in settings.STORAGES["default"]["OPTIONS"].items()},
    "email": settings.EMAIL_BACKEND,
    "email_host": settings.EMAIL_HOST,
}))
"""
BASE_ENV_KEYS = ("PATH", "HOME", "LANG")


def _run(code: str | None = None, args: list[str] | None = None, **env: str):
    clean = {k: os.environ[k] for k in BASE_ENV_KEYS if k in os.environ}
    clean["DJANGO_SETTINGS_MODULE"] = "ee_portal.settings.base"
    clean.update(env)
    cmd = [sys.executable, *(args or ["-c", code or PROBE])]
    return subprocess.run(
        cmd, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def _settings(**env: str) -> dict:
    result = _run(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_settings_defaults_are_sqlite_eager_disk_console():
    s = _settings(DJANGO_DEBUG="1")
    assert s["debug"] is True
    assert s["db"] == "django.db.backends.sqlite3"
    assert s["db_name"].endswith("var/db.sqlite3")
    assert s["eager"] is True
    assert s["storage"] == "django.core.files.storage.FileSystemStorage"
    assert s["storage_options"]["location"].endswith("var/private")
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"


def test_settings_services_switch_on_from_the_environment(tmp_path):
    s = _settings(
        DJANGO_DEBUG="1",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/ee_portal",
        REDIS_URL="redis://127.0.0.1:6379/3",
        EE_S3_BUCKET="evidence",
        EE_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        EMAIL_URL="smtp://mailpit:1025",
    )
    assert s["db"] == "django.db.backends.postgresql"
    assert s["db_name"] == "ee_portal"
    assert s["eager"] is False
    assert s["broker"] == "redis://127.0.0.1:6379/3"
    assert s["storage"] == "storages.backends.s3.S3Storage"
    assert s["storage_options"]["bucket_name"] == "evidence"
    assert s["storage_options"]["querystring_auth"] == "True"
    assert s["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert s["email_host"] == "mailpit"


def test_settings_media_root_from_environment(tmp_path):
    s = _settings(DJANGO_DEBUG="1", EE_MEDIA_ROOT=str(tmp_path / "files"))
    assert s["storage_options"]["location"] == str(tmp_path / "files")


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS"),
    ],
)
def test_settings_production_refuses_to_start_without_secret(env, missing):
    result = _run(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} is not set" in result.stderr


PRODUCTION = {"SECRET_KEY": "k3y-" + "q8Zr!vT0p#wLm2@xN5s&" * 3, "ALLOWED_HOSTS": "ee.example.org"}


def test_settings_check_deploy_is_clean_in_production_mode():
    result = _run(
        args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        EE_CLAMD_URL="tcp://clamav:3310",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_settings_production_without_a_virus_scanner_fails_the_system_check(tmp_path):
    """Without EE_CLAMD_URL, check --deploy fails, and so does the web container's start-up
    (docker-compose.yml runs migrate, which runs the system checks, before gunicorn)."""
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    for args in (["manage.py", "check", "--deploy"], ["manage.py", "migrate", "--plan"]):
        result = _run(args=args, DATABASE_URL=database, **PRODUCTION)
        assert result.returncode != 0, args
        assert "portfolios.E001" in result.stderr
        assert "EE_CLAMD_URL is not set" in result.stderr


def test_settings_debug_without_a_virus_scanner_warns_once_at_start_up():
    result = _run(args=["manage.py", "check"], DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("uploads are NOT scanned") == 1
