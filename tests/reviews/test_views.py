import datetime as dt

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from ee_portal.audit.models import AuditEvent
from portfolios.enums import EvidenceKind, PortfolioState
from portfolios.models import CriterionResponse
from reviews.enums import AssignmentState, ReportKind
from reviews.models import AgreedScore, Assignment, CriterionScore, Decision, Report
from standards.models import Criterion
from tests import factories
from tests.factories import TEST_PASSWORD
from tests.reviews.conftest import assign, make_portfolio, score_all
from tests.reviews.stages import complete_stages

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.email, password=TEST_PASSWORD)
    return client


def criteria(portfolio):
    return list(Criterion.objects.filter(standard__framework=portfolio.framework))


# --- /reviews/ -------------------------------------------------------------------------------


def test_list_shows_an_assessors_assignments(client, lead_assignment, assessor):
    response = login(client, assessor).get("/reviews/")
    assert list(response.context["assignments"]) == [lead_assignment]
    assert b"Willow Ward" in response.content
    assert response.context["queue_html"] == ""  # the admins' queue is not rendered at all
    assert b"Review queue" not in response.content


def test_list_shows_admins_the_queue_overdue_first(client, admin_user, framework, assessor):
    late = make_portfolio(
        factories.UnitFactory(name="Late Unit"), framework, PortfolioState.IN_REVIEW
    )
    on_time = make_portfolio(
        factories.UnitFactory(name="Fine Unit"), framework, PortfolioState.SUBMITTED
    )
    draft = make_portfolio(
        factories.UnitFactory(name="Draft Unit"), framework, PortfolioState.DRAFT
    )
    factories.AssignmentFactory(
        portfolio=late, assessor=assessor, due_date=timezone.localdate() - dt.timedelta(days=2)
    )
    response = login(client, admin_user).get("/reviews/")
    queue = list(response.context["queue"])
    assert queue == [late, on_time]
    assert draft not in queue
    assert queue[0].is_overdue
    assert b"overdue" in response.content


def test_list_is_404_for_unit_members(client, lead):
    assert login(client, lead).get("/reviews/").status_code == 404


def test_list_rejects_post(client, assessor):
    assert login(client, assessor).post("/reviews/").status_code == 405


@pytest.mark.parametrize("item_count", [1, 3])
def test_list_queries_are_constant(
    client, admin_user, framework, django_assert_num_queries, item_count
):
    admin_user.is_assessor = True
    admin_user.save()
    for n in range(item_count):
        portfolio = make_portfolio(factories.UnitFactory(), framework, PortfolioState.IN_REVIEW)
        factories.AssignmentFactory(portfolio=portfolio, assessor=factories.AssessorFactory())
        factories.AssignmentFactory(
            portfolio=portfolio,
            assessor=admin_user,
            due_date=timezone.localdate() + dt.timedelta(days=n),
        )
    login(client, admin_user)
    # session, user, queue counts, queue page count (paginated, issue 8), queue, its
    # assignments (prefetch), own assignments, then the session save (savepoint, update, release)
    # (the user comes with the nav's unit roles and the cache epoch: network/backends.py)
    with django_assert_num_queries(10):
        response = client.get("/reviews/")
    assert len(response.context["queue"]) == item_count


# --- the portfolio hub and assigning ---------------------------------------------------------


def test_portfolio_page_for_admin_offers_the_assign_form(client, admin_user, submitted):
    response = login(client, admin_user).get(f"/reviews/portfolios/{submitted.pk}/")
    assert response.context["assign_form"] is not None
    assert b"Assign an assessor" in response.content


def test_portfolio_page_is_404_for_the_unit_and_unassigned_or_undeclared_assessors(
    client, in_review, lead, assessor, other_assessor
):
    assign(in_review, assessor, state=AssignmentState.AWAITING_DECLARATION)
    for user in (lead, assessor, other_assessor):
        client.logout()
        assert login(client, user).get(f"/reviews/portfolios/{in_review.pk}/").status_code == 404


def test_portfolio_page_rejects_post(client, admin_user, submitted):
    assert login(client, admin_user).post(f"/reviews/portfolios/{submitted.pk}/").status_code == 405


def test_assign_creates_the_assignment(
    client, admin_user, submitted, assessor, django_capture_on_commit_callbacks
):
    mailoutbox = mail.outbox
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, admin_user).post(
            f"/reviews/portfolios/{submitted.pk}/assign/",
            {"assessor": assessor.pk, "due_date": due, "is_lead": "on"},
        )
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert (assignment.assessor, assignment.is_lead) == (assessor, True)
    submitted.refresh_from_db()
    assert submitted.state == PortfolioState.IN_REVIEW
    assert [m.to for m in mailoutbox] == [[assessor.email]]


def test_assign_form_says_why_an_assessor_conflicts(client, admin_user, submitted):
    conflicted = factories.AssessorProfileFactory(
        home_organisation=submitted.unit.organisation
    ).user
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    response = login(client, admin_user).post(
        f"/reviews/portfolios/{submitted.pk}/assign/", {"assessor": conflicted.pk, "due_date": due}
    )
    assert response.status_code == 200
    assert "home organisation" in response.context["assign_form"].errors["assessor"][0]
    assert not Assignment.objects.exists()


def test_assign_form_leaves_out_assessors_already_assigned_or_conflicted(
    client, admin_user, in_review, assessor, other_assessor
):
    assign(in_review, assessor, lead=True)
    declared_conflict = factories.AssessorProfileFactory(user__email="c@example.test").user
    assign(in_review, declared_conflict, state=AssignmentState.CONFLICT)
    factories.AssessorProfileFactory(
        user__email="home@example.test", home_organisation=in_review.unit.organisation
    )
    sibling = factories.UnitFactory(organisation=in_review.unit.organisation)
    factories.UnitRoleFactory(unit=sibling, user=factories.AssessorProfileFactory().user)
    response = login(client, admin_user).get(f"/reviews/portfolios/{in_review.pk}/")
    form = response.context["assign_form"]
    assert set(form.fields["assessor"].queryset) == {other_assessor, declared_conflict}
    assert f'value="{assessor.pk}"' not in response.content.decode()
    # A lead is already assigned, so the form no longer offers a second one.
    assert "is_lead" not in form.fields
    assert b"Lead assessor" not in response.content


def test_assign_from_a_stale_form_still_says_why(
    client, admin_user, in_review, assessor, other_assessor
):
    assign(in_review, assessor, lead=True)
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    url = f"/reviews/portfolios/{in_review.pk}/assign/"
    login(client, admin_user)
    response = client.post(url, {"assessor": assessor.pk, "due_date": due})
    assert "already assigned" in response.context["assign_form"].errors["assessor"][0]
    response = client.post(url, {"assessor": other_assessor.pk, "due_date": due, "is_lead": "on"})
    assert "already has a lead" in response.context["assign_form"].errors["is_lead"][0]
    assert list(Assignment.objects.values_list("assessor", flat=True)) == [assessor.pk]


def test_assign_form_says_when_nobody_is_left_to_assign(client, admin_user, in_review, assessor):
    assign(in_review, assessor)
    response = login(client, admin_user).get(f"/reviews/portfolios/{in_review.pk}/")
    assert list(response.context["assign_form"].fields["assessor"].queryset) == []
    assert "Every trained assessor is already on this review" in response.content.decode()
    assert f'action="/reviews/portfolios/{in_review.pk}/assign/"' not in response.content.decode()


def test_assign_is_404_for_assessors_and_rejects_get(client, submitted, assessor, admin_user):
    assert (
        login(client, assessor).post(f"/reviews/portfolios/{submitted.pk}/assign/").status_code
        == 404
    )
    client.logout()
    assert (
        login(client, admin_user).get(f"/reviews/portfolios/{submitted.pk}/assign/").status_code
        == 405
    )


# --- declaration -----------------------------------------------------------------------------


@pytest.fixture
def undeclared(in_review, assessor):
    return assign(in_review, assessor, state=AssignmentState.AWAITING_DECLARATION)


def test_declaration_no_conflict_leads_to_scoring(client, undeclared, assessor):
    login(client, assessor)
    page = client.get(f"/reviews/assignments/{undeclared.pk}/")
    assert b"conflicts of interest" in page.content
    assert b"How we meet" not in page.content
    response = client.post(f"/reviews/assignments/{undeclared.pk}/", {"declaration": "no_conflict"})
    assert response.url == f"/reviews/assignments/{undeclared.pk}/score/"
    undeclared.refresh_from_db()
    assert undeclared.state == AssignmentState.SCORING


def test_declaration_conflict_needs_a_reason(
    client, undeclared, assessor, admin_user, django_capture_on_commit_callbacks
):
    mailoutbox = mail.outbox
    login(client, assessor)
    response = client.post(f"/reviews/assignments/{undeclared.pk}/", {"declaration": "conflict"})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    undeclared.refresh_from_db()
    assert undeclared.state == AssignmentState.AWAITING_DECLARATION
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/reviews/assignments/{undeclared.pk}/",
            {"declaration": "conflict", "reason": "My sister works there."},
        )
    undeclared.refresh_from_db()
    assert undeclared.state == AssignmentState.CONFLICT
    assert [m.to for m in mailoutbox] == [[admin_user.email]]


def test_declaration_is_404_for_other_users_and_rejects_put(
    client, undeclared, other_assessor, admin_user, assessor
):
    for user in (other_assessor, admin_user):
        client.logout()
        assert login(client, user).get(f"/reviews/assignments/{undeclared.pk}/").status_code == 404
    client.logout()
    assert login(client, assessor).put(f"/reviews/assignments/{undeclared.pk}/").status_code == 405


# --- scoring ---------------------------------------------------------------------------------


def test_scoring_page_shows_narratives_evidence_and_progress(client, lead_assignment, assessor):
    portfolio = lead_assignment.portfolio
    first = criteria(portfolio)[0]
    pdf = factories.EvidenceFactory(
        portfolio=portfolio, kind=EvidenceKind.FILE, title="Community minutes",
        file=ContentFile(b"%PDF-1.4", name="m.pdf"), content_type="application/pdf",
    )  # fmt: skip
    doc = factories.EvidenceFactory(
        portfolio=portfolio, kind=EvidenceKind.FILE, title="Rota spreadsheet",
        file=ContentFile(b"x", name="r.xlsx"), content_type="application/vnd.ms-excel",
    )  # fmt: skip
    for ev in (pdf, doc):
        factories.EvidenceLinkFactory(evidence=ev, criterion=first)
    factories.CriterionScoreFactory(assignment=lead_assignment, criterion=first)
    response = login(client, assessor).get(f"/reviews/assignments/{lead_assignment.pk}/score/")
    content = response.content.decode()
    assert "How we meet 1.1." in content
    assert f"/portfolios/evidence/{pdf.pk}/download/?inline=1" in content
    assert f"/portfolios/evidence/{doc.pk}/download/?inline=1" not in content
    assert f"/portfolios/evidence/{doc.pk}/download/" in content
    assert (response.context["rated"], response.context["total"]) == (1, 20)
    assert 'aria-valuenow="1"' in content


def test_scoring_page_is_404_until_no_conflict_is_declared(client, undeclared, assessor):
    response = login(client, assessor).get(f"/reviews/assignments/{undeclared.pk}/score/")
    assert response.status_code == 404
    assert b"How we meet" not in response.content


def test_scoring_page_is_404_for_everyone_but_the_assessor(
    client, lead_assignment, other_assessor, admin_user, lead
):
    for user in (other_assessor, admin_user, lead):
        client.logout()
        assert (
            login(client, user).get(f"/reviews/assignments/{lead_assignment.pk}/score/").status_code
            == 404
        )


def test_scoring_page_rejects_post(client, lead_assignment, assessor):
    assert (
        login(client, assessor)
        .post(f"/reviews/assignments/{lead_assignment.pk}/score/")
        .status_code
        == 405
    )


def test_other_scores_stay_hidden_until_ones_own_are_submitted(
    client, lead_assignment, second_assignment, assessor
):
    score_all(second_assignment, rating="not_met")
    CriterionScore.objects.filter(assignment=second_assignment).update(comment="SECRET-OTHER")
    second_assignment.state = AssignmentState.SUBMITTED
    second_assignment.save()
    login(client, assessor)
    url = f"/reviews/assignments/{lead_assignment.pk}/score/"
    assert b"SECRET-OTHER" not in client.get(url).content
    score_all(lead_assignment)
    client.post(f"/reviews/assignments/{lead_assignment.pk}/submit/")
    assert b"SECRET-OTHER" in client.get(url).content


@pytest.mark.parametrize("item_count", [1, 50])
def test_scoring_page_queries_are_constant(
    client, lead_assignment, assessor, django_assert_num_queries, item_count
):
    portfolio = lead_assignment.portfolio
    all_criteria = criteria(portfolio)
    for n in range(item_count):
        ev = factories.EvidenceFactory(portfolio=portfolio)
        factories.EvidenceLinkFactory(evidence=ev, criterion=all_criteria[n % len(all_criteria)])
    login(client, assessor)
    url = f"/reviews/assignments/{lead_assignment.pk}/score/"
    # session, user, assignment, then for the body (not cached yet): portfolio (+unit,
    # organisation, framework), criteria, responses, evidence links, own scores, last two
    # revisions, latest evidence request; the registered standard panels (questionnaires: the
    # portfolio's rounds); the session save (savepoint, update, release). The user's query
    # also brings the nav's unit roles and the cache epoch.
    with django_assert_num_queries(14):
        response = client.get(url)
    assert sum(len(row.evidence) for row in response.context["rows"]) == item_count
    # Again, unchanged: the body and the chrome come from the cache (lib/fragments); what
    # decides who may see the page is read afresh (issue 12): session, the user with their
    # unit roles and the cache epoch (one query), the assignment, session save (savepoint,
    # update, release).
    with django_assert_num_queries(6):
        again = client.get(url)
    assert again.content.count(b'class="card my-3 score-card"') == len(response.context["rows"])


def test_autosave_stores_the_score_and_reports_progress(client, lead_assignment, assessor):
    criterion = criteria(lead_assignment.portfolio)[0]
    response = login(client, assessor).post(
        f"/reviews/assignments/{lead_assignment.pk}/score/{criterion.pk}/",
        {f"c{criterion.pk}-rating": "partly_met", f"c{criterion.pk}-comment": "Good start."},
        headers={"x-requested-with": "fetch"},
    )
    assert response.json() == {"ok": True, "error": "", "rated": 1}
    score = CriterionScore.objects.get()
    assert (score.rating, score.comment) == ("partly_met", "Good start.")


def test_autosave_rejects_a_rating_off_the_scale(client, lead_assignment, assessor):
    criterion = criteria(lead_assignment.portfolio)[0]
    response = login(client, assessor).post(
        f"/reviews/assignments/{lead_assignment.pk}/score/{criterion.pk}/",
        {f"c{criterion.pk}-rating": "brilliant"},
        headers={"x-requested-with": "fetch"},
    )
    assert response.status_code == 400
    assert not CriterionScore.objects.exists()


def test_autosave_without_javascript_redirects_back(client, lead_assignment, assessor):
    criterion = criteria(lead_assignment.portfolio)[0]
    response = login(client, assessor).post(
        f"/reviews/assignments/{lead_assignment.pk}/score/{criterion.pk}/",
        {f"c{criterion.pk}-rating": "met"},
    )
    assert response.url.endswith(f"/score/#c-{criterion.pk}")
    assert CriterionScore.objects.get().rating == "met"


def test_autosave_is_404_for_others_and_rejects_get(
    client, lead_assignment, other_assessor, assessor
):
    criterion = criteria(lead_assignment.portfolio)[0]
    url = f"/reviews/assignments/{lead_assignment.pk}/score/{criterion.pk}/"
    assert (
        login(client, other_assessor).post(url, {f"c{criterion.pk}-rating": "met"}).status_code
        == 404
    )
    client.logout()
    assert login(client, assessor).get(url).status_code == 405
    assert not CriterionScore.objects.exists()


def test_submit_scores_view(client, lead_assignment, assessor, other_assessor):
    login(client, assessor)
    url = f"/reviews/assignments/{lead_assignment.pk}/submit/"
    response = client.post(url, follow=True)
    assert "every criterion needs a rating before you submit" in response.content.decode()
    lead_assignment.refresh_from_db()
    assert lead_assignment.state == AssignmentState.SCORING
    score_all(lead_assignment)
    client.post(url)
    lead_assignment.refresh_from_db()
    assert lead_assignment.state == AssignmentState.SUBMITTED
    assert client.put(url).status_code == 405
    client.logout()
    assert login(client, other_assessor).post(url).status_code == 404


# --- consolidation ---------------------------------------------------------------------------


def test_consolidation_shows_assessors_side_by_side_with_disagreements(
    client, lead_assignment, second_assignment, assessor
):
    score_all(lead_assignment, "met")
    score_all(second_assignment, "met")
    first = criteria(lead_assignment.portfolio)[0]
    CriterionScore.objects.filter(assignment=second_assignment, criterion=first).update(
        rating="not_met"
    )
    Assignment.objects.update(state=AssignmentState.SUBMITTED)
    response = login(client, assessor).get(
        f"/reviews/portfolios/{lead_assignment.portfolio_id}/consolidate/"
    )
    rows = response.context["rows"]
    assert [row.criterion.code for row in rows if row.disagreement] == ["1.1"]
    assert response.context["disagreements"] == 1
    assert b"Ratings differ" in response.content
    assert [a.assessor for a in response.context["assignments"]] == [
        lead_assignment.assessor,
        second_assignment.assessor,
    ]


def test_consolidation_prefills_only_ratings_every_assessor_submitted_alike(
    client, lead_assignment, second_assignment, admin_user
):
    score_all(lead_assignment, "met")
    score_all(second_assignment, "met")
    first, second, third = criteria(lead_assignment.portfolio)[:3]
    CriterionScore.objects.filter(assignment=second_assignment, criterion=first).update(rating="")
    CriterionScore.objects.filter(assignment=second_assignment, criterion=second).update(
        rating="not_met"
    )
    Assignment.objects.update(state=AssignmentState.SUBMITTED)
    response = login(client, admin_user).get(
        f"/reviews/portfolios/{lead_assignment.portfolio_id}/consolidate/"
    )
    form = response.context["form"]
    assert [form[f"rating_{c.pk}"].value() for c in (first, second, third)] == ["", "", "met"]
    html = response.content.decode()
    assert "Not rated by every assessor: please choose" in html
    assert html.count('<option value="met" selected>') == 20 - 2


def test_consolidation_prefills_nothing_from_a_draft(
    client, lead_assignment, second_assignment, admin_user
):
    score_all(lead_assignment, "met")
    score_all(second_assignment, "met")
    Assignment.objects.filter(pk=lead_assignment.pk).update(state=AssignmentState.SUBMITTED)
    response = login(client, admin_user).get(
        f"/reviews/portfolios/{lead_assignment.portfolio_id}/consolidate/"
    )
    form = response.context["form"]
    assert {form[f"rating_{c.pk}"].value() for c in criteria(lead_assignment.portfolio)} == {""}


def test_consolidation_saves_agreed_scores(client, lead_assignment, second_assignment, admin_user):
    portfolio = lead_assignment.portfolio
    data = {"override": "on"}
    for c in criteria(portfolio):
        data[f"rating_{c.pk}"] = "met"
        data[f"comment_{c.pk}"] = f"Agreed {c.code}"
    response = login(client, admin_user).post(
        f"/reviews/portfolios/{portfolio.pk}/consolidate/", data
    )
    assert response.status_code == 302
    assert AgreedScore.objects.filter(portfolio=portfolio).count() == 20


def test_consolidation_without_override_says_to_wait(client, lead_assignment, assessor):
    portfolio = lead_assignment.portfolio
    c = criteria(portfolio)[0]
    response = login(client, assessor).post(
        f"/reviews/portfolios/{portfolio.pk}/consolidate/", {f"rating_{c.pk}": "met"}
    )
    assert response.status_code == 200
    assert "every assessor has submitted" in response.content.decode()
    assert not AgreedScore.objects.exists()


def test_consolidation_is_404_for_second_assessor_and_unit(
    client, lead_assignment, second_assignment, other_assessor, lead
):
    assessor = lead_assignment.assessor
    url = f"/reviews/portfolios/{lead_assignment.portfolio_id}/consolidate/"
    for user in (other_assessor, lead):
        client.logout()
        assert login(client, user).get(url).status_code == 404
    client.logout()
    assert login(client, assessor).put(url).status_code == 405


# --- more evidence, resubmission, advancing ---------------------------------------------------


def test_request_more_evidence_view_reopens_two_criteria(
    client, lead_assignment, admin_user, lead, django_capture_on_commit_callbacks
):
    mailoutbox = mail.outbox
    portfolio = lead_assignment.portfolio
    two = criteria(portfolio)[2:4]
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, admin_user).post(
            f"/reviews/portfolios/{portfolio.pk}/more-evidence/",
            {
                "criteria": [c.pk for c in two],
                "message": "Please add your community meeting minutes.",
                "due_date": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
            },
        )
    assert response.status_code == 302
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.MORE_EVIDENCE
    assert set(
        CriterionResponse.objects.filter(portfolio=portfolio, reopened=True).values_list(
            "criterion_id", flat=True
        )
    ) == {c.pk for c in two}
    assert [m.to for m in mailoutbox] == [[lead.email]]


def test_request_more_evidence_bad_input_saves_nothing(client, lead_assignment, admin_user):
    portfolio = lead_assignment.portfolio
    response = login(client, admin_user).post(
        f"/reviews/portfolios/{portfolio.pk}/more-evidence/",
        {"message": "", "due_date": "2000-01-01"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"criteria", "message", "due_date"}
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.IN_REVIEW


def test_request_more_evidence_is_404_for_unit_and_second_assessor(
    client, lead_assignment, second_assignment, lead, admin_user
):
    other_assessor = second_assignment.assessor
    url = f"/reviews/portfolios/{lead_assignment.portfolio_id}/more-evidence/"
    for user in (lead, other_assessor):
        client.logout()
        assert login(client, user).get(url).status_code == 404
    client.logout()
    assert login(client, admin_user).delete(url).status_code == 405


def test_accept_resubmission_view(client, lead_assignment, admin_user, lead):
    portfolio = lead_assignment.portfolio
    portfolio.state = PortfolioState.RESUBMITTED
    portfolio.save()
    url = f"/reviews/portfolios/{portfolio.pk}/accept/"
    assert login(client, lead).post(url).status_code == 404
    client.logout()
    login(client, admin_user)
    assert client.get(url).status_code == 405
    client.post(url)
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.IN_REVIEW


def test_advance_view_moves_on_and_reports_a_wrong_step(client, lead_assignment, assessor, lead):
    portfolio = lead_assignment.portfolio
    url = f"/reviews/portfolios/{portfolio.pk}/advance/"
    login(client, assessor)
    response = client.post(url, {"to_state": "panel"}, follow=True)
    assert "cannot become" in response.content.decode()
    complete_stages(portfolio, "interim_report")
    client.post(url, {"to_state": "interim_report"})
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.INTERIM_REPORT
    assert client.get(url).status_code == 405
    client.logout()
    assert login(client, lead).post(url, {"to_state": "visit"}).status_code == 404


def test_portfolio_page_lists_what_is_unfinished_before_the_next_stage(
    client, lead_assignment, second_assignment, assessor, admin_user
):
    portfolio = lead_assignment.portfolio
    page = login(client, assessor).get(f"/reviews/portfolios/{portfolio.pk}/").content.decode()
    assert "Before moving on to: Interim report" in page
    assert f"Scores not yet submitted by: {assessor}, {second_assignment.assessor}." in page
    assert "No agreed rating yet for 20 criteria: 1.1, 1.2, " in page
    assert " and 10 more." in page
    # The lead assessor cannot override; there is no button to press.
    assert "Move on to: Interim report" not in page
    assert "Move on anyway" not in page
    client.logout()
    page = login(client, admin_user).get(f"/reviews/portfolios/{portfolio.pk}/").content.decode()
    assert "Move on anyway to: Interim report" in page
    assert 'name="override_reason"' in page
    complete_stages(portfolio, "interim_report")
    page = client.get(f"/reviews/portfolios/{portfolio.pk}/").content.decode()
    assert "Before moving on to" not in page
    assert "Move on to: Interim report" in page


def test_advance_view_refuses_with_what_is_missing_then_takes_an_override(
    client, lead_assignment, assessor, admin_user
):
    portfolio = lead_assignment.portfolio
    url = f"/reviews/portfolios/{portfolio.pk}/advance/"
    response = login(client, assessor).post(
        url, {"to_state": "interim_report", "override_reason": "Please"}, follow=True
    )
    assert "Only the CCQI team can move a review on" in response.content.decode()
    client.logout()
    login(client, admin_user)
    response = client.post(url, {"to_state": "interim_report"}, follow=True)
    assert "Not yet: Scores not yet submitted by:" in response.content.decode()
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.IN_REVIEW
    response = client.post(
        url, {"to_state": "interim_report", "override_reason": "x" * 2001}, follow=True
    )
    assert "at most 2000 characters" in response.content.decode()
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.IN_REVIEW
    client.post(url, {"to_state": "interim_report", "override_reason": "Panel date fixed."})
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.INTERIM_REPORT
    assert AuditEvent.objects.get(verb="review.step_overridden").details["reason"] == (
        "Panel date fixed."
    )


def test_decision_page_lists_the_missing_summary_and_takes_an_override(
    client, unit, framework, admin_user, lead
):
    portfolio = complete_stages(
        make_portfolio(unit, framework, state=PortfolioState.PANEL), "panel"
    )
    url = f"/reviews/portfolios/{portfolio.pk}/decision/"
    login(client, admin_user)
    page = client.get(url).content.decode()
    assert "The summary report is not released to the unit yet." in page
    assert 'name="override_reason"' in page
    response = client.post(url, {"outcome": "awarded", "rationale": "All met."})
    assert response.status_code == 200
    assert "The summary report is not released" in str(response.context["form"].errors)
    assert not Decision.objects.exists()
    client.post(url, {"outcome": "awarded", "rationale": "All met.", "override_reason": "Oral."})
    assert Decision.objects.get().portfolio == portfolio
    complete_stages(portfolio)
    other = complete_stages(make_portfolio(unit, framework, state=PortfolioState.PANEL))
    page = client.get(f"/reviews/portfolios/{other.pk}/decision/").content.decode()
    assert 'name="override_reason"' not in page


# --- reports ---------------------------------------------------------------------------------


def test_report_edit_saves_an_interim_report(client, lead_assignment, assessor):
    portfolio = lead_assignment.portfolio
    response = login(client, assessor).post(
        f"/reviews/portfolios/{portfolio.pk}/reports/interim/",
        {"strengths": "Warm.", "areas_for_development": "Rotas.", "action_points": "Meet weekly."},
    )
    report = Report.objects.get()
    assert response.url == f"/reviews/reports/{report.pk}/"
    assert (report.kind, report.strengths, report.author) == (ReportKind.INTERIM, "Warm.", assessor)


def test_report_edit_visit_needs_date_and_mode(client, lead_assignment, assessor):
    response = login(client, assessor).post(
        f"/reviews/portfolios/{lead_assignment.portfolio_id}/reports/visit/", {"findings": "Good."}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"visit_date", "visit_mode"}
    assert not Report.objects.exists()


def test_report_edit_is_404_for_unit_and_unknown_kind_and_rejects_put(
    client, lead_assignment, lead, assessor
):
    url = f"/reviews/portfolios/{lead_assignment.portfolio_id}/reports/interim/"
    assert login(client, lead).get(url).status_code == 404
    client.logout()
    login(client, assessor)
    assert (
        client.get(f"/reviews/portfolios/{lead_assignment.portfolio_id}/reports/bogus/").status_code
        == 404
    )
    assert client.put(url).status_code == 405


def test_unit_sees_a_report_only_once_released(
    client, lead_assignment, lead, other_lead, django_capture_on_commit_callbacks
):
    assessor = lead_assignment.assessor
    report = factories.ReportFactory(
        portfolio=lead_assignment.portfolio, strengths="Kind and open."
    )
    login(client, lead)
    assert client.get(f"/reviews/reports/{report.pk}/").status_code == 404
    client.logout()
    login(client, assessor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reviews/reports/{report.pk}/release/")
    client.logout()
    login(client, lead)
    response = client.get(f"/reviews/reports/{report.pk}/")
    assert b"Kind and open." in response.content
    assert response.context["can_release"] is False
    pdf = client.get(f"/reviews/reports/{report.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.post(f"/reviews/reports/{report.pk}/").status_code == 405
    client.logout()
    assert login(client, other_lead).get(f"/reviews/reports/{report.pk}/").status_code == 404


def test_report_release_and_render_are_404_for_the_unit(client, lead_assignment, lead):
    report = factories.ReportFactory(portfolio=lead_assignment.portfolio)
    login(client, lead)
    assert client.post(f"/reviews/reports/{report.pk}/release/").status_code == 404
    assert client.post(f"/reviews/reports/{report.pk}/render/").status_code == 404
    report.refresh_from_db()
    assert report.released_at is None


def test_report_render_view_prepares_a_draft_pdf(
    client, lead_assignment, assessor, django_capture_on_commit_callbacks
):
    report = factories.ReportFactory(portfolio=lead_assignment.portfolio)
    login(client, assessor)
    assert client.get(f"/reviews/reports/{report.pk}/render/").status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reviews/reports/{report.pk}/render/")
    report.refresh_from_db()
    assert report.status == "ready"
    assert report.released_at is None


# --- decision and outcome ---------------------------------------------------------------------


def test_decision_view_records_and_letters_the_unit(
    client, at_panel, admin_user, lead, django_capture_on_commit_callbacks
):
    portfolio, mailoutbox = at_panel, mail.outbox
    login(client, admin_user)
    url = f"/reviews/portfolios/{portfolio.pk}/decision/"
    assert b"Record the panel decision" in client.get(url).content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"outcome": "not_awarded", "rationale": "Not yet, but close."})
    assert response.status_code == 302
    assert Decision.objects.get().outcome == "not_awarded"
    assert [m.to for m in mailoutbox] == [[lead.email]]


def test_decision_view_deferral_needs_conditions(client, unit, framework, admin_user):
    portfolio = make_portfolio(unit, framework, PortfolioState.PANEL)
    response = login(client, admin_user).post(
        f"/reviews/portfolios/{portfolio.pk}/decision/", {"outcome": "deferred", "rationale": "x"}
    )
    assert set(response.context["form"].errors) == {"conditions", "conditions_due"}
    assert not Decision.objects.exists()


def test_decision_view_is_404_for_assessors_and_rejects_put(
    client, unit, framework, assessor, admin_user
):
    portfolio = make_portfolio(unit, framework, PortfolioState.PANEL)
    assign(portfolio, assessor, lead=True)
    url = f"/reviews/portfolios/{portfolio.pk}/decision/"
    assert login(client, assessor).get(url).status_code == 404
    client.logout()
    assert login(client, admin_user).put(url).status_code == 405


def test_outcome_page_shows_the_unit_released_reports_never_scores(
    client, lead_assignment, lead, other_lead
):
    portfolio = lead_assignment.portfolio
    score_all(lead_assignment)
    CriterionScore.objects.update(comment="ASSESSOR-DRAFT")
    factories.ReportFactory(portfolio=portfolio, kind="interim", released_at=timezone.now())
    factories.ReportFactory(portfolio=portfolio, kind="summary")
    response = login(client, lead).get(f"/reviews/portfolios/{portfolio.pk}/outcome/")
    assert [r.kind for r in response.context["reports"]] == ["interim"]
    assert b"ASSESSOR-DRAFT" not in response.content
    assert client.post(f"/reviews/portfolios/{portfolio.pk}/outcome/").status_code == 405
    client.logout()
    assert (
        login(client, other_lead).get(f"/reviews/portfolios/{portfolio.pk}/outcome/").status_code
        == 404
    )


def test_portfolio_page_for_a_cleared_assessor_links_to_their_scoring(
    client, lead_assignment, assessor
):
    response = login(client, assessor).get(f"/reviews/portfolios/{lead_assignment.portfolio_id}/")
    assert response.context["own_assignment"] == lead_assignment
    assert response.context["assign_form"] is None
    assert f'href="/reviews/assignments/{lead_assignment.pk}/"'.encode() in response.content


# --- the scoring page's cached assignment row (issue 8) decides who may see it ---------------


def test_scoring_page_opens_once_declared_although_the_refusal_was_cached(
    client, in_review, assessor
):
    assignment = assign(in_review, assessor, state=AssignmentState.AWAITING_DECLARATION)
    login(client, assessor)
    url = f"/reviews/assignments/{assignment.pk}/score/"
    assert client.get(url).status_code == 404  # not declared yet; the row is now cached
    response = client.post(f"/reviews/assignments/{assignment.pk}/", {"declaration": "no_conflict"})
    assert response.status_code == 302
    assert client.get(url).status_code == 200


def test_scoring_page_closes_once_the_assignment_is_withdrawn(client, lead_assignment, assessor):
    login(client, assessor)
    url = f"/reviews/assignments/{lead_assignment.pk}/score/"
    assert client.get(url).status_code == 200  # the row and the body are now cached
    lead_assignment.state = AssignmentState.WITHDRAWN
    lead_assignment.save()
    assert client.get(url).status_code == 404


def test_scoring_page_cached_for_one_assessor_is_404_for_another(
    client, lead_assignment, assessor, other_assessor
):
    url = f"/reviews/assignments/{lead_assignment.pk}/score/"
    assert login(client, assessor).get(url).status_code == 200
    other = Client()
    other.force_login(other_assessor)
    assert other.get(url).status_code == 404


def test_scoring_page_shows_submitted_scores_after_submission(client, lead_assignment, assessor):
    login(client, assessor)
    url = f"/reviews/assignments/{lead_assignment.pk}/score/"
    assert "Submit my scores" in client.get(url).content.decode()
    score_all(lead_assignment)
    response = client.post(f"/reviews/assignments/{lead_assignment.pk}/submit/")
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Submit my scores" not in page
    assert "You submitted your scores" in page
