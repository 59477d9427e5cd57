"""Issue 15: a unit's setting decides the wording of standards and criteria on every page that
shows them (builder, criterion page, scoring page, reports, feedback report, emails), read
from the real responses, PDFs and emails."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from awards.services import feedback_report_request
from network.enums import SettingType, UnitRoleKind
from portfolios.enums import Cycle, PortfolioState
from portfolios.services import portfolio_create
from reviews import tasks, workflow
from reviews.enums import AssignmentState, ReportKind
from standards.models import Criterion
from tests import factories
from tests.awards.award_support import make_award
from tests.factories import (
    GENERAL_STATEMENT,
    GENERAL_TEXT,
    PRISON_GUIDANCE,
    PRISON_STATEMENT,
    PRISON_TEXT,
)
from tests.pages import pdf_text, visible_text

pytestmark = pytest.mark.django_db

SETTINGS = [
    (SettingType.PRISON_PROBATION, PRISON_TEXT, GENERAL_TEXT),
    (SettingType.HEALTH_INPATIENT, GENERAL_TEXT, PRISON_TEXT),
]


def _unit_with_lead(setting_type):
    unit = factories.UnitFactory(name="Fell Wing", setting_type=setting_type)
    lead = factories.UnitRoleFactory(unit=unit, role=UnitRoleKind.LEAD).user
    return unit, lead


def _submitted(setting_type, framework):
    unit, lead = _unit_with_lead(setting_type)
    portfolio = factories.PortfolioFactory(
        unit=unit, framework=framework, state=PortfolioState.IN_REVIEW
    )
    for criterion in Criterion.objects.filter(standard__framework=framework):
        factories.CriterionResponseFactory(portfolio=portfolio, criterion=criterion)
    return portfolio, lead


@pytest.mark.parametrize(("setting_type", "shown", "hidden"), SETTINGS)
def test_builder_and_criterion_page_use_the_units_wording(
    client, worded_framework, setting_type, shown, hidden
):
    unit, lead = _unit_with_lead(setting_type)
    portfolio = portfolio_create(
        unit=unit, framework=worded_framework, cycle=Cycle.INITIAL, actor=lead
    )
    client.force_login(lead)
    builder = visible_text(client.get(reverse("portfolios:detail", args=[portfolio.pk])).content)
    assert shown in builder
    assert hidden not in builder
    statement = (
        PRISON_STATEMENT if setting_type == SettingType.PRISON_PROBATION else GENERAL_STATEMENT
    )
    assert statement in builder
    page = visible_text(
        client.get(reverse("portfolios:criterion", args=[portfolio.pk, "1.1"])).content
    )
    assert shown in page
    assert hidden not in page
    assert (PRISON_GUIDANCE in page) == (setting_type == SettingType.PRISON_PROBATION)


@pytest.mark.parametrize(("setting_type", "shown", "hidden"), SETTINGS)
def test_scoring_page_uses_the_units_wording(  # noqa: PLR0917 -- pytest fixtures
    client, worded_framework, assessor, setting_type, shown, hidden
):
    portfolio, _lead = _submitted(setting_type, worded_framework)
    assignment = factories.AssignmentFactory(
        portfolio=portfolio, assessor=assessor, state=AssignmentState.SCORING, is_lead=True
    )
    client.force_login(assessor)
    page = visible_text(client.get(reverse("reviews:score", args=[assignment.pk])).content)
    assert shown in page
    assert hidden not in page


def test_more_evidence_email_uses_the_units_wording(
    worded_framework, assessor, mailoutbox, django_capture_on_commit_callbacks
):
    portfolio, lead = _submitted(SettingType.PRISON_PROBATION, worded_framework)
    factories.AssignmentFactory(
        portfolio=portfolio, assessor=assessor, state=AssignmentState.SCORING, is_lead=True
    )
    criterion = Criterion.objects.get(standard__framework=worded_framework, code="1.1")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.portfolio_request_more_evidence(
            portfolio=portfolio,
            criteria=[criterion],
            message="Please add the wing forum minutes.",
            due_date=timezone.localdate() + dt.timedelta(days=14),
            actor=assessor,
        )
    assert [m.to for m in mailoutbox] == [[lead.email]]
    body = mailoutbox[0].body
    assert f"1.1 {PRISON_TEXT}" in body
    assert GENERAL_TEXT not in body
    html = visible_text(mailoutbox[0].alternatives[0][0])
    assert PRISON_TEXT in html


@pytest.mark.parametrize(("setting_type", "shown", "hidden"), SETTINGS)
def test_report_pdf_uses_the_units_wording(worded_framework, setting_type, shown, hidden):
    portfolio, _lead = _submitted(setting_type, worded_framework)
    criterion = Criterion.objects.get(standard__framework=worded_framework, code="1.1")
    factories.AgreedScoreFactory(portfolio=portfolio, criterion=criterion, rating="met")
    report = factories.ReportFactory(portfolio=portfolio, kind=ReportKind.SUMMARY)
    tasks.render_report_pdf.delay(report_id=report.pk)
    report.refresh_from_db()
    with report.pdf.open("rb") as handle:
        text = pdf_text(handle.read())
    assert shown in text
    assert hidden not in text


def test_feedback_report_pdf_uses_the_units_wording(
    worded_framework, admin_user, django_capture_on_commit_callbacks
):
    unit, _lead = _unit_with_lead(SettingType.PRISON_PROBATION)
    award = make_award(unit=unit, framework=worded_framework)
    criterion = Criterion.objects.get(standard__framework=worded_framework, code="1.1")
    factories.AgreedScoreFactory(
        portfolio=award.portfolio, criterion=criterion, rating="met", comment="Warm wing."
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = feedback_report_request(portfolio=award.portfolio, actor=admin_user)
    report.refresh_from_db()
    with report.pdf.open("rb") as handle:
        text = pdf_text(handle.read())
    assert PRISON_TEXT in text
    assert GENERAL_TEXT not in text
