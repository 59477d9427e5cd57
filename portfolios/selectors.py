"""Reads for portfolios: visibility, the builder's summary, readiness and revision diffs."""

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from ee_portal.lib.db import get_with_related
from network.enums import UnitRoleKind
from network.models import Unit, User
from standards.models import Criterion, Standard
from standards.selectors import apply_setting_wording

from . import hooks
from .enums import Cycle, PortfolioState, SelfRating
from .models import CriterionResponse, Evidence, EvidenceLink, Portfolio, PortfolioRevision
from .rules import CLEARED_ASSIGNMENT_STATES, FULLY_EDITABLE_STATES, can_view


def portfolio_list_visible_to(*, user: User | AnonymousUser) -> QuerySet[Portfolio]:
    """Portfolios the user may see; agrees with the portfolios.view_portfolio rule.

    One query, with unit, organisation and framework joined.
    """
    qs = Portfolio.objects.select_related("unit__organisation", "framework")
    if not user.is_authenticated:
        return qs.none()
    if user.is_ccqi_admin:
        return qs
    visible = Q(unit__roles__user=user)
    if user.is_reviewer:
        visible |= Q(assignments__assessor=user, assignments__state__in=CLEARED_ASSIGNMENT_STATES)
    return qs.filter(visible).distinct()


def portfolio_get_for_page(*, user: User | AnonymousUser, pk: int) -> Portfolio:
    """portfolio_get_for_user with only the unit joined, for pages whose body is cached (the
    body holds the rest). Read from the database on every request: the row decides who may
    see the page (issue 12)."""
    portfolio = get_with_related(Portfolio, pk, "unit")
    if portfolio is None or not can_view(user, portfolio):
        raise Http404
    return portfolio


def portfolio_get_for_user(*, user: User | AnonymousUser, pk: int) -> Portfolio:
    """The portfolio, or Http404 when it does not exist or the user may not see it."""
    portfolio = (
        Portfolio.objects.select_related("unit__organisation", "framework").filter(pk=pk).first()
    )
    if portfolio is None or not can_view(user, portfolio):
        raise Http404
    return portfolio


def evidence_get_for_user(*, user: User | AnonymousUser, pk: int) -> Evidence:
    evidence = (
        Evidence.objects.select_related("portfolio__unit", "portfolio__framework", "uploaded_by")
        .filter(pk=pk)
        .first()
    )
    if evidence is None or not can_view(user, evidence.portfolio):
        raise Http404
    return evidence


def word_for_portfolio(items: Iterable[Standard | Criterion], *, portfolio: Portfolio) -> None:
    """Show these standards and criteria in the wording of the portfolio's unit's setting
    (standards.selectors.apply_setting_wording; no query when the unit is loaded)."""
    apply_setting_wording(items, setting_type=portfolio.unit.setting_type)


def portfolio_criteria(*, portfolio: Portfolio) -> list[Criterion]:
    """The portfolio's criteria with their standards, in order, in the unit's wording (one
    query)."""
    criteria = list(
        Criterion.objects.filter(standard__framework=portfolio.framework_id)
        .select_related("standard")
        .order_by("standard__number", "order", "code")
    )
    word_for_portfolio(criteria, portfolio=portfolio)
    return criteria


def criterion_get(*, portfolio: Portfolio, code_or_id: str) -> Criterion:
    qs = Criterion.objects.select_related("standard").filter(
        standard__framework=portfolio.framework_id
    )
    criterion = qs.filter(code=code_or_id).first()
    if criterion is None and code_or_id.isdigit():
        criterion = qs.filter(pk=int(code_or_id)).first()
    if criterion is None:
        raise Http404
    word_for_portfolio([criterion], portfolio=portfolio)
    return criterion


@dataclass
class MissingItem:
    kind: str  # "narrative" | "evidence" | "declarations" | "rating" (annual self-review)
    message: str
    url: str
    criterion_code: str = ""
    evidence_id: int | None = None


@dataclass
class CriterionRow:
    response: CriterionResponse
    criterion: Criterion
    evidence_count: int
    complete: bool
    open: bool
    # The linked evidence itself, where a page needs it (portfolio_print_rows).
    linked: list[Evidence] = field(default_factory=list)

    @property
    def rating_nudge(self) -> str:
        """A note when the unit's own rating contradicts what the criterion holds (issue 17).

        The self-rating is the unit's view of how well it meets the criterion, not the
        assessor's verdict, and the framework's award rule reads only the assessors'
        ratings: so this nudges and never blocks submission.
        """
        rating = self.response.self_rating
        if self.complete and rating == SelfRating.NOT_STARTED:
            return _("It has a narrative and evidence, but the unit has not rated it yet.")
        if rating == SelfRating.MET and not self.complete:
            if self.response.narrative.strip():
                return _("The unit rates it Met, but it has no evidence yet.")
            if self.evidence_count:
                return _("The unit rates it Met, but it has no narrative yet.")
            return _("The unit rates it Met, but it has no narrative or evidence yet.")
        return ""


@dataclass
class StandardRow:
    standard: Standard
    criteria: list[CriterionRow] = field(default_factory=list)
    # HTML that higher apps show under the standard (portfolios/hooks.py "standard panels").
    panel: str = ""

    @property
    def done(self) -> int:
        return sum(1 for row in self.criteria if row.complete)

    @property
    def total(self) -> int:
        return len(self.criteria)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def _link_counts(portfolio: Portfolio) -> dict[int, int]:
    return dict(
        EvidenceLink.objects.filter(evidence__portfolio=portfolio)
        .values_list("criterion_id")
        .annotate(n=Count("id"))
        .values_list("criterion_id", "n")
    )


def portfolio_builder(*, portfolio: Portfolio) -> list[StandardRow]:
    """Standards with per-criterion progress (two queries whatever the amount of evidence).

    A criterion is complete when it has a narrative and at least one linked evidence item.
    """
    counts = _link_counts(portfolio)
    responses = CriterionResponse.objects.filter(portfolio=portfolio).select_related(
        "criterion__standard"
    )
    rows: dict[int, StandardRow] = {}
    for response in responses:
        response.portfolio = portfolio
        criterion = response.criterion
        standard_row = rows.setdefault(criterion.standard_id, StandardRow(criterion.standard))
        n = counts.get(criterion.pk, 0)
        is_open = portfolio.state in FULLY_EDITABLE_STATES or (
            portfolio.state == PortfolioState.MORE_EVIDENCE and response.reopened
        )
        word_for_portfolio([criterion], portfolio=portfolio)
        standard_row.criteria.append(
            CriterionRow(
                response=response,
                criterion=criterion,
                evidence_count=n,
                complete=bool(response.narrative.strip()) and n > 0,
                open=is_open,
            )
        )
    return sorted(rows.values(), key=lambda r: r.standard.number)


def portfolio_print_rows(*, portfolio: Portfolio) -> list[StandardRow]:
    """The builder's rows, each criterion carrying ``linked`` (its evidence, by title), for
    the whole-portfolio PDF (issue 15). Three queries."""
    rows = portfolio_builder(portfolio=portfolio)
    linked: dict[int, list[Evidence]] = {}
    links = (
        EvidenceLink.objects.filter(evidence__portfolio=portfolio)
        .select_related("evidence")
        .order_by("evidence__title", "evidence_id")
    )
    for link in links:
        linked.setdefault(link.criterion_id, []).append(link.evidence)
    for standard_row in rows:
        for row in standard_row.criteria:
            row.linked = linked.get(row.criterion.pk, [])
    return rows


def portfolio_readiness(*, portfolio: Portfolio) -> list[MissingItem]:
    """What is still missing before the portfolio can be (re)submitted; [] when ready.

    Criteria without a narrative, criteria without evidence, and evidence items whose
    declarations are incomplete, then what the registered readiness checks add
    (portfolios/hooks.py). In MORE_EVIDENCE only the reopened criteria count.
    Three queries, plus the registered checks' own.
    """
    counts = _link_counts(portfolio)
    responses = CriterionResponse.objects.filter(portfolio=portfolio).select_related(
        "criterion__standard"
    )
    if portfolio.state == PortfolioState.MORE_EVIDENCE:
        responses = responses.filter(reopened=True)
    missing: list[MissingItem] = []
    for response in responses:
        code = response.criterion.code
        url = reverse("portfolios:criterion", kwargs={"pk": portfolio.pk, "code": code})
        if not response.narrative.strip():
            missing.append(
                MissingItem("narrative", f"{code}: write how you meet this criterion.", url, code)
            )
        if not counts.get(response.criterion_id):
            missing.append(
                MissingItem("evidence", f"{code}: link at least one piece of evidence.", url, code)
            )
        if portfolio.cycle == Cycle.ANNUAL and response.self_rating == SelfRating.NOT_STARTED:
            missing.append(
                MissingItem(
                    "rating",
                    _("%(code)s: give your community's own rating.") % {"code": code},
                    url,
                    code,
                )
            )
    undeclared = Evidence.objects.filter(portfolio=portfolio).filter(
        Q(contains_identifiable__isnull=True)
        | Q(contains_identifiable=True, consent_recorded__isnull=True)
        | Q(contains_identifiable=True, consent_recorded=False)
    )
    for evidence in undeclared.only("id", "title", "contains_identifiable", "consent_recorded"):
        if evidence.contains_identifiable is None:
            message = f"“{evidence.title}”: say whether it contains identifiable information."
        else:
            message = f"“{evidence.title}”: identifiable information needs consent recorded."
        missing.append(
            MissingItem(
                "declarations",
                message,
                reverse("portfolios:evidence_edit", kwargs={"pk": evidence.pk}),
                evidence_id=evidence.pk,
            )
        )
    if portfolio.state != PortfolioState.MORE_EVIDENCE:
        # Higher apps' checks (a closed questionnaire round per audience): portfolios/hooks.py.
        missing.extend(hooks.readiness_missing(portfolio=portfolio))
    return missing


def evidence_library(
    *,
    portfolio: Portfolio,
    search: str = "",
    evidence_type: str = "",
    criterion_id: int | None = None,
) -> QuerySet[Evidence]:
    """Evidence of a portfolio, filtered; links and uploader prefetched (three queries)."""
    qs = Evidence.objects.filter(portfolio=portfolio).select_related("uploaded_by")
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(description__icontains=search)
            | Q(original_name__icontains=search)
            | Q(text__icontains=search)
        )
    if evidence_type:
        qs = qs.filter(evidence_type=evidence_type)
    if criterion_id:
        qs = qs.filter(links__criterion_id=criterion_id)
    return qs.prefetch_related(
        Prefetch(
            "links",
            queryset=EvidenceLink.objects.select_related("criterion").order_by("criterion__code"),
        )
    ).distinct()


def revision_list(*, portfolio: Portfolio) -> QuerySet[PortfolioRevision]:
    return portfolio.revisions.select_related("created_by").order_by("number")


def build_snapshot(*, portfolio: Portfolio) -> dict[str, Any]:
    """The JSON snapshot stored on a PortfolioRevision (three queries)."""
    responses = CriterionResponse.objects.filter(portfolio=portfolio).select_related(
        "criterion__standard"
    )
    links = (
        EvidenceLink.objects.filter(evidence__portfolio=portfolio)
        .select_related("evidence")
        .order_by("evidence__title", "evidence_id")
    )
    by_criterion: dict[int, list[list[Any]]] = {}
    for link in links:
        e = link.evidence
        by_criterion.setdefault(link.criterion_id, []).append([e.pk, e.title, e.sha256])
    criteria = {}
    for response in responses:
        c = response.criterion
        criteria[c.code] = {
            "standard": c.standard.number,
            "order": c.order,
            "text": c.text,
            "narrative": response.narrative,
            "self_rating": response.self_rating,
            "evidence": by_criterion.get(c.pk, []),
        }
    return {"criteria": criteria}


@dataclass
class CriterionChange:
    code: str
    text: str
    narrative_changed: bool
    narrative_diff: list[tuple[str, str]]  # ("equal" | "insert" | "delete", words)
    rating_old: str
    rating_new: str
    evidence_added: list[dict[str, Any]]
    evidence_removed: list[dict[str, Any]]

    @property
    def rating_changed(self) -> bool:
        return self.rating_old != self.rating_new


_WORDS = re.compile(r"\S+|\s+")


def narrative_diff(old: str, new: str) -> list[tuple[str, str]]:
    """A word-level diff, as ("equal" | "insert" | "delete", text) segments."""
    a, b = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    segments: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            segments.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            segments.append(("insert", "".join(b[j1:j2])))
    return segments


def _code_key(code: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\-]", code))


def revision_diff(
    *, old: PortfolioRevision, new: PortfolioRevision, across_cycles: bool = False
) -> list[CriterionChange]:
    """Per-criterion changes from ``old`` to ``new``: narrative (word diff via difflib),
    self-rating, evidence added and removed (by evidence id and content hash).

    ``across_cycles``: the revisions belong to different portfolios (a renewal against the
    last awarded one), where carried-over evidence has new ids, so items match by content
    hash (text evidence by title) instead. Only changed criteria are returned, in criterion
    order. No queries.
    """
    old_c = (old.snapshot or {}).get("criteria", {})
    new_c = (new.snapshot or {}).get("criteria", {})

    def key(e: list[Any]) -> tuple[Any, ...]:
        return (e[2] or e[1],) if across_cycles else (e[0], e[2])

    changes: list[CriterionChange] = []
    for code in sorted(set(old_c) | set(new_c), key=_code_key):
        before, after = old_c.get(code, {}), new_c.get(code, {})
        old_items = {key(e): e for e in before.get("evidence", [])}
        new_items = {key(e): e for e in after.get("evidence", [])}
        added = [{"id": e[0], "title": e[1]} for k, e in new_items.items() if k not in old_items]
        removed = [{"id": e[0], "title": e[1]} for k, e in old_items.items() if k not in new_items]
        old_text, new_text = before.get("narrative", ""), after.get("narrative", "")
        change = CriterionChange(
            code=code,
            text=after.get("text") or before.get("text", ""),
            narrative_changed=old_text != new_text,
            narrative_diff=narrative_diff(old_text, new_text) if old_text != new_text else [],
            rating_old=before.get("self_rating", ""),
            rating_new=after.get("self_rating", ""),
            evidence_added=added,
            evidence_removed=removed,
        )
        if change.narrative_changed or change.rating_changed or added or removed:
            changes.append(change)
    return changes


def units_ready_to_start(*, user: User | AnonymousUser) -> QuerySet[Unit]:
    """Units the user leads that have no initial-award portfolio open or awarded (lazy; one
    query when evaluated). Interim reviews and renewals are opened by CCQI admins."""
    if not user.is_authenticated:
        return Unit.objects.none()
    started = Portfolio.objects.filter(cycle=Cycle.INITIAL).exclude(
        state__in=[PortfolioState.NOT_AWARDED, PortfolioState.WITHDRAWN]
    )
    return (
        Unit.objects.filter(roles__user=user, roles__role=UnitRoleKind.LEAD)
        .exclude(pk__in=started.values("unit_id"))
        .order_by("name")
    )
