"""Writes for questionnaires: YAML import/export and publishing, rounds, anonymous and paper
responses, residents' contributions and their moderation, printable documents.

Anonymous writes (responses, contributions) have no actor and are never audited: an audit
row would put a time and an address beside them. Everything a signed-in person does is.
"""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ee_portal.audit.services import audit_log
from ee_portal.lib import fragments
from ee_portal.lib.celery import enqueue_on_commit
from ee_portal.lib.db import execute_prepared
from network.enums import SettingType
from network.models import User
from portfolios.cache import portfolio_scope
from portfolios.enums import EvidenceType
from portfolios.models import Evidence, Portfolio
from portfolios.services import evidence_create_text, evidence_upload
from portfolios.uploads import PreparedUpload, UploadRejectedError, prepare_upload
from standards.models import Criterion, Framework, Standard
from standards.services import StandardsFileError, StandardsImportError, parse_standards_yaml

from .enums import (
    ANSWER_VALUES,
    CONTRIBUTION_TEXT_MAX_CHARS,
    SCALE_VALUES,
    TEXT_ANSWER_MAX_CHARS,
    AnswerType,
    Audience,
    ContributionKind,
    DocumentKind,
    DocumentStatus,
    QuestionnaireStatus,
    ResponseSource,
)
from .models import (
    Answer,
    Contribution,
    Document,
    Item,
    QuestionnaireSet,
    Response,
    Round,
    contribution_upload_to,
)
from .selectors import questionnaire_for_framework

_HEADER_FIELDS = ("code", "title", "version", "framework")
_ITEM_FIELDS = ("standard", "type", "text", "easy_read")
ITEM_TEXT_MAX = 300
MAX_PAPER_SHEETS = 500
CONTRIBUTION_MAX_BYTES = 10 * 1024 * 1024
CONTRIBUTION_IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})


class QuestionnaireImportError(StandardsImportError):
    """Every problem in a questionnaire file, each with its path and line."""


# --- YAML import / export ---------------------------------------------------------------------


class _Validator:
    def __init__(self, lines: dict[str, int]) -> None:
        self.lines = lines
        self.errors: list[StandardsFileError] = []

    def err(self, path: str, message: str) -> None:
        line = self.lines.get(path)
        parent = path
        while line is None and parent:
            parent = parent.rsplit(".", 1)[0] if "." in parent else ""
            line = self.lines.get(parent)
        self.errors.append(StandardsFileError(path or "(file)", line, message))

    def text(self, obj: dict[str, Any], path: str, name: str, *, max_length: int = 0) -> None:
        where = f"{path}.{name}" if path else name
        value = obj.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.err(where, "is required")
        elif not isinstance(value, str | int | float) or isinstance(value, bool):
            self.err(where, "must be text")
        elif max_length and len(str(value)) > max_length:
            self.err(where, f"is {len(str(value))} characters long; at most {max_length}")


def _validate(  # noqa: PLR0912 -- one check per field, every problem reported at once
    data: dict[str, Any], lines: dict[str, int]
) -> tuple[list[StandardsFileError], Framework | None, dict[int, Standard], dict[str, Criterion]]:
    check = _Validator(lines)
    for name in _HEADER_FIELDS:
        check.text(data, "", name)
    if data.get("status", QuestionnaireStatus.DRAFT) not in QuestionnaireStatus.values:
        check.err("status", f"must be one of {', '.join(QuestionnaireStatus.values)}")
    minimum = data.get("min_responses", 5)
    if not isinstance(minimum, int) or isinstance(minimum, bool) or not 1 <= minimum <= 100:
        check.err("min_responses", "must be a whole number from 1 to 100")
    for flag in ("sample", "required_for_submission"):
        if not isinstance(data.get(flag, False), bool):
            check.err(flag, "must be true or false")
    framework = Framework.objects.filter(code=str(data.get("framework", ""))).first()
    standards: dict[int, Standard] = {}
    criteria: dict[str, Criterion] = {}
    if data.get("framework") and framework is None:
        check.err("framework", f"no framework with code {data.get('framework')!r}")
    elif framework is not None:
        standards = {s.number: s for s in framework.standards.all()}
        criteria = {c.code: c for c in Criterion.objects.filter(standard__framework=framework)}
    audiences = data.get("audiences")
    if not isinstance(audiences, list) or not audiences:
        check.err("audiences", "is required: a list such as [service_users, staff]")
        audiences = []
    for i, audience in enumerate(audiences):
        if audience not in Audience.values:
            check.err(f"audiences[{i}]", f"must be one of {', '.join(Audience.values)}")
    if len(set(map(str, audiences))) != len(audiences):
        check.err("audiences", "lists an audience twice")
    items = data.get("items")
    if not isinstance(items, dict):
        check.err("items", "is required: a mapping from each audience to its list of items")
        return check.errors, framework, standards, criteria
    for audience in audiences:
        if audience not in items:
            check.err("items", f"has no items for the audience {audience!r}")
    for audience, entries in items.items():
        path = f"items.{audience}"
        if audience not in audiences:
            check.err(path, f"{audience!r} is not one of the audiences listed at the top")
            continue
        if not isinstance(entries, list) or not entries:
            check.err(path, "must be a list of items")
            continue
        for j, entry in enumerate(entries):
            _validate_item(
                check,
                entry,
                f"{path}[{j}]",
                framework=framework,
                standards=standards,
                criteria=criteria,
            )
    return check.errors, framework, standards, criteria


def _check_welsh(check: _Validator, entry: dict[str, Any], path: str) -> None:
    """An item's optional ``cy:`` mapping: Welsh text, easy_read and setting_wording."""
    welsh = entry.get("cy")
    if welsh is None:
        return
    if not isinstance(welsh, dict):
        check.err(f"{path}.cy", "must map text, easy_read or setting_wording to Welsh")
        return
    for key, value in welsh.items():
        where = f"{path}.cy.{key}"
        if key == "setting_wording":
            if not isinstance(value, dict) or not all(
                k in SettingType.values and isinstance(v, str) and len(v) <= ITEM_TEXT_MAX
                for k, v in value.items()
            ):
                check.err(where, "must map a setting type to Welsh text (300 at most)")
        elif key not in ("text", "easy_read"):
            check.err(where, "is not a text with Welsh (use text, easy_read, setting_wording)")
        else:
            check.text(welsh, f"{path}.cy", key, max_length=ITEM_TEXT_MAX)


def _validate_item(
    check: _Validator,
    entry: Any,
    path: str,
    *,
    framework: Framework | None,
    standards: dict[int, Standard],
    criteria: dict[str, Criterion],
) -> None:
    if not isinstance(entry, dict):
        check.err(path, "must be a mapping with standard, type, text and easy_read")
        return
    check.text(entry, path, "text", max_length=ITEM_TEXT_MAX)
    check.text(entry, path, "easy_read", max_length=ITEM_TEXT_MAX)
    if entry.get("type") not in AnswerType.values:
        check.err(f"{path}.type", f"must be one of {', '.join(AnswerType.values)}")
    number = entry.get("standard")
    if number is None:
        check.err(f"{path}.standard", "is required: the number of the standard it asks about")
    elif not isinstance(number, int) or isinstance(number, bool):
        check.err(f"{path}.standard", "must be a standard's number")
    elif framework is not None and number not in standards:
        check.err(f"{path}.standard", f"standard {number} is not in framework {framework.code!r}")
    code = entry.get("criterion")
    if code is not None and framework is not None:
        criterion = criteria.get(str(code))
        if criterion is None:
            check.err(f"{path}.criterion", f"criterion {code!r} is not in the framework")
        elif isinstance(number, int) and criterion.standard.number != number:
            check.err(f"{path}.criterion", f"criterion {code!r} is not under standard {number}")
    _check_welsh(check, entry, path)
    wording = entry.get("setting_wording", {})
    if not isinstance(wording, dict) or not all(
        isinstance(v, str) and len(v) <= ITEM_TEXT_MAX for v in wording.values()
    ):
        check.err(f"{path}.setting_wording", "must map a setting type to text (300 at most)")
    else:
        for key in wording:
            if key not in SettingType.values:
                check.err(
                    f"{path}.setting_wording.{key}",
                    f"{key!r} is not a setting type ({', '.join(SettingType.values)})",
                )


@transaction.atomic
def questionnaire_import(*, text: str, publish: bool = False) -> QuestionnaireSet:
    """Create a questionnaire set from YAML text (format in the README). All or nothing: any
    problem raises QuestionnaireImportError naming its line, and nothing is written. A draft
    with the same code is replaced; a published one is never touched."""
    try:
        data, lines = parse_standards_yaml(text)
    except StandardsImportError as exc:
        raise QuestionnaireImportError(exc.errors) from exc
    errors, framework, standards, criteria = _validate(data, lines)
    code = str(data.get("code", "")).strip()
    existing = QuestionnaireSet.objects.filter(code=code).first() if code else None
    if existing is not None and not existing.is_editable:
        errors.append(
            StandardsFileError(
                "code",
                lines.get("code"),
                f"questionnaire set {code!r} is already {existing.status}; "
                "give the new version a new code",
            )
        )
    if errors or framework is None:
        raise QuestionnaireImportError(errors)
    if existing is not None:
        existing.items.all().delete()
        existing.delete()
    questionnaire = QuestionnaireSet(
        framework=framework,
        code=code,
        title=str(data["title"]).strip(),
        version=str(data["version"]).strip(),
        description=str(data.get("description", "") or "").strip(),
        sample=bool(data.get("sample", False)),
        audiences=[str(a) for a in data["audiences"]],
        min_responses=int(data.get("min_responses", 5)),
        required_for_submission=bool(data.get("required_for_submission", True)),
    )
    questionnaire.full_clean()
    questionnaire.save()
    new_items = []
    for audience in questionnaire.audiences:
        for number, entry in enumerate(data["items"][audience], start=1):
            code_ = entry.get("criterion")
            new_items.append(
                Item(
                    questionnaire=questionnaire,
                    audience=audience,
                    number=number,
                    standard=standards[entry["standard"]],
                    criterion=criteria[str(code_)] if code_ is not None else None,
                    answer_type=entry["type"],
                    text=str(entry["text"]).strip(),
                    easy_read=str(entry["easy_read"]).strip(),
                    setting_wording=entry.get("setting_wording") or {},
                    welsh=_welsh(entry),
                )
            )
    Item.objects.bulk_create(new_items)
    if publish or data.get("status") == QuestionnaireStatus.PUBLISHED:
        questionnaire_publish(questionnaire=questionnaire)
    return questionnaire


def _welsh(entry: dict[str, Any]) -> dict[str, Any]:
    """An item's ``cy:`` texts as stored (blank ones left out)."""
    welsh: dict[str, Any] = {}
    for key, value in (entry.get("cy") or {}).items():
        if key == "setting_wording":
            wording = {k: str(v).strip() for k, v in value.items() if str(v or "").strip()}
            if wording:
                welsh[key] = wording
        elif str(value or "").strip():
            welsh[key] = str(value).strip()
    return welsh


def questionnaire_publish(*, questionnaire: QuestionnaireSet) -> QuestionnaireSet:
    """Draft -> published; from now on the set and its items are immutable."""
    if questionnaire.status != QuestionnaireStatus.DRAFT:
        return questionnaire
    questionnaire.status = QuestionnaireStatus.PUBLISHED
    questionnaire.published_at = timezone.now()
    questionnaire.save(update_fields=["status", "published_at", "updated_at"])
    return questionnaire


def questionnaire_export(*, questionnaire: QuestionnaireSet) -> str:
    """The set as YAML in the import format (round-trips through questionnaire_import)."""
    data: dict[str, Any] = {
        "code": questionnaire.code,
        "title": questionnaire.title,
        "version": questionnaire.version,
        "framework": questionnaire.framework.code,
        "sample": questionnaire.sample,
        "status": str(questionnaire.status),
        "min_responses": questionnaire.min_responses,
        "required_for_submission": questionnaire.required_for_submission,
        "description": questionnaire.description,
        "audiences": list(questionnaire.audiences),
        "items": {},
    }
    items = questionnaire.items.select_related("standard", "criterion").order_by(
        "audience", "number"
    )
    for audience in questionnaire.audiences:
        data["items"][audience] = []
        for item in items:
            if item.audience != audience:
                continue
            entry: dict[str, Any] = {"standard": item.standard.number}
            if item.criterion_id:
                entry["criterion"] = item.criterion.code  # type: ignore[union-attr]
            entry.update(type=item.answer_type, text=item.text, easy_read=item.easy_read)
            if item.setting_wording:
                entry["setting_wording"] = item.setting_wording
            if item.welsh:
                entry["cy"] = item.welsh
            data["items"][audience].append(entry)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


# --- rounds -----------------------------------------------------------------------------------


def _require(actor: User, perm: str, portfolio: Portfolio, message: str) -> None:
    if not actor.has_perm(perm, portfolio):
        raise PermissionDenied(message)


def round_open(
    *,
    portfolio: Portfolio,
    actor: User,
    audience: str,
    opens_on: Any,
    closes_on: Any,
    expected_count: int,
) -> Round:
    """The lead opens a round for one audience. Side effects: INSERT with a fresh
    unguessable token (32 random bytes), one audit event."""
    _require(actor, "questionnaires.view_rounds", portfolio, _("You cannot see this portfolio."))
    _require(
        actor,
        "questionnaires.open_round",
        portfolio,
        _("Only the unit lead can open a round, while the portfolio is being built."),
    )
    questionnaire = questionnaire_for_framework(framework_id=portfolio.framework_id)
    if questionnaire is None:
        raise ValidationError(_("There are no questionnaires for these standards yet."))
    if audience not in questionnaire.audiences:
        raise ValidationError({"audience": _("This questionnaire set has no such audience.")})
    if closes_on < opens_on:
        raise ValidationError(
            {"closes_on": _("The closing date must be on or after the opening date.")}
        )
    if Round.objects.filter(portfolio=portfolio, audience=audience).exists():
        raise ValidationError(
            _("There is already a round for %(who)s in this portfolio.")
            % {"who": Audience(audience).label.lower()}
        )
    round_ = Round(
        portfolio=portfolio,
        questionnaire=questionnaire,
        audience=audience,
        opens_on=opens_on,
        closes_on=closes_on,
        expected_count=expected_count,
        token=secrets.token_urlsafe(32),
        created_by=actor,
    )
    round_.full_clean()
    try:
        with transaction.atomic():
            round_.save()
            audit_log(
                actor=actor,
                verb="questionnaires.round_open",
                obj=round_,
                details={"audience": audience, "expected": expected_count},
            )
    except IntegrityError as exc:
        raise ValidationError(_("There is already a round for this audience.")) from exc
    return round_


def round_close(*, round_: Round, actor: User) -> Round:
    """The lead closes a round today (early or on time). Idempotent. One audit event."""
    _require(
        actor,
        "questionnaires.manage_rounds",
        round_.portfolio,
        _("Only the unit lead can close a round."),
    )
    if round_.closed_on is not None:
        return round_
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        if locked.closed_on is None:
            today = timezone.localdate()
            locked.closed_on = max(today, locked.opens_on)
            locked.save(update_fields=["closed_on", "updated_at"])
            audit_log(actor=actor, verb="questionnaires.round_close", obj=locked)
    round_.closed_on = locked.closed_on
    return round_


# --- responses --------------------------------------------------------------------------------


def submission_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Stored:
    response: Response | None
    duplicate: bool


# One answer as stored: (item id, value, text). Plain tuples: a post builds no model objects.
AnswerRow = tuple[int, str, str]


def _clean_answers(items: list[Item], answers: dict[int, str]) -> list[AnswerRow]:
    """Answer rows for the items, or ValidationError for an out-of-range or over-long one."""
    errors: dict[str, str] = {}
    rows: list[AnswerRow] = []
    for item in items:
        # A NUL character cannot be stored (PostgreSQL refuses it) and nobody types one.
        raw = (answers.get(item.pk) or "").replace("\x00", "").strip()
        if not raw:
            continue
        if item.answer_type == AnswerType.TEXT:
            if len(raw) > TEXT_ANSWER_MAX_CHARS:
                errors[f"item_{item.pk}"] = (
                    f"Please keep this to {TEXT_ANSWER_MAX_CHARS} characters (it is {len(raw)})."
                )
                continue
            rows.append((item.pk, "", raw))
            continue
        allowed = (
            {*SCALE_VALUES, "dk", "pn"}
            if item.answer_type == AnswerType.AGREE5
            else {"yes", "no", "pn"}
        )
        if raw not in allowed or raw not in ANSWER_VALUES:
            errors[f"item_{item.pk}"] = _("Please choose one of the answers shown.")
            continue
        rows.append((item.pk, raw, ""))
    if errors:
        raise ValidationError(errors)
    return rows


class RoundClosedError(ValidationError):
    """The round no longer takes answers (closed, not yet open, or its link was changed)."""


def response_submit(
    *, round_: Round, items: list[Item], answers: dict[int, str], token: str
) -> Stored:
    """Store one anonymous online response (no actor: nobody is signed in).

    Only while the round is open (else RoundClosedError). The form's one-time token (hashed)
    is unique: a second post of the same form stores nothing and reports a duplicate. All
    answers or none: an out-of-range value or an over-long text raises ValidationError and
    writes nothing. Stores the day only, never a time, address or browser. No audit event
    (it would time it).

    On PostgreSQL the open check is part of the insert (the round as the database holds it
    now, by id and link token), so ``round_`` may be selectors.round_for_post's copy, whose
    dates may be old; elsewhere it is checked here, on the round as given.
    """
    connection = transaction.get_connection()
    on_postgresql = connection.vendor == "postgresql"
    if not on_postgresql and not round_.is_open:
        raise RoundClosedError(_("This questionnaire is closed."))
    if not token or len(token) > 100:
        raise ValidationError(_("This form has expired. Please open the questionnaire again."))
    rows = _clean_answers(items, answers)
    if not rows:
        raise ValidationError(_("Please answer at least one question."))
    key = submission_key(token)
    response = Response(
        round=round_,
        submitted_on=timezone.localdate(),
        source=ResponseSource.ONLINE,
        submission_key=key,
    )
    if on_postgresql:
        # One statement (so one round trip, and atomic on its own): the open check, the
        # response and its answers, or nothing when the round is not open or the key is
        # already stored. This is the post a whole community meeting sends at once
        # (bench/questionnaires.py).
        is_open, pk, epoch = _insert_online(connection, response, rows, round_token=round_.token)
        if not is_open:
            raise RoundClosedError(_("This questionnaire is closed."))
        if pk is None:
            return Stored(None, duplicate=True)
        response.pk = pk
        response._state.adding, response._state.db = False, connection.alias
        _touch(round_, epoch=epoch)
        return Stored(response, duplicate=False)
    try:
        # The unique submission key decides: a repeated form (a double tap, a retry, or two
        # posts at once) fails the insert and stores nothing.
        with transaction.atomic():
            _save_with_answers(response, rows)
    except IntegrityError:
        if Response.objects.filter(submission_key=key).exists():
            return Stored(None, duplicate=True)
        raise
    _touch(round_)
    return Stored(response, duplicate=False)


def _insert_online(
    connection: Any, response: Response, rows: list[AnswerRow], *, round_token: str
) -> tuple[bool, int | None, int]:
    """PostgreSQL: whether the round (by id and link token) is open on the response's day;
    if so, INSERT the response ... ON CONFLICT (submission_key) DO NOTHING, and its answers
    from the same statement's RETURNING (a data-modifying WITH runs in full or not at all).
    Returns (open, the new response's id or None, the cache epoch for _touch): None for a
    key already stored (a double post: the second waits for the first on the unique index,
    then inserts nothing). The answers go in as three arrays (array literals, see
    _array_literal), so the statement has one shape and is prepared once per connection."""
    day = response.submitted_on
    with connection.cursor() as cursor:
        execute_prepared(
            connection,
            cursor,
            _online_insert_sql(connection),
            [
                response.round_id,
                round_token,
                day,
                day,
                response.round_id,
                day,
                response.source,
                response.submission_key,
                "{" + ",".join(str(item_id) for item_id, _value, _text in rows) + "}",
                _array_literal(value for _item_id, value, _text in rows),
                _array_literal(text for _item_id, _value, text in rows),
            ],
        )
        is_open, pk, epoch = cursor.fetchone()
    return bool(is_open), pk, epoch or 0


def _array_literal(texts: Iterable[str]) -> str:
    """PostgreSQL's text form of an array of strings, each quoted (``{"a","b \\"c\\""}``),
    passed as one string parameter and cast in the statement: psycopg2 adapts a Python list
    element by element, which cost a post more than the rest of its statement's parameters."""
    return (
        "{" + ",".join('"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"' for t in texts) + "}"
    )


def _online_insert_sql(connection: Any) -> str:
    quote = connection.ops.quote_name
    r_table, a_table = quote(Response._meta.db_table), quote(Answer._meta.db_table)
    round_table = quote(Round._meta.db_table)
    return (
        f"WITH o AS (SELECT EXISTS (SELECT 1 FROM {round_table} WHERE id = %s AND token = %s"  # noqa: S608 -- models' own tables
        " AND closed_on IS NULL AND opens_on <= %s AND closes_on >= %s) AS open),"
        f" r AS (INSERT INTO {r_table} (round_id, submitted_on, source, submission_key)"
        " SELECT %s::bigint, %s::date, %s::varchar, %s::varchar FROM o WHERE o.open"
        " ON CONFLICT (submission_key) DO NOTHING RETURNING id),"
        f" a AS (INSERT INTO {a_table} (response_id, item_id, value, text)"
        " SELECT r.id, v.item_id, v.value, v.text FROM r,"
        " unnest(%s::integer[], %s::varchar[], %s::text[]) AS v (item_id, value, text))"
        f" SELECT o.open, r.id, {fragments.epoch_sql()} FROM o LEFT JOIN r ON true"
    )


def _save_with_answers(response: Response, rows: list[AnswerRow]) -> None:
    """Store a response and its answers (online or paper), inside the caller's transaction:
    its constraints (one submission key, one sheet number) fail the whole insert."""
    response.save()
    Answer.objects.bulk_create(
        Answer(response=response, item_id=item_id, value=value, text=text)
        for item_id, value, text in rows
    )


def _touch(round_: Round, epoch: int | None = None) -> None:
    """The builder and scoring page show the round's count and results: retire their copies
    (once, after the commit; both the count and the results changed)."""
    fragments.touch(portfolio_scope(round_.portfolio_id), epoch=epoch)


def paper_sheet_enter(
    *, round_: Round, actor: User, sheet_number: int, items: list[Item], answers: dict[int, str]
) -> Response:
    """The lead types in one paper sheet. Each printed sheet number is entered once (a
    database constraint); who entered it is in the audit log, not on the response."""
    _require(
        actor,
        "questionnaires.enter_paper",
        round_.portfolio,
        _("Only the unit lead can enter paper sheets, while the portfolio is being built."),
    )
    if not 1 <= sheet_number <= max(round_.sheets_issued, 0):
        raise ValidationError(
            {
                "sheet_number": (
                    _("Sheet %(n)s was not printed for this round (sheets 1 to %(last)s were).")
                    if round_.sheets_issued
                    else _("Sheet %(n)s was not printed for this round.")
                )
                % {"n": sheet_number, "last": round_.sheets_issued}
            }
        )
    rows = _clean_answers(items, answers)
    if Response.objects.filter(round=round_, sheet_number=sheet_number).exists():
        raise ValidationError(
            {"sheet_number": _("Sheet %(n)s has already been entered.") % {"n": sheet_number}}
        )
    response = Response(
        round=round_,
        submitted_on=timezone.localdate(),
        source=ResponseSource.PAPER,
        sheet_number=sheet_number,
        submission_key=submission_key(f"paper:{round_.pk}:{sheet_number}"),
    )
    try:
        with transaction.atomic():
            _save_with_answers(response, rows)
            audit_log(
                actor=actor,
                verb="questionnaires.paper_entered",
                obj=round_,
                details={"sheet": sheet_number, "answers": len(rows)},
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"sheet_number": _("Sheet %(n)s has already been entered.") % {"n": sheet_number}}
        ) from exc
    _touch(round_)
    return response


# --- residents' contributions -----------------------------------------------------------------


def contribution_submit(  # noqa: PLR0912 -- each refusal is its own plain message
    *,
    round_: Round,
    kind: str,
    title: str,
    text: str,
    upload: Any,
    consent: bool,
    token: str,
) -> Contribution | None:
    """A resident's contribution, anonymous, for the lead to moderate. Photos pass the
    evidence checks (content, size, malware scan, EXIF stripped) before anything is stored.
    Returns None for a repeated post of the same form. No audit event (anonymous)."""
    if not round_.is_open:
        raise ValidationError(_("This questionnaire is closed, so contributions are closed too."))
    if not consent:
        raise ValidationError({"consent": _("Please tick the box to say the unit may use this.")})
    if kind not in ContributionKind.values:
        raise ValidationError({"kind": _("Please choose what you are sharing.")})
    if len(text) > CONTRIBUTION_TEXT_MAX_CHARS:
        raise ValidationError(
            {
                "text": _("Please keep this to %(n)s characters.")
                % {"n": CONTRIBUTION_TEXT_MAX_CHARS}
            }
        )
    if kind == ContributionKind.ARTWORK and upload is None:
        raise ValidationError({"photo": _("Please choose a photo of the artwork.")})
    if kind != ContributionKind.ARTWORK and not text.strip():
        raise ValidationError({"text": _("Please write something to share.")})
    key = submission_key(token or secrets.token_hex(16))
    if Contribution.objects.filter(submission_key=key).exists():
        return None
    contribution = Contribution(
        round=round_,
        kind=kind,
        title=title.strip()[:200],
        text=text.strip(),
        consent=True,
        submitted_on=timezone.localdate(),
        submission_key=key,
    )
    contribution._ee_round = round_  # type: ignore[attr-defined]
    stored = ""
    prepared: PreparedUpload | None = None
    try:
        if kind == ContributionKind.ARTWORK:
            prepared = prepare_upload(upload, max_bytes=CONTRIBUTION_MAX_BYTES)
            if prepared.content_type not in CONTRIBUTION_IMAGE_TYPES:
                raise UploadRejectedError(_("Please send a photo (JPEG or PNG)."))
            stored = default_storage.save(contribution_upload_to(contribution, ""), prepared.file)
            contribution.file.name = stored
            contribution.content_type = prepared.content_type
        with transaction.atomic():
            contribution.save()
    except IntegrityError:
        if stored:
            default_storage.delete(stored)
        return None
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise
    finally:
        if prepared is not None:
            prepared.close()
    return contribution


def _discard(contribution: Contribution) -> None:
    name = contribution.file.name
    contribution.delete()
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def contribution_accept(
    *, contribution: Contribution, actor: User, criterion_ids: list[int]
) -> Evidence:
    """The lead accepts: the piece becomes an evidence item marked "contributed by a
    resident", linked to the chosen criteria (portfolios.services checks the portfolio is
    open and the lead may add evidence), and the contribution row and file go. Audited."""
    portfolio = contribution.round.portfolio
    _require(
        actor,
        "questionnaires.moderate_contributions",
        portfolio,
        _("Only the unit lead can do this."),
    )
    title = contribution.title or str(ContributionKind(contribution.kind).label)
    with transaction.atomic():
        if contribution.file:
            with default_storage.open(contribution.file.name, "rb") as handle:
                upload = SimpleUploadedFile(
                    f"artwork.{'png' if contribution.content_type == 'image/png' else 'jpg'}",
                    handle.read(),
                    contribution.content_type,
                )
            evidence = evidence_upload(
                portfolio=portfolio,
                actor=actor,
                upload=upload,
                title=title,
                description=contribution.text,
                evidence_type=EvidenceType.PHOTO,
                contains_identifiable=False,
                criterion_ids=criterion_ids,
                contributed_by_resident=True,
            )
        else:
            evidence = evidence_create_text(
                portfolio=portfolio,
                actor=actor,
                title=title,
                text=contribution.text,
                evidence_type=EvidenceType.FEEDBACK,
                contains_identifiable=False,
                criterion_ids=criterion_ids,
                contributed_by_resident=True,
            )
        audit_log(
            actor=actor,
            verb="questionnaires.contribution_accept",
            obj=evidence,
            details={"kind": contribution.kind},
        )
        _discard(contribution)
    return evidence


def contribution_decline(*, contribution: Contribution, actor: User) -> None:
    """The lead declines: the contribution and its file are deleted, nothing kept (the audit
    event records only that one was declined)."""
    portfolio = contribution.round.portfolio
    _require(
        actor,
        "questionnaires.moderate_contributions",
        portfolio,
        _("Only the unit lead can do this."),
    )
    with transaction.atomic():
        audit_log(actor=actor, verb="questionnaires.contribution_decline", obj=portfolio)
        _discard(contribution)


# --- printable documents ----------------------------------------------------------------------


def document_request(*, round_: Round, actor: User, kind: str, sheets: int = 0) -> Document:
    """Queue a poster or paper questionnaire PDF (rendered by a Celery task on commit).
    Paper forms get ``sheets`` new sheet numbers, after the ones already printed. Audited."""
    from .tasks import render_document  # noqa: PLC0415 -- tasks sit above services

    _require(
        actor, "questionnaires.manage_rounds", round_.portfolio, _("Only the unit lead can print.")
    )
    if kind not in DocumentKind.values:
        raise ValidationError(_("Unknown document."))
    paper = kind in (DocumentKind.PAPER, DocumentKind.PAPER_EASY)
    if paper and not 1 <= sheets <= MAX_PAPER_SHEETS:
        raise ValidationError(
            {"sheets": _("Print between 1 and %(n)s sheets at a time.") % {"n": MAX_PAPER_SHEETS}}
        )
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        document, _created = Document.objects.get_or_create(round=locked, kind=kind)
        document.status = DocumentStatus.RENDERING
        document.error = ""
        if paper:
            document.first_sheet = locked.sheets_issued + 1
            document.sheets = sheets
            locked.sheets_issued += sheets
            locked.save(update_fields=["sheets_issued", "updated_at"])
            round_.sheets_issued = locked.sheets_issued
        document.save()
        audit_log(
            actor=actor,
            verb="questionnaires.document_request",
            obj=locked,
            details={"kind": kind, "sheets": sheets},
        )
        enqueue_on_commit(
            render_document, document_id=document.pk, language=translation.get_language() or ""
        )
    return document


def site_url() -> str:
    return str(settings.EE_SITE_URL)
