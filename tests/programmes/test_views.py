"""The network's pages, each with its owner, a wrong user (404) and a wrong method."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from network.models import PeerReviewerProfile
from portfolios.enums import PortfolioState
from programmes.models import ActionPoint, PeerVisit
from reviews import workflow
from reviews.enums import ReportKind
from reviews.models import AgreedScore, Assignment, Decision
from reviews.selectors import decision_rule_result
from reviews.services import report_save
from tests.programmes.conftest import member

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


# --- coordinator's dashboard ---------------------------------------------------------------


def test_dashboard_lists_communities_by_type_and_stage_and_upcoming_visits(  # noqa: PLR0917 -- pytest fixtures
    client, admin_user, oak_team, birch, cedar, visit_date
):
    response = _client(client, admin_user).get(reverse("programmes:dashboard"))
    assert response.status_code == 200
    text = response.content.decode()
    by_type = [
        (label, [r.membership.unit.name for r in rows])
        for label, rows in response.context["data"].by_type
    ]
    assert by_type == [("Full", ["Birch Lodge", "Oak House"]), ("Accreditation", ["Cedar Place"])]
    stages = {
        r.membership.unit.name: r.stage
        for _l, rows in response.context["data"].by_type
        for r in rows
    }
    assert stages == {
        "Birch Lodge": "Not started",
        "Oak House": "Peer review",
        "Cedar Place": "Not started",
    }
    assert [v.portfolio.unit.name for v in response.context["data"].visits] == ["Oak House"]
    assert visit_date.strftime("%-d %b %Y") in text


@pytest.mark.parametrize("item_count", [1, 3])
def test_dashboard_queries_stay_constant_as_communities_grow(
    client, admin_user, cofc_framework, item_count, django_assert_num_queries
):
    for i in range(item_count):
        member(f"Community {i}", "full")
    client.force_login(admin_user)
    # session, user + roles, memberships, this year's cycles, upcoming visits, overdue
    # visits, cycle years for the national report links; then the session's save
    # (savepoint, update, release)
    with django_assert_num_queries(10):
        response = client.get(reverse("programmes:dashboard"))
    assert response.status_code == 200
    assert sum(len(rows) for _l, rows in response.context["data"].by_type) == item_count


@pytest.mark.parametrize("who", ["oak_lead", "birch_staff"])
def test_dashboard_is_404_for_anyone_but_admins(client, who, request):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    assert _client(client, user).get(reverse("programmes:dashboard")).status_code == 404


def test_dashboard_wrong_method(client, admin_user):
    assert _client(client, admin_user).post(reverse("programmes:dashboard")).status_code == 405


# --- the cycle page and the peer team ------------------------------------------------------


def test_cycle_page_shows_admins_the_team_and_members_only_the_steps(
    client, admin_user, oak_lead, oak_team
):
    url = reverse("programmes:cycle", args=[oak_team.pk])
    admin_page = _client(client, admin_user).get(url).content.decode()
    assert "birch-staff@example.test" in admin_page or "Lead reviewer" in admin_page
    assert [a.assessor.email for a in _client(client, admin_user).get(url).context["team"]] == [
        "ccqi-lead@example.test",
        "birch-staff@example.test",
        "cedar-resident@example.test",
    ]
    client.logout()
    member_page = _client(client, oak_lead).get(url)
    assert member_page.status_code == 200
    assert list(member_page.context["team"]) == []
    assert "A visit by a team" in member_page.content.decode()


def test_cycle_page_is_404_for_another_community_and_a_reviewer(
    client, oak_team, other_lead, birch_staff
):
    url = reverse("programmes:cycle", args=[oak_team.pk])
    assert _client(client, other_lead).get(url).status_code == 404
    client.logout()
    assert _client(client, birch_staff.user).get(url).status_code == 404


def test_team_form_refuses_a_team_without_lived_experience_and_changes_nothing(  # noqa: PLR0917 -- pytest fixtures
    client, admin_user, oak_submitted, ccqi_lead, birch_staff, cedar, visit_date
):
    from tests.programmes.conftest import reviewer  # noqa: PLC0415

    cedar_staff = reviewer("cedar-staff@example.test", cedar, "staff")
    response = _client(client, admin_user).post(
        reverse("programmes:team", args=[oak_submitted.pk]),
        {
            "lead": ccqi_lead.pk,
            "reviewers": [birch_staff.pk, cedar_staff.pk],
            "visit_date": visit_date.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "Add at least one reviewer who is a service user" in response.content.decode()
    assert not PeerVisit.objects.exists()
    assert not Assignment.objects.exists()


def test_team_form_assigns_the_team(  # noqa: PLR0917 -- pytest fixtures
    client, admin_user, oak_submitted, ccqi_lead, birch_staff, cedar_resident, visit_date
):
    response = _client(client, admin_user).post(
        reverse("programmes:team", args=[oak_submitted.pk]),
        {
            "lead": ccqi_lead.pk,
            "reviewers": [birch_staff.pk, cedar_resident.pk],
            "visit_date": visit_date.isoformat(),
        },
    )
    assert response.status_code == 302
    assert PeerVisit.objects.get().visit_date == visit_date
    assert Assignment.objects.filter(portfolio=oak_submitted).count() == 3


def test_team_form_is_404_for_the_community_lead(client, oak_lead, oak_submitted):
    url = reverse("programmes:team", args=[oak_submitted.pk])
    assert _client(client, oak_lead).get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


# --- peer reviewers use the review engine ---------------------------------------------------


def test_peer_reviewer_declares_and_rates_with_the_assessors_scoring_code(
    client, oak_team, birch_staff
):
    assignment = Assignment.objects.get(portfolio=oak_team, assessor=birch_staff.user)
    client.force_login(birch_staff.user)
    assert client.get(reverse("reviews:list")).status_code == 200
    workflow.assignment_declare_no_conflict(assignment=assignment, actor=birch_staff.user)
    criterion = oak_team.framework.standards.get(number=1).criteria.get(code="1.1")
    response = client.post(
        reverse("reviews:score_save", args=[assignment.pk, criterion.pk]),
        {
            f"c{criterion.pk}-rating": "partly_met",
            f"c{criterion.pk}-comment": "Staff knew the plan; members less so.",
        },
    )
    assert response.status_code == 302
    score = assignment.scores.get(criterion=criterion)
    assert (score.rating, score.comment) == ("partly_met", "Staff knew the plan; members less so.")
    assert client.get(reverse("portfolios:detail", args=[oak_team.pk])).status_code == 200


def test_reviewer_not_on_the_visit_sees_nothing_of_it(client, oak_team, cedar):
    from tests.programmes.conftest import reviewer  # noqa: PLC0415

    outsider = reviewer("outsider@example.test", cedar, "service_user").user
    assignment = Assignment.objects.filter(portfolio=oak_team).first()
    client.force_login(outsider)
    for url in (
        reverse("reviews:assignment", args=[assignment.pk]),
        reverse("reviews:score", args=[assignment.pk]),
        reverse("reviews:portfolio", args=[oak_team.pk]),
        reverse("portfolios:detail", args=[oak_team.pk]),
        reverse("programmes:cycle", args=[oak_team.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert list(client.get(reverse("reviews:list")).context["assignments"]) == []


def test_community_staff_cannot_open_peer_ratings_before_release(
    client, admin_user, oak_team, oak_lead
):
    report = report_save(
        portfolio=oak_team, kind=ReportKind.ANNUAL, actor=admin_user, strengths="Warm welcome."
    )
    client.force_login(oak_lead)
    for url in (
        reverse("reviews:portfolio", args=[oak_team.pk]),
        reverse("reviews:consolidate", args=[oak_team.pk]),
        reverse("reviews:report", args=[report.pk]),
        reverse("reviews:report_pdf", args=[report.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        list(client.get(reverse("programmes:cycle", args=[oak_team.pk])).context["reports"]) == []
    )


# --- annual report, committee decision --------------------------------------------------------


def _agree_all(portfolio, admin_user, rating="met", except_codes=()):
    for response in portfolio.responses.select_related("criterion"):
        AgreedScore.objects.create(
            portfolio=portfolio,
            criterion=response.criterion,
            rating="not_met" if response.criterion.code in except_codes else rating,
            comment=f"Agreed on {response.criterion.code}.",
            agreed_by=admin_user,
        )


def test_annual_report_pdf_shows_self_vs_peer_with_type_1_not_met_first(
    client, admin_user, oak_team, oak_lead, django_capture_on_commit_callbacks
):
    _agree_all(oak_team, admin_user, except_codes={"2.1"})
    ActionPoint.objects.create(
        portfolio=oak_team,
        text="Refresh staff training",
        owner="Team manager",
        due_date="2026-12-31",
    )
    report = report_save(
        portfolio=oak_team, kind=ReportKind.ANNUAL, actor=admin_user, strengths="Warm welcome."
    )
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_release(report=report, actor=admin_user)
    report.refresh_from_db()
    client.force_login(oak_lead)
    response = client.get(reverse("reviews:report_pdf", args=[report.pk]))
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Annual report 2026" in text
    assert "Warm welcome." in text
    essential = text.index("Essential (type 1) criteria not met")
    assert text.index("2.1", essential) < text.index("Action points")
    assert "Refresh staff training" in text
    assert "Team manager" in text
    assert "Self-review and peer review, standard by standard" in text
    assert "Met: 4 of 4 in the self-review, 3 of 4 in the peer review." in text


def test_committee_decision_keeps_the_rules_result_and_accreditation_issues_a_certificate(
    client, admin_user, cofc_framework, admin_user_cedar_cycle
):
    portfolio = admin_user_cedar_cycle
    response = _client(client, admin_user).get(reverse("reviews:decision", args=[portfolio.pk]))
    assert response.context["rule_result"].passed is False
    assert "every type 1 criterion met" in response.content.decode()
    # Nine type 2 criteria: two not met is 7 of 9 (78%), under the sample's 80%; one is 8 of 9.
    AgreedScore.objects.filter(portfolio=portfolio).update(rating="met")
    AgreedScore.objects.filter(portfolio=portfolio, criterion__code__in=["2.2", "2.3"]).update(
        rating="not_met"
    )
    assert [c.passed for c in decision_rule_result(portfolio=portfolio).clauses] == [True, False]
    AgreedScore.objects.filter(portfolio=portfolio, criterion__code="2.3").update(rating="met")
    workflow.decision_record(
        portfolio=portfolio, outcome="awarded", rationale="Meets the rule.", actor=admin_user
    )
    decision = Decision.objects.get(portfolio=portfolio)
    assert decision.rule_result == {
        "passed": True,
        "clauses": [
            {"label": "every type 1 criterion met", "met": 5, "total": 5, "passed": True},
            {"label": "at least 80% of type 2 criteria met", "met": 8, "total": 9, "passed": True},
        ],
    }
    award = portfolio.awards.get()
    verify = client.get(f"/verify/{award.certificate.verify_code}/")
    assert verify.status_code == 200
    assert "Community of Communities accreditation" in verify.content.decode()
    assert "Valid" in verify.content.decode()


@pytest.fixture
def admin_user_cedar_cycle(admin_user, cedar):
    from portfolios.services import portfolio_submit  # noqa: PLC0415
    from programmes import services  # noqa: PLC0415
    from tests import factories  # noqa: PLC0415
    from tests.programmes.conftest import complete_self_review  # noqa: PLC0415

    lead = factories.UnitRoleFactory(unit=cedar, role="lead").user
    portfolio = services.annual_cycle_start(actor=admin_user, unit=cedar, year=2026)
    complete_self_review(portfolio, lead)
    portfolio_submit(portfolio=portfolio, actor=lead)
    _agree_all(portfolio, admin_user, except_codes={"1.1"})
    report = report_save(portfolio=portfolio, kind=ReportKind.ANNUAL, actor=admin_user)
    workflow.report_release(report=report, actor=admin_user)
    workflow.review_advance(
        portfolio=portfolio,
        to_state=PortfolioState.PANEL,
        actor=admin_user,
        override_reason="Test: no visit replayed.",
    )
    portfolio.refresh_from_db()
    return portfolio


# --- national report ------------------------------------------------------------------------


def test_national_page_csv_and_pdf(
    client, admin_user, oak_team, django_capture_on_commit_callbacks
):
    _agree_all(oak_team, admin_user, except_codes={"1.1", "1.2"})
    client.force_login(admin_user)
    page = client.get(reverse("programmes:national", args=[2026]))
    assert page.status_code == 200
    first = page.context["rows"][0]
    assert (first.number, first.self_share, first.peer_share) == (1, 100, 50)
    assert "<svg" in page.content.decode()
    assert "<table" in page.content.decode()
    csv_text = client.get(reverse("programmes:national_csv", args=[2026])).content.decode()
    assert csv_text.splitlines()[1] == "1,Core safety and rights,1,4,4,100,4,2,50"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("programmes:national_render", args=[2026])).status_code == 302
    pdf = b"".join(client.get(reverse("programmes:national_pdf", args=[2026])).streaming_content)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "National report 2026" in text
    assert "Core safety and rights" in text
    assert "50% (2 / 4)" in text


@pytest.mark.parametrize("name", ["national", "national_csv", "national_pdf"])
def test_national_views_are_404_for_community_leads(client, oak_lead, name):
    assert (
        _client(client, oak_lead).get(reverse(f"programmes:{name}", args=[2026])).status_code == 404
    )


# --- reviewer pool and starting a cycle ------------------------------------------------------


def test_lead_nominates_and_admin_approves_a_reviewer(client, oak, oak_lead, admin_user):
    from tests import factories  # noqa: PLC0415

    person = factories.UserFactory(email="oak-staff@example.test")
    response = _client(client, oak_lead).post(
        reverse("programmes:nominate", args=[oak.pk]),
        {"email": "oak-staff@example.test", "kind": "staff"},
    )
    assert response.status_code == 302
    profile = PeerReviewerProfile.objects.get(user=person)
    client.logout()
    response = _client(client, admin_user).post(
        reverse("programmes:reviewer_approve", args=[profile.pk]), {"trained_on": "2026-01-05"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_peer_reviewer


def test_nominating_an_unknown_email_is_refused(client, oak, oak_lead):
    response = _client(client, oak_lead).post(
        reverse("programmes:nominate", args=[oak.pk]),
        {"email": "nobody@example.test", "kind": "staff"},
    )
    assert response.status_code == 400
    assert "No account uses this address" in response.content.decode()
    assert not PeerReviewerProfile.objects.exists()


def test_reviewer_pool_is_admins_only(client, oak, other_lead, birch_staff):
    assert _client(client, other_lead).get(reverse("programmes:reviewers")).status_code == 404
    assert client.get(reverse("programmes:nominate", args=[oak.pk])).status_code == 404
    assert (
        client.post(reverse("programmes:reviewer_approve", args=[birch_staff.pk]), {}).status_code
        == 404
    )


def test_lead_starts_the_cycle_from_the_unit_page(client, oak, oak_lead):
    page = _client(client, oak_lead).get(reverse("network:unit_detail", args=[oak.pk]))
    assert "Start the" in page.content.decode()
    response = client.post(reverse("programmes:start", args=[oak.pk]))
    assert response.status_code == 302
    assert oak.portfolios.get().cycle == "annual"


def test_start_is_refused_for_an_associate_with_a_message(client, admin_user, cofc_framework):
    unit = member("Ash Associates", "associate")
    response = _client(client, admin_user).post(
        reverse("programmes:start", args=[unit.pk]), follow=True
    )
    assert "Associate members can read the standards" in response.content.decode()
    assert not unit.portfolios.exists()


def test_start_is_404_for_another_unit_and_405_for_get(client, oak, other_lead):
    assert (
        _client(client, other_lead).post(reverse("programmes:start", args=[oak.pk])).status_code
        == 404
    )
    assert client.get(reverse("programmes:start", args=[oak.pk])).status_code == 405


# --- the network's standards, for everyone (associates included) -----------------------------


def test_network_standards_page_shows_types_and_core_values_to_anyone(client, cofc_framework):
    response = client.get(reverse("standards:programme", args=["cofc"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Attachment" in text
    assert "Type 1: essential" in text
    assert [s.number for s in response.context["standards"]] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("programme", ["ee-award", "nowhere"])
def test_network_standards_page_is_404_for_other_programmes(client, cofc_framework, programme):
    assert client.get(reverse("standards:programme", args=[programme])).status_code == 404


def test_network_standards_page_wrong_method(client, cofc_framework):
    assert client.post(reverse("standards:programme", args=["cofc"])).status_code == 405


def test_associate_sees_the_standards_link_but_no_cycle(client, cofc_framework, admin_user):
    unit = member("Ash Associates", "associate")
    page = _client(client, admin_user).get(reverse("network:unit_detail", args=[unit.pk]))
    text = page.content.decode()
    assert reverse("standards:programme", args=["cofc"]) in text
    assert "Start the" not in text


def test_accredited_community_is_on_the_register_with_the_networks_title(
    client, admin_user, admin_user_cedar_cycle
):
    workflow.decision_record(
        portfolio=admin_user_cedar_cycle,
        outcome="awarded",
        rationale="Accredited by the committee.",
        actor=admin_user,
        override_reason="Test: the rule is shown, the committee decides.",
    )
    client.logout()
    text = client.get(reverse("awards:register")).content.decode()
    assert "Cedar Place" in text
    assert "Community of Communities accreditation" in text


def test_admin_records_a_network_membership_with_its_type(client, admin_user, cofc_framework):
    from network.models import Membership, Programme  # noqa: PLC0415
    from tests import factories  # noqa: PLC0415

    unit = factories.UnitFactory(name="Rowan Community")
    cofc = Programme.objects.get(code="cofc")
    url = reverse("network:membership_create", args=[unit.pk])
    base = {
        "programme": cofc.pk,
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "status": "active",
    }
    refused = _client(client, admin_user).post(url, base)
    assert refused.status_code == 200
    assert "Choose the membership type" in refused.content.decode()
    assert not Membership.objects.filter(unit=unit).exists()
    assert client.post(url, {**base, "membership_type": "developmental"}).status_code == 302
    assert Membership.objects.get(unit=unit).membership_type == "developmental"


def test_ee_membership_refuses_a_membership_type(client, admin_user):
    from network.models import Membership, Programme  # noqa: PLC0415
    from tests import factories  # noqa: PLC0415

    unit = factories.UnitFactory(name="Hazel Ward")
    response = _client(client, admin_user).post(
        reverse("network:membership_create", args=[unit.pk]),
        {
            "programme": Programme.objects.get(code="ee-award").pk,
            "membership_type": "full",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "status": "active",
        },
    )
    assert "has no membership types: leave this empty" in response.content.decode()
    assert not Membership.objects.filter(unit=unit).exists()
