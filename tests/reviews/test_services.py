import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ee_portal.audit.models import AuditEvent
from reviews import services
from reviews.enums import AssignmentState, ReportKind
from reviews.models import CriterionScore, Report
from standards.models import Criterion
from tests import factories

pytestmark = pytest.mark.django_db


def test_score_save_upserts_one_row(lead_assignment, assessor):
    criterion = Criterion.objects.filter(
        standard__framework=lead_assignment.portfolio.framework
    ).first()
    services.criterion_score_save(
        assignment=lead_assignment,
        criterion=criterion,
        rating="met",
        comment=" ok ",
        actor=assessor,
    )
    services.criterion_score_save(
        assignment=lead_assignment,
        criterion=criterion,
        rating="not_met",
        comment="",
        actor=assessor,
    )
    assert list(CriterionScore.objects.values_list("rating", "comment")) == [("not_met", "")]


def test_score_save_refuses_locked_foreign_and_off_scale(lead_assignment, assessor, other_assessor):
    criterion = Criterion.objects.filter(
        standard__framework=lead_assignment.portfolio.framework
    ).first()
    foreign = factories.CriterionFactory()
    with pytest.raises(PermissionDenied):
        services.criterion_score_save(
            assignment=lead_assignment,
            criterion=criterion,
            rating="met",
            comment="",
            actor=other_assessor,
        )
    with pytest.raises(ValidationError):
        services.criterion_score_save(
            assignment=lead_assignment,
            criterion=criterion,
            rating="great",
            comment="",
            actor=assessor,
        )
    with pytest.raises(ValidationError):
        services.criterion_score_save(
            assignment=lead_assignment, criterion=foreign, rating="met", comment="", actor=assessor
        )
    lead_assignment.state = AssignmentState.SUBMITTED
    lead_assignment.save()
    with pytest.raises(ValidationError, match="submitted"):
        services.criterion_score_save(
            assignment=lead_assignment,
            criterion=criterion,
            rating="met",
            comment="",
            actor=assessor,
        )
    assert not CriterionScore.objects.exists()


def test_report_save_creates_then_updates_and_audits(lead_assignment, assessor):
    portfolio = lead_assignment.portfolio
    services.report_save(
        portfolio=portfolio, kind=ReportKind.INTERIM, actor=assessor, strengths="A"
    )
    report = services.report_save(
        portfolio=portfolio, kind=ReportKind.INTERIM, actor=assessor, strengths="B"
    )
    assert Report.objects.get().strengths == "B"
    assert report.author == assessor
    assert AuditEvent.objects.filter(verb="review.report_saved").count() == 2


def test_report_save_refuses_released_reports_and_the_unit(lead_assignment, assessor, lead):
    portfolio = lead_assignment.portfolio
    with pytest.raises(PermissionDenied):
        services.report_save(
            portfolio=portfolio, kind=ReportKind.INTERIM, actor=lead, strengths="x"
        )
    report = services.report_save(
        portfolio=portfolio, kind=ReportKind.INTERIM, actor=assessor, strengths="A"
    )
    report.released_at = report.created_at
    report.save()
    with pytest.raises(ValidationError, match="released"):
        services.report_save(
            portfolio=portfolio, kind=ReportKind.INTERIM, actor=assessor, strengths="B"
        )
    assert Report.objects.get().strengths == "A"
