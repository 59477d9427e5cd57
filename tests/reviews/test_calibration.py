"""Issue 16, deliverable 4: calibration exercises. Publishing the practice portfolio, rating it
on the normal scoring page (marked practice, emailing nobody), the comparison with the
reference afterwards, everyone's results for admins, and the warnings when assigning."""

import datetime as dt

import pytest
import yaml
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ee_portal.audit.models import AuditEvent
from network.models import Unit
from portfolios.models import Portfolio
from reviews.calibration import calibration_publish_example, calibration_status
from reviews.enums import AssignmentState
from reviews.models import Assignment, CalibrationExercise, ReferenceRating
from reviews.selectors import assignments_overdue, review_queue_for_admin
from tests import factories
from tests.reviews.agreement_data import criteria_of, practice, practised
from tests.reviews.test_views import login

pytestmark = pytest.mark.django_db

HOME = "/reviews/calibration/"


def example(tmp_path, framework, *, drop=None):
    criteria = [
        {
            "code": c.code,
            "narrative": f"How the example ward meets {c.code}.",
            "evidence": f"Minutes for {c.code}",
            "reference": "partly_met" if c.code == "1.1" else "met",
            "comment": f"The panel's view on {c.code}.",
        }
        for c in criteria_of(framework)
        if c.code != drop
    ]
    path = tmp_path / "practice.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "title": "Practice: Example Ward",
                "organisation": "CCQI practice examples",
                "unit": "Practice: Example Ward (anonymised)",
                "framework": framework.code,
                "criteria": criteria,
            }
        )
    )
    return path


def test_admin_publishes_the_example_with_its_references(tmp_path, framework, admin_user):
    exercise = calibration_publish_example(actor=admin_user, path=example(tmp_path, framework))
    assert exercise.published_at is not None
    portfolio = exercise.portfolio
    assert portfolio.responses.count() == 20
    assert portfolio.evidence.count() == 20
    assert portfolio.unit.show_on_register is False
    references = dict(ReferenceRating.objects.values_list("criterion__code", "rating"))
    assert references["1.1"] == "partly_met"
    assert set(references.values()) == {"met", "partly_met"}
    assert AuditEvent.objects.filter(verb="review.calibration_published").count() == 1
    # Publishing again is a no-op that returns the same exercise.
    again = calibration_publish_example(actor=admin_user, path=example(tmp_path, framework))
    assert again == exercise
    assert CalibrationExercise.objects.count() == 1


def test_an_incomplete_example_is_refused_and_nothing_is_written(tmp_path, framework, admin_user):
    with pytest.raises(ValidationError, match="criterion 2.2 is missing"):
        calibration_publish_example(actor=admin_user, path=example(tmp_path, framework, drop="2.2"))
    assert (CalibrationExercise.objects.count(), Portfolio.objects.count()) == (0, 0)
    assert not Unit.objects.filter(name__startswith="Practice").exists()


def test_only_admins_publish(tmp_path, framework, assessor, client):
    with pytest.raises(PermissionDenied):
        calibration_publish_example(actor=assessor, path=example(tmp_path, framework))
    assert login(client, assessor).post(f"{HOME}publish/").status_code == 404
    assert CalibrationExercise.objects.count() == 0


def test_publish_view_says_what_is_wrong(client, admin_user, framework):
    # The shipped example is written for the sample standards, not this test framework.
    response = login(client, admin_user).post(f"{HOME}publish/")
    assert response.status_code == 302
    [message] = list(get_messages(response.wsgi_request))
    assert "cannot be published" in str(message)
    assert CalibrationExercise.objects.count() == 0
    assert client.get(f"{HOME}publish/").status_code == 405


def test_assessor_starts_practice_on_the_normal_scoring_page(client, framework, assessor):
    exercise = practice(framework)
    response = login(client, assessor).post(f"{HOME}{exercise.pk}/start/")
    assignment = Assignment.objects.get(assessor=assessor)
    assert response.url == f"/reviews/assignments/{assignment.pk}/score/"
    assert (assignment.portfolio_id, assignment.state) == (
        exercise.portfolio_id,
        AssignmentState.SCORING,
    )
    page = client.get(response.url).content.decode()
    assert "This is a practice portfolio for calibration." in page
    # Starting again goes back to the same assignment.
    client.post(f"{HOME}{exercise.pk}/start/")
    assert Assignment.objects.filter(assessor=assessor).count() == 1
    listing = client.get("/reviews/").content.decode()
    assert "Practice" in listing


@pytest.mark.parametrize("who", ["lead", "contributor"])
def test_units_cannot_practise_or_see_calibration(client, request, who, framework):
    exercise = practice(framework)
    user = request.getfixturevalue(who)
    assert login(client, user).get(HOME).status_code == 404
    assert client.post(f"{HOME}{exercise.pk}/start/").status_code == 404
    assert not Assignment.objects.exists()


def test_unpublished_exercise_cannot_be_started(client, framework, assessor):
    exercise = practice(framework)
    exercise.published_at = None
    exercise.save()
    assert login(client, assessor).post(f"{HOME}{exercise.pk}/start/").status_code == 404


@pytest.mark.usefixtures("admin_user")  # an admin who would get a real submission's email
def test_submitting_practice_emails_nobody_and_hides_other_practisers(
    client, framework, assessor, other_assessor, django_capture_on_commit_callbacks
):
    exercise = practice(framework)
    practised(exercise, other_assessor, "not_met")
    login(client, assessor).post(f"{HOME}{exercise.pk}/start/")
    assignment = Assignment.objects.get(assessor=assessor)
    for criterion in criteria_of(framework):
        client.post(
            f"/reviews/assignments/{assignment.pk}/score/{criterion.pk}/",
            {f"c{criterion.pk}-rating": "met", f"c{criterion.pk}-comment": "Looks right."},
        )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reviews/assignments/{assignment.pk}/submit/")
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.SUBMITTED
    assert mail.outbox == []
    page = client.get(f"/reviews/assignments/{assignment.pk}/score/").content.decode()
    assert "Not met" not in page  # the other practiser's ratings are never shown
    assert f"/reviews/calibration/assignments/{assignment.pk}/" in page


def test_result_compares_criterion_by_criterion_with_reference_comments(
    client, framework, assessor
):
    references = ["partly_met"] + ["met"] * 19
    exercise = practice(framework, references=references)
    assignment = practised(exercise, assessor, "met")
    response = login(client, assessor).get(f"{HOME}assignments/{assignment.pk}/")
    rows = response.context["rows"]
    assert [row.matches for row, _own, _ref in rows] == [False] + [True] * 19
    agreement = response.context["agreement"]
    assert (agreement.n, agreement.agreed) == (20, 19)
    html = response.content.decode()
    assert "Why 1.1." in html  # the reference comment
    assert "19 of 20 criteria (95%)" in html
    assert "Your ratings beside the reference" in html


def test_reference_stays_hidden_until_submission(client, framework, assessor):
    exercise = practice(framework)
    login(client, assessor).post(f"{HOME}{exercise.pk}/start/")
    assignment = Assignment.objects.get(assessor=assessor)
    response = client.get(f"{HOME}assignments/{assignment.pk}/")
    assert response.url == f"/reviews/assignments/{assignment.pk}/score/"


def test_results_are_private_to_the_assessor_and_admins(
    client, framework, assessor, other_assessor, admin_user
):
    lead = factories.UnitRoleFactory(role="lead").user
    exercise = practice(framework)
    assignment = practised(exercise, assessor, "met")
    url = f"{HOME}assignments/{assignment.pk}/"
    assert login(client, other_assessor).get(url).status_code == 404
    assert login(client, lead).get(url).status_code == 404
    assert login(client, admin_user).get(url).status_code == 200
    assert client.post(url).status_code == 405
    # A real assignment has no practice result page.
    real = factories.AssignmentFactory(assessor=assessor, state=AssignmentState.SUBMITTED)
    assert login(client, assessor).get(f"{HOME}assignments/{real.pk}/").status_code == 404


def test_admin_sees_everyones_results(client, framework, assessor, other_assessor, admin_user):
    exercise = practice(framework)
    practised(exercise, assessor, "met")
    practised(exercise, other_assessor, ["not_met"] * 10 + ["met"] * 10)
    response = login(client, admin_user).get(HOME)
    figures = {a.assessor: f for a, f in response.context["everyone"]}
    assert (figures[assessor].agreed, figures[other_assessor].agreed) == (20, 10)
    assert "below threshold" in response.content.decode()
    mine = login(client, assessor).get(HOME)
    assert mine.context["everyone"] == []
    assert "See your results" in mine.content.decode()


def test_calibration_status_flags(framework, assessor, other_assessor, settings):
    fresh, stale, weak = assessor, other_assessor, factories.AssessorProfileFactory().user
    never = factories.AssessorProfileFactory().user
    exercise = practice(framework)
    practised(exercise, fresh, "met")
    practised(exercise, stale, "met", days_ago=400)
    practised(exercise, weak, ["not_met"] * 8 + ["met"] * 12)
    statuses = calibration_status(assessor_ids=[fresh.pk, stale.pk, weak.pk, never.pk])
    assert statuses[fresh.pk].flags == []
    assert statuses[stale.pk].flags == ["has not calibrated in the last 12 months"]
    assert len(statuses[weak.pk].flags) == 1
    assert "below the threshold" in statuses[weak.pk].flags[0]
    assert statuses[never.pk].flags == ["has not completed a practice portfolio"]
    settings.EE_CALIBRATION_VALID_MONTHS = 24
    settings.EE_CALIBRATION_MIN_AC1 = 0.0
    relaxed = calibration_status(assessor_ids=[stale.pk, weak.pk])
    assert (relaxed[stale.pk].flags, relaxed[weak.pk].flags) == ([], [])


def test_assignment_screen_warns_but_does_not_block(
    client, admin_user, submitted, assessor, other_assessor
):
    framework = submitted.framework
    practised(practice(framework), assessor, "met")
    page = login(client, admin_user).get(f"/reviews/portfolios/{submitted.pk}/")
    flagged = [person for person, _flags in page.context["calibration_flags"]]
    assert flagged == [other_assessor]
    assert "has not completed a practice portfolio" in page.content.decode()
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    response = client.post(
        f"/reviews/portfolios/{submitted.pk}/assign/",
        {"assessor": other_assessor.pk, "due_date": due},
    )
    assert Assignment.objects.filter(portfolio=submitted, assessor=other_assessor).exists()
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("has not completed a practice portfolio" in t for t in texts)


def test_practice_is_never_in_the_queue_or_the_reminders(framework, assessor):
    exercise = practice(framework)
    factories.AssignmentFactory(
        portfolio=exercise.portfolio,
        assessor=assessor,
        state=AssignmentState.SCORING,
        due_date=timezone.localdate() - dt.timedelta(days=3),
    )
    assert list(review_queue_for_admin()) == []
    assert list(assignments_overdue(today=timezone.localdate())) == []


def test_calibration_pages_refuse_the_wrong_method(client, framework, assessor, admin_user):
    exercise = practice(framework)
    assert login(client, assessor).post(HOME).status_code == 405
    assert client.get(f"{HOME}{exercise.pk}/start/").status_code == 405
    assert login(client, admin_user).get(f"{HOME}publish/").status_code == 405
    assert client.post("/reviews/agreement/mine/").status_code == 405


@pytest.mark.parametrize("practisers", [1, 3])
def test_calibration_page_query_count_is_constant(
    client, framework, admin_user, django_assert_num_queries, practisers
):
    exercise = practice(framework)
    for _ in range(practisers):
        practised(exercise, factories.AssessorProfileFactory().user, "met")
    login(client, admin_user)
    # session, user with roles, published exercises, every practice assignment, their
    # aggregate against the reference, the scale; then the session's save (3).
    with django_assert_num_queries(9):
        response = client.get(HOME)
    assert len(response.context["everyone"]) == practisers


def test_practice_portfolio_is_marked_and_cannot_be_assigned(
    client, framework, admin_user, assessor
):
    exercise = practice(framework)
    page = login(client, admin_user).get(f"/reviews/portfolios/{exercise.portfolio_id}/")
    assert "This is a practice portfolio for calibration." in page.content.decode()
    assert page.context["assign_form"] is None
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    response = client.post(
        f"/reviews/portfolios/{exercise.portfolio_id}/assign/",
        {"assessor": assessor.pk, "due_date": due},
    )
    assert response.status_code == 302
    assert not Assignment.objects.exists()
    [message] = list(get_messages(response.wsgi_request))
    assert "practice portfolio" in str(message)


def test_a_network_peer_reviewer_practises_like_an_assessor(client, framework):
    """Issue 16, deliverable 4: "assessors (and the network's peer reviewers when they exist)
    rate it in the normal scoring page". A peer reviewer who is not an EE assessor."""
    exercise = practice(framework)
    reviewer = factories.UserFactory(is_peer_reviewer=True, is_assessor=False)
    home = login(client, reviewer).get(HOME)
    assert home.status_code == 200
    assert "Start this practice portfolio" in home.content.decode()
    response = client.post(f"{HOME}{exercise.pk}/start/")
    assignment = Assignment.objects.get(assessor=reviewer)
    assert response.url == f"/reviews/assignments/{assignment.pk}/score/"
    assert assignment.state == AssignmentState.SCORING
    assert client.get(response.url).status_code == 200
