"""Evidence retention: purging evidence files once their cycle has been closed long enough.

Owned by portfolios (it reads and writes only Evidence); run by `manage.py purge_evidence`.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from ee_portal.audit.services import audit_log

from .cache import touch_portfolio
from .enums import CLOSED_STATES, EvidenceKind
from .models import Evidence


@dataclass(frozen=True)
class PurgeResult:
    files: int
    bytes: int
    dry_run: bool


def evidence_due_for_purge(*, today: dt.date | None = None):
    """File evidence whose portfolio closed more than EE_EVIDENCE_RETENTION_DAYS ago."""
    now = (
        timezone.now()
        if today is None
        else timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    )
    cutoff = now - dt.timedelta(days=settings.EE_EVIDENCE_RETENTION_DAYS)
    return Evidence.objects.filter(
        kind=EvidenceKind.FILE,
        file_purged_at__isnull=True,
        portfolio__state__in=sorted(CLOSED_STATES),
        portfolio__closed_at__lt=cutoff,
    ).exclude(file="")


def evidence_purge(
    *, actor=None, dry_run: bool = False, today: dt.date | None = None
) -> PurgeResult:
    """Delete the files of evidence past retention; keep the rows, metadata and audit trail.

    Side effects (unless dry_run): storage deletes, Evidence.file_purged_at set, one audit
    event per item ("evidence.purge") and one summary event. Files shared with a carried-over
    copy in a later portfolio are never shared by key (copies get their own key), so deleting
    is safe.
    """
    items = list(
        evidence_due_for_purge(today=today).only("pk", "file", "size", "title", "portfolio_id")
    )
    total = sum(e.size for e in items)
    if dry_run:
        return PurgeResult(files=len(items), bytes=total, dry_run=True)
    for evidence in items:
        with transaction.atomic():
            default_storage.delete(evidence.file.name)
            Evidence.objects.filter(pk=evidence.pk).update(file_purged_at=timezone.now())
            touch_portfolio(evidence.portfolio_id)
            audit_log(
                actor=actor, verb="evidence.purge", obj=evidence, details={"size": evidence.size}
            )
    audit_log(actor=actor, verb="evidence.purge_run", details={"files": len(items), "bytes": total})
    return PurgeResult(files=len(items), bytes=total, dry_run=False)
