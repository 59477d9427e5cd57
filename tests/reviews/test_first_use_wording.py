"""Issue 17, item 9: the scoring page after submission promises no scores that do not exist."""

import pytest
from django.test import Client

from tests.reviews.conftest import score_all

pytestmark = pytest.mark.django_db


def test_submitted_scoring_page_does_not_claim_other_scores_are_shown(lead_assignment, assessor):
    client = Client()
    client.force_login(assessor)
    score_all(lead_assignment)
    client.post(f"/reviews/assignments/{lead_assignment.pk}/submit/")
    page = client.get(f"/reviews/assignments/{lead_assignment.pk}/score/").content.decode()
    assert "You submitted your scores" in page
    assert "are shown beside yours" not in page
    assert "The other assessors' scores will appear beside yours once they submit them." in page
