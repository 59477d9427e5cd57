"""The annual cycle on the award's engine: start, self-review, peer team, conflicts."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ee_portal.audit.models import AuditEvent
from network.enums import MembershipType
from network.models import Membership
from portfolios.enums import Cycle, PortfolioState, SelfRating
from portfolios.forms import NarrativeForm
from portfolios.selectors import portfolio_readiness
from portfolios.services import NotReadyError, portfolio_submit, response_save
from programmes import services
from programmes.models import PeerVisit
from reviews.enums import AssignmentState
from reviews.models import Assignment
from tests.programmes.conftest import complete_self_review, member, reviewer

pytestmark = pytest.mark.django_db


def test_annual_cycle_start_uses_the_network_framework_and_year(oak_cycle, cofc_framework):
    assert oak_cycle.cycle == Cycle.ANNUAL
    assert oak_cycle.cycle_year == 2026
    assert oak_cycle.framework == cofc_framework
    assert oak_cycle.responses.count() == 19
    assert oak_cycle.state == PortfolioState.DRAFT


def test_annual_cycle_start_refuses_an_associate(cofc_framework, admin_user):
    unit = member("Ash Associates", MembershipType.ASSOCIATE)
    with pytest.raises(ValidationError, match="Associate members can read the standards"):
        services.annual_cycle_start(actor=admin_user, unit=unit)
    assert not unit.portfolios.exists()


def test_annual_cycle_start_refuses_a_second_cycle_for_the_year(oak_cycle, oak, admin_user):
    with pytest.raises(ValidationError, match="already has an annual cycle for 2026"):
        services.annual_cycle_start(actor=admin_user, unit=oak, year=2026)


def test_annual_cycle_start_refuses_someone_elses_unit(oak, other_lead):
    with pytest.raises(PermissionDenied):
        services.annual_cycle_start(actor=other_lead, unit=oak)


def test_self_review_offers_the_framework_scale_and_the_ee_builder_does_not(oak_cycle):
    annual = NarrativeForm(portfolio=oak_cycle)
    assert [v for v, _ in annual.fields["self_rating"].choices] == [
        "not_started",
        "met",
        "partly_met",
        "not_met",
    ]
    ee = NarrativeForm()
    assert [v for v, _ in ee.fields["self_rating"].choices] == [
        "not_started",
        "working_towards",
        "met",
    ]


def test_ee_portfolio_refuses_a_network_rating(submitted_ee_response, lead):
    with pytest.raises(ValidationError, match="Choose one of: not rated yet, working towards, met"):
        response_save(
            response=submitted_ee_response, actor=lead, base_version=0, self_rating="partly_met"
        )


@pytest.fixture
def submitted_ee_response(unit, framework, lead):
    from tests import factories  # noqa: PLC0415

    portfolio = factories.PortfolioFactory(unit=unit, framework=framework)
    return factories.CriterionResponseFactory(
        portfolio=portfolio, criterion=framework.standards.first().criteria.first()
    )


def test_incomplete_self_review_is_refused_naming_the_unrated_criteria(oak_cycle, oak_lead):
    complete_self_review(oak_cycle, oak_lead, rating=SelfRating.NOT_STARTED)
    response = oak_cycle.responses.get(criterion__code="1.1")
    response.self_rating = SelfRating.MET
    response.save()
    missing = portfolio_readiness(portfolio=oak_cycle)
    assert {m.kind for m in missing} == {"rating"}
    assert len(missing) == 18
    assert missing[0].message == "1.2: give your community's own rating."
    with pytest.raises(NotReadyError, match="18 things still need doing"):
        portfolio_submit(portfolio=oak_cycle, actor=oak_lead)
    oak_cycle.refresh_from_db()
    assert oak_cycle.state == PortfolioState.DRAFT


def test_peer_team_assign_books_the_visit_and_assigns_the_team(
    oak_team, ccqi_lead, birch_staff, cedar_resident, visit_date
):
    visit = PeerVisit.objects.get(portfolio=oak_team)
    assert visit.visit_date == visit_date
    assert visit.year == 2026
    team = {
        (a.assessor.email, a.is_lead, a.state)
        for a in Assignment.objects.filter(portfolio=oak_team)
    }
    awaiting = AssignmentState.AWAITING_DECLARATION
    assert team == {
        ("ccqi-lead@example.test", True, awaiting),
        ("birch-staff@example.test", False, awaiting),
        ("cedar-resident@example.test", False, awaiting),
    }
    assert oak_team.state == PortfolioState.IN_REVIEW
    assert AuditEvent.objects.filter(verb="programme.peer_team_assigned").count() == 1


def _refused(portfolio, admin_user, lead, reviewers, when):
    with pytest.raises(ValidationError) as caught:
        services.peer_team_assign(
            actor=admin_user, portfolio=portfolio, lead=lead, reviewers=reviewers, visit_date=when
        )
    assert not PeerVisit.objects.exists()
    assert not Assignment.objects.exists()
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.SUBMITTED
    return caught.value.message_dict


def test_peer_team_without_lived_experience_is_refused(  # noqa: PLR0917 -- pytest fixtures
    oak_submitted, admin_user, ccqi_lead, birch_staff, cedar, visit_date
):
    cedar_staff = reviewer("cedar-staff@example.test", cedar, "staff")
    errors = _refused(oak_submitted, admin_user, ccqi_lead, [birch_staff, cedar_staff], visit_date)
    assert errors == {
        "reviewers": [
            "Add at least one reviewer who is a service user or a former resident. "
            "Every team needs someone who has lived it."
        ]
    }


def test_peer_team_with_a_reviewer_from_the_same_organisation_is_refused(  # noqa: PLR0917 -- pytest fixtures
    oak_submitted, oak, admin_user, ccqi_lead, birch_staff, cedar_resident, visit_date
):
    from tests import factories  # noqa: PLC0415

    sister = factories.UnitFactory(name="Oak Annexe", organisation=oak.organisation)
    same_org = reviewer("oak-sister@example.test", sister, "staff")
    errors = _refused(
        oak_submitted,
        admin_user,
        ccqi_lead,
        [birch_staff, cedar_resident, same_org],
        visit_date,
    )
    assert errors["reviewers"] == [
        f"Conflict of interest: {same_org.user} works for {oak.organisation} (their home "
        f"organisation), which runs {oak}."
    ]


def test_two_communities_never_review_each_other_in_the_same_year(  # noqa: PLR0917 -- pytest fixtures
    oak_team, oak, oak_lead, birch, admin_user, ccqi_lead, cedar_resident, visit_date
):
    # Birch staff review Oak this year; so Oak's people may not review Birch this year.
    oak_resident = reviewer("oak-resident@example.test", oak, "service_user")
    birch_cycle = services.annual_cycle_start(actor=admin_user, unit=birch, year=2026)
    complete_self_review(birch_cycle, admin_user)
    birch_cycle.state = PortfolioState.SUBMITTED
    birch_cycle.save(update_fields=["state"])
    with pytest.raises(ValidationError) as caught:
        services.peer_team_assign(
            actor=admin_user,
            portfolio=birch_cycle,
            lead=ccqi_lead,
            reviewers=[oak_resident, cedar_resident],
            visit_date=visit_date,
        )
    assert caught.value.message_dict["reviewers"] == [
        f"Conflict of interest: {oak} ({oak_resident.user}'s community) is reviewed in 2026 by "
        f"a reviewer from {birch}, and two communities never review each other in the same year."
    ]
    assert not PeerVisit.objects.filter(portfolio=birch_cycle).exists()


def test_peer_team_needs_a_ccqi_lead_two_reviewers_and_a_future_date(
    oak_submitted, admin_user, cedar_resident
):
    errors = _refused(oak_submitted, admin_user, None, [cedar_resident], dt.date(2020, 1, 1))
    assert errors == {
        "lead": ["Choose a lead reviewer from the CCQI team."],
        "visit_date": ["The visit date cannot be in the past."],
        "reviewers": ["Choose at least 2 peer reviewers from other member communities."],
    }


def test_peer_team_refused_for_a_developmental_member(  # noqa: PLR0917 -- pytest fixtures
    oak_submitted, admin_user, ccqi_lead, birch_staff, cedar_resident, visit_date
):
    Membership.objects.filter(unit=oak_submitted.unit).update(
        membership_type=MembershipType.DEVELOPMENTAL
    )
    errors = _refused(
        oak_submitted, admin_user, ccqi_lead, [birch_staff, cedar_resident], visit_date
    )
    assert errors == {
        "__all__": [
            "Only full and accreditation members get a peer visit. Oak House is not one of them."
        ]
    }


def test_peer_team_refused_to_a_non_admin(oak_submitted, oak_lead, ccqi_lead, visit_date):
    with pytest.raises(PermissionDenied):
        services.peer_team_assign(
            actor=oak_lead,
            portfolio=oak_submitted,
            lead=ccqi_lead,
            reviewers=[],
            visit_date=visit_date,
        )


def test_reviewer_approval_gives_the_role_and_records_training(admin_user, birch):
    profile = reviewer("new@example.test", birch, "staff", approved=False)
    assert not profile.user.is_peer_reviewer
    services.peer_reviewer_approve(
        actor=admin_user, profile=profile, trained_on=dt.date(2026, 2, 1)
    )
    profile.user.refresh_from_db()
    profile.refresh_from_db()
    assert profile.user.is_peer_reviewer
    assert (profile.status, profile.trained_on) == ("approved", dt.date(2026, 2, 1))


def test_reviewer_nomination_by_the_community_lead(oak, oak_lead):
    from tests import factories  # noqa: PLC0415

    person = factories.UserFactory(email="oak-person@example.test")
    profile = services.peer_reviewer_nominate(
        actor=oak_lead, unit=oak, user=person, kind="service_user"
    )
    assert (profile.status, profile.nominated_by_unit, profile.home_organisation) == (
        "nominated",
        oak,
        oak.organisation,
    )
    assert not person.is_peer_reviewer
