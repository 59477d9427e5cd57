import datetime as dt

import pytest
from django.utils import timezone

from awards.enums import AwardStatus
from awards.services import award_revoke, award_suspend
from network.enums import MembershipStatus
from network.models import Membership
from tests import factories
from tests.awards.award_support import make_award

pytestmark = pytest.mark.django_db


def _verify(client, award):
    return client.get(f"/verify/{award.certificate.verify_code}/")


def test_verify_shows_a_valid_award_to_an_anonymous_visitor(client):
    award = make_award()

    response = _verify(client, award)

    assert response.status_code == 200
    assert response.context["live"] == "valid"
    body = response.content.decode()
    assert "This award is current." in body
    for expected in (award.unit.name, award.unit.organisation.name, award.certificate.number):
        assert expected in body
    assert f"{award.end_date:%-d %B %Y}" in body


def test_verify_shows_an_award_past_its_end_date_as_expired(client):
    award = make_award(start=timezone.localdate() - dt.timedelta(days=400), days=300)

    response = _verify(client, award)

    assert response.context["live"] == "expired"
    assert "This award has ended." in response.content.decode()


def test_verify_shows_suspended_when_membership_lapses_and_valid_again_when_renewed(client):
    award = make_award()
    Membership.objects.filter(unit=award.unit).update(status=MembershipStatus.LAPSED)

    lapsed = _verify(client, award)
    factories.MembershipFactory(unit=award.unit, status=MembershipStatus.ACTIVE)
    renewed = _verify(client, award)

    assert lapsed.context["live"] == "suspended"
    assert "membership is not active" in lapsed.content.decode()
    assert renewed.context["live"] == "valid"
    award.refresh_from_db()
    assert award.status == AwardStatus.VALID  # derived on read: nothing was written


def test_verify_counts_an_ee_prisons_membership(client):
    award = make_award(membership=None)
    factories.MembershipFactory(
        unit=award.unit, programme=factories.ProgrammeFactory(code="ee-prisons", name="EE prisons")
    )

    assert _verify(client, award).context["live"] == "valid"


def test_verify_shows_an_admin_suspension_and_a_revocation_with_the_reason(client, admin_user):
    award = make_award()
    award_suspend(award=award, actor=admin_user, reason="Safeguarding review under way")

    suspended = _verify(client, award)
    award_revoke(award=award, actor=admin_user, reason="Standards no longer met")
    revoked = _verify(client, award)

    assert suspended.context["live"] == "suspended"
    assert "Safeguarding review under way" in suspended.content.decode()
    assert revoked.context["live"] == "revoked"
    body = revoked.content.decode()
    assert "Reason for revocation" in body
    assert "Standards no longer met" in body


def test_verify_unknown_code_is_a_404_that_explains_what_to_do(client):
    make_award()

    response = client.get("/verify/not-a-real-code/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "We could not find that certificate" in body
    assert "register of current award holders" in body


def test_verify_refuses_post(client):
    award = make_award()

    assert client.post(f"/verify/{award.certificate.verify_code}/").status_code == 405


def test_verify_is_one_query(client, django_assert_num_queries):
    award = make_award()

    # The award with unit, organisation, framework, certificate and the membership EXISTS;
    # then, for anonymous visitors, the cached page (issue 8: ee_portal/lib/pagecache.py).
    # ...and the cache epoch, read once per request (ee_portal/lib/fragments.py)
    with django_assert_num_queries(2):
        response = _verify(client, award)
    assert response.status_code == 200
    # ...and the cache epoch, read once per request (ee_portal/lib/fragments.py)
    with django_assert_num_queries(1):
        assert _verify(client, award).content == response.content
