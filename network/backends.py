"""Signing in by email with Django's ModelBackend; the signed-in person is loaded cheaply."""

from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from ee_portal.lib.db import get_by_pk

from .models import User


class ModelBackend(DjangoModelBackend):
    """Django's ModelBackend, except that the person signed in is loaded, on every request,
    by SQL built once per process (ee_portal.lib.db.get_by_pk) rather than an ORM query built
    afresh: their admin and assessor flags decide permissions, so they are read from the
    database each time (issue 12), and this keeps that read cheap."""

    def get_user(self, user_id: Any) -> User | None:
        user = get_by_pk(User, user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
