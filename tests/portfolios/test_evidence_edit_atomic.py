import pytest
from django.urls import reverse

from ee_portal.audit.models import AuditEvent
from portfolios.enums import PortfolioState
from portfolios.models import CriterionResponse, Portfolio
from portfolios.services import evidence_create_text

pytestmark = pytest.mark.django_db


def test_refused_link_change_keeps_the_details_unchanged_too(client, lead, portfolio):
    reopened = portfolio.responses.get(criterion__code="1.1")
    locked = portfolio.responses.get(criterion__code="2.1")
    evidence = evidence_create_text(
        portfolio=portfolio,
        actor=lead,
        title="Old title",
        text="A resident's words.",
        contains_identifiable=False,
        criterion_ids=[reopened.criterion_id],
    )
    Portfolio.objects.filter(pk=portfolio.pk).update(state=PortfolioState.MORE_EVIDENCE)
    CriterionResponse.objects.filter(pk=reopened.pk).update(reopened=True)
    client.force_login(lead)
    events_before = AuditEvent.objects.count()
    response = client.post(
        reverse("portfolios:evidence_edit", kwargs={"pk": evidence.pk}),
        {
            "title": "New title",
            "description": "",
            "evidence_type": "feedback",
            "text": "A resident's words.",
            "contains_identifiable": "no",
            "consent_recorded": "",
            # 2.1 is locked while only 1.1 is reopened: the link must be refused.
            "criteria": [reopened.criterion_id, locked.criterion_id],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert list(response.context["messages"])
    evidence.refresh_from_db()
    assert evidence.title == "Old title"
    assert set(evidence.links.values_list("criterion_id", flat=True)) == {reopened.criterion_id}
    assert AuditEvent.objects.count() == events_before
