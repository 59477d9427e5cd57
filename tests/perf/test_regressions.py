"""Regression tests for the issue 8 performance fixes: query counts and cache behaviour, never
timings (see docs/performance.md for the figures)."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from ee_portal.lib import fragments
from network.enums import MembershipStatus
from network.models import Membership
from portfolios.enums import PortfolioState
from standards.cache import STANDARDS, pagecache
from standards.enums import FrameworkStatus
from standards.models import Criterion, Standard
from tests import factories
from tests.factories import TEST_PASSWORD
from tests.reviews.conftest import assign, make_portfolio


def login(client, user):
    assert client.login(username=user.email, password=TEST_PASSWORD)


# --- review queue: paginated, 50 per page ----------------------------------------------------


@pytest.mark.parametrize("portfolio_count", [1, 55])
def test_review_queue_is_paginated_with_constant_queries(
    client, admin_user, framework, django_assert_num_queries, portfolio_count
):
    for _ in range(portfolio_count):
        make_portfolio(factories.UnitFactory(), framework, PortfolioState.IN_REVIEW)
    login(client, admin_user)
    # session, user (with the nav's unit roles and the cache epoch), queue counts, page count,
    # queue page, assignments prefetch, session save x3
    with django_assert_num_queries(9):
        response = client.get("/reviews/")
    assert len(response.context["queue"]) == min(portfolio_count, 50)
    if portfolio_count > 50:
        assert "Page 1 of 2" in response.content.decode()
        second = client.get("/reviews/?page=2")
        assert len(second.context["queue"]) == portfolio_count - 50


# --- standards pages: cached for anonymous visitors, invalidated on save -----------------------


def test_standard_page_is_served_from_the_cache_to_anonymous_visitors(
    client, framework, django_assert_num_queries
):
    first = client.get("/standards/1/")
    assert first.status_code == 200
    with django_assert_num_queries(1):  # the cache epoch (lib/fragments.py), nothing else
        second = client.get("/standards/1/")
    assert second.content == first.content


def test_publishing_a_new_framework_version_invalidates_the_cached_pages(client, framework):
    assert "Standard 1" in client.get("/standards/1/").content.decode()
    assert "Standard 1" in client.get("/standards/").content.decode()
    renewed = factories.make_framework(publish=False)
    standard = Standard.objects.get(framework=renewed, number=1)
    standard.name = "Belonging, renewed"
    standard.save()
    renewed.status = FrameworkStatus.PUBLISHED
    renewed.published_at = timezone.now()
    renewed.save()
    assert "Belonging, renewed" in client.get("/standards/1/").content.decode()
    assert "Belonging, renewed" in client.get("/standards/").content.decode()


def test_saves_of_public_models_bump_the_version(framework):
    before = pagecache.public_version()
    draft = factories.FrameworkFactory()
    factories.CriterionFactory(standard=factories.StandardFactory(framework=draft))
    assert pagecache.public_version() > before


def test_signed_in_visitors_never_get_the_anonymous_copy(client, framework, lead):
    client.get("/standards/1/")  # cached for anonymous visitors
    login(client, lead)
    page = client.get("/standards/1/").content.decode()
    assert "Signed in as" in page


def test_a_flash_message_is_never_cached(rf, framework):
    from django.contrib.messages.storage.cookie import CookieStorage  # noqa: PLC0415
    from django.http import HttpResponse  # noqa: PLC0415

    request = rf.get("/standards/1/")
    request._messages = CookieStorage(request)
    request._messages.add(20, "Personal note")

    def view(request):
        return HttpResponse("with a message")

    pagecache.cache_public_page(view)(request)
    assert not [
        k for k in cache._cache if "pagecache:public:" in str(k) and "version" not in str(k)
    ]


# --- verify page: status read live, rendering cached ------------------------------------------


@pytest.fixture
def certificate(framework):
    unit = factories.UnitFactory()
    factories.MembershipFactory(unit=unit)
    portfolio = factories.PortfolioFactory(
        unit=unit, framework=framework, state=PortfolioState.AWARDED
    )
    award = factories.AwardFactory(decision=factories.DecisionFactory(portfolio=portfolio))
    return factories.CertificateFactory(award=award)


def test_verify_is_cached_and_shows_a_revocation_or_lapse_at_once(
    client, certificate, admin_user, django_assert_num_queries
):
    from awards.services import award_revoke  # noqa: PLC0415
    from network.services import membership_set_status  # noqa: PLC0415

    path = f"/verify/{certificate.verify_code}/"
    first = client.get(path)
    assert first.context["live"] == "valid"
    with django_assert_num_queries(1):  # the cache epoch (lib/fragments.py), nothing else
        second = client.get(path)
    assert second.content == first.content
    membership = Membership.objects.get(unit=certificate.award.unit)
    membership_set_status(
        actor=admin_user, membership=membership, status=MembershipStatus.LAPSED, reason="Unpaid"
    )
    assert "Suspended" in client.get(path).content.decode()
    membership_set_status(actor=admin_user, membership=membership, status=MembershipStatus.ACTIVE)
    assert client.get(path).context["live"] == "valid"
    award_revoke(award=certificate.award, actor=admin_user, reason="Withdrawn by the panel.")
    assert "Withdrawn by the panel." in client.get(path).content.decode()


# --- scoring page: fields written out instead of crispy in the loop ---------------------------


def test_scoring_page_renders_each_criterion_form_with_the_saved_score(client, framework, assessor):
    portfolio = make_portfolio(factories.UnitFactory(), framework, PortfolioState.IN_REVIEW)
    assignment = assign(portfolio, assessor)
    criterion = Criterion.objects.filter(standard__framework=framework).first()
    factories.CriterionScoreFactory(
        assignment=assignment, criterion=criterion, rating="met", comment="Good <b>work</b>"
    )
    login(client, assessor)
    page = client.get(f"/reviews/assignments/{assignment.pk}/score/").content.decode()
    prefix = f"c{criterion.pk}"
    assert (
        f'<select name="{prefix}-rating" class="select form-select" id="id_{prefix}-rating">'
        in page
    )
    assert '<option value="met" selected>' in page
    assert "Good &lt;b&gt;work&lt;/b&gt;</textarea>" in page
    # Each label names its criterion for screen readers (every criterion has the same fields).
    assert (
        f'<label for="id_{prefix}-comment" class="form-label">Comment'
        f'<span class="visually-hidden"> on {criterion.code}</span></label>'
    ) in page
    count = Criterion.objects.filter(standard__framework=framework).count()
    assert page.count('class="select form-select"') == count


# --- evidence library: the unbound forms' HTML is cached per framework version ----------------


def test_evidence_library_form_cache_is_keyed_by_version_and_preselection(
    client, framework, unit, lead, monkeypatch
):
    from portfolios import views  # noqa: PLC0415

    rendered = []
    real = views.as_crispy_form
    monkeypatch.setattr(views, "as_crispy_form", lambda form: rendered.append(form) or real(form))
    portfolio = factories.PortfolioFactory(unit=unit, framework=framework)
    login(client, lead)
    url = f"/portfolios/{portfolio.pk}/evidence/"
    criterion = Criterion.objects.filter(standard__framework=framework).order_by("pk").first()
    checked = 'id="id_up-criteria_0_0" checked'  # first standard, first criterion
    assert checked not in client.get(url).content.decode()
    assert checked in client.get(f"{url}?for={criterion.pk}").content.decode()
    assert len(rendered) == 4  # two forms, without and with the preselection
    # Another portfolio of the same framework (its page not cached yet) shares the forms.
    other_unit = factories.UnitRoleFactory(user=lead, role="lead").unit
    other = factories.PortfolioFactory(unit=other_unit, framework=framework)
    assert checked not in client.get(f"/portfolios/{other.pk}/evidence/").content.decode()
    assert len(rendered) == 4
    # Any change to the standards renders them again.
    fragments.touch(STANDARDS)
    client.get(f"/portfolios/{other.pk}/evidence/")
    assert len(rendered) == 6


# --- register: cached for anonymous visitors, refreshed when what it shows changes ----------


def test_register_is_served_from_the_cache_to_anonymous_visitors(
    client, certificate, django_assert_num_queries
):
    first = client.get("/awards/")
    assert certificate.award.unit.name in first.content.decode()
    with django_assert_num_queries(1):  # the cache epoch (lib/fragments.py), nothing else
        second = client.get("/awards/")
    assert second.content == first.content


def test_register_is_refreshed_when_a_membership_lapses(client, certificate, admin_user):
    from network.services import membership_set_status  # noqa: PLC0415

    unit = certificate.award.unit
    assert unit.name in client.get("/awards/").content.decode()
    membership = Membership.objects.get(unit=unit)
    membership_set_status(
        actor=admin_user, membership=membership, status=MembershipStatus.LAPSED, reason="Unpaid"
    )
    assert unit.name not in client.get("/awards/").content.decode()


@pytest.mark.parametrize(
    ("module", "view_name"),
    [
        ("portfolios.views", "portfolio_detail"),
        ("portfolios.views", "evidence_library_view"),
        ("reviews.views", "score"),
        ("reviews.views", "review_list"),
        ("network.views", "unit_list"),
    ],
)
def test_signed_in_pages_are_never_served_from_a_page_cache(client, module, view_name):
    """Their figures in docs/performance.md are their real cost (see the note there)."""
    import importlib  # noqa: PLC0415

    view = getattr(importlib.import_module(module), view_name)
    while hasattr(view, "__wrapped__"):
        assert view.__code__ is not pagecache.cache_public_page(lambda r: r).__code__
        view = view.__wrapped__


# --- ZIP export: media stored, text deflated ----------------------------------------------------


def test_zip_export_stores_compressed_media_and_deflates_text(client, framework, unit, lead):
    import io  # noqa: PLC0415
    import zipfile  # noqa: PLC0415

    from portfolios.services import evidence_upload  # noqa: PLC0415
    from tests.portfolios.conftest import upload  # noqa: PLC0415

    portfolio = factories.PortfolioFactory(unit=unit, framework=framework)
    evidence_upload(portfolio=portfolio, actor=lead, upload=upload("report.pdf"), title="Minutes")
    evidence_upload(portfolio=portfolio, actor=lead, upload=upload("notes.txt"), title="Note")
    login(client, lead)
    response = client.get(f"/portfolios/{portfolio.pk}/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    kinds = {info.filename.rsplit(".", 1)[-1]: info.compress_type for info in archive.infolist()}
    assert kinds["pdf"] == zipfile.ZIP_STORED
    assert kinds["txt"] == zipfile.ZIP_DEFLATED
    assert kinds["csv"] == zipfile.ZIP_DEFLATED
