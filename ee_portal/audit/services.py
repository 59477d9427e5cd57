from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditEvent

# Arbitrary constant: the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK_ID = 0x4545_4155


def audit_log(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    verb: str,
    obj: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the hash-chained audit log.

    Side effects: one INSERT; on PostgreSQL, a transaction-scoped advisory lock so that
    concurrent appends form one chain. Never put evidence content in ``details``.
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(
            created_at=timezone.now(),
            # The user model (network.models.User); shared code does not import the apps.
            actor=user,  # type: ignore[misc]
            actor_email=getattr(user, "email", "") or "",
            verb=verb,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=str(obj)[:200] if obj is not None else "",
            details=details or {},
            prev_hash=last or "",
        )
        event.hash = event.compute_hash()
        event.save()
    return event


def audit_verify_chain() -> AuditEvent | None:
    """Return the first event whose link is broken, or None when the chain is intact.

    Reads the log in id order with an iterator (constant memory).
    """
    prev = ""
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev or event.compute_hash() != event.hash:
            return event
        prev = event.hash
    return None
