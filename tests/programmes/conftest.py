"""A small network: three member communities in three organisations, the sample network
framework, approved peer reviewers from two of them, and a CCQI lead reviewer."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from network.enums import MembershipType, ReviewerKind, ReviewerStatus, UnitRoleKind
from network.models import Programme
from portfolios.models import Evidence, EvidenceLink
from programmes import services
from standards.services import framework_import
from tests import factories

COFC = Path(__file__).resolve().parents[2] / "fixtures" / "standards" / "cofc-sample.yaml"


@pytest.fixture
def cofc_framework(db):
    return framework_import(text=COFC.read_text(encoding="utf-8"), publish=True)


def member(name: str, membership_type: str):
    unit = factories.UnitFactory(name=name)
    today = timezone.localdate()
    factories.MembershipFactory(
        unit=unit,
        # Seeded by a migration; get_or_create because a browser test's flush (transactional
        # tests) empties the table for the tests that follow it.
        programme=Programme.objects.get_or_create(
            code="cofc", defaults={"name": "Community of Communities"}
        )[0],
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=335),
        membership_type=membership_type,
    )
    return unit


def reviewer(email: str, unit, kind: str, *, approved: bool = True):
    independent = kind in (ReviewerKind.FORMER_STAFF, ReviewerKind.FORMER_RESIDENT)
    return factories.PeerReviewerProfileFactory(
        user=factories.UserFactory(email=email, is_peer_reviewer=approved),
        kind=kind,
        nominated_by_unit=None if independent else unit,
        home_organisation=None if independent else unit.organisation,
        status=ReviewerStatus.APPROVED if approved else ReviewerStatus.NOMINATED,
        trained_on=dt.date(2026, 1, 10) if approved else None,
    )


@pytest.fixture
def oak(cofc_framework):
    return member("Oak House", MembershipType.FULL)


@pytest.fixture
def birch(cofc_framework):
    return member("Birch Lodge", MembershipType.FULL)


@pytest.fixture
def cedar(cofc_framework):
    return member("Cedar Place", MembershipType.ACCREDITATION)


@pytest.fixture
def oak_lead(oak):
    return factories.UnitRoleFactory(
        unit=oak, role=UnitRoleKind.LEAD, user__email="oak-lead@example.test"
    ).user


@pytest.fixture
def ccqi_lead(db):
    return factories.AdminFactory(email="ccqi-lead@example.test", full_name="Cass CCQI")


@pytest.fixture
def birch_staff(birch):
    return reviewer("birch-staff@example.test", birch, ReviewerKind.STAFF)


@pytest.fixture
def cedar_resident(cedar):
    return reviewer("cedar-resident@example.test", cedar, ReviewerKind.SERVICE_USER)


@pytest.fixture
def independent(db):
    return reviewer("former@example.test", None, ReviewerKind.FORMER_RESIDENT)


def complete_self_review(portfolio, actor, rating="met"):
    """Every criterion rated, with a narrative and one linked piece of text evidence."""
    evidence = Evidence.objects.create(
        portfolio=portfolio,
        kind="text",
        title="Community meeting notes",
        text="Notes",
        contains_identifiable=False,
        uploaded_by=actor,
    )
    for response in portfolio.responses.all():
        response.narrative = "How we do it."
        response.self_rating = rating
        response.save()
        EvidenceLink.objects.create(evidence=evidence, criterion=response.criterion)


@pytest.fixture
def oak_cycle(oak, oak_lead, admin_user):
    return services.annual_cycle_start(actor=admin_user, unit=oak, year=2026)


@pytest.fixture
def oak_submitted(oak_cycle, oak_lead):
    from portfolios.services import portfolio_submit  # noqa: PLC0415 -- fixture helper

    complete_self_review(oak_cycle, oak_lead)
    portfolio_submit(portfolio=oak_cycle, actor=oak_lead)
    oak_cycle.refresh_from_db()
    return oak_cycle


@pytest.fixture
def visit_date():
    return timezone.localdate() + dt.timedelta(days=20)


@pytest.fixture
def oak_team(oak_submitted, admin_user, ccqi_lead, birch_staff, cedar_resident, visit_date):  # noqa: PLR0917 -- pytest fixtures
    services.peer_team_assign(
        actor=admin_user,
        portfolio=oak_submitted,
        lead=ccqi_lead,
        reviewers=[birch_staff, cedar_resident],
        visit_date=visit_date,
    )
    oak_submitted.refresh_from_db()
    return oak_submitted
