"""Issue 17: "Submit my scores" checks before it asks, links each criterion still to rate,
and the long scoring page has a way to a standard and to the next criterion to rate."""

import re

import pytest
from django.test import Client

from reviews.enums import AssignmentState
from reviews.models import CriterionScore
from standards.models import Criterion
from tests.reviews.conftest import score_all

pytestmark = pytest.mark.django_db


def _criteria(assignment) -> list[Criterion]:
    return list(
        Criterion.objects.filter(standard__framework=assignment.portfolio.framework_id)
        .select_related("standard")
        .order_by("standard__number", "order", "code")
    )


def _rate(assignment, criteria, rating="met") -> None:
    for criterion in criteria:
        CriterionScore.objects.update_or_create(
            assignment=assignment, criterion=criterion, defaults={"rating": rating}
        )


@pytest.fixture
def signed_in(client, assessor) -> Client:
    client.force_login(assessor)
    return client


def test_submit_page_lists_each_criterion_still_to_rate_as_a_link_and_offers_no_submit(
    signed_in, lead_assignment
):
    criteria = _criteria(lead_assignment)
    _rate(lead_assignment, criteria[:2])

    response = signed_in.get(f"/reviews/assignments/{lead_assignment.pk}/submit/")

    body = response.content.decode()
    score_url = f"/reviews/assignments/{lead_assignment.pk}/score/"
    linked = re.findall(rf'href="{score_url}#c-(\d+)"', body)
    assert [int(pk) for pk in linked] == [c.pk for c in criteria[2:]]
    assert f"2 of {len(criteria)} criteria rated" in body
    assert 'method="post"' not in body.split("<main", 1)[1]
    assert "will not be able to change" not in body
    lead_assignment.refresh_from_db()
    assert lead_assignment.state == AssignmentState.SCORING


def test_submit_page_asks_only_once_everything_is_rated(signed_in, lead_assignment):
    score_all(lead_assignment)
    url = f"/reviews/assignments/{lead_assignment.pk}/submit/"

    body = signed_in.get(url).content.decode()

    assert f'<form method="post" action="{url}"' in body
    assert "you will not be able to change them" in body
    lead_assignment.refresh_from_db()
    assert lead_assignment.state == AssignmentState.SCORING
    signed_in.post(url)
    lead_assignment.refresh_from_db()
    assert lead_assignment.state == AssignmentState.SUBMITTED


def test_posting_with_criteria_to_rate_leads_back_to_the_linked_list(signed_in, lead_assignment):
    url = f"/reviews/assignments/{lead_assignment.pk}/submit/"

    response = signed_in.post(url)

    assert response.status_code == 302
    assert response["Location"] == url
    lead_assignment.refresh_from_db()
    assert lead_assignment.state == AssignmentState.SCORING


def test_submit_page_after_submission_goes_back_to_the_scores(signed_in, lead_assignment):
    score_all(lead_assignment)
    url = f"/reviews/assignments/{lead_assignment.pk}/submit/"
    signed_in.post(url)

    response = signed_in.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/reviews/assignments/{lead_assignment.pk}/"


@pytest.mark.parametrize("who", ["other_assessor", "lead", "admin_user"])
def test_submit_check_and_next_are_404_for_anyone_else(client, lead_assignment, who, request):
    client.force_login(request.getfixturevalue(who))
    for path in ("submit/", "score/next/"):
        url = f"/reviews/assignments/{lead_assignment.pk}/{path}"
        assert client.get(url).status_code == 404


def test_next_criterion_leads_to_the_next_one_unrated_and_round_to_the_top(
    signed_in, lead_assignment
):
    criteria = _criteria(lead_assignment)
    assert len(criteria) >= 4
    _rate(lead_assignment, [criteria[0], criteria[2]])
    base = f"/reviews/assignments/{lead_assignment.pk}/score/"

    def goes_to(query: str) -> str:
        return signed_in.get(f"{base}next/{query}")["Location"]

    assert goes_to("") == f"{base}#c-{criteria[1].pk}"
    assert goes_to(f"?after={criteria[1].pk}") == f"{base}#c-{criteria[3].pk}"
    assert goes_to(f"?after={criteria[-1].pk}") == f"{base}#c-{criteria[1].pk}"
    assert goes_to("?after=nonsense") == f"{base}#c-{criteria[1].pk}"


def test_next_criterion_with_everything_rated_goes_to_the_check(signed_in, lead_assignment):
    score_all(lead_assignment)

    response = signed_in.get(f"/reviews/assignments/{lead_assignment.pk}/score/next/")

    assert response["Location"] == f"/reviews/assignments/{lead_assignment.pk}/submit/"


def test_next_and_submit_refuse_the_wrong_method(signed_in, lead_assignment):
    assert (
        signed_in.post(f"/reviews/assignments/{lead_assignment.pk}/score/next/").status_code == 405
    )
    assert signed_in.put(f"/reviews/assignments/{lead_assignment.pk}/submit/").status_code == 405


def test_scoring_page_jumps_to_each_standard_and_asks_nothing_before_checking(
    signed_in, lead_assignment
):
    criteria = _criteria(lead_assignment)
    firsts = []
    for criterion in criteria:
        if not firsts or firsts[-1].standard_id != criterion.standard_id:
            firsts.append(criterion)

    body = signed_in.get(f"/reviews/assignments/{lead_assignment.pk}/score/").content.decode()

    nav = body.split('id="standards-nav"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="#c-(\d+)"', nav) == [str(c.pk) for c in firsts]
    assert "data-confirm" not in body
    assert f'action="/reviews/assignments/{lead_assignment.pk}/submit/"' in body
    next_links = re.findall(r"/score/next/\?after=(\d+)", body)
    assert next_links == [str(c.pk) for c in criteria]


def test_scoring_page_after_submission_has_no_next_links(signed_in, lead_assignment):
    score_all(lead_assignment)
    signed_in.post(f"/reviews/assignments/{lead_assignment.pk}/submit/")

    body = signed_in.get(f"/reviews/assignments/{lead_assignment.pk}/score/").content.decode()

    assert "/score/next/" not in body
    assert 'id="standards-nav"' in body
