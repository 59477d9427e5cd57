"""A person's data export (subject access request): everything held about one person.

Why here: the export reads every app (network roles and invitations, portfolios' narratives
and evidence, reviews' assignments and scores, the audit log). Imports point one way
(awards -> reviews -> portfolios -> network, standards), so only the top app can read them
all without a registry. A registry in a lower app, filled by each app's ready(), would be the
choice if the apps above network grew independent export sections; with one top app it would
only add indirection. Evidence purge, which touches portfolios alone, is in
portfolios/retention.py.
"""

import csv
import io
import json
from collections.abc import Iterator

from django.core.files.storage import default_storage
from zipstream import ZipStream

from ee_portal.audit.models import AuditEvent
from ee_portal.audit.services import audit_log
from network.models import Invitation, UnitRole, User
from portfolios.enums import EvidenceKind
from portfolios.models import CriterionResponse, Evidence
from reviews.models import Assignment, CriterionScore


def _json(data) -> bytes:
    return json.dumps(data, indent=2, default=str, ensure_ascii=False).encode()


def _csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue().encode()


def person_data_export(*, person: User, actor) -> Iterator[bytes]:
    """A streamed ZIP of everything held about one person (subject access request).

    Contains profile, roles, invitations, narratives they last edited, evidence they added
    (metadata, and the files themselves while they exist), assessments, scores and their
    audit events. Side effect: one audit event ("privacy.export").
    """
    audit_log(actor=actor, verb="privacy.export", obj=person)
    zs = ZipStream(sized=False)
    profile = {
        "email": person.email,
        "full_name": person.full_name,
        "date_joined": person.date_joined,
        "last_login": person.last_login,
        "is_ccqi_admin": person.is_ccqi_admin,
        "is_assessor": person.is_assessor,
        "is_active": person.is_active,
    }
    zs.add(_json(profile), "profile.json")
    roles = [
        {"unit": r.unit.name, "organisation": r.unit.organisation.name, "role": r.role,
         "since": r.created_at}
        for r in UnitRole.objects.filter(user=person).select_related("unit__organisation")
    ]  # fmt: skip
    zs.add(_csv(roles), "unit_roles.csv")
    invitations = [
        {"unit": i.unit.name, "role": i.role, "sent": i.created_at, "accepted": i.accepted_at,
         "revoked": i.revoked_at}
        for i in Invitation.objects.filter(email__iexact=person.email).select_related("unit")
    ]  # fmt: skip
    zs.add(_csv(invitations), "invitations.csv")
    narratives = [
        {"unit": r.portfolio.unit.name, "portfolio": r.portfolio_id, "criterion": r.criterion.code,
         "updated": r.updated_at, "narrative": r.narrative}
        for r in CriterionResponse.objects.filter(updated_by=person).select_related(
            "portfolio__unit", "criterion")
    ]  # fmt: skip
    zs.add(_csv(narratives), "narratives.csv")
    evidence = Evidence.objects.filter(uploaded_by=person).select_related("portfolio__unit")
    rows = []
    for item in evidence:
        rows.append(
            {"id": item.pk, "unit": item.portfolio.unit.name, "title": item.title,
             "type": item.evidence_type, "file_name": item.original_name, "size": item.size,
             "sha256": item.sha256, "added": item.created_at,
             "file_deleted": item.file_purged_at, "text": item.text}
        )  # fmt: skip
        if item.kind == EvidenceKind.FILE and item.file and not item.file_purged_at:
            name = f"evidence/{item.pk}-{item.original_name or 'file'}"
            zs.add(_storage_chunks(item.file.name), name)
    zs.add(_csv(rows), "evidence.csv")
    assessments = [
        {"unit": a.portfolio.unit.name, "portfolio": a.portfolio_id, "state": a.state,
         "lead": a.is_lead, "due": a.due_date, "conflict_reason": a.conflict_reason}
        for a in Assignment.objects.filter(assessor=person).select_related("portfolio__unit")
    ]  # fmt: skip
    zs.add(_csv(assessments), "assessments.csv")
    scores = [
        {"portfolio": s.assignment.portfolio_id, "criterion": s.criterion.code,
         "rating": s.rating, "comment": s.comment}
        for s in CriterionScore.objects.filter(assignment__assessor=person).select_related(
            "assignment", "criterion")
    ]  # fmt: skip
    zs.add(_csv(scores), "scores.csv")
    events = [
        {
            "at": e.created_at,
            "verb": e.verb,
            "object": e.object_repr,
            "details": json.dumps(e.details),
        }
        for e in AuditEvent.objects.filter(actor=person).order_by("id")
    ]
    zs.add(_csv(events), "activity_log.csv")
    yield from zs


def _storage_chunks(name: str, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
    with default_storage.open(name, "rb") as handle:
        while chunk := handle.read(chunk_size):
            yield chunk
