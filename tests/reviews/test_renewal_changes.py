"""Assessors of a renewal see what changed per criterion since the previous award cycle."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portfolios.enums import Cycle, PortfolioState
from portfolios.models import CriterionResponse, Portfolio
from portfolios.services import (
    evidence_create_text,
    evidence_upload,
    portfolio_create,
    portfolio_submit,
)
from tests.reviews.conftest import assign

pytestmark = pytest.mark.django_db


def _fill(portfolio, lead, note: str) -> None:
    CriterionResponse.objects.filter(portfolio=portfolio).update(narrative=note)
    evidence_upload(
        portfolio=portfolio,
        actor=lead,
        upload=SimpleUploadedFile("minutes.txt", b"Community meeting minutes\n"),
        title="Minutes",
        contains_identifiable=False,
        criterion_ids=list(portfolio.responses.values_list("criterion_id", flat=True)),
    )


def test_renewal_scoring_shows_changes_since_the_previous_cycle(
    client, unit, framework, lead, assessor
):
    first = portfolio_create(unit=unit, framework=framework, cycle=Cycle.INITIAL, actor=lead)
    _fill(first, lead, "We meet every morning.")
    portfolio_submit(portfolio=first, actor=lead)
    Portfolio.objects.filter(pk=first.pk).update(state=PortfolioState.AWARDED)
    first.refresh_from_db()

    renewal = portfolio_create(
        unit=unit, framework=framework, cycle=Cycle.RENEWAL, actor=lead, previous=first
    )
    changed = renewal.responses.get(criterion__code="2.1")
    CriterionResponse.objects.filter(pk=changed.pk).update(narrative="We now meet twice a day.")
    evidence_create_text(
        portfolio=renewal,
        actor=lead,
        title="A resident's words",
        text="It feels like home.",
        contains_identifiable=False,
        criterion_ids=[changed.criterion_id],
    )
    portfolio_submit(portfolio=renewal, actor=lead)
    Portfolio.objects.filter(pk=renewal.pk).update(state=PortfolioState.IN_REVIEW)
    assignment = assign(renewal, assessor)

    client.force_login(assessor)
    response = client.get(reverse("reviews:score", kwargs={"pk": assignment.pk}))
    assert response.context["changes_across_cycles"] is True
    flagged = {row.criterion.code: row.change for row in response.context["rows"] if row.change}
    # Only 2.1 changed: its narrative and one new item. The carried-over minutes match by
    # content, so they are not "added" anywhere.
    assert list(flagged) == ["2.1"]
    assert flagged["2.1"].narrative_changed
    assert [e["title"] for e in flagged["2.1"].evidence_added] == ["A resident's words"]
    assert flagged["2.1"].evidence_removed == []
    assert b"Changed since the previous award cycle" in response.content
