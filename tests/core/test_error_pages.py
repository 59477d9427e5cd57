"""The product's own error pages, also in `make demo`, which serves with DEBUG on (issue 17,
item 11): a wrong address never shows Django's technical page listing every URL pattern."""

import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from django.urls import include, path

ROOT = Path(__file__).resolve().parents[2]
MIDDLEWARE = "ee_portal.errors.ProductErrorPagesMiddleware"
PRODUCT_404 = "We can't find that page"
PRODUCT_500 = "Sorry, something went wrong on our side"
DJANGO_404 = "Using the URLconf defined in"


def _boom(request):
    raise RuntimeError("the view failed")


urlpatterns = [path("boom/", _boom), path("", include("ee_portal.urls"))]


@pytest.fixture
def demo_errors(settings):
    """What `make demo` serves with: DEBUG on and the middleware first."""
    settings.DEBUG = True
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]
    return settings


@pytest.mark.django_db
def test_debug_alone_shows_djangos_url_list_for_a_wrong_address(client, settings):
    settings.DEBUG = True
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert DJANGO_404 in response.content.decode()


@pytest.mark.django_db
def test_demo_shows_the_product_404_for_a_wrong_address(client, demo_errors):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert PRODUCT_404 in body
    assert DJANGO_404 not in body
    assert "django-admin/" not in body  # no list of URL patterns


@pytest.mark.django_db
def test_demo_shows_the_product_404_for_an_object_out_of_reach(client, demo_errors, admin_user):
    client.force_login(admin_user)
    response = client.get("/network/units/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert PRODUCT_404 in body
    assert "Raised by" not in body


@pytest.mark.django_db
def test_demo_keeps_a_views_own_404_page(client, demo_errors):
    response = client.get("/verify/no-such-code/")
    assert response.status_code == 404
    assert PRODUCT_404 not in response.content.decode()


@pytest.mark.django_db
def test_demo_still_adds_the_missing_slash(client, demo_errors):
    response = client.get("/standards")
    assert (response.status_code, response["Location"]) == (301, "/standards/")


@pytest.mark.django_db
def test_demo_shows_the_product_500_and_logs_the_error(demo_errors, caplog):
    demo_errors.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert PRODUCT_500 in body
    assert "Traceback" not in body
    assert [r.exc_info[1].args for r in caplog.records if r.name == "django.request"] == [
        ("the view failed",)
    ]


# --- `make demo` itself, served as it serves ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 -- loopback
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_serves_the_product_404_for_a_wrong_address(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py's own, as `make demo` runs it
    env.pop("EE_FRIENDLY_ERRORS", None)  # the Makefile's default
    dry_run = subprocess.run(
        ["make", "-n", "demo", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    serve = next(line for line in dry_run.stdout.splitlines() if "runserver" in line)
    words = shlex.split(serve)
    python = next(i for i, word in enumerate(words) if word.endswith("/python"))
    env.update(word.split("=", 1) for word in words[:python])
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    server = subprocess.Popen(  # noqa: S603 -- the command `make demo` runs
        [*manage, *words[python + 2 :], "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(120):
            try:
                status, body = _get(f"http://127.0.0.1:{port}/no-such-page/")
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("the demo server did not answer within 30 s")
        css_status, _css = _get(f"http://127.0.0.1:{port}/static/css/site.css")
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert status == 404
    assert PRODUCT_404 in body
    assert DJANGO_404 not in body
    assert css_status == 200
