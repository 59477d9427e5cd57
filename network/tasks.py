"""Emails of the network app, sent by Celery workers (queued with enqueue_on_commit)."""

import logging

from celery import shared_task
from django.urls import reverse
from django.utils import timezone

from ee_portal.lib.emails import send_templated_email

from .models import Invitation, UnitRole, User

logger = logging.getLogger(__name__)


@shared_task(name="network.send_invitation", time_limit=60, ignore_result=True)
def send_invitation(*, invitation_id: int) -> None:
    """Mint a fresh token for a pending invitation and email the link ("invitation").

    Minting here keeps the token out of the database and the broker; each (re-)send
    invalidates earlier links.
    """
    # services imports this module to queue the task, so import it at call time.
    from .services import invitation_issue_token  # noqa: PLC0415 -- import cycle with services

    invitation = (
        Invitation.objects.select_related("unit__organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_pending:
        logger.info("Invitation %s is gone or no longer pending; not sent.", invitation_id)
        return
    token = invitation_issue_token(invitation=invitation)
    context = {
        "invitation": invitation,
        "unit": invitation.unit,
        "role": invitation.get_role_display(),
        "inviter": invitation.invited_by,
        "accept_path": reverse("network:invitation_accept", kwargs={"token": token}),
        "expires_on": timezone.localtime(invitation.expires_at).date(),
    }
    send_templated_email("invitation", [invitation.email], context)


@shared_task(name="network.send_role_added", time_limit=60, ignore_result=True)
def send_role_added(*, role_id: int, actor_id: int | None = None) -> None:
    """Tell a person with an account that they now have a role in a unit ("role-added")."""
    unit_role = (
        UnitRole.objects.select_related("user", "unit__organisation").filter(pk=role_id).first()
    )
    if unit_role is None:
        logger.info("Unit role %s is gone; role-added email not sent.", role_id)
        return
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    context = {
        "person": unit_role.user,
        "unit": unit_role.unit,
        "role": unit_role.get_role_display(),
        "inviter": actor,
        "unit_path": reverse("network:unit_detail", kwargs={"pk": unit_role.unit_id}),
    }
    send_templated_email("role-added", [unit_role.user.email], context)
