import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portfolios.enums import NARRATIVE_MAX_CHARS
from portfolios.services import response_save

pytestmark = pytest.mark.django_db


def test_narrative_over_the_limit_is_refused_and_nothing_changes(lead, portfolio):
    response = portfolio.responses.first()
    with pytest.raises(ValidationError, match="under 20,000 characters"):
        response_save(
            response=response, actor=lead, base_version=response.version,
            narrative="x" * (NARRATIVE_MAX_CHARS + 1),
        )  # fmt: skip
    response.refresh_from_db()
    assert (response.narrative, response.version) == ("", 0)
    saved = response_save(
        response=response, actor=lead, base_version=0, narrative="x" * NARRATIVE_MAX_CHARS
    )
    assert len(saved.narrative) == NARRATIVE_MAX_CHARS


def test_narrative_over_the_limit_without_javascript_keeps_the_text_on_screen(
    client, lead, portfolio
):
    client.force_login(lead)
    text = "Our story. " * 2000  # 22,000 characters
    response = client.post(
        reverse("portfolios:criterion", kwargs={"pk": portfolio.pk, "code": "1.1"}),
        {"narrative": text, "self_rating": "met", "version": 0},
    )
    assert response.status_code == 400
    assert "at most 20000 characters" in response.content.decode()
    assert text.strip()[:200] in response.content.decode()
    assert portfolio.responses.get(criterion__code="1.1").narrative == ""
