from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import rules
from django.utils.translation import gettext

from network.enums import UnitRoleKind
from network.rules import _role_in, holds_review_role, is_ccqi_admin

from .enums import EDITABLE_STATES, PortfolioState

if TYPE_CHECKING:
    from network.rules import AnyUser

    from .models import CriterionResponse, Evidence, Portfolio

# Mirrors reviews.enums.ACTIVE_ASSIGNMENT_STATES (reviews imports portfolios, not the other
# way round); tests/portfolios/test_rules.py asserts the two agree.
CLEARED_ASSIGNMENT_STATES = ("scoring", "submitted")
# Everything is editable in these states; in MORE_EVIDENCE only the reopened criteria.
FULLY_EDITABLE_STATES = frozenset({PortfolioState.DRAFT, PortfolioState.DEFERRED})
SUBMITTABLE_STATES = frozenset(
    {PortfolioState.DRAFT, PortfolioState.MORE_EVIDENCE, PortfolioState.DEFERRED}
)


def _role(user: AnyUser, portfolio: Portfolio | None) -> str | None:
    return None if portfolio is None else _role_in(user, portfolio.unit_id)


def response_is_open(response: CriterionResponse) -> bool:
    """May this criterion's narrative (and links to it) change in the portfolio's state?"""
    state = response.portfolio.state
    if state in FULLY_EDITABLE_STATES:
        return True
    return state == PortfolioState.MORE_EVIDENCE and response.reopened


def evidence_is_open(
    portfolio: Portfolio, *, linked_ids: Iterable[int], reopened_ids: Iterable[int]
) -> bool:
    """May an evidence item change? In MORE_EVIDENCE only if it supports no locked criterion."""
    if portfolio.state in FULLY_EDITABLE_STATES:
        return True
    if portfolio.state != PortfolioState.MORE_EVIDENCE:
        return False
    return set(linked_ids) <= set(reopened_ids)


def reopened_criterion_ids(portfolio: Portfolio) -> set[int]:
    cached: set[int] | None = getattr(portfolio, "_ee_reopened_ids", None)
    if cached is None:
        cached = set(
            portfolio.responses.filter(reopened=True).values_list("criterion_id", flat=True)
        )
        portfolio._ee_reopened_ids = cached
    return cached


def lock_message(portfolio: Portfolio) -> str:
    if portfolio.state == PortfolioState.MORE_EVIDENCE:
        return gettext(
            "Only the criteria the assessor reopened can change now; the rest of the "
            "portfolio stays as it was submitted."
        )
    return gettext("This portfolio is %(state)s, so it can no longer be changed.") % {
        "state": PortfolioState(portfolio.state).label.lower()
    }


@rules.predicate
def is_portfolio_member(user: AnyUser, portfolio: Portfolio | None) -> bool:
    return _role(user, portfolio) is not None


@rules.predicate
def is_portfolio_lead(user: AnyUser, portfolio: Portfolio | None) -> bool:
    return _role(user, portfolio) == UnitRoleKind.LEAD


@rules.predicate
def is_cleared_assessor(user: AnyUser, portfolio: Portfolio | None) -> bool:
    """Assigned to this portfolio and has declared no conflict."""
    if portfolio is None or not user.is_authenticated or not holds_review_role(user):
        return False
    return portfolio.assignments.filter(assessor=user, state__in=CLEARED_ASSIGNMENT_STATES).exists()


@rules.predicate
def is_editable(user: AnyUser, portfolio: Portfolio | None) -> bool:
    return portfolio is not None and portfolio.state in EDITABLE_STATES


@rules.predicate
def is_draft(user: AnyUser, portfolio: Portfolio | None) -> bool:
    return portfolio is not None and portfolio.state == PortfolioState.DRAFT


@rules.predicate
def is_submittable(user: AnyUser, portfolio: Portfolio | None) -> bool:
    return portfolio is not None and portfolio.state in SUBMITTABLE_STATES


@rules.predicate
def is_response_member(user: AnyUser, response: CriterionResponse | None) -> bool:
    return response is not None and _role(user, response.portfolio) is not None


@rules.predicate
def is_response_open(user: AnyUser, response: CriterionResponse | None) -> bool:
    return response is not None and response_is_open(response)


@rules.predicate
def is_evidence_lead(user: AnyUser, evidence: Evidence | None) -> bool:
    return evidence is not None and _role(user, evidence.portfolio) == UnitRoleKind.LEAD


@rules.predicate
def is_evidence_uploader(user: AnyUser, evidence: Evidence | None) -> bool:
    return (
        evidence is not None
        and evidence.uploaded_by_id == user.pk
        and _role(user, evidence.portfolio) is not None
    )


@rules.predicate
def is_evidence_open(user: AnyUser, evidence: Evidence | None) -> bool:
    if evidence is None:
        return False
    portfolio = evidence.portfolio
    if portfolio.state in FULLY_EDITABLE_STATES:
        return True
    if portfolio.state != PortfolioState.MORE_EVIDENCE:
        return False
    linked = evidence.links.values_list("criterion_id", flat=True)
    return evidence_is_open(
        portfolio, linked_ids=linked, reopened_ids=reopened_criterion_ids(portfolio)
    )


@rules.predicate
def is_evidence_portfolio_editable(user: AnyUser, evidence: Evidence | None) -> bool:
    return evidence is not None and evidence.portfolio.state in EDITABLE_STATES


@rules.predicate
def can_view_evidence(user: AnyUser, obj: Evidence | Portfolio | None) -> bool:
    """Accepts an Evidence or a Portfolio."""
    portfolio = getattr(obj, "portfolio", obj)
    return portfolio is not None and can_view(user, portfolio)


can_view = is_ccqi_admin | is_portfolio_member | is_cleared_assessor

rules.add_perm("portfolios.view_portfolio", can_view)
# Adding evidence and writing narratives: any member of the unit while the portfolio is open
# (narratives are the unit's shared text; concurrent saves never overwrite each other).
rules.add_perm("portfolios.edit_portfolio", is_portfolio_member & is_editable)
rules.add_perm("portfolios.add_evidence", is_portfolio_member & is_editable)
rules.add_perm("portfolios.edit_response", is_response_member & is_response_open)
# Changing, deleting or (un)linking an item: the lead, or the contributor who added it.
rules.add_perm(
    "portfolios.change_evidence", (is_evidence_lead | is_evidence_uploader) & is_evidence_open
)
rules.add_perm(
    "portfolios.link_evidence",
    (is_evidence_lead | is_evidence_uploader) & is_evidence_portfolio_editable,
)
rules.add_perm("portfolios.submit_portfolio", is_portfolio_lead & is_submittable)
rules.add_perm("portfolios.download_evidence", can_view_evidence)
# The whole portfolio as a PDF (issue 15): for the unit going through it on paper, and CCQI.
rules.add_perm("portfolios.print_portfolio", is_ccqi_admin | is_portfolio_member)
