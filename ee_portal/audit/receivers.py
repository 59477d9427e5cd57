"""Sign-in events and Django-admin edits reach the audit log through Django's own signals.

Signals are the only hook Django offers for these (STYLE.md §4 keeps business writes out of
signals; these are records of framework events, not business logic).
"""

from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from .services import audit_log

ADMIN_ACTIONS = {1: "admin.add", 2: "admin.change", 3: "admin.delete"}


@receiver(user_logged_in, dispatch_uid="audit-login")
def _logged_in(sender, request, user, **kwargs):
    audit_log(actor=user, verb="auth.login", obj=user)


@receiver(user_logged_out, dispatch_uid="audit-logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_log(actor=user, verb="auth.logout", obj=user)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username only; never the password.
    audit_log(
        actor=None,
        verb="auth.login_failed",
        details={"username": credentials.get("username", "")[:254]},
    )


@receiver(post_save, sender=LogEntry, dispatch_uid="audit-admin-edit")
def _admin_edit(sender, instance: LogEntry, created: bool, **kwargs):
    if created:
        audit_log(
            actor=instance.user,  # type: ignore[arg-type]  # LogEntry FKs are untyped (_ST)
            verb=ADMIN_ACTIONS.get(instance.action_flag, "admin.action"),
            details={
                "model": f"{instance.content_type.app_label}.{instance.content_type.model}"  # type: ignore[attr-defined]
                if instance.content_type_id
                else "",
                "object_id": instance.object_id or "",
                "object": instance.object_repr[:200],
                "change": instance.get_change_message()[:500],
            },
        )
