"""Reading and writing the member CSV (organisations, units and memberships in one file).

Columns are documented in docs/network.md; fixtures/network/members-sample.csv is a
sample. Parsing never writes: network.services.membership_import_apply does, in one
transaction, after parsing again.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import TextChoices
from django.utils import translation

from .enums import MembershipStatus, OrganisationKind, Region, SettingType
from .models import Membership, Organisation, Programme, Unit

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000

COLUMNS = [
    "organisation",
    "organisation_kind",
    "unit",
    "setting_type",
    "region",
    "show_on_register",
    "programme",
    "start_date",
    "end_date",
    "status",
    "status_reason",
    "fee_reference",
    "notes",
]
REQUIRED_COLUMNS = [
    "organisation",
    "unit",
    "setting_type",
    "region",
    "programme",
    "start_date",
    "end_date",
    "status",
    "fee_reference",
]
REQUIRED_VALUES = ["organisation", "unit", "setting_type", "region", "programme", "start_date"]
REQUIRED_VALUES += ["end_date", "status"]
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
# Cells starting with these are run as formulas by spreadsheets (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, size, empty, columns)."""


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number: the header is row 1
    column: str
    message: str


@dataclass
class ImportRow:
    row: int
    organisation: str
    organisation_kind: str
    unit: str
    setting_type: str
    region: str
    show_on_register: bool
    programme_code: str
    start_date: dt.date
    end_date: dt.date
    status: str
    status_reason: str
    fee_reference: str
    notes: str
    new_organisation: bool = False
    new_unit: bool = False
    already_recorded: bool = False


@dataclass
class ParsedImport:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def new_memberships(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.already_recorded]


def decode_upload(data: bytes) -> str:
    """The file's text, or ImportFileError with a message for the person uploading it."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(
            f"The file is too large ({len(data) / 1024 / 1024:.1f} MiB). The limit is "
            f"{MAX_IMPORT_BYTES // (1024 * 1024)} MiB and {MAX_IMPORT_ROWS:,} rows: "
            "please split it into smaller files."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "The file is not UTF-8 text. In Excel, use Save As and choose "
            "“CSV UTF-8 (Comma delimited)”, then upload it again."
        ) from exc
    if not text.strip():
        raise ImportFileError("The file is empty. Please add a header row and at least one row.")
    return text


def _choice(value: str, choices: type[TextChoices]) -> str | None:
    """Accept a stored value or its label in any of the portal's languages (a file may be
    written in English and uploaded by someone reading Welsh), ignoring case and spaces."""
    wanted = value.strip().casefold()
    for stored, label in choices.choices:
        names = {stored.casefold()}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names.add(str(label).casefold())
        if wanted in names:
            return stored
    return None


def _date(value: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _header(name: str) -> str:
    return name.strip().casefold().replace(" ", "_").replace("-", "_")


def parse_members_csv(text: str) -> ParsedImport:
    """Validate every row; look up programmes, organisations, units and memberships.

    Raises ImportFileError for file-level problems. Queries: 4 (programmes, organisations,
    units, memberships), whatever the row count.
    """
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        raw_rows = list(reader)
    except csv.Error as exc:
        raise ImportFileError(f"The file could not be read as CSV ({exc}).") from exc
    if not raw_rows or not any(cell.strip() for cell in raw_rows[0]):
        raise ImportFileError("The file is empty. Please add a header row and at least one row.")
    header = [_header(cell) for cell in raw_rows[0]]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportFileError(
            "These columns are missing from the header row: "
            + ", ".join(missing)
            + ". See the column list below the upload form."
        )
    body = [(number, cells) for number, cells in enumerate(raw_rows[1:], start=2)]
    body = [(number, cells) for number, cells in body if any(cell.strip() for cell in cells)]
    if not body:
        raise ImportFileError("The file has a header row but no data rows.")
    if len(body) > MAX_IMPORT_ROWS:
        raise ImportFileError(
            f"The file has {len(body):,} rows; the limit is {MAX_IMPORT_ROWS:,}. "
            "Please split it into smaller files."
        )

    programmes: dict[str, str] = {}
    for programme in Programme.objects.all():
        programmes[programme.code.casefold()] = programme.code
        programmes[programme.name.casefold()] = programme.code
    parsed = ParsedImport()
    for number, cells in body:
        values = {
            column: (cells[index].strip() if index < len(cells) else "")
            for index, column in enumerate(header)
            if column in COLUMNS
        }
        row = _parse_row(number, values, programmes, parsed.errors)
        if row is not None:
            parsed.rows.append(row)
    if not parsed.errors:
        _mark_existing(parsed)
    return parsed


_CHOICE_COLUMNS: dict[str, type[TextChoices]] = {
    "organisation_kind": OrganisationKind,
    "setting_type": SettingType,
    "region": Region,
    "status": MembershipStatus,
}
_MAX_LENGTHS = {"organisation": 200, "unit": 200, "fee_reference": 64}


def _parse_row(
    number: int, values: dict[str, str], programmes: dict[str, str], errors: list[RowError]
) -> ImportRow | None:
    """One validated row, or None after appending its errors (every problem, not the first)."""
    found: list[RowError] = []

    def error(column: str, message: str) -> None:
        found.append(RowError(number, column, message))

    for column in REQUIRED_VALUES:
        if not values.get(column):
            error(column, "This value is required.")
    for column, limit in _MAX_LENGTHS.items():
        if len(values.get(column, "")) > limit:
            error(column, f"Too long: at most {limit} characters.")
    chosen: dict[str, Any] = {"organisation_kind": OrganisationKind.PROVIDER}
    for column, choices in _CHOICE_COLUMNS.items():
        if values.get(column):
            chosen[column] = _choice(values[column], choices)
            if chosen[column] is None:
                error(column, _not_one_of(values[column], choices))
    programme = None
    if values.get("programme"):
        programme = programmes.get(values["programme"].casefold())
        if programme is None:
            codes = ", ".join(sorted(set(programmes.values())))
            error("programme", f"“{values['programme']}” is not a programme. Use one of: {codes}.")
    flag = values.get("show_on_register", "").casefold()
    if flag and flag not in _YES | _NO:
        error("show_on_register", "Use yes or no.")
    start, end = _period(values, error)
    if found:
        errors.extend(found)
        return None
    return ImportRow(
        row=number,
        organisation=values["organisation"],
        organisation_kind=chosen["organisation_kind"],
        unit=values["unit"],
        setting_type=chosen["setting_type"],
        region=chosen["region"],
        show_on_register=flag not in _NO,
        # Required columns: no errors found means none of these is None.
        programme_code=programme,  # type: ignore[arg-type]
        start_date=start,  # type: ignore[arg-type]
        end_date=end,  # type: ignore[arg-type]
        status=chosen["status"],
        status_reason=values.get("status_reason", ""),
        fee_reference=values.get("fee_reference", ""),
        notes=values.get("notes", ""),
    )


def _period(values: dict[str, str], error) -> tuple[dt.date | None, dt.date | None]:
    dates: dict[str, dt.date | None] = {}
    for column in ("start_date", "end_date"):
        if values.get(column):
            dates[column] = _date(values[column])
            if dates[column] is None:
                error(column, f"“{values[column]}” is not a date: use YYYY-MM-DD or DD/MM/YYYY.")
    start, end = dates.get("start_date"), dates.get("end_date")
    if start and end and end < start:
        error("end_date", "The membership must end on or after its start date.")
    return start, end


def _not_one_of(value: str, choices: type[TextChoices]) -> str:
    options = ", ".join(f"{stored} ({label})" for stored, label in choices.choices)
    return f"“{value}” is not recognised. Use one of: {options}."


def _mark_existing(parsed: ParsedImport) -> None:
    """Flag new organisations/units and memberships already recorded; reject duplicates."""
    org_names = {row.organisation.casefold() for row in parsed.rows}
    orgs = {
        o.name.casefold(): o.pk
        for o in Organisation.objects.only("pk", "name")
        if o.name.casefold() in org_names
    }
    units = {
        (u.organisation_id, u.name.casefold()): u.pk
        for u in Unit.objects.filter(organisation_id__in=orgs.values()).only(
            "pk", "name", "organisation_id"
        )
    }
    recorded = set(
        Membership.objects.filter(unit_id__in=units.values()).values_list(
            "unit_id", "programme__code", "start_date"
        )
    )
    seen: dict[tuple, int] = {}
    for row in parsed.rows:
        org_id = orgs.get(row.organisation.casefold())
        unit_id = units.get((org_id, row.unit.casefold())) if org_id else None
        row.new_organisation = org_id is None
        row.new_unit = unit_id is None
        row.already_recorded = (unit_id, row.programme_code, row.start_date) in recorded
        key = (row.organisation.casefold(), row.unit.casefold(), row.programme_code, row.start_date)
        if key in seen:
            parsed.errors.append(
                RowError(
                    row.row,
                    "start_date",
                    f"Repeats row {seen[key]}: the same unit, programme and start date.",
                )
            )
        seen.setdefault(key, row.row)


def csv_safe(value: object) -> str:
    """A cell value that spreadsheets show as text, never run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def export_rows(units: Iterable[Unit]) -> Iterator[list[str]]:
    """The header, then one row per current membership (or one row for a unit with none).

    The columns are the import columns, so an exported file can be imported again.
    Expects units from selectors.member_list (``current_memberships`` prefetched).
    """
    yield list(COLUMNS)
    for unit in units:
        base = [
            unit.organisation.name,
            unit.organisation.kind,
            unit.name,
            unit.setting_type,
            unit.region,
            "yes" if unit.show_on_register else "no",
        ]
        memberships = getattr(unit, "current_memberships", [])
        if not memberships:
            yield [csv_safe(cell) for cell in [*base, "", "", "", "", "", "", ""]]
        for membership in memberships:
            yield [
                csv_safe(cell)
                for cell in [
                    *base,
                    membership.programme.code,
                    membership.start_date.isoformat(),
                    membership.end_date.isoformat(),
                    membership.status,
                    membership.status_reason,
                    membership.fee_reference,
                    membership.notes,
                ]
            ]
