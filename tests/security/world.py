"""The shared "world" the security tests act on (not a test module).

Two units (A and B) of different organisations; A's lead and contributor, B's lead; an
assessor assigned to A's portfolio who declared no conflict (state "scoring"), an assessor
with no assignment, a CCQI admin. Unit A has an awarded initial portfolio (decision, award,
ready certificate, released feedback report) and an interim-review portfolio in review with a
file and a text evidence item, an interim report with a PDF, a revision, an invitation and a
membership; an open questionnaire round on the interim portfolio with a ready poster and a
resident's photo contribution waiting for the lead.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

from awards.enums import CertificateStatus
from awards.models import Award, Certificate
from network.enums import UnitRoleKind
from network.models import (
    Invitation,
    Membership,
    Organisation,
    PeerReviewerProfile,
    Unit,
    UnitRole,
    User,
)
from portfolios.demo import demo_pdf_bytes, demo_png_bytes
from portfolios.enums import Cycle, EvidenceKind, PortfolioState
from portfolios.models import Evidence, Portfolio
from questionnaires.models import Contribution, Round
from reviews.enums import AssignmentState, ReportKind, ReportStatus
from reviews.models import Assignment, Report
from standards.models import Criterion, Framework
from tests import factories

ROLES = ("anon", "contributor", "lead", "other_lead", "assessor", "unassigned", "admin")


@dataclass
class World:
    framework: Framework
    criterion: Criterion
    organisation: Organisation
    unit: Unit
    other_unit: Unit
    contributor: User
    lead: User
    other_lead: User
    assessor: User
    unassigned: User
    admin: User
    contributor_role: UnitRole
    portfolio: Portfolio
    awarded_portfolio: Portfolio
    evidence: Evidence
    text_evidence: Evidence
    assignment: Assignment
    report: Report
    feedback: Report
    award: Award
    certificate: Certificate
    invitation: Invitation
    invitation_token: str
    membership: Membership
    round: Round
    contribution: Contribution
    # Community of Communities (issue 14): unit A's submitted annual self-review on a
    # published network framework, and a peer reviewer nominated by unit B.
    annual_cycle: Portfolio
    reviewer_profile: PeerReviewerProfile

    def user(self, role: str) -> User | None:
        return None if role == "anon" else getattr(self, role)


def _responses(portfolio: Portfolio) -> None:
    for criterion in Criterion.objects.filter(standard__framework=portfolio.framework):
        factories.CriterionResponseFactory(
            portfolio=portfolio, criterion=criterion, narrative=f"How we meet {criterion.code}."
        )


def build_world() -> World:
    framework = factories.make_framework(standards_count=2, criteria_per_standard=2)
    criterion = Criterion.objects.filter(standard__framework=framework).order_by("code").first()
    unit = factories.UnitFactory(name="Willow Ward")
    other_unit = factories.UnitFactory(name="Cedar Wing")
    lead = factories.UnitRoleFactory(
        unit=unit, role=UnitRoleKind.LEAD, user__email="lead@example.test"
    ).user
    contributor_role = factories.UnitRoleFactory(
        unit=unit, role=UnitRoleKind.CONTRIBUTOR, user__email="contributor@example.test"
    )
    other_lead = factories.UnitRoleFactory(
        unit=other_unit, role=UnitRoleKind.LEAD, user__email="other-lead@example.test"
    ).user
    assessor = factories.AssessorProfileFactory(user__email="assessor@example.test").user
    unassigned = factories.AssessorProfileFactory(user__email="assessor2@example.test").user
    admin = factories.AdminFactory(email="admin@example.test")
    membership = factories.MembershipFactory(unit=unit)
    factories.MembershipFactory(unit=other_unit)

    # The awarded initial portfolio: decision, award, certificate, released feedback report.
    awarded = factories.PortfolioFactory(
        unit=unit, framework=framework, cycle=Cycle.INITIAL, state=PortfolioState.AWARDED
    )
    _responses(awarded)
    start = timezone.localdate() - dt.timedelta(days=10)
    decision = factories.DecisionFactory(portfolio=awarded, decided_on=start)
    award = factories.AwardFactory(decision=decision, start_date=start)
    certificate = factories.CertificateFactory(
        award=award,
        # Not the factory's sequence: "EE-<this year>-<n>" can equal the number the portal
        # gives a decision recorded during the walk (certificate_number_for: year and award
        # pk), which made the decision route's walk depend on the tests run before it.
        number="EE-2000-00001",
        verify_code=secrets.token_urlsafe(32),
        status=CertificateStatus.READY,
    )
    certificate.pdf.save(f"{certificate.number}.pdf", ContentFile(demo_pdf_bytes("Certificate")))
    feedback = factories.ReportFactory(
        portfolio=awarded,
        kind=ReportKind.FEEDBACK,
        status=ReportStatus.READY,
        released_at=timezone.now(),
    )
    feedback.pdf.save("feedback.pdf", ContentFile(demo_pdf_bytes("Feedback")))

    # The interim-review portfolio, in review, with evidence and an assessor at work.
    portfolio = factories.PortfolioFactory(
        unit=unit, framework=framework, cycle=Cycle.INTERIM, state=PortfolioState.IN_REVIEW
    )
    _responses(portfolio)
    evidence = factories.EvidenceFactory(
        portfolio=portfolio,
        kind=EvidenceKind.FILE,
        title="Community meeting minutes",
        file=ContentFile(demo_pdf_bytes("Minutes"), name="minutes.pdf"),
        original_name="minutes.pdf",
        content_type="application/pdf",
        size=1,
        text="",
        uploaded_by=contributor_role.user,
    )
    factories.EvidenceLinkFactory(evidence=evidence, criterion=criterion)
    text_evidence = factories.EvidenceFactory(portfolio=portfolio, uploaded_by=lead)
    factories.PortfolioRevisionFactory(portfolio=portfolio, number=1)
    factories.PortfolioRevisionFactory(portfolio=portfolio, number=2)
    assignment = factories.AssignmentFactory(
        portfolio=portfolio, assessor=assessor, state=AssignmentState.SCORING
    )
    factories.CriterionScoreFactory(assignment=assignment, criterion=criterion)
    report = factories.ReportFactory(
        portfolio=portfolio, kind=ReportKind.INTERIM, status=ReportStatus.READY, author=assessor
    )
    report.pdf.save("interim.pdf", ContentFile(demo_pdf_bytes("Interim report")))

    # Questionnaires: an open round for A's interim portfolio, its ready poster, a resident's
    # photo waiting for the lead.
    factories.make_questionnaire(framework)
    round_ = factories.RoundFactory(portfolio=portfolio, expected_count=12)
    poster = factories.DocumentFactory(round=round_, kind="poster", status="ready")
    poster.pdf.save("poster.pdf", ContentFile(demo_pdf_bytes("Poster")))
    contribution = factories.ContributionFactory(
        round=round_,
        kind="artwork",
        text="",
        file=ContentFile(demo_png_bytes(), name="art.png"),
        content_type="image/png",
    )

    token = secrets.token_urlsafe(32)
    invitation = factories.InvitationFactory(
        unit=unit,
        email="newcomer@example.test",
        role=UnitRoleKind.CONTRIBUTOR,
        invited_by=lead,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
    )
    network_framework = factories.make_framework(standards_count=1, criteria_per_standard=2)
    Framework.objects.filter(pk=network_framework.pk).update(programme="cofc")
    network_framework.refresh_from_db()
    annual_cycle = factories.PortfolioFactory(
        unit=unit,
        framework=network_framework,
        cycle=Cycle.ANNUAL,
        cycle_year=2026,
        state=PortfolioState.SUBMITTED,
    )
    _responses(annual_cycle)
    reviewer_profile = factories.PeerReviewerProfileFactory(
        nominated_by_unit=other_unit, status="nominated", trained_on=None
    )
    return World(
        framework=framework,
        criterion=criterion,
        organisation=unit.organisation,
        unit=unit,
        other_unit=other_unit,
        contributor=contributor_role.user,
        lead=lead,
        other_lead=other_lead,
        assessor=assessor,
        unassigned=unassigned,
        admin=admin,
        contributor_role=contributor_role,
        portfolio=portfolio,
        awarded_portfolio=awarded,
        evidence=evidence,
        text_evidence=text_evidence,
        assignment=assignment,
        report=report,
        feedback=feedback,
        award=award,
        certificate=certificate,
        invitation=invitation,
        invitation_token=token,
        membership=membership,
        round=round_,
        contribution=contribution,
        annual_cycle=annual_cycle,
        reviewer_profile=reviewer_profile,
    )
