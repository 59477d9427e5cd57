"""Issue 17, item 7: the residents' contributions page names each criterion whole."""

import pytest
from django.test import Client
from django.urls import reverse

from standards.models import Criterion
from tests import factories

pytestmark = pytest.mark.django_db

LONG_TEXT = (
    "Residents and staff review the activities programme together each month and check "
    "they are worthwhile, changing what does not work."
)


def test_contribution_checklist_shows_whole_criteria_under_their_standard(round_, lead):
    factories.ContributionFactory(round=round_)
    criterion = Criterion.objects.filter(standard__framework=round_.portfolio.framework).first()
    Criterion.objects.filter(pk=criterion.pk).update(text=LONG_TEXT)
    client = Client()
    client.force_login(lead)
    url = reverse("questionnaires:contributions", kwargs={"pk": round_.portfolio_id})
    html = client.get(url).content.decode()
    assert f"{criterion.code} {LONG_TEXT}" in html
    standard = criterion.standard
    assert f"<strong>{standard.number}. {standard.name}</strong>" in html
