"""Security headers, cookies and login throttling, checked on real responses."""

import pytest
from django.test import Client

from ee_portal.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def test_responses_carry_csp_without_inline_scripts_or_styles(client):
    response = client.get("/standards/", follow=True)
    csp = _directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_pages_have_no_inline_scripts_or_styles(client):
    for url in ("/", "/accounts/login/", "/accounts/password-reset/", "/awards/"):
        html = client.get(url).content.decode()
        assert "<script>" not in html
        assert " style=" not in html
        assert " onclick=" not in html


def test_responses_carry_nosniff_referrer_policy_and_frame_denial(client):
    response = client.get("/accounts/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture
def production_security(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True


def test_production_mode_redirects_to_https_and_sends_hsts(production_security):
    client = Client()
    assert client.get("/accounts/login/").status_code == 301
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_session_cookie_is_secure_httponly_and_times_out(production_security, settings):
    user = factories.UserFactory(email="cookie@example.test")
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": user.email, "password": factories.TEST_PASSWORD},
        secure=True,
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["max-age"] == 4 * 3600
    assert response.cookies[settings.CSRF_COOKIE_NAME]["secure"] is True


def test_login_is_throttled_after_repeated_failures(settings):
    settings.AXES_ENABLED = True
    user = factories.UserFactory(email="target@example.test")
    client = Client()
    statuses = [
        client.post("/accounts/login/", {"username": user.email, "password": "nope"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    # Even the right password is refused while locked out.
    response = client.post(
        "/accounts/login/", {"username": user.email, "password": factories.TEST_PASSWORD}
    )
    assert response.status_code == 429
    assert b"Sign-in paused for your safety" in response.content
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(verb="auth.login").count() == 0


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from ee_portal.settings import base  # noqa: PLC0415 -- read the production list, not test.py's

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert len(base.AUTH_PASSWORD_VALIDATORS) == 4
