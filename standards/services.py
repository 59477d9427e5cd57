"""Standards import/export (YAML) and framework lifecycle. See README "Standards file format"."""

from dataclasses import dataclass
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from .decision import rule_problems
from .enums import DEFAULT_PROGRAMME, AwardRule, CriterionType, FrameworkStatus
from .models import Criterion, Framework, Standard

EXPECTED_STANDARDS = 10
EASY_READ_MAX = 300
# The EE programmes have exactly ten standards; a network's frameworks have as many as they need.
TEN_STANDARD_PROGRAMMES = frozenset({"ee-award", "ee-prisons"})
_FRAMEWORK_FIELDS = ("code", "title", "version")
_STANDARD_FIELDS = ("number", "name", "value_statement", "criteria")
_CRITERION_FIELDS = ("code", "text")
# The texts that may have Welsh beside them, under a ``cy:`` key (issue 15).
_STANDARD_WELSH = ("name", "value_statement", "easy_read", "description")
_CRITERION_WELSH = ("text", "guidance", "examples")
_FRAMEWORK_WELSH = ("title", "description")
# What a criterion's per-setting wording may replace.
_WORDED_PARTS = frozenset({"text", "guidance", "examples"})


@dataclass(frozen=True)
class StandardsFileError:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}{self.path}: {self.message}"


class StandardsImportError(Exception):
    def __init__(self, errors: list[StandardsFileError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _to_python(node: yaml.Node, path: str, lines: dict[str, int]) -> Any:
    """Turn a composed YAML node into Python data, remembering the line of every path."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            result[key] = _to_python(value_node, f"{path}.{key}" if path else key, lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, f"{path}[{i}]", lines) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def parse_standards_yaml(text: str) -> tuple[dict[str, Any], dict[str, int]]:
    lines: dict[str, int] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise StandardsImportError(
            [
                StandardsFileError(
                    "(file)", mark.line + 1 if mark else None, f"not valid YAML: {exc}"
                )
            ]
        ) from exc
    if node is None:
        raise StandardsImportError([StandardsFileError("(file)", None, "the file is empty")])
    data = _to_python(node, "", lines)
    if not isinstance(data, dict):
        raise StandardsImportError(
            [StandardsFileError("(file)", 1, "the top level must be a mapping (code, title, ...)")]
        )
    return data, lines


class _Validator:
    """Collects every problem in a standards file, each with its field path and line."""

    def __init__(self, lines: dict[str, int]):
        self.lines = lines
        self.errors: list[StandardsFileError] = []
        self.numbers: dict[Any, str] = {}
        self.codes: dict[str, str] = {}
        self.types: set[int] = set()

    def err(self, path: str, message: str) -> None:
        line = self.lines.get(path)
        parent = path
        while line is None and parent:
            parent = parent.rsplit(".", 1)[0] if "." in parent else ""
            line = self.lines.get(parent)
        self.errors.append(StandardsFileError(path or "(file)", line, message))

    def require_text(self, obj: dict[str, Any], path: str, field: str) -> None:
        where = f"{path}.{field}" if path else field
        value = obj.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.err(where, "is required")
        elif not isinstance(value, str | int | float):
            self.err(where, "must be text")

    def header(self, data: dict[str, Any]) -> None:
        for field in _FRAMEWORK_FIELDS:
            self.require_text(data, "", field)
        if data.get("status", FrameworkStatus.DRAFT) not in FrameworkStatus.values:
            self.err("status", f"must be one of {', '.join(FrameworkStatus.values)}")
        if data.get("award_rule", AwardRule.ALL_MET) not in AwardRule.values:
            self.err("award_rule", f"must be one of {', '.join(AwardRule.values)}")
        scale = data.get("rating_scale")
        if scale is None:
            return
        if not isinstance(scale, list) or not scale:
            self.err("rating_scale", "must be a list of {value, label}")
            return
        values = []
        for i, item in enumerate(scale):
            if not isinstance(item, dict) or not item.get("value") or not item.get("label"):
                self.err(f"rating_scale[{i}]", "needs a value and a label")
            else:
                values.append(item["value"])
        if len(values) != len(set(values)):
            self.err("rating_scale", "values must be unique")

    def standard(self, std: Any, spath: str) -> None:
        if not isinstance(std, dict):
            self.err(spath, "must be a mapping with number, name, value_statement and criteria")
            return
        for field in _STANDARD_FIELDS[:3]:
            self.require_text(std, spath, field)
        number = std.get("number")
        if number is not None:
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                self.err(f"{spath}.number", "must be a whole number from 1")
            elif number in self.numbers:
                self.err(
                    f"{spath}.number", f"{number} is used twice (also at {self.numbers[number]})"
                )
            else:
                self.numbers[number] = spath
        easy_read = std.get("easy_read", "")
        if not isinstance(easy_read, str) or len(easy_read) > EASY_READ_MAX:
            self.err(f"{spath}.easy_read", f"must be text of {EASY_READ_MAX} characters at most")
        if not isinstance(std.get("setting_wording", {}), dict):
            self.err(f"{spath}.setting_wording", "must map a setting type to text")
        self.welsh(std, spath, _STANDARD_WELSH)
        criteria = std.get("criteria")
        if not isinstance(criteria, list) or not criteria:
            self.err(f"{spath}.criteria", "every standard needs at least one criterion")
            return
        for j, crit in enumerate(criteria):
            self.criterion(crit, f"{spath}.criteria[{j}]")

    def criterion(self, crit: Any, cpath: str) -> None:
        if not isinstance(crit, dict):
            self.err(cpath, "must be a mapping with code and text")
            return
        for field in _CRITERION_FIELDS:
            self.require_text(crit, cpath, field)
        code = str(crit.get("code", "") or "").strip()
        if code in self.codes:
            self.err(f"{cpath}.code", f"{code!r} is used twice (also at {self.codes[code]})")
        elif code:
            self.codes[code] = cpath
        if not isinstance(crit.get("examples", []), list | str):
            self.err(f"{cpath}.examples", "must be a list of text")
        ctype = crit.get("type")
        if ctype is not None:
            if ctype not in CriterionType.values or isinstance(ctype, bool):
                self.err(f"{cpath}.type", "must be 1, 2 or 3 (or left out)")
            else:
                self.types.add(ctype)

        wording = crit.get("setting_wording", {})
        if not isinstance(wording, dict):
            self.err(
                f"{cpath}.setting_wording", "must map a setting type to text, guidance, examples"
            )
            return
        for setting, parts in wording.items():
            where = f"{cpath}.setting_wording.{setting}"
            if not isinstance(parts, dict) or not parts or set(parts) - _WORDED_PARTS:
                self.err(where, "must give text, guidance or examples (or several)")
            elif not isinstance(parts.get("examples", []), list):
                self.err(f"{where}.examples", "must be a list of text")

        self.welsh(crit, cpath, _CRITERION_WELSH)

    def extras(self, data: dict[str, Any]) -> None:
        """The network's parts: the decision rule (checked against the types present) and
        the core values shown as context."""
        for suffix, message in rule_problems(data.get("decision_rule"), types_present=self.types):
            self.err(f"decision_rule{suffix}", message)
        values = data.get("core_values", [])
        if not isinstance(values, list):
            self.err("core_values", "must be a list of {name, statement}")
            return
        for i, value in enumerate(values):
            if not isinstance(value, dict) or not value.get("name") or not value.get("statement"):
                self.err(f"core_values[{i}]", "needs a name and a statement")

    def welsh(self, obj: dict[str, Any], path: str, fields: tuple[str, ...]) -> None:
        welsh = obj.get("cy")
        if welsh is None:
            return
        base = f"{path}.cy" if path else "cy"
        if not isinstance(welsh, dict):
            self.err(base, f"must map some of {', '.join(fields)} to Welsh text")
            return
        for key, value in welsh.items():
            if key not in fields:
                self.err(f"{base}.{key}", f"is not a text with Welsh (use {', '.join(fields)})")
            elif key == "examples" and isinstance(value, list):
                if not all(isinstance(item, str) for item in value):
                    self.err(f"{base}.examples", "must be a list of text")
            elif not isinstance(value, str):
                self.err(f"{base}.{key}", "must be text")


def validate_standards_data(
    data: dict[str, Any], lines: dict[str, int]
) -> list[StandardsFileError]:
    """Every problem in the file at once, each with its field path and line."""
    check = _Validator(lines)
    check.header(data)
    check.welsh(data, "", _FRAMEWORK_WELSH)
    standards = data.get("standards")
    if not isinstance(standards, list):
        check.err("standards", "is required and must be a list")
        return check.errors
    programme = data.get("programme", DEFAULT_PROGRAMME)
    if not isinstance(programme, str) or not programme.strip():
        check.err("programme", "must be a programme code such as ee-award or cofc")
    if programme in TEN_STANDARD_PROGRAMMES and len(standards) != EXPECTED_STANDARDS:
        check.err(
            "standards",
            f"must list exactly {EXPECTED_STANDARDS} standards (found {len(standards)})",
        )
    for i, std in enumerate(standards):
        check.standard(std, f"standards[{i}]")
    check.extras(data)
    return check.errors


@transaction.atomic
def framework_import(*, text: str, publish: bool = False) -> Framework:
    """Create a framework with its standards and criteria from YAML text.

    All or nothing: any validation error raises StandardsImportError and writes nothing.
    An existing draft with the same code is replaced; a published one is never touched.
    """
    data, lines = parse_standards_yaml(text)
    errors = validate_standards_data(data, lines)
    code = str(data.get("code", "")).strip()
    existing = Framework.objects.filter(code=code).first() if code else None
    if existing is not None and not existing.is_editable:
        errors.append(
            StandardsFileError(
                "code",
                lines.get("code"),
                f"framework {code!r} is already {existing.status}; give the new version a new code",
            )
        )
    if errors:
        raise StandardsImportError(errors)
    if existing is not None:
        Criterion.objects.filter(standard__framework=existing).delete()
        existing.standards.all().delete()
        existing.delete()
    framework = Framework(
        code=code,
        title=str(data["title"]).strip(),
        version=str(data["version"]).strip(),
        description=str(data.get("description", "") or "").strip(),
        award_rule=data.get("award_rule", AwardRule.ALL_MET),
        programme=str(data.get("programme", DEFAULT_PROGRAMME)).strip(),
        decision_rule=[
            {"type": c.get("type"), "share": c.get("share", 1)}
            for c in data.get("decision_rule") or []
        ],
        core_values=[
            {"name": str(v["name"]).strip(), "statement": str(v["statement"]).strip()}
            for v in data.get("core_values") or []
        ],
        status=FrameworkStatus.DRAFT,
        welsh=_welsh(data),
    )
    if data.get("rating_scale"):
        framework.rating_scale = [
            {"value": str(i["value"]), "label": str(i["label"])} for i in data["rating_scale"]
        ]
    framework.full_clean()
    framework.save()
    for std in data["standards"]:
        standard = Standard(
            framework=framework,
            number=std["number"],
            name=str(std["name"]).strip(),
            value_statement=str(std["value_statement"]).strip(),
            easy_read=str(std.get("easy_read", "") or "").strip(),
            description=str(std.get("description", "") or "").strip(),
            setting_wording=std.get("setting_wording") or {},
            welsh=_welsh(std),
        )
        standard.save()
        for order, crit in enumerate(std["criteria"], start=1):
            examples = crit.get("examples") or []
            Criterion(
                standard=standard,
                code=str(crit["code"]).strip(),
                text=str(crit["text"]).strip(),
                guidance=str(crit.get("guidance", "") or "").strip(),
                examples="\n".join(examples) if isinstance(examples, list) else str(examples),
                order=order,
                criterion_type=crit.get("type"),
                setting_wording=crit.get("setting_wording") or {},
                welsh=_welsh(crit),
            ).save()
    if publish or data.get("status") == FrameworkStatus.PUBLISHED:
        framework_publish(framework=framework)
    return framework


def _welsh(obj: dict[str, Any]) -> dict[str, str]:
    """The ``cy:`` texts of a standard or criterion as stored (examples one per line)."""
    welsh = {}
    for key, value in (obj.get("cy") or {}).items():
        text = "\n".join(value) if isinstance(value, list) else str(value or "")
        if text.strip():
            welsh[key] = text.strip()
    return welsh


def _welsh_export(welsh: dict[str, str]) -> dict[str, Any]:
    return {
        key: [line for line in value.splitlines() if line.strip()] if key == "examples" else value
        for key, value in welsh.items()
    }


def framework_publish(*, framework: Framework) -> Framework:
    """Draft -> published. From now on the framework is immutable."""
    if framework.status != FrameworkStatus.DRAFT:
        return framework
    framework.status = FrameworkStatus.PUBLISHED
    framework.published_at = timezone.now()
    framework.save(update_fields=["status", "published_at", "updated_at"])
    return framework


def framework_retire(*, framework: Framework) -> Framework:
    """Published -> retired: the one change allowed to a published framework."""
    framework.status = FrameworkStatus.RETIRED
    framework._allow_status_change = True
    framework.save(update_fields=["status", "updated_at"])
    return framework


def framework_export(*, framework: Framework) -> str:
    """The framework as YAML in the import format (round-trips through framework_import)."""
    data: dict[str, Any] = {
        "code": framework.code,
        "title": framework.title,
        "version": framework.version,
        "description": framework.description,
        "status": str(framework.status),
        "award_rule": str(framework.award_rule),
        "rating_scale": framework.rating_scale,
    }
    # Written only when used, so an EE export is unchanged.
    if framework.programme != DEFAULT_PROGRAMME:
        data["programme"] = framework.programme
    if framework.decision_rule:
        data["decision_rule"] = framework.decision_rule
    if framework.core_values:
        data["core_values"] = framework.core_values
    if framework.welsh:
        data["cy"] = _welsh_export(framework.welsh)
    data["standards"] = []
    standards = framework.standards.prefetch_related("criteria").order_by("number")
    for std in standards:
        entry: dict[str, Any] = {
            "number": std.number,
            "name": std.name,
            "value_statement": std.value_statement,
        }
        if std.easy_read:
            entry["easy_read"] = std.easy_read
        if std.description:
            entry["description"] = std.description
        if std.setting_wording:
            entry["setting_wording"] = std.setting_wording
        if std.welsh:
            entry["cy"] = _welsh_export(std.welsh)
        entry["criteria"] = [_criterion_export(c) for c in std.criteria.all()]
        data["standards"].append(entry)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _criterion_export(criterion: Criterion) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": criterion.code,
        "text": criterion.text,
        "guidance": criterion.guidance,
        "examples": criterion.example_list,
    }
    if criterion.criterion_type is not None:
        entry["type"] = criterion.criterion_type
    if criterion.setting_wording:
        entry["setting_wording"] = criterion.setting_wording
    if criterion.welsh:
        entry["cy"] = _welsh_export(criterion.welsh)
    return entry
