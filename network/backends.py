"""Signing in by email with Django's ModelBackend; the signed-in person is loaded cheaply."""

from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from ee_portal.lib.db import get_with_rows

from .models import User
from .rules import remember_roles, roles_extra


class ModelBackend(DjangoModelBackend):
    """Django's ModelBackend, except that the person signed in is loaded, on every request,
    by SQL built once per process (ee_portal.lib.db.get_by_pk) rather than an ORM query built
    afresh: their admin and assessor flags and their unit roles decide permissions, so they
    are read from the database each time (issue 12), and this keeps that read cheap: one
    query for the person, their roles and the cache epoch."""

    def get_user(self, user_id: Any) -> User | None:
        # Their unit roles and the cache epoch come in the same query: every signed-in page
        # needs them for its permissions and navigation (network.rules.user_unit_roles).
        user, role_rows = get_with_rows(User, user_id, roles_extra())
        if user is None or not self.user_can_authenticate(user):
            return None
        remember_roles(user, role_rows)
        return user
