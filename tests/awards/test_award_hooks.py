"""Issue 17: a unit's members find their award, its certificate and its verification link from
the awarded portfolio, the portfolio list and their unit's page (awards/hooks.py, through
portfolios/hooks.py and network/hooks.py); nobody else sees them."""

import pytest
from django.urls import reverse

from awards.enums import CertificateStatus
from awards.models import Award, Certificate
from awards.services import certificate_render
from ee_portal.audit.models import AuditEvent
from network import hooks as network_hooks
from network.models import UnitRole
from tests import factories
from tests.awards.award_support import make_award

pytestmark = pytest.mark.django_db


@pytest.fixture
def award(unit, framework):
    award = make_award(unit=unit, framework=framework)
    Certificate.objects.filter(award=award).update(status=CertificateStatus.READY)
    return Award.objects.select_related("certificate", "portfolio").get(pk=award.pk)


def _links(award: Award) -> list[str]:
    return [
        f'href="/awards/{award.pk}/certificate.pdf"',
        f'href="/awards/{award.pk}/"',
        f'href="/verify/{award.certificate.verify_code}/"',
    ]


def test_awards_fills_the_unit_panel_registry():
    assert network_hooks.registered() == {"unit_panels": ["awards.awards", "programmes.membership"]}


@pytest.mark.parametrize("member", ["lead", "contributor"])
def test_awarded_portfolio_builder_shows_members_the_award_certificate_and_check(
    client, award, member, request
):
    client.force_login(request.getfixturevalue(member))

    body = client.get(reverse("portfolios:detail", kwargs={"pk": award.portfolio_id})).content

    text = body.decode()
    assert "This portfolio earned the Enabling Environments Award" in text
    assert [link for link in _links(award) if link in text] == _links(award)


def test_awarded_portfolio_builder_shows_no_award_to_its_assessor(client, award, assessor):
    factories.AssignmentFactory(portfolio=award.portfolio, assessor=assessor, state="submitted")
    client.force_login(assessor)

    response = client.get(reverse("portfolios:detail", kwargs={"pk": award.portfolio_id}))

    assert response.status_code == 200
    text = response.content.decode()
    assert "earned the Enabling Environments Award" not in text
    assert [link for link in _links(award) if link in text] == []


def test_awarded_portfolio_builder_is_404_for_another_unit(client, award, other_lead):
    client.force_login(other_lead)
    response = client.get(reverse("portfolios:detail", kwargs={"pk": award.portfolio_id}))
    assert response.status_code == 404


def test_builder_of_a_draft_portfolio_shows_no_award(client, award, lead, framework):
    draft = factories.PortfolioFactory(unit=award.unit, framework=framework, cycle="renewal")
    client.force_login(lead)

    text = client.get(reverse("portfolios:detail", kwargs={"pk": draft.pk})).content.decode()

    assert f'href="/awards/{award.pk}/' not in text


def test_certificate_still_rendering_is_explained_not_linked(client, award, lead):
    Certificate.objects.filter(award=award).update(status=CertificateStatus.PENDING)
    client.force_login(lead)

    text = client.get(reverse("portfolios:detail", kwargs={"pk": award.portfolio_id})).content
    text = text.decode()

    assert f'href="/awards/{award.pk}/certificate.pdf"' not in text
    assert "The certificate is being prepared" in text


def test_portfolio_list_links_members_to_their_award(client, award, lead, other_lead):
    client.force_login(lead)
    mine = client.get(reverse("portfolios:list")).content.decode()
    client.force_login(other_lead)
    theirs = client.get(reverse("portfolios:list")).content.decode()

    assert f'href="/awards/{award.pk}/"' in mine
    assert f'href="/awards/{award.pk}/"' not in theirs


@pytest.mark.parametrize("item_count", [1, 3])
def test_portfolio_list_with_awards_has_constant_queries(
    client, lead, framework, django_assert_num_queries, item_count
):
    awards = []
    for _ in range(item_count):
        unit = factories.UnitRoleFactory(user=lead, role="lead").unit
        awards.append(make_award(unit=unit, framework=framework))
    client.force_login(lead)
    # session, user with the nav's unit roles and the cache epoch (one query), portfolios
    # (joined), the awarded ones' awards with certificates (awards/hooks.py), units ready to
    # start, session save (savepoint, update, release)
    with django_assert_num_queries(8):
        body = client.get(reverse("portfolios:list")).content.decode()
    assert [a.pk for a in awards if f'href="/awards/{a.pk}/"' in body] == [a.pk for a in awards]


def test_unit_page_lists_the_units_awards_only(client, award, lead, other_unit, framework):
    elsewhere = make_award(unit=other_unit, framework=framework)
    client.force_login(lead)

    text = client.get(reverse("network:unit_detail", kwargs={"pk": award.unit_id})).content
    text = text.decode()

    assert "Awards and certificates" in text
    assert [link for link in _links(award) if link in text] == _links(award)
    assert f'href="/awards/{elsewhere.pk}/' not in text


def test_unit_page_without_an_award_says_where_it_will_be(client, unit, lead):
    client.force_login(lead)

    text = client.get(reverse("network:unit_detail", kwargs={"pk": unit.pk})).content.decode()

    assert "No award yet." in text


def test_unit_page_with_an_award_is_404_for_another_unit(client, award, other_lead):
    client.force_login(other_lead)
    response = client.get(reverse("network:unit_detail", kwargs={"pk": award.unit_id}))
    assert response.status_code == 404


def test_certificate_download_for_contributors_and_admins_not_former_members(
    client, award, contributor, admin_user
):
    certificate_render(certificate_id=award.certificate.pk, notify=False)
    url = reverse("awards:certificate", kwargs={"pk": award.pk})
    for user in (contributor, admin_user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")

    UnitRole.objects.filter(user=contributor).delete()
    client.force_login(contributor)

    assert client.get(url).status_code == 404
    downloads = AuditEvent.objects.filter(verb="certificate.downloaded")
    assert sorted(e.actor_id for e in downloads) == sorted([contributor.pk, admin_user.pk])


@pytest.mark.parametrize("item_count", [1, 3])
def test_unit_page_with_awards_has_constant_queries(  # noqa: PLR0917 -- pytest fixtures
    client, unit, lead, framework, django_assert_num_queries, item_count
):
    awards = [make_award(unit=unit, framework=framework) for _ in range(item_count)]
    client.force_login(lead)
    # 1 session, 2 user (with the nav's unit roles and the cache epoch), 3 unit +
    # organisation, 4 people, 5 open invitations (the lead invites), 6 membership history,
    # 7 awards with certificates and live status (awards/hooks.py), 8 network membership
    # type (programmes/hooks.py), 9 portfolios, 10-12 savepoint, session save, release
    with django_assert_num_queries(12):
        body = client.get(reverse("network:unit_detail", kwargs={"pk": unit.pk})).content
    text = body.decode()
    assert [a.pk for a in awards if f'href="/awards/{a.pk}/"' in text] == [a.pk for a in awards]
