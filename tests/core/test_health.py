import pytest

from ee_portal.celery_app import app
from tests.services import free_port

pytestmark = pytest.mark.django_db


def test_health_reports_each_dependency(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "storage": "ok",
        "broker": "eager",
        "scanner": "not configured",
    }
    assert "no-cache" in response["Cache-Control"]


def test_health_storage_down_is_503(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker)},
        },
    }
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["storage"].startswith("error: ")
    assert body["database"] == "ok"


def test_health_broker_down_is_503(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/health/")
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error: ")


def test_health_rejects_post(client):
    assert client.post("/health/").status_code == 405


@pytest.mark.services
def test_health_reports_a_running_scanner(client, clamd):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["scanner"] == "ok"


def test_health_scanner_down_is_503(client, settings):
    settings.EE_CLAMD_URL = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["scanner"] == "error: ScannerError"
    assert body["database"] == "ok"
