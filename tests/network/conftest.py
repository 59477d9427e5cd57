import datetime as dt
import re

import pytest
from django.utils import timezone

from network.enums import UnitRoleKind
from network.models import Invitation
from network.services import invitation_issue_token
from tests import factories

# The six kinds of visitor every view is tested against (see test_views.py).
ACTORS = ("anonymous", "contributor", "lead", "other_lead", "assessor", "admin_user")


@pytest.fixture
def as_actor(request, client):
    """Sign the test client in as one of ACTORS (by fixture name); return the user or None."""

    def sign_in(name: str):
        if name == "anonymous":
            return None
        user = request.getfixturevalue(name)
        client.force_login(user)
        return user

    return sign_in


@pytest.fixture
def membership(unit):
    return factories.MembershipFactory(unit=unit, fee_reference="INV-1")


@pytest.fixture
def contributor_role(contributor, unit):
    return contributor.unit_roles.get(unit=unit)


@pytest.fixture
def lead_role(lead, unit):
    return lead.unit_roles.get(unit=unit)


@pytest.fixture
def invitation(unit, admin_user):
    return factories.InvitationFactory(
        unit=unit, role=UnitRoleKind.CONTRIBUTOR, email="newbie@example.test", invited_by=admin_user
    )


@pytest.fixture
def lead_invitation(unit, admin_user):
    return factories.InvitationFactory(
        unit=unit, role=UnitRoleKind.LEAD, email="new-lead@example.test", invited_by=admin_user
    )


@pytest.fixture
def token(invitation) -> str:
    """A valid token for ``invitation`` (as the email task would mint it)."""
    return invitation_issue_token(invitation=invitation)


def expire(invitation: Invitation) -> None:
    invitation.expires_at = timezone.now() - dt.timedelta(minutes=1)
    invitation.save(update_fields=["expires_at"])


def token_from_email(body: str) -> str:
    match = re.search(r"/network/invitations/([A-Za-z0-9_-]+)/", body)
    assert match, body
    return match.group(1)


def login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")
