import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from ee_portal.audit.models import AuditEvent
from network.enums import UnitRoleKind
from network.models import Invitation, UnitRole, User
from network.tasks import send_invitation, send_role_added
from tests import factories

from .conftest import ACTORS, expire, login_redirect, token_from_email

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a-garden-of-trust-42"


def _invite(client, unit, email: str, role: str = UnitRoleKind.CONTRIBUTOR):
    return client.post(
        reverse("network:invitation_create", kwargs={"pk": unit.pk}),
        {"email": email, "role": role},
    )


def _accept(client, token: str, **data):
    payload = {"full_name": "Nia Newcomer", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    return client.post(
        reverse("network:invitation_accept", kwargs={"token": token}), payload | data
    )


def test_admin_invites_a_lead_who_accepts_and_sees_only_their_unit(  # noqa: PLR0917 -- pytest fixtures
    client, admin_user, unit, other_unit, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, unit, "Nia@Example.test", UnitRoleKind.LEAD)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "nia@example.test",
        UnitRoleKind.LEAD,
        admin_user,
    )
    assert [m.to for m in mailoutbox] == [["nia@example.test"]]
    message = mailoutbox[0]
    assert "Willow Ward" in message.subject
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    token = token_from_email(message.body)
    assert f"/network/invitations/{token}/" in html
    # Only the hash is stored.
    invitation.refresh_from_db()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert AuditEvent.objects.filter(verb="network.invitation_sent").count() == 1

    client.logout()
    page = client.get(reverse("network:invitation_accept", kwargs={"token": token}))
    assert page.status_code == 200
    assert "nia@example.test" in page.content.decode()
    response = _accept(client, token)
    assert response.status_code == 302
    assert response["Location"] == reverse("network:unit_detail", kwargs={"pk": unit.pk})
    user = User.objects.get(email="nia@example.test")
    assert user.full_name == "Nia Newcomer"
    assert user.check_password(GOOD_PASSWORD)
    assert list(user.unit_roles.values_list("unit_id", "role")) == [(unit.pk, UnitRoleKind.LEAD)]
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    assert AuditEvent.objects.filter(verb="network.invitation_accepted", actor=user).exists()
    # Signed in, on their own unit only.
    assert client.get(response["Location"]).status_code == 200
    assert (
        client.get(reverse("network:unit_detail", kwargs={"pk": other_unit.pk})).status_code == 404
    )
    assert client.get("/network/units/").status_code == 404
    # The link is single-use.
    again = client.get(reverse("network:invitation_accept", kwargs={"token": token}))
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("anonymous", False),
        ("contributor", False),
        ("lead", True),
        ("other_lead", False),
        ("assessor", False),
        ("admin_user", True),
    ],
)
def test_who_may_invite_a_contributor(  # noqa: PLR0917 -- pytest fixtures
    client, as_actor, unit, actor, allowed, mailoutbox, django_capture_on_commit_callbacks
):
    as_actor(actor)
    page = client.get(reverse("network:invitation_create", kwargs={"pk": unit.pk}))
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, unit, "new@example.test")
    assert Invitation.objects.filter(email="new@example.test").exists() is allowed
    if allowed:
        assert page.status_code == 200
        assert response.status_code == 302
        assert len(mailoutbox) == 1
    elif actor == "anonymous":
        assert login_redirect(page)
        assert login_redirect(response)
    else:
        assert page.status_code == 404
        assert response.status_code == 404


def test_lead_cannot_invite_a_lead(client, lead, unit):
    client.force_login(lead)
    response = _invite(client, unit, "boss@example.test", UnitRoleKind.LEAD)
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_invitation_form_rejects_get_only_methods(client, admin_user, unit):
    client.force_login(admin_user)
    url = reverse("network:invitation_create", kwargs={"pk": unit.pk})
    assert client.put(url).status_code == 405


def test_inviting_an_existing_account_adds_the_role_and_emails(
    client, admin_user, unit, mailoutbox, django_capture_on_commit_callbacks
):
    person = factories.UserFactory(email="known@example.test", full_name="Kim Known")
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, unit, "KNOWN@example.test")
    assert response.status_code == 302
    assert not Invitation.objects.exists()
    assert list(person.unit_roles.values_list("unit_id", "role")) == [
        (unit.pk, UnitRoleKind.CONTRIBUTOR)
    ]
    assert [m.to for m in mailoutbox] == [["known@example.test"]]
    message = mailoutbox[0]
    assert "added to Willow Ward" in message.subject
    assert f"/network/units/{unit.pk}/" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert "Kim" in message.alternatives[0][0]
    assert AuditEvent.objects.filter(verb="network.role_added").count() == 1


def test_inviting_a_current_member_is_a_form_error(client, admin_user, unit, contributor):
    client.force_login(admin_user)
    response = _invite(client, unit, contributor.email)
    assert response.status_code == 200
    assert "already a contributor" in str(response.context["form"].errors)
    assert UnitRole.objects.filter(user=contributor).count() == 1


def test_inviting_twice_while_pending_is_a_form_error(client, admin_user, unit, invitation):
    client.force_login(admin_user)
    response = _invite(client, unit, invitation.email)
    assert response.status_code == 200
    assert "pending invitation" in str(response.context["form"].errors)
    assert Invitation.objects.count() == 1


# Unusable links -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "status", "text"),
    [
        ("expired", 410, "has expired"),
        ("used", 410, "already been used"),
        ("revoked", 410, "was withdrawn"),
        ("wrong", 404, "don't recognise this link"),
    ],
)
def test_unusable_links_show_a_clear_page_and_create_nothing(  # noqa: PLR0917 -- pytest fixtures
    client, invitation, token, state, status, text
):
    if state == "expired":
        expire(invitation)
    elif state == "used":
        invitation.accepted_at = timezone.now()
        invitation.save()
    elif state == "revoked":
        invitation.revoked_at = timezone.now()
        invitation.save()
    else:
        token = token[:-2] + "xx"
    users_before = User.objects.count()
    page = client.get(reverse("network:invitation_accept", kwargs={"token": token}))
    assert page.status_code == status
    assert text in page.content.decode()
    response = _accept(client, token)
    assert response.status_code == status
    assert User.objects.count() == users_before
    assert not UnitRole.objects.exists()
    assert "_auth_user_id" not in client.session


def test_accept_with_a_weak_password_creates_nothing(client, token):
    response = _accept(client, token, password1="password", password2="password")
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(email="newbie@example.test").exists()


def test_accept_with_mismatched_passwords_creates_nothing(client, token):
    response = _accept(client, token, password2=GOOD_PASSWORD + "!")
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(email="newbie@example.test").exists()


def test_accept_rejects_wrong_method(client, token):
    assert (
        client.put(reverse("network:invitation_accept", kwargs={"token": token})).status_code == 405
    )


def test_accept_when_an_account_already_exists_needs_that_account(client, invitation, token, unit):
    person = factories.UserFactory(email=invitation.email)
    url = reverse("network:invitation_accept", kwargs={"token": token})
    page = client.get(url)
    assert page.status_code == 200
    assert f"/accounts/login/?next={url}" in page.content.decode()
    assert client.post(url).status_code == 200
    assert not UnitRole.objects.filter(user=person).exists()

    client.force_login(factories.UserFactory(email="someone-else@example.test"))
    client.post(url)
    assert not UnitRole.objects.filter(unit=unit).exists()

    client.force_login(person)
    response = client.post(url)
    assert response.status_code == 302
    assert list(person.unit_roles.values_list("unit_id", flat=True)) == [unit.pk]
    invitation.refresh_from_db()
    assert invitation.accepted_by == person


# Re-send and revoke ---------------------------------------------------------------------


def test_resend_mints_a_new_link_and_extends_expiry(  # noqa: PLR0917 -- pytest fixtures
    client, admin_user, invitation, token, mailoutbox, django_capture_on_commit_callbacks
):
    expire(invitation)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("network:invitation_resend", kwargs={"pk": invitation.pk}))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.sent_count == 2
    assert invitation.is_pending
    new_token = token_from_email(mailoutbox[0].body)
    assert new_token != token
    client.logout()
    old = client.get(reverse("network:invitation_accept", kwargs={"token": token}))
    assert old.status_code == 404
    assert _accept(client, new_token).status_code == 302
    assert AuditEvent.objects.filter(verb="network.invitation_resent").count() == 1


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("anonymous", False),
        ("contributor", False),
        ("lead", True),
        ("other_lead", False),
        ("assessor", False),
        ("admin_user", True),
    ],
)
def test_who_may_revoke_a_contributor_invitation(client, as_actor, invitation, actor, allowed):
    as_actor(actor)
    response = client.post(reverse("network:invitation_revoke", kwargs={"pk": invitation.pk}))
    invitation.refresh_from_db()
    assert (invitation.revoked_at is not None) is allowed
    if allowed:
        assert response.status_code == 302
        assert AuditEvent.objects.filter(verb="network.invitation_revoked").count() == 1
    elif actor == "anonymous":
        assert login_redirect(response)
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("anonymous", False),
        ("contributor", False),
        ("lead", True),
        ("other_lead", False),
        ("assessor", False),
        ("admin_user", True),
    ],
)
def test_who_may_resend_a_contributor_invitation(  # noqa: PLR0917 -- pytest fixtures
    client, as_actor, invitation, actor, allowed, mailoutbox, django_capture_on_commit_callbacks
):
    as_actor(actor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("network:invitation_resend", kwargs={"pk": invitation.pk}))
    invitation.refresh_from_db()
    assert (invitation.sent_count == 2) is allowed
    assert len(mailoutbox) == (1 if allowed else 0)
    if actor == "anonymous":
        assert login_redirect(response)
    else:
        assert response.status_code == (302 if allowed else 404)


def test_lead_cannot_touch_a_lead_invitation(client, lead, lead_invitation):
    client.force_login(lead)
    for name in ("network:invitation_resend", "network:invitation_revoke"):
        response = client.post(reverse(name, kwargs={"pk": lead_invitation.pk}))
        assert response.status_code == 404
    lead_invitation.refresh_from_db()
    assert (lead_invitation.revoked_at, lead_invitation.sent_count) == (None, 1)


def test_resending_a_revoked_invitation_is_refused(client, admin_user, invitation, mailoutbox):
    client.force_login(admin_user)
    client.post(reverse("network:invitation_revoke", kwargs={"pk": invitation.pk}))
    response = client.post(
        reverse("network:invitation_resend", kwargs={"pk": invitation.pk}), follow=True
    )
    assert "cannot be re-sent" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.sent_count == 1
    assert mailoutbox == []


# Tasks ----------------------------------------------------------------------------------


def test_send_invitation_skips_missing_and_revoked(invitation, mailoutbox):
    send_invitation.run(invitation_id=invitation.pk + 1000)
    invitation.revoked_at = timezone.now()
    invitation.save()
    before = invitation.token_hash
    send_invitation.run(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert mailoutbox == []
    assert invitation.token_hash == before


def test_send_role_added_skips_missing_role(mailoutbox):
    send_role_added.run(role_id=12345)
    assert mailoutbox == []


@pytest.mark.parametrize("actor", ACTORS[:1])
def test_accept_page_is_public(client, as_actor, actor, token):
    as_actor(actor)
    assert (
        client.get(reverse("network:invitation_accept", kwargs={"token": token})).status_code == 200
    )
