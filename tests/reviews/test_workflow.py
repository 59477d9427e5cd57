import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from awards.models import Award
from ee_portal.audit.models import AuditEvent
from ee_portal.lib import fragments
from network.enums import UnitRoleKind
from portfolios.enums import PortfolioState
from portfolios.models import CriterionResponse, PortfolioEvent
from reviews import tasks, workflow
from reviews.enums import AssignmentState, DecisionOutcome, ReportKind, ReportStatus
from reviews.models import AgreedScore, Assignment, CriterionScore, EvidenceRequest
from standards.models import Criterion
from tests import factories
from tests.conftest import need_service
from tests.reviews.conftest import assign, make_portfolio, score_all
from tests.reviews.stages import complete_stages
from tests.services import on_postgresql

pytestmark = pytest.mark.django_db


def verbs(obj=None) -> list[str]:
    qs = AuditEvent.objects.order_by("id")
    if obj is not None:
        qs = qs.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return list(qs.values_list("verb", flat=True))


def events(portfolio) -> list[tuple[str, str]]:
    return list(
        PortfolioEvent.objects.filter(portfolio=portfolio).values_list("from_state", "to_state")
    )


# --- assign ----------------------------------------------------------------------------------


def test_assign_moves_submitted_to_in_review_and_emails_the_assessor(
    submitted, admin_user, assessor, in_a_month, django_capture_on_commit_callbacks
):
    mailoutbox = mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        assignment = workflow.assessor_assign(
            portfolio=submitted, assessor=assessor, due_date=in_a_month, is_lead=True,
            actor=admin_user,
        )  # fmt: skip
    submitted.refresh_from_db()
    assert submitted.state == PortfolioState.IN_REVIEW
    assert assignment.state == AssignmentState.AWAITING_DECLARATION
    assert assignment.assigned_by == admin_user
    assert events(submitted) == [("submitted", "in_review")]
    assert verbs(assignment) == ["review.assigned"]
    assert [m.to for m in mailoutbox] == [[assessor.email]]
    assert "Willow Ward" in mailoutbox[0].subject


def test_second_assignment_keeps_the_state_and_writes_no_portfolio_event(
    in_review, admin_user, assessor, other_assessor, in_a_month
):
    workflow.assessor_assign(
        portfolio=in_review, assessor=assessor, due_date=in_a_month, actor=admin_user
    )
    workflow.assessor_assign(
        portfolio=in_review, assessor=other_assessor, due_date=in_a_month, actor=admin_user
    )
    assert events(in_review) == []
    assert set(in_review.assignments.values_list("assessor_id", flat=True)) == {
        assessor.pk,
        other_assessor.pk,
    }


def test_assign_forbidden_for_non_admins(submitted, assessor, lead, in_a_month):
    for actor in (assessor, lead):
        with pytest.raises(PermissionDenied):
            workflow.assessor_assign(
                portfolio=submitted, assessor=assessor, due_date=in_a_month, actor=actor
            )
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("state", [PortfolioState.DRAFT, PortfolioState.PANEL])
def test_assign_refused_in_the_wrong_state(submitted, admin_user, assessor, in_a_month, state):
    portfolio = submitted
    portfolio.state = state
    portfolio.save()
    with pytest.raises(workflow.InvalidTransitionError):
        workflow.assessor_assign(
            portfolio=portfolio, assessor=assessor, due_date=in_a_month, actor=admin_user
        )
    assert not Assignment.objects.exists()


def test_assign_refuses_home_organisation_conflict(submitted, admin_user, in_a_month):
    assessor = factories.AssessorProfileFactory(home_organisation=submitted.unit.organisation).user
    with pytest.raises(ValidationError) as exc:
        workflow.assessor_assign(
            portfolio=submitted, assessor=assessor, due_date=in_a_month, actor=admin_user
        )
    assert "home organisation" in str(exc.value)
    assert not Assignment.objects.exists()


def test_assign_refuses_a_role_in_another_unit_of_the_same_organisation(
    submitted, admin_user, assessor, in_a_month
):
    sister = factories.UnitFactory(organisation=submitted.unit.organisation, name="Sister Ward")
    factories.UnitRoleFactory(user=assessor, unit=sister, role=UnitRoleKind.CONTRIBUTOR)
    with pytest.raises(ValidationError) as exc:
        workflow.assessor_assign(
            portfolio=submitted, assessor=assessor, due_date=in_a_month, actor=admin_user
        )
    assert "Sister Ward" in str(exc.value)


def test_assign_refuses_a_second_lead_and_a_duplicate(
    lead_assignment, admin_user, assessor, other_assessor, in_a_month
):
    portfolio = lead_assignment.portfolio
    with pytest.raises(ValidationError, match="already assigned"):
        workflow.assessor_assign(
            portfolio=portfolio, assessor=assessor, due_date=in_a_month, actor=admin_user
        )
    with pytest.raises(ValidationError, match="already has a lead"):
        workflow.assessor_assign(
            portfolio=portfolio, assessor=other_assessor, due_date=in_a_month, is_lead=True,
            actor=admin_user,
        )  # fmt: skip
    assert portfolio.assignments.count() == 1


# --- declarations ----------------------------------------------------------------------------


def test_declare_no_conflict_clears_the_assessor(in_review, assessor):
    assignment = assign(in_review, assessor, state=AssignmentState.AWAITING_DECLARATION)
    assert not assessor.has_perm("portfolios.view_portfolio", in_review)
    workflow.assignment_declare_no_conflict(assignment=assignment, actor=assessor)
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.SCORING
    assert assignment.declared_at is not None
    assert verbs(assignment) == ["review.declared_no_conflict"]
    assert (
        type(assessor).objects.get(pk=assessor.pk).has_perm("portfolios.view_portfolio", in_review)
    )


def test_declare_forbidden_for_another_assessor_or_admin(
    in_review, assessor, other_assessor, admin_user
):
    assignment = assign(in_review, assessor, state=AssignmentState.AWAITING_DECLARATION)
    for actor in (other_assessor, admin_user):
        with pytest.raises(PermissionDenied):
            workflow.assignment_declare_no_conflict(assignment=assignment, actor=actor)
        with pytest.raises(PermissionDenied):
            workflow.assignment_declare_conflict(assignment=assignment, reason="x", actor=actor)
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.AWAITING_DECLARATION


def test_declare_no_conflict_twice_is_one_transition(in_review, assessor):
    assignment = assign(in_review, assessor, state=AssignmentState.AWAITING_DECLARATION)
    stale = Assignment.objects.get(pk=assignment.pk)
    workflow.assignment_declare_no_conflict(assignment=assignment, actor=assessor)
    workflow.assignment_declare_no_conflict(assignment=stale, actor=assessor)
    assert verbs(assignment) == ["review.declared_no_conflict"]


def test_declare_no_conflict_after_a_conflict_is_refused(in_review, assessor):
    assignment = assign(in_review, assessor, state=AssignmentState.CONFLICT)
    with pytest.raises(workflow.InvalidTransitionError):
        workflow.assignment_declare_no_conflict(assignment=assignment, actor=assessor)
    assert verbs() == []


def test_declare_conflict_hands_back_and_emails_admins(
    in_review, assessor, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    assignment = assign(in_review, assessor, state=AssignmentState.AWAITING_DECLARATION, lead=True)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assignment_declare_conflict(
            assignment=assignment, reason="I used to work there.", actor=assessor
        )
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.CONFLICT
    assert assignment.conflict_reason == "I used to work there."
    assert verbs(assignment) == ["review.declared_conflict"]
    assert [m.to for m in mailoutbox] == [[admin_user.email]]
    assert "I used to work there." in mailoutbox[0].body
    # Handed back: the same assessor or a new lead can be assigned again.
    again = workflow.assessor_assign(
        portfolio=in_review, assessor=assessor, due_date=assignment.due_date, is_lead=True,
        actor=admin_user,
    )  # fmt: skip
    assert again.pk != assignment.pk


def test_declare_conflict_needs_a_reason_and_refuses_after_submission(in_review, assessor):
    assignment = assign(in_review, assessor)
    with pytest.raises(ValidationError):
        workflow.assignment_declare_conflict(assignment=assignment, reason="  ", actor=assessor)
    assignment.state = AssignmentState.SUBMITTED
    assignment.save()
    with pytest.raises(workflow.InvalidTransitionError):
        workflow.assignment_declare_conflict(assignment=assignment, reason="x", actor=assessor)


# --- submit scores ---------------------------------------------------------------------------


def test_submit_scores_needs_every_criterion_rated(lead_assignment, assessor):
    first = Criterion.objects.filter(standard__framework=lead_assignment.portfolio.framework)[0]
    factories.CriterionScoreFactory(assignment=lead_assignment, criterion=first)
    with pytest.raises(ValidationError, match="Still to rate: 1.2, 2.1"):
        workflow.assignment_submit_scores(assignment=lead_assignment, actor=assessor)
    lead_assignment.refresh_from_db()
    assert lead_assignment.state == AssignmentState.SCORING


def test_submit_scores_locks_them_and_emails_the_lead(
    lead_assignment, second_assignment, django_capture_on_commit_callbacks
):
    mailoutbox = mail.outbox
    assessor, other_assessor = lead_assignment.assessor, second_assignment.assessor  # fmt: skip
    score_all(second_assignment)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assignment_submit_scores(assignment=second_assignment, actor=other_assessor)
    second_assignment.refresh_from_db()
    assert second_assignment.state == AssignmentState.SUBMITTED
    assert second_assignment.scores_submitted_at is not None
    assert verbs(second_assignment) == ["review.scores_submitted"]
    assert [m.to for m in mailoutbox] == [[assessor.email]]
    # A repeat is a no-op.
    workflow.assignment_submit_scores(assignment=second_assignment, actor=other_assessor)
    assert verbs(second_assignment) == ["review.scores_submitted"]


def test_submit_scores_forbidden_for_others_and_before_declaring(
    in_review, assessor, other_assessor, admin_user
):
    assignment = assign(in_review, assessor, state=AssignmentState.AWAITING_DECLARATION)
    for actor in (other_assessor, admin_user, assessor):
        with pytest.raises(PermissionDenied):
            workflow.assignment_submit_scores(assignment=assignment, actor=actor)


# --- agree scores ----------------------------------------------------------------------------


def _ratings(portfolio, rating="met"):
    return {
        c.pk: (rating, f"Agreed on {c.code}")
        for c in Criterion.objects.filter(standard__framework=portfolio.framework)
    }


def test_agree_scores_after_every_assessor_submitted(lead_assignment, second_assignment, assessor):
    for a in (lead_assignment, second_assignment):
        score_all(a)
        a.state = AssignmentState.SUBMITTED
        a.save()
    portfolio = lead_assignment.portfolio
    saved = workflow.scores_agree(portfolio=portfolio, ratings=_ratings(portfolio), actor=assessor)
    assert len(saved) == 20
    assert set(AgreedScore.objects.values_list("rating", flat=True)) == {"met"}
    assert verbs(portfolio) == ["review.scores_agreed"]


def test_agree_scores_waits_for_every_assessor_unless_an_admin_overrides(
    lead_assignment, second_assignment, assessor, admin_user
):
    portfolio = lead_assignment.portfolio
    with pytest.raises(ValidationError, match="every assessor"):
        workflow.scores_agree(portfolio=portfolio, ratings=_ratings(portfolio), actor=assessor)
    with pytest.raises(PermissionDenied):
        workflow.scores_agree(
            portfolio=portfolio, ratings=_ratings(portfolio), actor=assessor, override=True
        )
    workflow.scores_agree(
        portfolio=portfolio, ratings=_ratings(portfolio), actor=admin_user, override=True
    )
    assert AgreedScore.objects.count() == 20


def test_agree_scores_forbidden_for_a_second_assessor_and_the_unit(
    lead_assignment, second_assignment, other_assessor, lead
):
    portfolio = lead_assignment.portfolio
    for actor in (other_assessor, lead):
        with pytest.raises(PermissionDenied):
            workflow.scores_agree(portfolio=portfolio, ratings={}, actor=actor)


def test_agree_scores_rejects_ratings_off_the_scale(lead_assignment, admin_user):
    portfolio = lead_assignment.portfolio
    with pytest.raises(ValidationError, match="scale"):
        workflow.scores_agree(
            portfolio=portfolio, ratings=_ratings(portfolio, "superb"), actor=admin_user,
            override=True,
        )  # fmt: skip
    assert not AgreedScore.objects.exists()


def test_agree_scores_refused_in_the_wrong_state(unit, framework, admin_user):
    portfolio = make_portfolio(unit, framework, state=PortfolioState.MORE_EVIDENCE)
    with pytest.raises(workflow.InvalidTransitionError):
        workflow.scores_agree(portfolio=portfolio, ratings={}, actor=admin_user, override=True)


# --- more evidence and resubmission ----------------------------------------------------------


def test_request_more_evidence_reopens_only_the_named_criteria(
    lead_assignment, assessor, django_capture_on_commit_callbacks, mailoutbox, lead
):
    portfolio = lead_assignment.portfolio
    score_all(lead_assignment)
    CriterionResponse.objects.filter(portfolio=portfolio).update(reopened=True)  # stale flags
    named = list(
        Criterion.objects.filter(code__in=["2.1", "7.2"], standard__framework=portfolio.framework)
    )
    due = timezone.localdate() + dt.timedelta(days=21)
    with django_capture_on_commit_callbacks(execute=True):
        request = workflow.portfolio_request_more_evidence(
            portfolio=portfolio, criteria=named, message="Please add minutes.", due_date=due,
            actor=assessor,
        )  # fmt: skip
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.MORE_EVIDENCE
    reopened = set(
        CriterionResponse.objects.filter(portfolio=portfolio, reopened=True).values_list(
            "criterion__code", flat=True
        )
    )
    assert reopened == {"2.1", "7.2"}
    assert CriterionScore.objects.filter(assignment=lead_assignment).count() == 20
    assert set(request.criteria.values_list("code", flat=True)) == {"2.1", "7.2"}
    assert events(portfolio) == [("in_review", "more_evidence")]
    assert verbs(request) == ["review.more_evidence_requested"]
    assert [m.to for m in mailoutbox] == [[lead.email]]
    assert "2.1" in mailoutbox[0].body
    assert "Please add minutes." in mailoutbox[0].body


def test_request_more_evidence_creates_a_missing_response_row(lead_assignment, admin_user):
    portfolio = lead_assignment.portfolio
    criterion = Criterion.objects.get(code="3.1", standard__framework=portfolio.framework)
    CriterionResponse.objects.filter(portfolio=portfolio, criterion=criterion).delete()
    workflow.portfolio_request_more_evidence(
        portfolio=portfolio, criteria=[criterion], message="More please.",
        due_date=timezone.localdate() + dt.timedelta(days=7), actor=admin_user,
    )  # fmt: skip
    assert CriterionResponse.objects.get(portfolio=portfolio, criterion=criterion).reopened


def test_request_more_evidence_forbidden_for_a_non_lead_assessor(
    lead_assignment, second_assignment, other_assessor, lead
):
    portfolio = lead_assignment.portfolio
    criterion = Criterion.objects.filter(standard__framework=portfolio.framework)[0]
    for actor in (other_assessor, lead):
        with pytest.raises(PermissionDenied):
            workflow.portfolio_request_more_evidence(
                portfolio=portfolio, criteria=[criterion], message="x",
                due_date=timezone.localdate() + dt.timedelta(days=7), actor=actor,
            )  # fmt: skip
    assert not EvidenceRequest.objects.exists()


def test_request_more_evidence_twice_is_refused_and_bad_input_saves_nothing(
    lead_assignment, admin_user
):
    portfolio = lead_assignment.portfolio
    criterion = Criterion.objects.filter(standard__framework=portfolio.framework)[0]
    due = timezone.localdate() + dt.timedelta(days=7)
    with pytest.raises(ValidationError) as exc:
        workflow.portfolio_request_more_evidence(
            portfolio=portfolio, criteria=[], message="", due_date=timezone.localdate(),
            actor=admin_user,
        )  # fmt: skip
    assert set(exc.value.message_dict) == {"criteria", "message", "due_date"}
    workflow.portfolio_request_more_evidence(
        portfolio=portfolio, criteria=[criterion], message="x", due_date=due, actor=admin_user
    )
    with pytest.raises(workflow.InvalidTransitionError):
        workflow.portfolio_request_more_evidence(
            portfolio=portfolio, criteria=[criterion], message="x", due_date=due, actor=admin_user
        )
    assert EvidenceRequest.objects.count() == 1


def test_accept_resubmission_keeps_scores_and_resolves_the_request(
    lead_assignment, admin_user, assessor, django_capture_on_commit_callbacks, mailoutbox
):
    portfolio = lead_assignment.portfolio
    score_all(lead_assignment)
    request = factories.EvidenceRequestFactory(portfolio=portfolio)
    portfolio.state = PortfolioState.RESUBMITTED
    portfolio.save()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.portfolio_accept_resubmission(portfolio=portfolio, actor=admin_user)
    portfolio.refresh_from_db()
    request.refresh_from_db()
    assert portfolio.state == PortfolioState.IN_REVIEW
    assert request.resolved_at is not None
    assert CriterionScore.objects.filter(assignment=lead_assignment).count() == 20
    assert events(portfolio) == [("resubmitted", "in_review")]
    assert verbs(portfolio) == ["portfolio.in_review"]
    assert [m.to for m in mailoutbox] == [[assessor.email]]


def test_accept_resubmission_forbidden_and_wrong_state(lead_assignment, lead, admin_user):
    portfolio = lead_assignment.portfolio
    portfolio.state = PortfolioState.MORE_EVIDENCE
    portfolio.save()
    with pytest.raises(PermissionDenied):
        workflow.portfolio_accept_resubmission(portfolio=portfolio, actor=lead)
    with pytest.raises(workflow.InvalidTransitionError):
        workflow.portfolio_accept_resubmission(portfolio=portfolio, actor=admin_user)
    assert events(portfolio) == []


# --- advance and decide ----------------------------------------------------------------------


def test_advance_through_interim_report_visit_and_panel(lead_assignment, assessor, admin_user):
    portfolio = complete_stages(lead_assignment.portfolio, "panel")
    workflow.review_advance(portfolio=portfolio, to_state="interim_report", actor=assessor)
    workflow.review_advance(portfolio=portfolio, to_state="visit", actor=admin_user)
    workflow.review_advance(portfolio=portfolio, to_state="panel", actor=admin_user)
    workflow.review_advance(portfolio=portfolio, to_state="panel", actor=admin_user)  # no-op
    assert events(portfolio) == [
        ("in_review", "interim_report"),
        ("interim_report", "visit"),
        ("visit", "panel"),
    ]


def test_advance_forbidden_and_wrong_state(
    lead_assignment, second_assignment, other_assessor, admin_user
):
    portfolio = lead_assignment.portfolio
    with pytest.raises(PermissionDenied):
        workflow.review_advance(
            portfolio=portfolio, to_state="interim_report", actor=other_assessor
        )
    with pytest.raises(workflow.InvalidTransitionError):
        workflow.review_advance(portfolio=portfolio, to_state="panel", actor=admin_user)
    with pytest.raises(workflow.InvalidTransitionError):
        workflow.review_advance(portfolio=portfolio, to_state="awarded", actor=admin_user)
    assert events(portfolio) == []


STAGES = [
    # (from, to, what is done beforehand, what is still missing)
    ("in_review", "interim_report", None, ["scores", "agreed"]),
    ("resubmitted", "interim_report", None, ["scores", "agreed"]),
    ("interim_report", "visit", "interim_report", ["interim"]),
    ("visit", "panel", "visit", ["visit"]),
]


@pytest.mark.parametrize(("from_state", "to_state", "done", "missing"), STAGES)
def test_advance_refuses_a_stage_whose_artefacts_are_missing(  # noqa: PLR0917 -- pytest fixtures
    lead_assignment, admin_user, from_state, to_state, done, missing
):
    portfolio = lead_assignment.portfolio
    if done:
        complete_stages(portfolio, done)
    portfolio.state = from_state
    portfolio.save(update_fields=["state"])
    assert [
        u.key for u in workflow.unfinished_before(portfolio=portfolio, step=to_state)
    ] == missing
    with pytest.raises(ValidationError) as exc:
        workflow.review_advance(portfolio=portfolio, to_state=to_state, actor=admin_user)
    assert exc.value.code == "unfinished"
    assert events(portfolio) == []
    assert "review.step_overridden" not in verbs()
    complete_stages(portfolio, to_state)
    workflow.review_advance(portfolio=portfolio, to_state=to_state, actor=admin_user)
    assert events(portfolio) == [(from_state, to_state)]


def test_advance_names_who_has_still_to_score_and_which_criteria_are_not_agreed(
    lead_assignment, second_assignment, admin_user
):
    portfolio = lead_assignment.portfolio
    Assignment.objects.filter(pk=lead_assignment.pk).update(state=AssignmentState.SUBMITTED)
    codes = sorted(
        c.code for c in Criterion.objects.filter(standard__framework=portfolio.framework)
    )
    for criterion in Criterion.objects.filter(standard__framework=portfolio.framework).exclude(
        code=codes[0]
    ):
        factories.AgreedScoreFactory(portfolio=portfolio, criterion=criterion)
    with pytest.raises(ValidationError) as exc:
        workflow.review_advance(portfolio=portfolio, to_state="interim_report", actor=admin_user)
    assert exc.value.messages == [
        f"Not yet: Scores not yet submitted by: {second_assignment.assessor}. "
        f"No agreed rating yet for 1 criterion: {codes[0]}."
    ]


def test_advance_override_needs_an_admin_and_a_reason_and_is_audited(
    lead_assignment, assessor, admin_user
):
    portfolio = lead_assignment.portfolio
    with pytest.raises(PermissionDenied):
        workflow.review_advance(
            portfolio=portfolio, to_state="interim_report", actor=assessor,
            override_reason="The panel meets tomorrow.",
        )  # fmt: skip
    with pytest.raises(ValidationError):
        workflow.review_advance(
            portfolio=portfolio, to_state="interim_report", actor=admin_user,
            override_reason="   ",
        )  # fmt: skip
    assert events(portfolio) == []
    workflow.review_advance(
        portfolio=portfolio, to_state="interim_report", actor=admin_user,
        override_reason="  The second assessor left; the lead's scores stand.  ",
    )  # fmt: skip
    assert events(portfolio) == [("in_review", "interim_report")]
    note = PortfolioEvent.objects.get(portfolio=portfolio).note
    assert note.startswith("Moved on without: Scores not yet submitted by: ")
    event = AuditEvent.objects.get(verb="review.step_overridden")
    assert (event.object_type, event.object_id) == ("portfolios.portfolio", str(portfolio.pk))
    assert event.details == {
        "step": "interim_report",
        "unfinished": ["scores", "agreed"],
        "reason": "The second assessor left; the lead's scores stand.",
    }
    assert event.actor == admin_user


def test_decision_needs_the_summary_report_or_a_recorded_override(  # noqa: PLR0917 -- pytest fixtures
    unit, framework, admin_user, lead, django_capture_on_commit_callbacks, mailoutbox
):
    portfolio = complete_stages(
        make_portfolio(unit, framework, state=PortfolioState.PANEL), "interim_report"
    )
    with pytest.raises(ValidationError) as exc:
        workflow.decision_record(
            portfolio=portfolio, outcome=DecisionOutcome.AWARDED, rationale="Met.",
            actor=admin_user,
        )  # fmt: skip
    assert exc.value.messages == ["Not yet: The summary report is not released to the unit yet."]
    assert not portfolio.decisions.exists()
    with django_capture_on_commit_callbacks(execute=True):
        decision = workflow.decision_record(
            portfolio=portfolio, outcome=DecisionOutcome.AWARDED, rationale="Met.",
            actor=admin_user, override_reason="The summary was presented orally.",
        )  # fmt: skip
    overridden = AuditEvent.objects.get(verb="review.step_overridden")
    assert overridden.details == {
        "step": "decision",
        "unfinished": ["summary"],
        "reason": "The summary was presented orally.",
    }
    recorded = AuditEvent.objects.get(verb="review.decision_recorded")
    assert recorded.details["not_considered"] == [
        "the interim report",
        "the record of the visit",
        "the summary report",
    ]
    (letter,) = [m for m in mailoutbox if "decision" in m.subject.lower()]
    assert (
        "considered your portfolio and the assessors' agreed scores. The panel did not have "
        "the interim report, the record of the visit and the summary report: the review "
        "moved on before they were ready." in " ".join(letter.body.split())
    )
    assert "and the visit." not in letter.body
    assert decision.portfolio.state == PortfolioState.AWARDED

    # A letter sent late (the outbox waiting for the broker) does not count a report
    # released after the decision.
    complete_stages(portfolio)
    mailoutbox.clear()
    tasks.send_decision_letter(decision_id=decision.pk)
    (late,) = mailoutbox
    assert "did not have the interim report, the record of the visit and the summary" in (
        " ".join(late.body.split())
    )


def test_record_awarded_decision_issues_the_award_and_sends_the_letter(
    at_panel, admin_user, lead, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = workflow.decision_record(
            portfolio=at_panel, outcome=DecisionOutcome.AWARDED,
            rationale="Every standard is met.", actor=admin_user,
        )  # fmt: skip
    at_panel.refresh_from_db()
    assert at_panel.state == PortfolioState.AWARDED
    assert decision.decided_by == admin_user
    assert Award.objects.get().decision == decision
    assert events(at_panel) == [("panel", "awarded")]
    assert "review.decision_recorded" in verbs(decision)
    letters = [m for m in mailoutbox if m.to == [lead.email] and "decision" in m.subject.lower()]
    assert len(letters) == 1
    assert "Every standard is met." in letters[0].body
    assert (
        "considered your portfolio, the assessors' agreed scores, the interim report, the "
        "record of the visit and the summary report." in " ".join(letters[0].body.split())
    )
    assert "did not have" not in letters[0].body


def test_record_deferred_decision_needs_conditions_and_a_date(at_panel, admin_user):
    with pytest.raises(ValidationError) as exc:
        workflow.decision_record(
            portfolio=at_panel, outcome=DecisionOutcome.DEFERRED, rationale="Nearly there.",
            actor=admin_user,
        )  # fmt: skip
    assert set(exc.value.message_dict) == {"conditions", "conditions_due"}
    due = timezone.localdate() + dt.timedelta(days=90)
    decision = workflow.decision_record(
        portfolio=at_panel, outcome=DecisionOutcome.DEFERRED, rationale="Nearly there.",
        conditions="Add minutes for standard 5.", conditions_due=due, actor=admin_user,
    )  # fmt: skip
    at_panel.refresh_from_db()
    assert (at_panel.state, decision.conditions_due) == (PortfolioState.DEFERRED, due)
    assert not Award.objects.exists()


def test_record_decision_forbidden_for_assessors_and_wrong_state(
    at_panel, assessor, admin_user, unit, framework
):
    assign(at_panel, assessor, lead=True)
    with pytest.raises(PermissionDenied):
        workflow.decision_record(
            portfolio=at_panel, outcome="not_awarded", rationale="x", actor=assessor
        )
    workflow.decision_record(
        portfolio=at_panel, outcome="not_awarded", rationale="x", actor=admin_user
    )
    # Pressing the button again: one decision, one transition.
    with pytest.raises(workflow.InvalidTransitionError):
        workflow.decision_record(
            portfolio=at_panel, outcome="not_awarded", rationale="x", actor=admin_user
        )
    assert at_panel.decisions.count() == 1
    assert events(at_panel) == [("panel", "not_awarded")]


# --- reports ---------------------------------------------------------------------------------


def test_release_report_queues_the_pdf_and_emails_the_unit(
    lead_assignment, assessor, lead, django_capture_on_commit_callbacks, mailoutbox
):
    report = factories.ReportFactory(portfolio=lead_assignment.portfolio)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        workflow.report_release(report=report, actor=assessor)
    report.refresh_from_db()
    assert report.released_at is not None
    assert report.status == ReportStatus.READY
    assert report.pdf.name.endswith(".pdf")
    # The PDF task and the email (the rest are fragment-cache bumps, ee_portal/lib/fragments).
    assert len([c for c in callbacks if not fragments.is_bump(c)]) == 2
    assert verbs(report) == ["review.report_released"]
    assert [m.to for m in mailoutbox] == [[lead.email]]
    workflow.report_release(report=report, actor=assessor)  # no-op
    assert verbs(report) == ["review.report_released"]


def test_release_report_forbidden_for_a_second_assessor_and_the_unit(
    lead_assignment, second_assignment, other_assessor, lead
):
    report = factories.ReportFactory(portfolio=lead_assignment.portfolio)
    for actor in (other_assessor, lead):
        with pytest.raises(PermissionDenied):
            workflow.report_release(report=report, actor=actor)
    report.refresh_from_db()
    assert report.released_at is None


# --- concurrency -----------------------------------------------------------------------------


def test_two_admins_accepting_at_once_make_one_transition_on_the_locked_row(
    lead_assignment, admin_user
):
    """SQLite has no row locks: this proves the guard reads the locked row, not the caller's
    stale copy. On PostgreSQL the threaded test below proves the lock itself."""
    portfolio = lead_assignment.portfolio
    portfolio.state = PortfolioState.RESUBMITTED
    portfolio.save()
    stale = type(portfolio).objects.get(pk=portfolio.pk)
    workflow.portfolio_accept_resubmission(portfolio=portfolio, actor=admin_user)
    workflow.portfolio_accept_resubmission(portfolio=stale, actor=admin_user)
    assert events(portfolio) == [("resubmitted", "in_review")]


@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_make_one_transition_on_postgresql(unit, framework, admin_user, lead):
    need_service("PostgreSQL", on_postgresql(), "row locks; SQLite is covered by the test above")
    portfolio = complete_stages(make_portfolio(unit, framework, state=PortfolioState.PANEL))
    barrier = threading.Barrier(2)
    outcomes = []

    def press():
        try:
            barrier.wait()
            workflow.decision_record(
                portfolio=type(portfolio).objects.get(pk=portfolio.pk), outcome="not_awarded",
                rationale="x", actor=admin_user,
            )  # fmt: skip
            outcomes.append("ok")
        except workflow.InvalidTransitionError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert events(portfolio) == [("panel", "not_awarded")]


def test_generic_report_functions_refuse_feedback_reports(admin_user):
    report = factories.ReportFactory(kind=ReportKind.FEEDBACK)
    for transition in (workflow.report_release, workflow.report_render):
        with pytest.raises(ValidationError, match="award page"):
            transition(report=report, actor=admin_user)
    report.refresh_from_db()
    assert report.released_at is None
