"""A framework's decision rule, written as data, and the one function that evaluates it.

Every programme decides the same way: the framework holds its rule as a list of clauses and
`rule_evaluate` applies them to a set of ratings. The EE sample says "every criterion met";
a Community of Communities framework says "every type 1 criterion met and at least 80% of
type 2 criteria met". Nothing else in the portal knows what a programme's rule is, so reviews
(the decision page, the annual report) and awards call this module rather than keeping their
own copy. It is a module of its own because it is pure (no queries) and shared by every app
above standards.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

# What the file and the database hold: {"type": 1 | 2 | 3 | None, "share": 0..1}.
# "type": None (or absent) means every criterion, whatever its type.
Clause = Mapping[str, Any]

EVERY_CRITERION_MET: list[dict[str, Any]] = [{"type": None, "share": 1}]
MET = "met"


@dataclass(frozen=True)
class ClauseResult:
    criterion_type: int | None
    required_share: Decimal
    met: int
    total: int

    @property
    def passed(self) -> bool:
        # Vacuously true for a type with no criteria; the importer refuses such a rule.
        return self.total == 0 or Decimal(self.met) >= self.required_share * self.total

    @property
    def label(self) -> str:
        percent = int(self.required_share * 100)
        if self.criterion_type is None:
            if percent == 100:
                return _("every criterion met")
            return _("at least %(percent)s%% of criteria met") % {"percent": percent}
        if percent == 100:
            return _("every type %(type)s criterion met") % {"type": self.criterion_type}
        return _("at least %(percent)s%% of type %(type)s criteria met") % {
            "percent": percent,
            "type": self.criterion_type,
        }


@dataclass(frozen=True)
class RuleResult:
    clauses: tuple[ClauseResult, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.clauses)


def rule_clauses(rule: Iterable[Clause] | None) -> list[dict[str, Any]]:
    """The rule's clauses with defaults filled in; an empty rule is "every criterion met"."""
    clauses = [
        {"type": clause.get("type"), "share": Decimal(str(clause.get("share", 1)))}
        for clause in (rule or [])
    ]
    return clauses or [{"type": None, "share": Decimal(1)}]


def rule_evaluate(
    *,
    rule: Iterable[Clause] | None,
    criterion_types: Mapping[int, int | None],
    ratings: Mapping[int, str],
    met_value: str = MET,
) -> RuleResult:
    """Apply a decision rule to ratings keyed by criterion id.

    `criterion_types` names every criterion of the framework (id -> type or None); a criterion
    missing from `ratings` counts as not met. Pure: no queries, no side effects.
    """
    results = []
    for clause in rule_clauses(rule):
        wanted = clause["type"]
        ids = [cid for cid, ctype in criterion_types.items() if wanted is None or ctype == wanted]
        met = sum(1 for cid in ids if ratings.get(cid) == met_value)
        results.append(
            ClauseResult(
                criterion_type=wanted, required_share=clause["share"], met=met, total=len(ids)
            )
        )
    return RuleResult(clauses=tuple(results))


def rule_problems(rule: Any, *, types_present: set[int]) -> list[tuple[str, str]]:
    """What is wrong with a rule read from a file: (path suffix, message) pairs, or none."""
    if rule is None:
        return []
    if not isinstance(rule, list):
        return [("", _("must be a list of clauses, each with a type and a share"))]
    problems: list[tuple[str, str]] = []
    for i, clause in enumerate(rule):
        where = f"[{i}]"
        if not isinstance(clause, dict):
            problems.append((where, _("must be a mapping with type and share")))
            continue
        ctype = clause.get("type")
        if ctype is not None and ctype not in (1, 2, 3):
            problems.append((f"{where}.type", _("must be 1, 2, 3 or empty (every criterion)")))
        elif ctype is not None and ctype not in types_present:
            problems.append(
                (
                    f"{where}.type",
                    _("names type %(type)s, but no criterion in this framework has that type")
                    % {"type": ctype},
                )
            )
        share = clause.get("share", 1)
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
            problems.append((f"{where}.share", _("must be a number above 0 and at most 1")))
    return problems
