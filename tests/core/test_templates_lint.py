"""Django's {# #} comments end at the line's end: one spanning lines is printed into the page
(it once put text in <head>, so Chromium saw no favicon link and asked for /favicon.ico)."""

from pathlib import Path

from django.conf import settings


def test_no_template_has_a_comment_spanning_lines():
    offenders = []
    for path in sorted((Path(settings.BASE_DIR) / "templates").rglob("*.*")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.count("{#") > line.count("#}"):
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{number}")
    assert offenders == [], "use {% comment %} for comments over several lines"


def test_a_signed_in_page_head_holds_only_head_elements(client, django_user_model):
    user = django_user_model.objects.create_user(email="head@example.test", password="x" * 12)
    client.force_login(user)
    html = client.get("/standards/").content.decode()
    head = html[html.index("<head>") : html.index("</head>")]
    assert '<link rel="icon"' in head
    assert "The parts of base.html" not in head  # the chrome template's own comment
    assert "{#" not in html  # a comment printed into the page
    assert "{% comment" not in html


def test_every_kind_of_page_has_the_site_chrome(client, django_user_model):
    """Assets, header and footer come from the cached chrome (network.context_processors); a
    view's own context must not hide it (Django's sign-in views set a ``site`` variable)."""
    pages = ["/accounts/login/", "/accounts/password_reset/", "/standards/", "/awards/"]
    for url in pages:
        html = client.get(url).content.decode()
        assert '<link rel="icon"' in html, url
        assert 'class="skip-link"' in html, url
        assert 'class="site-footer' in html, url
    user = django_user_model.objects.create_user(email="chrome@example.test", password="x" * 12)
    client.force_login(user)
    for url in ["/accounts/password_change/", "/standards/"]:
        html = client.get(url).content.decode()
        assert '<link rel="icon"' in html, url
        assert "Signed in as" in html, url
        assert 'class="site-footer' in html, url
