"""Object permissions for reviews. State guards live in reviews/workflow.py, not here."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from network.rules import holds_review_role, is_assessor, is_ccqi_admin, is_peer_reviewer
from portfolios.rules import is_cleared_assessor, is_portfolio_member

from .enums import ACTIVE_ASSIGNMENT_STATES, AssignmentState

if TYPE_CHECKING:
    from network.rules import AnyUser
    from portfolios.models import Portfolio

    from .models import Assignment, Report


@rules.predicate
def is_own_assignment(user: AnyUser, assignment: Assignment | None) -> bool:
    return (
        assignment is not None
        and user.is_authenticated
        and holds_review_role(user)
        and assignment.assessor_id == user.pk
    )


@rules.predicate
def is_cleared_on_assignment(user: AnyUser, assignment: Assignment | None) -> bool:
    """The assignment is the user's own and they have declared no conflict."""
    return (
        assignment is not None
        and is_own_assignment(user, assignment)
        and assignment.state in ACTIVE_ASSIGNMENT_STATES
    )


@rules.predicate
def is_scoring(user: AnyUser, assignment: Assignment | None) -> bool:
    return assignment is not None and assignment.state == AssignmentState.SCORING


@rules.predicate
def is_lead_assessor(user: AnyUser, portfolio: Portfolio | None) -> bool:
    """The cleared lead assessor of this portfolio."""
    if portfolio is None or not user.is_authenticated or not holds_review_role(user):
        return False
    return portfolio.assignments.filter(
        assessor=user, is_lead=True, state__in=ACTIVE_ASSIGNMENT_STATES
    ).exists()


@rules.predicate
def is_released(user: AnyUser, report: Report | None) -> bool:
    return report is not None and report.released_at is not None


@rules.predicate
def can_see_report_portfolio(user: AnyUser, report: Report | None) -> bool:
    return report is not None and (
        is_cleared_assessor(user, report.portfolio)
        or (is_released(user, report) and is_portfolio_member(user, report.portfolio))
    )


@rules.predicate
def is_cleared_on_report_portfolio(user: AnyUser, report: Report | None) -> bool:
    return report is not None and is_cleared_assessor(user, report.portfolio)


@rules.predicate
def is_lead_on_report_portfolio(user: AnyUser, report: Report | None) -> bool:
    return report is not None and is_lead_assessor(user, report.portfolio)


@rules.predicate
def is_self_assessor(user: AnyUser, assessor: AnyUser | None) -> bool:
    """The figures are the user's own, and the user is an assessor (issue 16)."""
    return (
        assessor is not None
        and user.is_authenticated
        and bool(user.is_assessor)
        and assessor.pk == user.pk
    )


# Assignments (object: Assignment unless noted).
rules.add_perm("reviews.assign_assessor", is_ccqi_admin)  # object: Portfolio
rules.add_perm("reviews.view_assignment", is_ccqi_admin | is_own_assignment)
rules.add_perm("reviews.declare_assignment", is_own_assignment)
rules.add_perm("reviews.score_assignment", is_cleared_on_assignment)
# Review of a portfolio as a whole (object: Portfolio).
rules.add_perm("reviews.view_review", is_ccqi_admin | is_cleared_assessor)
rules.add_perm("reviews.consolidate_scores", is_ccqi_admin | is_lead_assessor)
rules.add_perm("reviews.request_more_evidence", is_ccqi_admin | is_lead_assessor)
rules.add_perm("reviews.accept_resubmission", is_ccqi_admin | is_lead_assessor)
rules.add_perm("reviews.advance_review", is_ccqi_admin | is_lead_assessor)
rules.add_perm("reviews.write_report", is_ccqi_admin | is_cleared_assessor)
rules.add_perm("reviews.record_decision", is_ccqi_admin)
# Reports (object: Report).
rules.add_perm("reviews.view_report", is_ccqi_admin | can_see_report_portfolio)
rules.add_perm("reviews.edit_report", is_ccqi_admin | is_cleared_on_report_portfolio)
rules.add_perm("reviews.release_report", is_ccqi_admin | is_lead_on_report_portfolio)
# Agreement and calibration (issue 16). Units never see assessor statistics.
rules.add_perm("reviews.view_agreement_overview", is_ccqi_admin)
rules.add_perm("reviews.view_assessor_agreement", is_ccqi_admin | is_self_assessor)  # object: User
rules.add_perm("reviews.manage_calibration", is_ccqi_admin)
# EE assessors and the network's approved peer reviewers practise alike (issue 16).
rules.add_perm("reviews.take_calibration", is_assessor | is_peer_reviewer)
rules.add_perm("reviews.view_calibration_result", is_ccqi_admin | is_own_assignment)
