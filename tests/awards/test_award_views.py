import pytest

from awards.enums import AwardStatus, CertificateStatus
from awards.models import Award, Certificate
from awards.services import certificate_render
from ee_portal.audit.models import AuditEvent
from network.enums import UnitRoleKind
from tests import factories
from tests.awards.award_support import make_award

pytestmark = pytest.mark.django_db


@pytest.fixture
def award(unit, framework):
    award = make_award(unit=unit, framework=framework)
    certificate_render(certificate_id=award.certificate.pk, notify=False)
    return Award.objects.get(pk=award.pk)


# --- award page ----------------------------------------------------------------------------


def test_award_page_shows_the_unit_member_its_award_and_download_link(client, award, contributor):
    client.force_login(contributor)

    response = client.get(f"/awards/{award.pk}/")

    assert response.status_code == 200
    assert response.context["live"] == "valid"
    assert response.context["is_admin"] is False
    body = response.content.decode()
    assert f"/awards/{award.pk}/certificate.pdf" in body
    assert "Suspend the award" not in body


def test_award_page_gives_admins_each_status_action_under_its_own_heading(
    client, award, admin_user
):
    client.force_login(admin_user)

    body = client.get(f"/awards/{award.pk}/").content.decode()

    # Issue 17: no reason box on the award page; each action leads to its own page.
    assert 'name="reason"' not in body
    assert '<h3 class="h5" id="suspend-heading">Suspend the award</h3>' in body
    assert '<h3 class="h5" id="revoke-heading">Revoke the award</h3>' in body
    assert f'href="/awards/{award.pk}/suspend/"' in body
    assert f'href="/awards/{award.pk}/revoke/"' in body
    assert "Open the renewal portfolio" in body


def test_suspend_and_revoke_pages_each_have_one_titled_form(client, award, admin_user):
    client.force_login(admin_user)

    suspend = client.get(f"/awards/{award.pk}/suspend/").content.decode()
    revoke = client.get(f"/awards/{award.pk}/revoke/").content.decode()

    assert "<h1>Suspend the award: " in suspend
    assert suspend.count('name="reason"') == 1
    assert "Why is the award suspended?" in suspend
    assert 'name="confirm"' not in suspend
    assert "<h1>Revoke the award: " in revoke
    assert revoke.count('name="reason"') == 1
    assert "Why is the award revoked?" in revoke
    assert 'name="confirm"' in revoke


def test_revoke_without_the_confirming_tick_changes_nothing(client, award, admin_user):
    client.force_login(admin_user)

    response = client.post(f"/awards/{award.pk}/revoke/", {"reason": "Standards not met"})

    assert response.status_code == 200
    assert "Please tick the box to confirm that revoking is final." in response.content.decode()
    award.refresh_from_db()
    assert award.status == AwardStatus.VALID
    assert not AuditEvent.objects.filter(verb="award.revoked").exists()


def test_suspend_page_of_a_revoked_award_offers_no_form(client, award, admin_user):
    Award.objects.filter(pk=award.pk).update(status=AwardStatus.REVOKED)
    client.force_login(admin_user)

    body = client.get(f"/awards/{award.pk}/suspend/").content.decode()

    assert 'name="reason"' not in body
    assert "This award is revoked, so this cannot be done now." in body


def test_feedback_report_is_offered_only_when_ratings_were_agreed(client, award, admin_user):
    client.force_login(admin_user)
    before = client.get(f"/awards/{award.pk}/").content.decode()
    factories.AgreedScoreFactory(portfolio=award.portfolio, rating="met")

    after = client.get(f"/awards/{award.pk}/").content.decode()

    assert f'action="/awards/{award.pk}/feedback/"' not in before
    assert "None were agreed, so there is nothing to put in it yet." in before
    assert f'action="/awards/{award.pk}/feedback/"' in after
    assert "None were agreed" not in after


def test_an_open_interim_review_is_linked_not_offered_again(client, award, admin_user):
    interim = factories.PortfolioFactory(
        unit=award.unit, framework=award.portfolio.framework, cycle="interim"
    )
    client.force_login(admin_user)

    body = client.get(f"/awards/{award.pk}/").content.decode()

    assert f'href="/portfolios/{interim.pk}/"' in body
    assert "Open the interim review portfolio" not in body
    assert "Open the renewal portfolio" in body


def test_award_page_is_404_for_another_unit_and_login_for_anonymous(client, award, other_lead):
    assert client.get(f"/awards/{award.pk}/").status_code == 302
    client.force_login(other_lead)
    assert client.get(f"/awards/{award.pk}/").status_code == 404


def test_award_page_refuses_post(client, award, admin_user):
    client.force_login(admin_user)
    assert client.post(f"/awards/{award.pk}/").status_code == 405


# --- certificate download ------------------------------------------------------------------


def test_certificate_download_streams_the_pdf_to_a_member_and_is_audited(client, award, lead):
    client.force_login(lead)

    response = client.get(f"/awards/{award.pk}/certificate.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{award.certificate.number}.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(verb="certificate.downloaded")
    assert (event.actor, event.object_id) == (lead, str(award.certificate.pk))


def test_certificate_download_is_404_for_other_units_and_assessors(
    client, award, other_lead, assessor
):
    for user in (other_lead, assessor):
        client.force_login(user)
        assert client.get(f"/awards/{award.pk}/certificate.pdf").status_code == 404
    assert not AuditEvent.objects.filter(verb="certificate.downloaded").exists()


def test_certificate_download_before_render_explains_and_redirects(client, unit, lead):
    award = make_award(unit=unit)
    client.force_login(lead)

    response = client.get(f"/awards/{award.pk}/certificate.pdf", follow=True)

    assert response.redirect_chain == [(f"/awards/{award.pk}/", 302)]
    assert "still being prepared" in response.content.decode()


def test_certificate_download_refuses_post(client, award, lead):
    client.force_login(lead)
    assert client.post(f"/awards/{award.pk}/certificate.pdf").status_code == 405


# --- admin status changes ------------------------------------------------------------------


def test_admin_suspends_with_a_reason_and_the_unit_lead_is_emailed(  # noqa: PLR0917 -- pytest fixtures
    client, award, admin_user, lead, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/awards/{award.pk}/suspend/", {"reason": "Fee dispute"})

    assert response.status_code == 302
    award.refresh_from_db()
    assert (award.status, award.status_reason) == (AwardStatus.SUSPENDED, "Fee dispute")
    assert [m.to for m in mailoutbox] == [[lead.email]]
    assert "suspended" in mailoutbox[0].subject
    assert "Fee dispute" in mailoutbox[0].body
    assert AuditEvent.objects.filter(verb="award.suspended").count() == 1


def test_suspend_without_a_reason_explains_and_changes_nothing(client, award, admin_user):
    client.force_login(admin_user)

    response = client.post(f"/awards/{award.pk}/suspend/", {"reason": "   "}, follow=True)

    award.refresh_from_db()
    assert award.status == AwardStatus.VALID
    assert "Please give a reason" in response.content.decode()


def test_admin_revokes_then_cannot_reinstate(client, award, admin_user):
    client.force_login(admin_user)

    client.post(f"/awards/{award.pk}/revoke/", {"reason": "Standards not met", "confirm": "on"})
    response = client.post(f"/awards/{award.pk}/reinstate/", {"note": ""}, follow=True)

    award.refresh_from_db()
    assert award.status == AwardStatus.REVOKED
    assert "cannot be changed this way" in response.content.decode()


def test_admin_reinstates_a_suspended_award(client, award, admin_user):
    client.force_login(admin_user)
    client.post(f"/awards/{award.pk}/suspend/", {"reason": "Checking"})

    client.post(f"/awards/{award.pk}/reinstate/", {"note": "All clear"})

    award.refresh_from_db()
    assert (award.status, award.status_reason) == (AwardStatus.VALID, "All clear")


@pytest.mark.parametrize("action", ["suspend", "revoke", "reinstate", "certificate/render"])
def test_status_actions_are_404_for_unit_leads(client, award, lead, action):
    client.force_login(lead)

    response = client.post(f"/awards/{award.pk}/{action}/", {"reason": "x"})

    assert response.status_code == 404
    award.refresh_from_db()
    assert award.status == AwardStatus.VALID


@pytest.mark.parametrize("action", ["reinstate", "certificate/render"])
def test_status_actions_refuse_get(client, award, admin_user, action):
    client.force_login(admin_user)
    assert client.get(f"/awards/{award.pk}/{action}/").status_code == 405


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_suspend_and_revoke_pages_are_404_for_unit_members_and_refuse_put(
    client, award, lead, admin_user, action
):
    client.force_login(lead)
    assert client.get(f"/awards/{award.pk}/{action}/").status_code == 404
    client.force_login(admin_user)
    assert client.put(f"/awards/{award.pk}/{action}/").status_code == 405


def test_admin_requeues_a_failed_certificate_from_the_page(
    client, unit, admin_user, django_capture_on_commit_callbacks
):
    award = make_award(unit=unit)
    Certificate.objects.filter(award=award).update(status=CertificateStatus.FAILED, attempts=6)
    client.force_login(admin_user)

    page = client.get(f"/awards/{award.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/awards/{award.pk}/certificate/render/")

    assert "Prepare the certificate again" in page
    assert Certificate.objects.get(award=award).status == CertificateStatus.READY


# --- award list ----------------------------------------------------------------------------


def test_award_list_shows_members_only_their_units_awards(client, award, other_lead, framework):
    other = make_award(unit=other_lead.unit_roles.get().unit, framework=framework)
    client.force_login(other_lead)

    response = client.get("/awards/manage/")

    assert list(response.context["awards"]) == [other]


def test_award_list_lets_admins_find_failed_certificates(client, award, admin_user, framework):
    failed = make_award(framework=framework)
    Certificate.objects.filter(award=failed).update(status=CertificateStatus.FAILED, attempts=6)
    client.force_login(admin_user)

    everything = client.get("/awards/manage/")
    only_failed = client.get("/awards/manage/", {"certificate": "failed"})

    assert {a.pk for a in everything.context["awards"]} == {award.pk, failed.pk}
    assert [a.pk for a in only_failed.context["awards"]] == [failed.pk]
    assert "6 attempts" in only_failed.content.decode()


def test_award_list_needs_login_and_refuses_post(client, admin_user):
    assert client.get("/awards/manage/").status_code == 302
    client.force_login(admin_user)
    assert client.post("/awards/manage/").status_code == 405


@pytest.mark.parametrize("item_count", [1, 3])
def test_award_list_query_count_is_constant(
    client, admin_user, framework, item_count, django_assert_num_queries
):
    for _ in range(item_count):
        make_award(framework=framework)
    client.force_login(admin_user)

    # session, user, paginator count, the page of awards (unit, organisation, framework,
    # certificate and the live status in one query), then the session save the site's
    # middleware makes on a signed-in request (savepoint, update, release).
    # (The user comes with the nav's unit roles and the cache epoch: one query,
    # network/backends.py.)
    with django_assert_num_queries(7):
        response = client.get("/awards/manage/")
    assert len(response.context["awards"]) == item_count


def test_a_unit_with_a_contributor_only_still_gets_its_emails(unit, framework):
    from awards.services import award_recipients  # noqa: PLC0415 -- the helper under test

    award = make_award(unit=unit, framework=framework)
    person = factories.UnitRoleFactory(unit=unit, role=UnitRoleKind.CONTRIBUTOR).user

    assert award_recipients(award=award) == [person.email]
