"""Demo award for `manage.py seed_demo` (idempotent)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from network.demo import DemoNetwork
from portfolios.enums import Cycle, PortfolioState
from portfolios.models import Portfolio
from reviews.enums import AssignmentState, DecisionOutcome, ReportKind, ReportStatus, VisitMode
from reviews.models import AgreedScore, Assignment, CriterionScore, Decision, Report
from reviews.selectors import criteria_for_portfolio
from reviews.tasks import render_report_pdf
from standards.models import Framework

from .enums import CertificateStatus
from .services import CertificateRenderError, award_issue_for_decision, certificate_render

# Days ago that Oak House's award was decided: well inside the award, before the interim review.
AWARDED_DAYS_AGO = 200


OAK_HOUSE_REPORTS = {
    ReportKind.INTERIM: {
        "strengths": "Members chair the community meeting and write its minutes.",
        "areas_for_development": "Show how new members are welcomed in their first week.",
        "action_points": "Add the welcome pack to the portfolio before the visit.",
    },
    ReportKind.VISIT: {
        "visit_mode": VisitMode.IN_PERSON,
        "people_met": "Six members, four staff and the manager.",
        "findings": "A warm welcome; members showed us round and led the meeting.",
    },
    ReportKind.SUMMARY: {
        "strengths": "Relationships come first; members shape the daily structure.",
        "areas_for_development": "Keep recording how decisions are fed back.",
        "action_points": "None before the interim review.",
    },
}


# Every criterion's agreed rating on the demo award, so "Prepare the feedback report" works
# there (issue 17). The first value of the scale is its best ("Met" in the sample standards).
DEMO_AGREED_COMMENT = (
    "A clear account, backed by minutes and members' own words. A strength of the community."
)


def _oak_house_review(portfolio: Portfolio, demo: DemoNetwork, decided_on: dt.date) -> None:
    """What the panel had before Oak House's award (issue 17): agreed scores, the released
    interim report, the visit record and the released summary report, each with its PDF.

    Written directly (demo data, like the decision); idempotent.
    """
    assessor = demo.users["assessor"]
    met = portfolio.framework.rating_choices[0][0]
    assignment, _ = Assignment.objects.get_or_create(
        portfolio=portfolio,
        assessor=assessor,
        defaults={
            "assigned_by": demo.users["admin"],
            "is_lead": True,
            "state": AssignmentState.SUBMITTED,
            "due_date": decided_on - dt.timedelta(days=70),
            "declared_at": timezone.now() - dt.timedelta(days=AWARDED_DAYS_AGO + 80),
            "scores_submitted_at": timezone.now() - dt.timedelta(days=AWARDED_DAYS_AGO + 70),
        },
    )
    for criterion in criteria_for_portfolio(portfolio=portfolio):
        CriterionScore.objects.get_or_create(
            assignment=assignment, criterion=criterion, defaults={"rating": met}
        )
        AgreedScore.objects.get_or_create(
            portfolio=portfolio,
            criterion=criterion,
            defaults={"rating": met, "comment": DEMO_AGREED_COMMENT, "agreed_by": assessor},
        )
    released = timezone.make_aware(dt.datetime.combine(decided_on, dt.time(9)))
    for days_before, (kind, fields) in zip((60, 30, 7), OAK_HOUSE_REPORTS.items(), strict=True):
        extra = {"visit_date": decided_on - dt.timedelta(days=days_before)}
        report, _ = Report.objects.get_or_create(
            portfolio=portfolio,
            kind=kind,
            defaults={
                **fields,
                **(extra if kind == ReportKind.VISIT else {}),
                "author": assessor,
                "released_at": released - dt.timedelta(days=days_before),
            },
        )
        if report.status != ReportStatus.READY:
            render_report_pdf.apply(kwargs={"report_id": report.pk})


def _direct_award(  # noqa: PLR0913 -- one demo award, named in full
    demo: DemoNetwork, *, unit_key: str, lead_key: str, title: str, rationale: str, days_ago: int
):
    """An awarded portfolio, its decision and the award with a rendered certificate, made
    directly like Oak House's (the assessment is not replayed). None without the unit or a
    framework."""
    unit = demo.units.get(unit_key)
    framework = Framework.objects.current()
    if unit is None or framework is None:
        return None
    admin = demo.users["admin"]
    portfolio, _ = Portfolio.objects.get_or_create(
        unit=unit,
        cycle=Cycle.INITIAL,
        state=PortfolioState.AWARDED,
        defaults={
            "framework": framework,
            "title": title,
            "created_by": demo.users[lead_key],
            "closed_at": timezone.now() - dt.timedelta(days=days_ago),
        },
    )
    decision, _ = Decision.objects.get_or_create(
        portfolio=portfolio,
        outcome=DecisionOutcome.AWARDED,
        defaults={
            "rationale": rationale,
            "decided_on": timezone.localdate() - dt.timedelta(days=days_ago),
            "decided_by": admin,
        },
    )
    award = award_issue_for_decision(decision=decision, actor=admin)
    if award.certificate.status != CertificateStatus.READY:
        try:
            certificate_render(certificate_id=award.certificate.pk, notify=False)
        except CertificateRenderError as exc:
            demo.notes.append(f"The {unit.name} certificate could not be rendered yet: {exc}")
    return award


def seed_welsh_award(demo: DemoNetwork) -> None:
    """Issue 15: Ward Dyffryn, in Wales, holds an award whose certificate is bilingual (Welsh,
    then English)."""
    award = _direct_award(
        demo,
        unit_key="welsh_ward",
        lead_key="cymraeg",
        title="Ward Dyffryn: initial award",
        rationale="Mae pob un o'r deg safon wedi'u bodloni. / All ten standards are met.",
        days_ago=AWARDED_DAYS_AGO + 150,
    )
    if award is not None:
        demo.extra["welsh_award"] = award


def seed_fellside_award(demo: DemoNetwork) -> None:
    """Issue 15: Fellside Wing (PIPE), a prison wing, holds an award from its first cycle
    whose register entry is hidden: a secure setting that has not opted in, so /awards/ does
    not list it, while its certificate still verifies. Its lead builds the next portfolio."""
    award = _direct_award(
        demo,
        unit_key="wing",
        lead_key="lead5",
        title="Fellside Wing: first award",
        rationale="All ten standards are met; the wing forum is a particular strength.",
        days_ago=AWARDED_DAYS_AGO + 300,
    )
    if award is not None:
        demo.extra["fellside_award"] = award
        demo.notes.append(
            "Fellside Wing's award is kept off the public register (a prison wing that has not "
            "opted in); its certificate verifies at "
            f"{settings.EE_SITE_URL}/verify/{award.certificate.verify_code}/"
        )


def seed_awards(demo: DemoNetwork) -> None:
    """Oak House holds a valid award with its certificate; adds its /verify/ URL to demo.notes.

    Demo data, so the awarded portfolio and the decision are made directly (the assessment
    itself is not replayed); the award and certificate come from the real services, and the
    certificate is rendered synchronously.
    """
    unit = demo.units["oak_house"]
    admin = demo.users["admin"]
    framework = Framework.objects.current()
    if framework is None:
        return
    portfolio = Portfolio.objects.filter(
        unit=unit, cycle=Cycle.INITIAL, state=PortfolioState.AWARDED
    ).first()
    decided_on = timezone.localdate() - dt.timedelta(days=AWARDED_DAYS_AGO)
    if portfolio is None:
        portfolio = Portfolio.objects.create(
            unit=unit,
            framework=framework,
            cycle=Cycle.INITIAL,
            state=PortfolioState.AWARDED,
            title="Oak House: initial award",
            created_by=demo.users["lead3"],
            closed_at=timezone.now() - dt.timedelta(days=AWARDED_DAYS_AGO),
        )
    _oak_house_review(portfolio, demo, decided_on)
    decision = Decision.objects.filter(portfolio=portfolio, outcome=DecisionOutcome.AWARDED).first()
    if decision is None:
        decision = Decision.objects.create(
            portfolio=portfolio,
            outcome=DecisionOutcome.AWARDED,
            rationale="All ten standards are met; the community meeting is a particular strength.",
            decided_on=decided_on,
            decided_by=admin,
        )
    award = award_issue_for_decision(decision=decision, actor=admin)
    certificate = award.certificate
    if certificate.status != CertificateStatus.READY:
        try:
            # The row was made just above; render returns None only for a missing row.
            certificate = certificate_render(certificate_id=certificate.pk, notify=False)  # type: ignore[assignment]
        except CertificateRenderError as exc:
            demo.notes.append(f"The demo certificate could not be rendered yet: {exc}")
    demo.extra["oak_house_award"] = award
    demo.notes.append(
        f"Demo award verification URL: {settings.EE_SITE_URL}/verify/{certificate.verify_code}/"
    )
