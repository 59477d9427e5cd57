import pytest

from network.enums import UnitRoleKind
from portfolios.enums import PortfolioState
from portfolios.selectors import portfolio_list_visible_to
from reviews.enums import AssignmentState
from reviews.selectors import assessor_conflict_reason, review_queue_for_admin
from tests import factories
from tests.reviews.conftest import assign

pytestmark = pytest.mark.django_db


def test_no_conflict_for_an_unrelated_assessor(unit, assessor):
    assert assessor_conflict_reason(assessor=assessor, unit=unit) == ""


def test_conflict_from_home_organisation(unit):
    user = factories.AssessorProfileFactory(home_organisation=unit.organisation).user
    reason = assessor_conflict_reason(assessor=user, unit=unit)
    assert "home organisation" in reason
    assert unit.organisation.name in reason


@pytest.mark.parametrize("same_unit", [True, False])
def test_conflict_from_a_unit_role_in_the_unit_or_its_organisation(unit, assessor, same_unit):
    target = unit if same_unit else factories.UnitFactory(organisation=unit.organisation)
    factories.UnitRoleFactory(user=assessor, unit=target, role=UnitRoleKind.LEAD)
    reason = assessor_conflict_reason(assessor=assessor, unit=unit)
    assert ("itself" in reason) is same_unit
    assert "unit lead" in reason


def test_role_in_another_organisation_is_no_conflict(unit, other_unit, assessor):
    factories.UnitRoleFactory(user=assessor, unit=other_unit)
    assert assessor_conflict_reason(assessor=assessor, unit=unit) == ""


@pytest.mark.parametrize(
    ("state", "sees"),
    [
        (AssignmentState.AWAITING_DECLARATION, False),
        (AssignmentState.SCORING, True),
        (AssignmentState.SUBMITTED, True),
        (AssignmentState.CONFLICT, False),
        (AssignmentState.WITHDRAWN, False),
    ],
)
def test_assessor_sees_the_portfolio_only_once_cleared_and_selector_agrees(
    in_review, assessor, state, sees
):
    assignment = assign(in_review, assessor, state=state)
    assert assessor.has_perm("portfolios.view_portfolio", in_review) is sees
    assert assessor.has_perm("reviews.score_assignment", assignment) is sees
    assert assessor.has_perm("reviews.view_review", in_review) is sees
    assert (in_review in portfolio_list_visible_to(user=assessor)) is sees


def test_lead_only_permissions(in_review, assessor, other_assessor, admin_user, lead):
    assign(in_review, assessor, lead=True)
    assign(in_review, other_assessor)
    for perm in (
        "consolidate_scores",
        "request_more_evidence",
        "accept_resubmission",
        "advance_review",
    ):
        assert assessor.has_perm(f"reviews.{perm}", in_review)
        assert admin_user.has_perm(f"reviews.{perm}", in_review)
        assert not other_assessor.has_perm(f"reviews.{perm}", in_review)
        assert not lead.has_perm(f"reviews.{perm}", in_review)
    assert admin_user.has_perm("reviews.record_decision", in_review)
    assert not assessor.has_perm("reviews.record_decision", in_review)


def test_report_visibility(in_review, assessor, lead, other_lead, admin_user):
    assign(in_review, assessor)
    report = factories.ReportFactory(portfolio=in_review)
    assert [
        u.has_perm("reviews.view_report", report) for u in (assessor, lead, other_lead, admin_user)
    ] == [True, False, False, True]
    report.released_at = report.created_at
    assert [
        u.has_perm("reviews.view_report", report) for u in (assessor, lead, other_lead, admin_user)
    ] == [True, True, False, True]
    assert not lead.has_perm("reviews.edit_report", report)


def test_queue_holds_only_portfolios_under_review(framework):
    states = [
        PortfolioState.DRAFT,
        PortfolioState.SUBMITTED,
        PortfolioState.PANEL,
        PortfolioState.AWARDED,
    ]
    made = {s: factories.PortfolioFactory(framework=framework, state=s) for s in states}
    assert set(review_queue_for_admin()) == {
        made[PortfolioState.SUBMITTED],
        made[PortfolioState.PANEL],
    }
