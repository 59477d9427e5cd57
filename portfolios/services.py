"""Writes for portfolios, narratives and evidence. Every write goes through a function here."""

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from ee_portal.audit.services import audit_log
from ee_portal.lib.celery import enqueue_on_commit
from network.models import Unit, User
from network.selectors import unit_is_secure
from standards.models import Criterion, Framework

from .cache import touch_portfolio
from .enums import (
    CLOSED_STATES,
    NARRATIVE_MAX_CHARS,
    EvidenceKind,
    EvidenceType,
    PortfolioState,
    PrintStatus,
    SelfRating,
    self_ratings_for,
    transitions_for,
)
from .models import (
    CriterionResponse,
    Evidence,
    EvidenceLink,
    Portfolio,
    PortfolioEvent,
    PortfolioPrint,
    PortfolioRevision,
    evidence_upload_to,
)
from .rules import lock_message, response_is_open
from .selectors import build_snapshot, portfolio_readiness
from .uploads import (
    MalwareFoundError,
    PreparedUpload,
    copy_stored,
    evidence_type_for,
    prepare_upload,
)

logger = logging.getLogger(__name__)


class InvalidTransitionError(Exception):
    """The portfolio is not in a state from which this transition is allowed."""


class NarrativeConflictError(Exception):
    """Someone else saved this narrative since the version the editor started from.

    Nothing was overwritten; ``current`` is the stored response (their text and version).
    """

    def __init__(self, current: CriterionResponse) -> None:
        super().__init__("Someone else saved this narrative while you were editing it.")
        self.current = current


def portfolio_transition(
    *, portfolio: Portfolio, to_state: str, actor: User, note: str = ""
) -> PortfolioEvent:
    """Move a portfolio to ``to_state`` and record it. The one place a state changes.

    The caller (a transition function in portfolios.services or reviews.workflow) has already
    checked permission and holds the row lock (select_for_update) inside transaction.atomic().
    Side effects: UPDATE of the portfolio's state (and submitted_at/closed_at), one
    PortfolioEvent row, one audit event.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("portfolio_transition must run inside transaction.atomic()")
    from_state = portfolio.state
    if to_state not in transitions_for(portfolio.cycle).get(from_state, ()):
        raise InvalidTransitionError(
            f"A portfolio that is {PortfolioState(from_state).label.lower()} cannot become "
            f"{PortfolioState(to_state).label.lower()}."
        )
    portfolio.state = to_state
    fields = ["state", "updated_at"]
    if to_state in (PortfolioState.SUBMITTED, PortfolioState.RESUBMITTED):
        portfolio.submitted_at = timezone.now()
        fields.append("submitted_at")
    if to_state in CLOSED_STATES:
        portfolio.closed_at = timezone.now()
        fields.append("closed_at")
    portfolio.save(update_fields=fields)
    event = PortfolioEvent.objects.create(
        portfolio=portfolio, actor=actor, from_state=from_state, to_state=to_state, note=note
    )
    audit_log(
        actor=actor,
        verb=f"portfolio.{to_state}",
        obj=portfolio,
        details={"from": from_state, "to": to_state},
    )
    return event


# --- portfolios ---------------------------------------------------------------------------


def portfolio_create(
    *, unit: Unit, framework: Framework, cycle: str, actor: User, previous: Portfolio | None = None
) -> Portfolio:
    """Start a portfolio: one CriterionResponse per criterion of the framework.

    With ``previous`` (an earlier awarded portfolio of the same unit) narratives are copied
    to criteria with the same code, and every evidence item is copied (its file to a new
    storage key) with ``carried_over_from`` set and its links re-made by criterion code.
    Side effects: INSERTs, file copies through default storage, one audit event. The named
    constraint portfolios_one_open_per_unit_cycle turns a second open portfolio into a
    ValidationError.
    """
    if previous is not None and previous.unit_id != unit.pk:
        raise ValidationError(gettext("A renewal can only start from the same unit's portfolio."))
    if previous is not None and previous.state != PortfolioState.AWARDED:
        raise ValidationError(gettext("A renewal starts from an awarded portfolio."))
    criteria = list(
        Criterion.objects.filter(standard__framework=framework).select_related("standard")
    )
    copied_files: list[str] = []
    try:
        with transaction.atomic():
            portfolio = Portfolio(
                unit=unit, framework=framework, cycle=cycle, created_by=actor, previous=previous
            )
            portfolio.save()
            old_text: dict[str, CriterionResponse] = {}
            if previous is not None:
                old_text = {
                    r.criterion.code: r for r in previous.responses.select_related("criterion")
                }
            CriterionResponse.objects.bulk_create(
                [
                    CriterionResponse(
                        portfolio=portfolio,
                        criterion=c,
                        narrative=old_text[c.code].narrative if c.code in old_text else "",
                        updated_by=actor,
                    )
                    for c in criteria
                ]
            )
            if previous is not None:
                copied_files = _carry_over_evidence(
                    previous=previous, portfolio=portfolio, criteria=criteria, actor=actor
                )
            audit_log(
                actor=actor,
                verb="portfolio.create",
                obj=portfolio,
                details={"cycle": cycle, "previous": previous.pk if previous else None},
            )
    except IntegrityError as exc:
        for name in copied_files:
            default_storage.delete(name)
        if "portfolios_one_open_per_unit_cycle" in str(exc) or "UNIQUE" in str(exc).upper():
            raise ValidationError(
                gettext("This unit already has an open portfolio for this cycle."), code="duplicate"
            ) from exc
        raise
    return portfolio


def _carry_over_evidence(
    *, previous: Portfolio, portfolio: Portfolio, criteria: Iterable[Criterion], actor: User
) -> list[str]:
    by_code = {c.code: c for c in criteria}
    saved: list[str] = []
    for old in previous.evidence.prefetch_related("links__criterion"):
        new = Evidence(
            portfolio=portfolio,
            kind=old.kind,
            title=old.title,
            description=old.description,
            evidence_type=old.evidence_type,
            original_name=old.original_name,
            content_type=old.content_type,
            size=old.size,
            sha256=old.sha256,
            text=old.text,
            contains_identifiable=old.contains_identifiable,
            consent_recorded=old.consent_recorded,
            free_of_residents=old.free_of_residents,
            uploaded_by=old.uploaded_by,
            carried_over_from=old,
            contributed_by_resident=old.contributed_by_resident,
        )
        if old.kind == EvidenceKind.FILE and old.file and not old.file_purged_at:
            new.file.name = copy_stored(default_storage, old.file.name, evidence_upload_to(new, ""))
            saved.append(new.file.name)
        elif old.kind == EvidenceKind.FILE:
            continue
        new.save()
        EvidenceLink.objects.bulk_create(
            [
                EvidenceLink(evidence=new, criterion=by_code[link.criterion.code], linked_by=actor)
                for link in old.links.all()
                if link.criterion.code in by_code
            ]
        )
    return saved


# --- narratives ---------------------------------------------------------------------------


def _require(actor: User, perm: str, obj: models.Model | None, message: str) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def response_save(
    *,
    response: CriterionResponse,
    actor: User,
    base_version: int,
    narrative: str | None = None,
    self_rating: str | None = None,
) -> CriterionResponse:
    """Save a narrative and/or self-rating, unless someone saved since ``base_version``.

    A compare-and-swap UPDATE (version = base_version) makes the check atomic: a stale save
    raises NarrativeConflictError carrying the stored text, and changes nothing.
    Side effects: one UPDATE (version + 1); no audit event (narratives change often).
    """
    portfolio = response.portfolio
    _require(
        actor, "portfolios.view_portfolio", portfolio, gettext("You cannot see this portfolio.")
    )
    if not response_is_open(response):
        raise PermissionDenied(lock_message(portfolio))
    _require(
        actor, "portfolios.edit_response", response, gettext("You cannot edit this narrative.")
    )
    changes: dict[str, Any] = {}
    if narrative is not None:
        if len(narrative) > NARRATIVE_MAX_CHARS:
            raise ValidationError(
                gettext(
                    "Please keep this account under %(limit)s characters (it is %(length)s). "
                    "Longer documents can be added as evidence."
                )
                % {"limit": f"{NARRATIVE_MAX_CHARS:,}", "length": f"{len(narrative):,}"}
            )
        changes["narrative"] = narrative.replace("\r\n", "\n")
    if self_rating is not None:
        allowed = self_ratings_for(portfolio.cycle)
        if self_rating not in allowed:
            raise ValidationError(
                _("Choose one of: %(choices)s.")
                % {"choices": ", ".join(str(SelfRating(v).label).lower() for v in allowed)}
            )
        changes["self_rating"] = self_rating
    if not changes:
        return response
    updated = CriterionResponse.objects.filter(pk=response.pk, version=base_version).update(
        version=F("version") + 1, updated_by=actor, updated_at=timezone.now(), **changes
    )
    if updated:
        touch_portfolio(response.portfolio_id)  # update() sends no signal
    current = CriterionResponse.objects.select_related("updated_by", "criterion").get(
        pk=response.pk
    )
    current.portfolio = portfolio
    if not updated:
        raise NarrativeConflictError(current)
    return current


# --- evidence -----------------------------------------------------------------------------


def _criteria_for(portfolio: Portfolio, criterion_ids: Iterable[int]) -> list[Criterion]:
    ids = {int(i) for i in criterion_ids}
    found = list(Criterion.objects.filter(pk__in=ids, standard__framework=portfolio.framework_id))
    if len(found) != len(ids):
        raise ValidationError(gettext("Choose criteria from this portfolio's standards."))
    return found


def _check_link_target(portfolio: Portfolio, criterion: Criterion) -> None:
    if portfolio.state == PortfolioState.MORE_EVIDENCE:
        reopened = portfolio.responses.filter(criterion=criterion, reopened=True).exists()
        if not reopened:
            raise PermissionDenied(
                gettext("%(code)s was not reopened by the assessor, so its evidence cannot change.")
                % {"code": criterion.code}
            )
    elif portfolio.state not in (PortfolioState.DRAFT, PortfolioState.DEFERRED):
        raise PermissionDenied(lock_message(portfolio))


PHOTO_REFUSAL = gettext_lazy(
    "This photo is not linked yet. Photos from prisons and other secure settings must not "
    "show anyone who could be recognised: no faces, tattoos, names or cell numbers. If the "
    "photo is clear of all of these, tick “No resident can be recognised in this photo” (on "
    "the upload form or on the photo's page) and try again. If it does show someone, you "
    "could describe the picture in words as text evidence instead, or take a new photo of the "
    "artwork or the place on its own."
)


def _check_photo_may_link(
    portfolio: Portfolio, *, content_type: str, free_of_residents: bool | None
) -> None:
    """Issue 15: in a secure setting a photo links only once declared free of residents.

    One query (the setting's flag) for photos; none for anything else."""
    if not content_type.startswith("image/") or free_of_residents:
        return
    if unit_is_secure(unit=portfolio.unit):
        raise ValidationError(PHOTO_REFUSAL, code="photo_not_declared")


def _validate_declarations(
    contains_identifiable: bool | None, consent_recorded: bool | None
) -> bool | None:
    if contains_identifiable is False:
        return None
    return consent_recorded


def evidence_upload(
    *,
    portfolio: Portfolio,
    actor: User,
    upload: UploadedFile,
    title: str = "",
    description: str = "",
    evidence_type: str = "",
    contains_identifiable: bool | None = None,
    consent_recorded: bool | None = None,
    criterion_ids: Iterable[int] = (),
    contributed_by_resident: bool = False,
    free_of_residents: bool | None = None,
) -> Evidence:
    """Check an uploaded file by its content and store it under a generated key.

    In a secure setting a photo uploaded with criteria must be declared ``free_of_residents``
    (issue 15); otherwise it is refused (ValidationError, code "photo_not_declared") before
    anything is stored.

    Without ``evidence_type`` the type follows the checked content (uploads.evidence_type_for).

    Reads the upload in chunks (constant memory); images are re-saved without EXIF/GPS first;
    the virus scanner sees it before storage. Raises UploadRejectedError (a ValidationError)
    with the reason. Side effects: one file in default storage, INSERT of the Evidence row and
    its links, one audit event (metadata only). If the database write fails, the stored file
    is deleted again. A file the scanner refuses is not stored; its refusal is audited
    ("evidence.malware_refused", on the portfolio).
    """
    _require(
        actor, "portfolios.view_portfolio", portfolio, gettext("You cannot see this portfolio.")
    )
    if portfolio.state not in (
        PortfolioState.DRAFT,
        PortfolioState.DEFERRED,
        PortfolioState.MORE_EVIDENCE,
    ):
        raise PermissionDenied(lock_message(portfolio))
    _require(
        actor, "portfolios.add_evidence", portfolio, "You cannot add evidence to this portfolio."
    )
    criteria = _criteria_for(portfolio, criterion_ids)
    for criterion in criteria:
        _check_link_target(portfolio, criterion)
    try:
        prepared: PreparedUpload = prepare_upload(upload, max_bytes=settings.EE_MAX_UPLOAD_BYTES)
    except MalwareFoundError as exc:
        # Nothing was stored; the attempt is audited (never the file's name or content).
        audit_log(
            actor=actor,
            verb="evidence.malware_refused",
            obj=portfolio,
            details={"signature": exc.signature, "size": upload.size or 0},
        )
        raise
    if criteria:
        try:
            _check_photo_may_link(
                portfolio,
                content_type=prepared.content_type,
                free_of_residents=free_of_residents,
            )
        except ValidationError:
            prepared.close()
            raise
    stored_name = ""
    try:
        evidence = Evidence(
            portfolio=portfolio,
            kind=EvidenceKind.FILE,
            title=(title.strip() or prepared.display_name)[:200],
            description=description,
            evidence_type=evidence_type or evidence_type_for(prepared.content_type),
            original_name=prepared.display_name,
            content_type=prepared.content_type,
            size=prepared.size,
            sha256=prepared.sha256,
            contains_identifiable=contains_identifiable,
            consent_recorded=_validate_declarations(contains_identifiable, consent_recorded),
            free_of_residents=free_of_residents,
            uploaded_by=actor,
            contributed_by_resident=contributed_by_resident,
        )
        stored_name = default_storage.save(evidence_upload_to(evidence, ""), prepared.file)
        evidence.file.name = stored_name
        evidence.full_clean(exclude=["file"])
        with transaction.atomic():
            evidence.save()
            EvidenceLink.objects.bulk_create(
                [EvidenceLink(evidence=evidence, criterion=c, linked_by=actor) for c in criteria]
            )
            audit_log(
                actor=actor,
                verb="evidence.upload",
                obj=evidence,
                details={
                    "size": prepared.size,
                    "content_type": prepared.content_type,
                    "sha256": prepared.sha256,
                },
            )
    except Exception:
        if stored_name:
            default_storage.delete(stored_name)
        raise
    finally:
        prepared.close()
    return evidence


def evidence_create_text(
    *,
    portfolio: Portfolio,
    actor: User,
    title: str,
    text: str,
    description: str = "",
    evidence_type: str = EvidenceType.FEEDBACK,
    contains_identifiable: bool | None = None,
    consent_recorded: bool | None = None,
    criterion_ids: Iterable[int] = (),
    contributed_by_resident: bool = False,
) -> Evidence:
    """Text evidence (a quote, a testimonial). Side effects: INSERTs, one audit event."""
    _require(
        actor, "portfolios.view_portfolio", portfolio, gettext("You cannot see this portfolio.")
    )
    if portfolio.state not in (
        PortfolioState.DRAFT,
        PortfolioState.DEFERRED,
        PortfolioState.MORE_EVIDENCE,
    ):
        raise PermissionDenied(lock_message(portfolio))
    _require(
        actor, "portfolios.add_evidence", portfolio, "You cannot add evidence to this portfolio."
    )
    if not text.strip():
        raise ValidationError({"text": gettext("Write the quote or testimonial.")})
    criteria = _criteria_for(portfolio, criterion_ids)
    for criterion in criteria:
        _check_link_target(portfolio, criterion)
    evidence = Evidence(
        portfolio=portfolio,
        kind=EvidenceKind.TEXT,
        title=title.strip()[:200],
        description=description,
        evidence_type=evidence_type,
        text=text,
        size=len(text.encode()),
        contains_identifiable=contains_identifiable,
        consent_recorded=_validate_declarations(contains_identifiable, consent_recorded),
        uploaded_by=actor,
        contributed_by_resident=contributed_by_resident,
    )
    evidence.full_clean()
    with transaction.atomic():
        evidence.save()
        EvidenceLink.objects.bulk_create(
            [EvidenceLink(evidence=evidence, criterion=c, linked_by=actor) for c in criteria]
        )
        audit_log(actor=actor, verb="evidence.create_text", obj=evidence)
    return evidence


def _require_change(actor: User, evidence: Evidence) -> None:
    _require(
        actor,
        "portfolios.view_portfolio",
        evidence.portfolio,
        gettext("You cannot see this portfolio."),
    )
    if not actor.has_perm("portfolios.change_evidence", evidence):
        if evidence.portfolio.state not in (PortfolioState.DRAFT, PortfolioState.DEFERRED):
            raise PermissionDenied(lock_message(evidence.portfolio))
        raise PermissionDenied(
            gettext("Only the unit lead or the person who added this item can change it.")
        )


def evidence_update(
    *,
    evidence: Evidence,
    actor: User,
    title: str,
    description: str,
    evidence_type: str,
    contains_identifiable: bool | None,
    consent_recorded: bool | None,
    text: str | None = None,
    free_of_residents: bool | None = None,
) -> Evidence:
    """Change an item's details and declarations. Side effects: one UPDATE, one audit event.

    ``free_of_residents`` None leaves that declaration as it is; a linked photo in a secure
    setting cannot withdraw it (unlink it first)."""
    _require_change(actor, evidence)
    if free_of_residents is not None and free_of_residents != evidence.free_of_residents:
        if not free_of_residents and evidence.links.exists():
            _check_photo_may_link(
                evidence.portfolio, content_type=evidence.content_type, free_of_residents=False
            )
        evidence.free_of_residents = free_of_residents
    evidence.title = title.strip()[:200]
    evidence.description = description
    evidence.evidence_type = evidence_type
    evidence.contains_identifiable = contains_identifiable
    evidence.consent_recorded = _validate_declarations(contains_identifiable, consent_recorded)
    fields = [
        "title",
        "description",
        "evidence_type",
        "contains_identifiable",
        "consent_recorded",
        "free_of_residents",
        "updated_at",
    ]
    if text is not None and evidence.kind == EvidenceKind.TEXT:
        if not text.strip():
            raise ValidationError({"text": gettext("Write the quote or testimonial.")})
        evidence.text = text
        evidence.size = len(text.encode())
        fields += ["text", "size"]
    evidence.full_clean(exclude=["file"])
    with transaction.atomic():
        evidence.save(update_fields=fields)
        audit_log(actor=actor, verb="evidence.update", obj=evidence)
    return evidence


def evidence_declare(
    *,
    portfolio: Portfolio,
    actor: User,
    evidence_ids: Iterable[int],
    contains_identifiable: bool,
    consent_recorded: bool | None,
) -> list[Evidence]:
    """Give several items of one portfolio the same declarations (issue 17: a batch upload
    answered once). All or nothing: an item the actor may not change refuses the whole set.

    Side effects: one UPDATE and one audit event per item (as evidence_update), in one
    transaction; each save moves the portfolio's cache scopes.
    """
    items = list(
        Evidence.objects.filter(portfolio=portfolio, pk__in=list(evidence_ids)).order_by("pk")
    )
    if not items:
        raise ValidationError(gettext("Tick at least one item."), code="no_items")
    consent = _validate_declarations(contains_identifiable, consent_recorded)
    with transaction.atomic():
        for evidence in items:
            evidence.portfolio = portfolio
            _require_change(actor, evidence)
            evidence.contains_identifiable = contains_identifiable
            evidence.consent_recorded = consent
            evidence.full_clean(exclude=["file"])
            evidence.save(update_fields=["contains_identifiable", "consent_recorded", "updated_at"])
            audit_log(
                actor=actor,
                verb="evidence.update",
                obj=evidence,
                details={"declarations": "answered for several items at once"},
            )
    return items


def evidence_delete(*, evidence: Evidence, actor: User) -> None:
    """Delete an item, its links and its stored file (the file once the row is gone)."""
    _require_change(actor, evidence)
    name = evidence.file.name if evidence.file else ""
    with transaction.atomic():
        audit_log(actor=actor, verb="evidence.delete", obj=evidence)
        evidence.delete()
        if name:
            transaction.on_commit(lambda: default_storage.delete(name))


def _require_link_change(actor: User, evidence: Evidence, criterion: Criterion, verb: str) -> None:
    _require(
        actor,
        "portfolios.view_portfolio",
        evidence.portfolio,
        gettext("You cannot see this portfolio."),
    )
    _check_link_target(evidence.portfolio, criterion)
    _require(
        actor,
        "portfolios.link_evidence",
        evidence,
        f"Only the unit lead or the person who added this item can {verb} it.",
    )


def evidence_link(*, evidence: Evidence, criterion: Criterion, actor: User) -> EvidenceLink:
    """Link an item to a criterion (idempotent). In MORE_EVIDENCE only to reopened criteria.

    In a secure setting a photo not declared free of residents is refused (ValidationError
    with PHOTO_REFUSAL; two more queries for such a photo only)."""
    _require_link_change(actor, evidence, criterion, "link")
    if criterion.standard.framework_id != evidence.portfolio.framework_id:
        raise ValidationError(gettext("That criterion is not part of this portfolio's standards."))
    if (
        evidence.is_photo
        and not evidence.free_of_residents
        and not EvidenceLink.objects.filter(evidence=evidence, criterion=criterion).exists()
    ):
        _check_photo_may_link(
            evidence.portfolio, content_type=evidence.content_type, free_of_residents=False
        )
    link, created = EvidenceLink.objects.get_or_create(
        evidence=evidence, criterion=criterion, defaults={"linked_by": actor}
    )
    if created:
        audit_log(
            actor=actor, verb="evidence.link", obj=evidence, details={"criterion": criterion.code}
        )
    return link


def evidence_unlink(*, evidence: Evidence, criterion: Criterion, actor: User) -> None:
    """Remove the link between an item and a criterion (a no-op if there is none)."""
    _require_link_change(actor, evidence, criterion, "unlink")
    deleted, _ = EvidenceLink.objects.filter(evidence=evidence, criterion=criterion).delete()
    if deleted:
        audit_log(
            actor=actor, verb="evidence.unlink", obj=evidence, details={"criterion": criterion.code}
        )


def evidence_set_links(*, evidence: Evidence, criterion_ids: Iterable[int], actor: User) -> None:
    """Make the item's links exactly ``criterion_ids`` (through evidence_link/unlink, so every
    change is checked and audited). Unchanged links are left alone."""
    wanted = {int(i) for i in criterion_ids}
    current = set(evidence.links.values_list("criterion_id", flat=True))
    if wanted == current:
        return
    criteria = {
        c.pk: c
        for c in Criterion.objects.filter(pk__in=wanted | current).select_related("standard")
    }
    with transaction.atomic():
        for criterion_id in sorted(current - wanted):
            evidence_unlink(evidence=evidence, criterion=criteria[criterion_id], actor=actor)
        for criterion_id in sorted(wanted - current):
            if criterion_id not in criteria:
                raise ValidationError(gettext("Choose criteria from this portfolio's standards."))
            evidence_link(evidence=evidence, criterion=criteria[criterion_id], actor=actor)


# --- submission ---------------------------------------------------------------------------


class NotReadyError(ValidationError):
    """The readiness checklist is not empty."""


def _snapshot(*, portfolio: Portfolio, actor: User) -> PortfolioRevision:
    last = portfolio.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return PortfolioRevision.objects.create(
        portfolio=portfolio,
        number=last + 1,
        created_by=actor,
        snapshot=build_snapshot(portfolio=portfolio),
    )


def _submit(
    *, portfolio: Portfolio, actor: User, sources: set[str], to_state: str
) -> PortfolioRevision:
    from .tasks import portfolio_notify_submitted  # noqa: PLC0415 -- tasks sit above services

    if not actor.has_perm("portfolios.view_portfolio", portfolio):
        raise PermissionDenied(gettext("You cannot see this portfolio."))
    if not actor.has_perm("portfolios.submit_portfolio", portfolio):
        raise PermissionDenied(
            gettext("Only the unit lead can submit the portfolio, while it is open.")
        )
    with transaction.atomic():
        locked = Portfolio.objects.select_for_update().get(pk=portfolio.pk)
        if locked.state not in sources:
            raise InvalidTransitionError(
                f"This portfolio is {PortfolioState(locked.state).label.lower()}, so it cannot be "
                "submitted now (perhaps someone has just submitted it)."
            )
        missing = portfolio_readiness(portfolio=locked)
        if missing:
            raise NotReadyError(
                f"{len(missing)} thing{'s' if len(missing) != 1 else ''} still "
                f"need{'s' if len(missing) == 1 else ''} doing before you can submit."
            )
        portfolio_transition(portfolio=locked, to_state=to_state, actor=actor)
        revision = _snapshot(portfolio=locked, actor=actor)
        if to_state == PortfolioState.RESUBMITTED:
            locked.responses.filter(reopened=True).update(reopened=False)
        enqueue_on_commit(
            portfolio_notify_submitted, portfolio_id=locked.pk, revision_id=revision.pk
        )
    portfolio.state = locked.state
    portfolio.submitted_at = locked.submitted_at
    return revision


def portfolio_submit(*, portfolio: Portfolio, actor: User) -> PortfolioRevision:
    """Submit a draft (draft -> submitted). Only the unit lead, only with nothing missing.

    Side effects: row lock; state change + PortfolioEvent + audit (portfolio_transition);
    PortfolioRevision n+1 with a JSON snapshot; an email to every CCQI admin queued on commit.
    A second concurrent submit waits for the lock, then fails the state guard.
    """
    return _submit(
        portfolio=portfolio,
        actor=actor,
        sources={PortfolioState.DRAFT},
        to_state=PortfolioState.SUBMITTED,
    )


def portfolio_resubmit(*, portfolio: Portfolio, actor: User) -> PortfolioRevision:
    """Resubmit after more evidence was requested or the award was deferred.

    Readiness in MORE_EVIDENCE covers only the reopened criteria. Same side effects as
    portfolio_submit, plus reopened=False on every response.
    """
    return _submit(
        portfolio=portfolio,
        actor=actor,
        sources={PortfolioState.MORE_EVIDENCE, PortfolioState.DEFERRED},
        to_state=PortfolioState.RESUBMITTED,
    )


def evidence_download_audit(
    *, evidence: Evidence, actor: User, inline: bool, watermarked: bool = False
) -> None:
    """One audit event per download (no content)."""
    details: dict[str, Any] = {"inline": inline}
    if watermarked:
        details["watermarked"] = True
    audit_log(actor=actor, verb="evidence.download", obj=evidence, details=details)


def portfolio_print_request(*, portfolio: Portfolio, actor: User) -> PortfolioPrint:
    """Queue the whole portfolio as one PDF (issue 15); made again if one exists.

    Side effects: get-or-create the PortfolioPrint row, locked, set to "rendering" at 0 %,
    an audit event, and on commit the portfolios.render_portfolio_pdf task. A PDF already
    being made is left alone (no second task) unless it has been "rendering" for 10 minutes.
    """
    from .tasks import render_portfolio_pdf  # noqa: PLC0415 -- tasks imports this module

    _require(actor, "portfolios.print_portfolio", portfolio, "You cannot print this portfolio.")
    with transaction.atomic():
        printed, _created = PortfolioPrint.objects.get_or_create(
            portfolio=portfolio, defaults={"requested_by": actor}
        )
        printed = PortfolioPrint.objects.select_for_update().get(pk=printed.pk)
        # A PDF still being made is left alone, unless its task has surely died.
        stale = timezone.now() - dt.timedelta(minutes=10)
        if printed.status == PrintStatus.RENDERING and not _created and printed.updated_at > stale:
            return printed
        printed.status = PrintStatus.RENDERING
        printed.progress = 0
        printed.error = ""
        printed.requested_by = actor
        printed.save(update_fields=["status", "progress", "error", "requested_by", "updated_at"])
        audit_log(actor=actor, verb="portfolio.print_requested", obj=portfolio)
        enqueue_on_commit(render_portfolio_pdf, print_id=printed.pk)
    return printed


def portfolio_print_download_audit(*, portfolio: Portfolio, actor: User) -> None:
    """One audit event per download of the whole-portfolio PDF."""
    audit_log(actor=actor, verb="portfolio.print_download", obj=portfolio)


def portfolio_export_audit(*, portfolio: Portfolio, actor: User) -> None:
    audit_log(actor=actor, verb="portfolio.export_zip", obj=portfolio)
