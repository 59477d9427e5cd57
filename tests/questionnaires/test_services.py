import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import ProtectedError
from django.utils import timezone
from PIL import Image

from ee_portal.audit.models import AuditEvent
from portfolios.demo import demo_png_bytes
from portfolios.enums import PortfolioState
from portfolios.models import Evidence
from portfolios.selectors import portfolio_readiness
from portfolios.services import NotReadyError, portfolio_submit
from questionnaires.enums import TEXT_ANSWER_MAX_CHARS
from questionnaires.models import (
    Answer,
    Contribution,
    Item,
    QuestionnaireLockedError,
    Response,
    Round,
)
from questionnaires.services import (
    contribution_accept,
    contribution_decline,
    contribution_submit,
    paper_sheet_enter,
    response_submit,
    round_close,
    round_open,
)
from tests import factories
from tests.conftest import need_service
from tests.portfolios.conftest import jpeg_with_gps
from tests.services import on_postgresql

from .conftest import answer, items_of

pytestmark = pytest.mark.django_db

TODAY = dt.date.today


def _open(portfolio, actor, audience="service_users", **overrides):
    today = timezone.localdate()
    values = {"opens_on": today, "closes_on": today + dt.timedelta(days=14), "expected_count": 12}
    values.update(overrides)
    return round_open(portfolio=portfolio, actor=actor, audience=audience, **values)


def test_lead_opens_a_round_with_an_unguessable_token_and_it_is_audited(portfolio, lead):
    round_ = _open(portfolio, lead)
    assert round_.is_open
    assert len(round_.token) >= 43
    assert AuditEvent.objects.filter(verb="questionnaires.round_open").count() == 1


def test_one_round_per_audience(portfolio, lead):
    _open(portfolio, lead)
    with pytest.raises(ValidationError, match="already a round"):
        _open(portfolio, lead)
    assert Round.objects.count() == 1


@pytest.mark.parametrize("who", ["contributor", "other_lead", "assessor", "admin_user"])
def test_only_the_lead_opens_a_round(request, portfolio, who):
    with pytest.raises(PermissionDenied):
        _open(portfolio, request.getfixturevalue(who))
    assert not Round.objects.exists()


def test_no_round_once_submitted_or_for_an_unknown_audience(portfolio, lead):
    with pytest.raises(ValidationError):
        _open(portfolio, lead, audience="carers")
    portfolio.state = PortfolioState.SUBMITTED
    portfolio.save(update_fields=["state"])
    with pytest.raises(PermissionDenied):
        _open(portfolio, lead)


def test_dates_must_be_in_order(portfolio, lead):
    with pytest.raises(ValidationError):
        _open(portfolio, lead, closes_on=timezone.localdate() - dt.timedelta(days=1))


def test_a_response_stores_no_identity_and_only_the_day(round_):
    stored = answer(round_, "4", text="Nice")
    response = stored.response
    fields = {f.name for f in Response._meta.get_fields()}
    assert fields == {
        "id",
        "round",
        "submitted_on",
        "source",
        "submission_key",
        "sheet_number",
        "answers",
    }
    assert isinstance(response.submitted_on, dt.date)
    assert not isinstance(response.submitted_on, dt.datetime)
    assert {f.name for f in Answer._meta.get_fields()} == {
        "id",
        "response",
        "item",
        "value",
        "text",
    }


def test_the_same_form_posted_twice_is_stored_once(round_):
    first = answer(round_, "4", token="same-token")
    again = answer(round_, "2", token="same-token")
    assert (first.duplicate, again.duplicate) == (False, True)
    assert Response.objects.count() == 1
    assert set(Answer.objects.values_list("value", flat=True)) - {""} == {"4", "yes"}


def test_free_text_is_stored_exactly_as_typed(round_):
    """Quotes, backslashes, commas, braces, new lines and any script survive the insert (on
    PostgreSQL the answers travel as array literals); a NUL, which nobody types and which
    PostgreSQL cannot store, is dropped."""
    typed = 'He said "no", then {left}\\ NULL,\n\tcroeso — 👍 \'ok\' \\"'
    stored = answer(round_, "3", text=typed + "\x00").response
    texts = [a.text for a in stored.answers.all() if a.text]
    assert texts == [typed]
    assert sorted({a.value for a in stored.answers.all() if a.value}) == ["3", "no"]


def test_answers_go_with_their_response_and_keep_their_items(round_):
    """The answers' keys are Django's to keep (models.Answer: no database constraint, for the
    posting throughput): a response or a round deleted takes its answers with it, and an item
    with answers cannot be deleted."""
    kept = answer(round_, "4", token="kept").response
    gone = answer(round_, "2", token="gone").response
    item = Answer.objects.filter(response=kept).select_related("item").first().item
    with pytest.raises(QuestionnaireLockedError):
        item.delete()  # a published set's items never change
    with pytest.raises(ProtectedError) as refused:
        Item.objects.filter(pk=item.pk).delete()  # nor go, even past the lock
    assert {type(o) for o in refused.value.protected_objects} == {Answer}
    gone.delete()
    assert set(Answer.objects.values_list("response_id", flat=True)) == {kept.pk}
    round_.delete()
    assert not Answer.objects.exists()


def test_out_of_range_and_over_long_answers_change_nothing(round_):
    items = items_of(round_)
    scale = next(i for i in items if i.answer_type == "agree5")
    text = next(i for i in items if i.answer_type == "text")
    with pytest.raises(ValidationError):
        response_submit(round_=round_, items=items, answers={scale.pk: "6"}, token="a")
    with pytest.raises(ValidationError):
        response_submit(
            round_=round_,
            items=items,
            answers={scale.pk: "4", text.pk: "x" * (TEXT_ANSWER_MAX_CHARS + 1)},
            token="b",
        )
    with pytest.raises(ValidationError):
        response_submit(round_=round_, items=items, answers={}, token="c")
    assert not Response.objects.exists()
    assert not Answer.objects.exists()


def test_a_closed_round_takes_no_answers(round_, lead):
    round_close(round_=round_, actor=lead)
    with pytest.raises(ValidationError, match="closed"):
        answer(round_, "4")
    assert not Response.objects.exists()


def test_paper_sheet_entered_once_and_audited(round_, lead):
    round_.sheets_issued = 10
    round_.save(update_fields=["sheets_issued"])
    items = items_of(round_)
    scale = next(i for i in items if i.answer_type == "agree5")
    paper_sheet_enter(
        round_=round_, actor=lead, sheet_number=3, items=items, answers={scale.pk: "5"}
    )
    with pytest.raises(ValidationError, match="already been entered"):
        paper_sheet_enter(
            round_=round_, actor=lead, sheet_number=3, items=items, answers={scale.pk: "1"}
        )
    with pytest.raises(ValidationError, match="not printed"):
        paper_sheet_enter(
            round_=round_, actor=lead, sheet_number=11, items=items, answers={scale.pk: "1"}
        )
    assert list(Response.objects.values_list("source", "sheet_number")) == [("paper", 3)]
    event = AuditEvent.objects.get(verb="questionnaires.paper_entered")
    assert (event.actor_id, event.details) == (lead.pk, {"sheet": 3, "answers": 1})


def test_only_the_lead_enters_paper(round_, contributor):
    round_.sheets_issued = 10
    with pytest.raises(PermissionDenied):
        paper_sheet_enter(round_=round_, actor=contributor, sheet_number=1, items=[], answers={})


def test_readiness_asks_for_a_closed_round_per_audience_with_n(portfolio, lead, round_):
    def questionnaire_messages():
        return [
            m.message for m in portfolio_readiness(portfolio=portfolio) if m.kind == "questionnaire"
        ]

    assert questionnaire_messages() == [
        "Questionnaires: service users and residents need at least 5 responses (so far 0).",
        "Questionnaires: open a round for staff.",
    ]
    for _ in range(5):
        answer(round_, "4")
    staff = factories.RoundFactory(
        portfolio=portfolio, questionnaire=round_.questionnaire, audience="staff"
    )
    for _ in range(5):
        answer(staff, "4")
    assert questionnaire_messages() == [
        "Questionnaires: close the round for service users and residents.",
        "Questionnaires: close the round for staff.",
    ]
    round_close(round_=round_, actor=lead)
    round_close(round_=staff, actor=lead)
    assert questionnaire_messages() == []


def test_readiness_ignores_questionnaires_when_not_required(portfolio, questionnaire):
    type(questionnaire).objects.filter(pk=questionnaire.pk).update(required_for_submission=False)
    assert [m for m in portfolio_readiness(portfolio=portfolio) if m.kind == "questionnaire"] == []


def _contribute(round_, **overrides):
    values = {
        "kind": "quote",
        "title": "My words",
        "text": "Staff listen.",
        "upload": None,
        "consent": True,
        "token": "t1",
    }
    values.update(overrides)
    return contribution_submit(round_=round_, **values)


def test_contribution_needs_consent_and_is_stored_once(round_):
    with pytest.raises(ValidationError):
        _contribute(round_, consent=False)
    assert _contribute(round_) is not None
    assert _contribute(round_) is None  # the same form again
    assert Contribution.objects.count() == 1


def test_artwork_photo_loses_its_exif(round_):
    upload = SimpleUploadedFile("art.jpg", jpeg_with_gps(), "image/jpeg")
    contribution = _contribute(round_, kind="artwork", text="", upload=upload)
    with contribution.file.open("rb") as handle:
        image = Image.open(handle)
        assert not image.getexif().get_ifd(0x8825)
        assert image.getexif().get(0x010F) is None


def test_a_non_image_is_refused_for_artwork(round_):
    upload = SimpleUploadedFile("art.jpg", b"%PDF-1.4 not an image", "image/jpeg")
    with pytest.raises(ValidationError):
        _contribute(round_, kind="artwork", text="", upload=upload)
    assert not Contribution.objects.exists()


def test_accepting_makes_evidence_contributed_by_a_resident(round_, lead, framework):
    contribution = _contribute(round_)
    criterion = framework.standards.first().criteria.first()
    evidence = contribution_accept(
        contribution=contribution, actor=lead, criterion_ids=[criterion.pk]
    )
    assert evidence.contributed_by_resident is True
    assert (evidence.kind, evidence.text) == ("text", "Staff listen.")
    assert list(evidence.criteria.all()) == [criterion]
    assert not Contribution.objects.exists()


def test_accepting_a_photo_makes_file_evidence(round_, lead):
    upload = SimpleUploadedFile("art.png", demo_png_bytes(), "image/png")
    contribution = _contribute(round_, kind="artwork", text="", upload=upload)
    evidence = contribution_accept(contribution=contribution, actor=lead, criterion_ids=[])
    assert (evidence.kind, evidence.content_type, evidence.contributed_by_resident) == (
        "file",
        "image/png",
        True,
    )


def test_declining_deletes_everything(round_, lead, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("art.png", demo_png_bytes(), "image/png")
    contribution = _contribute(round_, kind="artwork", text="", upload=upload)
    name = contribution.file.name
    storage = contribution.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        contribution_decline(contribution=contribution, actor=lead)
    assert not Contribution.objects.exists()
    assert not storage.exists(name)
    assert not Evidence.objects.exists()


def test_only_the_lead_moderates(round_, contributor):
    contribution = _contribute(round_)
    with pytest.raises(PermissionDenied):
        contribution_accept(contribution=contribution, actor=contributor, criterion_ids=[])
    with pytest.raises(PermissionDenied):
        contribution_decline(contribution=contribution, actor=contributor)
    assert Contribution.objects.count() == 1


def test_accepting_into_a_submitted_portfolio_is_refused(round_, lead):
    contribution = _contribute(round_)
    round_.portfolio.state = PortfolioState.SUBMITTED
    round_.portfolio.save(update_fields=["state"])
    with pytest.raises(PermissionDenied):
        contribution_accept(contribution=contribution, actor=lead, criterion_ids=[])
    assert Contribution.objects.count() == 1


def test_submit_is_refused_until_the_rounds_are_closed_with_n(portfolio, lead, round_):
    for response in portfolio.responses.all():
        response.narrative = "We meet daily."
        response.save(update_fields=["narrative"])
        evidence = factories.EvidenceFactory(portfolio=portfolio)
        factories.EvidenceLinkFactory(evidence=evidence, criterion=response.criterion)
    # Only the questionnaire rule is left (the other criteria have no response rows here).
    assert {m.kind for m in portfolio_readiness(portfolio=portfolio)} == {"questionnaire"}
    with pytest.raises(NotReadyError):
        portfolio_submit(portfolio=portfolio, actor=lead)
    portfolio.refresh_from_db()
    assert portfolio.state == PortfolioState.DRAFT


def test_a_post_writes_no_index_nobody_reads(transactional_db):
    """Every post writes a row per answer (bench/questionnaires.py): the answers keep only
    the indexes that lookups use (the unique (response, item) one serves "by response"), and
    the submission key has its unique index only (no LIKE-pattern twin)."""
    need_service("PostgreSQL", on_postgresql(), "index definitions are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes"
            " WHERE tablename IN ('questionnaires_answer', 'questionnaires_response')"
        )
        columns = {(table, d[d.index("(") :]) for table, d in cursor.fetchall()}
    assert {c for t, c in columns if t == "questionnaires_answer"} == {
        "(id)",
        "(response_id, item_id)",
        "(item_id)",
    }
    assert "(submission_key)" in {c for t, c in columns if t == "questionnaires_response"}
    assert not [c for t, c in columns if "pattern_ops" in c]
