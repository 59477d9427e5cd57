"""The interim and summary report PDFs carry the questionnaire results (parsed back)."""

import io

import pytest
from pypdf import PdfReader

from portfolios.enums import PortfolioState
from reviews import tasks
from reviews.enums import ReportKind, ReportStatus
from tests import factories

from .conftest import answer

pytestmark = pytest.mark.django_db


def pdf_text(report) -> str:
    with report.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("kind", [ReportKind.INTERIM, ReportKind.SUMMARY])
def test_report_pdf_includes_results_per_standard(portfolio, round_, staff_round, kind):
    portfolio.state = PortfolioState.IN_REVIEW
    portfolio.save(update_fields=["state"])
    for value in ("5", "4", "4", "2", "1"):
        answer(round_, value)
    for _ in range(3):  # staff: below the threshold
        answer(staff_round, "5")
    report = factories.ReportFactory(portfolio=portfolio, kind=kind)
    tasks.render_report_pdf.delay(report_id=report.pk).get()
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    text = " ".join(pdf_text(report).split())
    assert "What service users and staff said" in text
    assert "Service users and residents: 5 of about 20 responded" in text
    # Standard 2 has one agree item: 3 of 5 agreed.
    assert "2. Standard 2 60% 5" in text
    assert "Staff: 3 of about 20 responded" in text
    assert "Fewer than 5 responses: results are not shown" in text


def test_report_pdf_without_rounds_has_no_section(portfolio):
    portfolio.state = PortfolioState.IN_REVIEW
    portfolio.save(update_fields=["state"])
    report = factories.ReportFactory(portfolio=portfolio, kind=ReportKind.INTERIM)
    tasks.render_report_pdf.delay(report_id=report.pk).get()
    report.refresh_from_db()
    assert "What service users and staff said" not in pdf_text(report)
