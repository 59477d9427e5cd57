"""Demo data for the Community of Communities (seed_demo, through portfolios/hooks.py).

Idempotent. Oak House is a full member part-way through this year's cycle: its self-review is
submitted and a visit is booked with a CCQI lead (admin@demo.test) and two peer reviewers from
Willow Tree (reviewer@demo.test, a service user, and reviewer2@demo.test, staff). Willow Tree
holds accreditation from last year's cycle, so its certificate verifies. Everything goes through
the real services; only the agreed peer ratings of last year are written directly.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from network.enums import (
    MembershipStatus,
    MembershipType,
    OrganisationKind,
    Region,
    ReviewerKind,
    ReviewerStatus,
    SettingType,
    UnitRoleKind,
)
from network.models import (
    Membership,
    Organisation,
    PeerReviewerProfile,
    Programme,
    Unit,
    UnitRole,
    User,
)
from portfolios.enums import Cycle, PortfolioState, SelfRating
from portfolios.models import Evidence, EvidenceLink, Portfolio
from portfolios.services import portfolio_submit
from reviews.enums import DecisionOutcome, ReportKind
from reviews.models import AgreedScore
from reviews.services import report_save
from reviews.workflow import decision_record, report_release, review_advance
from standards.models import Framework
from standards.services import framework_import

from . import services

SAMPLE = settings.BASE_DIR / "fixtures" / "standards" / "cofc-sample.yaml"
PASSWORD = "enabling-demo"  # noqa: S105 -- documented demo password (DESIGN.md)
# Oak House rates these "partly met" in its own review, so the annual report has something
# to show beside the peer ratings.
OAK_PARTLY_MET = {"2.3", "3.3", "4.3"}


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=PASSWORD, full_name=full_name)
    return user


def _member(unit: Unit, programme: Programme, membership_type: str, start: dt.date) -> None:
    membership = Membership.objects.filter(unit=unit, programme=programme).first()
    if membership is None:
        Membership.objects.create(
            unit=unit,
            programme=programme,
            start_date=start,
            end_date=start.replace(year=start.year + 3) - dt.timedelta(days=1),
            status=MembershipStatus.ACTIVE,
            membership_type=membership_type,
            fee_reference=f"COFC-{unit.pk:05d}",
        )
    elif not membership.membership_type:
        Membership.objects.filter(pk=membership.pk).update(membership_type=membership_type)


def _reviewer(admin: User, email: str, name: str, unit: Unit, kind: str) -> User:
    user = _user(email, name)
    profile = PeerReviewerProfile.objects.filter(user=user).first()
    if profile is None:
        profile = services.peer_reviewer_nominate(actor=admin, unit=unit, user=user, kind=kind)
    if profile.status != ReviewerStatus.APPROVED:
        services.peer_reviewer_approve(
            actor=admin, profile=profile, trained_on=timezone.localdate() - dt.timedelta(days=60)
        )
    user.refresh_from_db()
    return user


def _self_review(portfolio: Portfolio, actor: User, partly: set[str]) -> None:
    evidence = Evidence.objects.create(
        portfolio=portfolio,
        kind="text",
        title="Community meeting minutes (anonymised)",
        text="Weekly community meeting: members chaired, agreed the week's jobs, welcomed two "
        "new members and talked through a difficult weekend.",
        contains_identifiable=False,
        uploaded_by=actor,
    )
    for response in portfolio.responses.select_related("criterion"):
        code = response.criterion.code
        response.narrative = f"How our community works towards {code}, in our own words."
        response.self_rating = SelfRating.PARTLY_MET if code in partly else SelfRating.MET
        response.updated_by = actor
        response.save()
        EvidenceLink.objects.create(
            evidence=evidence, criterion=response.criterion, linked_by=actor
        )


def _accredited_cycle(admin: User, lead: User, unit: Unit, year: int) -> Portfolio:
    portfolio = Portfolio.objects.filter(unit=unit, cycle=Cycle.ANNUAL, cycle_year=year).first()
    if portfolio is not None:
        return portfolio
    portfolio = services.annual_cycle_start(actor=admin, unit=unit, year=year)
    _self_review(portfolio, lead, set())
    portfolio_submit(portfolio=portfolio, actor=lead)
    AgreedScore.objects.bulk_create(
        AgreedScore(portfolio=portfolio, criterion=r.criterion, rating="met", agreed_by=admin)
        for r in portfolio.responses.select_related("criterion")
    )
    report = report_save(
        portfolio=portfolio,
        kind=ReportKind.ANNUAL,
        actor=admin,
        strengths="Members run the community meeting and the welcome group themselves.",
        areas_for_development="Invite former members back more often.",
    )
    report_release(report=report, actor=admin)
    review_advance(
        portfolio=portfolio,
        to_state=PortfolioState.PANEL,
        actor=admin,
        override_reason="Demo data: last year's visit is not replayed.",
    )
    decision_record(
        portfolio=portfolio,
        outcome=DecisionOutcome.AWARDED,
        rationale="Every essential criterion and all expected criteria are met.",
        actor=admin,
    )
    return portfolio


def seed(demo: Any) -> None:
    framework = Framework.objects.current(programme="cofc")
    if framework is None:
        framework_import(text=SAMPLE.read_text(encoding="utf-8"), publish=True)
    admin, today = demo.users["admin"], timezone.localdate()
    cofc = Programme.objects.get(code="cofc")
    oak = demo.units["oak_house"]
    _member(oak, cofc, MembershipType.FULL, today - dt.timedelta(days=1000))
    org, _ = Organisation.objects.get_or_create(
        name="Willow Tree Communities", defaults={"kind": OrganisationKind.CHARITY}
    )
    willow, _ = Unit.objects.get_or_create(
        organisation=org,
        name="Willow Tree Therapeutic Community",
        defaults={
            "setting_type": SettingType.THERAPEUTIC_COMMUNITY,
            "region": Region.NORTH_WEST,
        },
    )
    demo.units["willow"] = willow
    lead4 = _user("lead4@demo.test", "Wren Lead (Willow Tree)")
    UnitRole.objects.get_or_create(user=lead4, unit=willow, defaults={"role": UnitRoleKind.LEAD})
    _member(willow, cofc, MembershipType.ACCREDITATION, today - dt.timedelta(days=500))
    demo.users["reviewer"] = _reviewer(
        admin, "reviewer@demo.test", "Robin Reviewer", willow, ReviewerKind.SERVICE_USER
    )
    demo.users["reviewer2"] = _reviewer(
        admin, "reviewer2@demo.test", "Sam Peer", willow, ReviewerKind.STAFF
    )

    accredited = _accredited_cycle(admin, lead4, willow, today.year - 1)
    award = accredited.awards.order_by("-id").first()  # issued by awards' decision hook
    if award is not None and hasattr(award, "certificate"):
        demo.notes.append(
            "Community of Communities accreditation (Willow Tree) verification URL: "
            f"{settings.EE_SITE_URL}/verify/{award.certificate.verify_code}/"
        )

    cycle = Portfolio.objects.filter(unit=oak, cycle=Cycle.ANNUAL, cycle_year=today.year).first()
    if cycle is None:
        cycle = services.annual_cycle_start(actor=admin, unit=oak, year=today.year)
        _self_review(cycle, demo.users["lead3"], OAK_PARTLY_MET)
        portfolio_submit(portfolio=cycle, actor=demo.users["lead3"])
        profiles = list(
            PeerReviewerProfile.objects.filter(
                user__in=[demo.users["reviewer"], demo.users["reviewer2"]]
            )
        )
        services.peer_team_assign(
            actor=admin,
            portfolio=cycle,
            lead=admin,
            reviewers=profiles,
            visit_date=today + dt.timedelta(days=21),
        )
    demo.notes.append(
        f"Oak House's annual cycle (Community of Communities): /programmes/cofc/cycles/{cycle.pk}/"
    )
    _waiting_for_a_team(demo, admin, cofc, today)


def _waiting_for_a_team(demo: Any, admin: User, cofc: Programme, today: dt.date) -> None:
    """Elm Bank (the same trust as Oak House) has finished its self-review and waits for its
    team, so an admin can assign one and see the conflicts refused: reviewer3@demo.test is
    Oak House staff, so works for the trust that runs Elm Bank."""
    elm, _ = Unit.objects.get_or_create(
        organisation=demo.organisations["trust"],
        name="Elm Bank Therapeutic Community",
        defaults={"setting_type": SettingType.THERAPEUTIC_COMMUNITY, "region": Region.LONDON},
    )
    lead5 = _user("lead5@demo.test", "Ezra Lead (Elm Bank)")
    UnitRole.objects.get_or_create(user=lead5, unit=elm, defaults={"role": UnitRoleKind.LEAD})
    _member(elm, cofc, MembershipType.FULL, today - dt.timedelta(days=400))
    _reviewer(admin, "reviewer3@demo.test", "Pat Peer", demo.units["oak_house"], ReviewerKind.STAFF)
    cycle = Portfolio.objects.filter(unit=elm, cycle=Cycle.ANNUAL, cycle_year=today.year).first()
    if cycle is None:
        cycle = services.annual_cycle_start(actor=admin, unit=elm, year=today.year)
        _self_review(cycle, lead5, {"1.4", "5.4"})
        portfolio_submit(portfolio=cycle, actor=lead5)
    demo.notes.append(f"Elm Bank waits for its peer team: /programmes/cofc/cycles/{cycle.pk}/team/")
