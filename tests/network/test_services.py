import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ee_portal.audit.models import AuditEvent
from network import services
from network.enums import MembershipStatus, UnitRoleKind
from network.models import Invitation, Membership, UnitRole
from tests import factories

pytestmark = pytest.mark.django_db


def test_default_end_date_is_the_day_before_the_third_anniversary():
    assert services.default_end_date(dt.date(2026, 4, 1)) == dt.date(2029, 3, 31)
    assert services.default_end_date(dt.date(2024, 2, 29)) == dt.date(2027, 2, 27)


def test_membership_renew_starts_after_the_previous_period(admin_user, membership):
    renewal = services.membership_renew(actor=admin_user, membership=membership)
    assert renewal.start_date == membership.end_date + dt.timedelta(days=1)
    assert renewal.end_date == services.default_end_date(renewal.start_date)
    assert renewal.status == MembershipStatus.ACTIVE
    assert Membership.objects.filter(unit=membership.unit).count() == 2


def test_membership_set_status_requires_reason_and_is_a_no_op_when_unchanged(
    admin_user, membership
):
    with pytest.raises(ValidationError):
        services.membership_set_status(
            actor=admin_user, membership=membership, status="lapsed", reason=" "
        )
    services.membership_set_status(
        actor=admin_user, membership=membership, status="lapsed", reason="Fee unpaid"
    )
    services.membership_set_status(
        actor=admin_user, membership=membership, status="lapsed", reason="Fee unpaid"
    )
    services.membership_set_status(actor=admin_user, membership=membership, status="active")
    membership.refresh_from_db()
    assert (membership.status, membership.status_reason) == ("active", "")
    details = [
        e.details["to"] for e in AuditEvent.objects.filter(verb="network.membership_status_changed")
    ]
    assert details == ["lapsed", "active"]


@pytest.mark.parametrize("actor", ["lead", "contributor", "assessor"])
def test_admin_services_refuse_others(request, actor, unit, membership):
    user = request.getfixturevalue(actor)
    with pytest.raises(PermissionDenied):
        services.unit_update(actor=user, unit=unit, name="Renamed")
    with pytest.raises(PermissionDenied):
        services.membership_set_status(
            actor=user, membership=membership, status="suspended", reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=user, name="New org")


def test_lead_service_cannot_invite_a_lead_or_to_another_unit(lead, unit, other_unit):
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=lead, unit=unit, email="x@example.test", role="lead")
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=lead, unit=other_unit, email="x@example.test", role="contributor"
        )
    assert not Invitation.objects.exists()


def test_invitation_create_stores_expiry_and_no_usable_token(admin_user, unit, settings):
    outcome = services.invitation_create(
        actor=admin_user, unit=unit, email=" Pat@Example.TEST ", role="contributor"
    )
    invitation = outcome.invitation
    assert outcome.role is None
    assert invitation.email == "pat@example.test"
    days = (invitation.expires_at - invitation.created_at).days
    assert days == settings.EE_INVITATION_DAYS - 1 or days == settings.EE_INVITATION_DAYS
    assert len(invitation.token_hash) == 64


def test_accept_upgrades_an_existing_contributor_invited_as_lead(contributor, unit, admin_user):
    invitation = factories.InvitationFactory(
        unit=unit, email=contributor.email, role=UnitRoleKind.LEAD
    )
    token = services.invitation_issue_token(invitation=invitation)
    services.invitation_accept(token=token, user=contributor)
    assert UnitRole.objects.get(user=contributor, unit=unit).role == UnitRoleKind.LEAD


def test_accept_unusable_raises_with_reason(invitation, token):
    services.invitation_revoke(actor=invitation.invited_by, invitation=invitation)
    with pytest.raises(services.InvitationUnusable) as info:
        services.invitation_accept(token=token, full_name="X", password="a-long-password-1")
    assert info.value.reason == "revoked"


def test_revoking_an_accepted_invitation_is_refused(admin_user, invitation, token):
    services.invitation_accept(token=token, full_name="Pat", password="a-long-password-1")
    with pytest.raises(ValidationError):
        services.invitation_revoke(actor=admin_user, invitation=invitation)


def test_unit_role_change_is_admin_only(lead, contributor_role):
    with pytest.raises(PermissionDenied):
        services.unit_role_change(actor=lead, unit_role=contributor_role, role="lead")
