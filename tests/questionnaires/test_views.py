import datetime as dt
import io
import re

import pytest
import zxingcpp
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from ee_portal.audit.models import AuditEvent
from portfolios.demo import demo_png_bytes
from portfolios.enums import PortfolioState
from portfolios.models import Evidence
from questionnaires.models import Contribution, Document, Response, Round
from questionnaires.services import round_close
from reviews.enums import AssignmentState
from tests import factories

from .conftest import answer, items_of

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def cleared_assessor(assessor, portfolio):
    factories.AssignmentFactory(
        portfolio=portfolio, assessor=assessor, state=AssignmentState.SCORING
    )
    return assessor


def _form_token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def _answers(round_, value="4") -> dict:
    data = {}
    for item in items_of(round_):
        if item.answer_type == "agree5":
            data[f"item_{item.pk}"] = value
        elif item.answer_type == "yes_no":
            data[f"item_{item.pk}"] = "yes"
    return data


# --- the anonymous answering page ---------------------------------------------------------------


def test_answer_page_works_without_javascript_and_is_small(client, round_):
    response = client.get(reverse("questionnaires:answer", kwargs={"token": round_.token}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script" not in html
    assert "<img" not in html
    css = client.get("/static/css/answer.css")
    size = len(response.content) + len(b"".join(css.streaming_content))
    assert size < 60 * 1024, size
    assert 'name="token"' in html
    assert 'name="website"' in html  # the honeypot


def test_answer_page_easy_read_uses_easy_wording(client, round_):
    item = items_of(round_)[0]
    easy = client.get(reverse("questionnaires:answer", kwargs={"token": round_.token}) + "?easy=1")
    standard = client.get(reverse("questionnaires:answer", kwargs={"token": round_.token}))
    assert item.easy_read in easy.content.decode()
    assert item.text not in easy.content.decode()
    assert item.text in standard.content.decode()


def test_posting_answers_stores_one_response_and_thanks(client, round_):
    url = reverse("questionnaires:answer", kwargs={"token": round_.token})
    token = _form_token(client.get(url).content.decode())
    data = {"token": token, "easy": "1", **_answers(round_)}
    first = client.post(url, data)
    again = client.post(url, data)  # a double tap or a retry
    assert first.status_code == again.status_code == 302
    assert first["Location"].endswith("/thanks/?easy=1")
    assert Response.objects.count() == 1
    thanks = client.get(first["Location"])
    assert "Thank you" in thanks.content.decode()


def test_a_good_post_costs_one_statement(client, round_, django_assert_num_queries):
    """A whole community meeting posts at once (bench/questionnaires.py). On PostgreSQL a
    stored post is one prepared statement (the open check, the response with its answers,
    the cache epoch) once this process has read the round's ids (the first post to a link
    reads them: two). SQLite takes the ORM's way (the round, a savepoint, two inserts, the
    epoch). Every answer is stored either way."""
    url = reverse("questionnaires:answer", kwargs={"token": round_.token})
    answers = _answers(round_)
    on_postgresql = connection.vendor == "postgresql"
    for expected in (2, 1) if on_postgresql else (6, 6):
        token = _form_token(client.get(url).content.decode())
        with django_assert_num_queries(expected):
            response = client.post(url, {"token": token, **answers})
        assert response.status_code == 302  # noqa: PLR2004
    # The same form again (a double tap): still one statement on PostgreSQL, which tells a
    # double post from a closed round itself; nothing more is stored.
    with django_assert_num_queries(1 if on_postgresql else 6):
        again = client.post(url, {"token": token, **answers})
    assert again.status_code == 302  # noqa: PLR2004
    stored = Response.objects.order_by("pk")
    assert len(stored) == 2  # noqa: PLR2004
    for one in stored:
        assert {f"item_{a.item_id}": a.value for a in one.answers.all()} == answers
        assert one.source == "online"


def test_a_round_closed_after_its_first_post_takes_no_more(client, round_, lead):
    """The ids a process keeps for posting never decide whether the round is open: the
    lead closes it, or its dates move, and the next post stores nothing and says so."""
    url = reverse("questionnaires:answer", kwargs={"token": round_.token})
    first = client.post(url, {"token": "one", **_answers(round_)})
    assert first.status_code == 302  # noqa: PLR2004
    round_close(round_=round_, actor=lead)
    closed = client.post(url, {"token": "two", **_answers(round_)})
    assert closed.status_code == 200  # noqa: PLR2004
    assert "questionnaire is closed" in closed.content.decode()
    today = timezone.localdate()
    Round.objects.filter(pk=round_.pk).update(
        closed_on=None,
        opens_on=today + dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=9),
    )
    later = client.post(url, {"token": "three", **_answers(round_)})
    assert later.status_code == 200  # noqa: PLR2004
    wrong = client.post(
        url, {"token": "three", **_answers(round_), f"item_{items_of(round_)[0].pk}": "9"}
    )
    assert wrong.status_code == 200  # noqa: PLR2004 -- the closed page, not answers to correct
    assert "questionnaire is closed" in wrong.content.decode()
    assert Response.objects.count() == 1
    Round.objects.filter(pk=round_.pk).update(opens_on=today)
    again = client.post(url, {"token": "four", **_answers(round_)})
    assert again.status_code == 302  # noqa: PLR2004
    assert Response.objects.count() == 2  # noqa: PLR2004


def test_out_of_range_answer_is_a_clear_error_and_changes_nothing(client, round_):
    url = reverse("questionnaires:answer", kwargs={"token": round_.token})
    item = items_of(round_)[0]
    response = client.post(url, {"token": "abc", f"item_{item.pk}": "9"})
    assert response.status_code == 400
    assert "Please check your answers" in response.content.decode()
    assert not Response.objects.exists()


def test_honeypot_stores_nothing(client, round_):
    url = reverse("questionnaires:answer", kwargs={"token": round_.token})
    response = client.post(url, {"token": "abc", "website": "http://spam", **_answers(round_)})
    assert response.status_code == 302
    assert not Response.objects.exists()


def test_throttled_address_is_told_to_try_later_and_nothing_is_saved(client, round_, settings):
    settings.EE_QUESTIONNAIRE_POSTS_PER_HOUR = 2
    cache.clear()
    url = reverse("questionnaires:answer", kwargs={"token": round_.token})
    for n in range(2):
        client.post(url, {"token": f"t{n}", **_answers(round_)})
    response = client.post(url, {"token": "t3", **_answers(round_)})
    assert response.status_code == 429
    assert "try again" in response.content.decode().lower()
    assert Response.objects.count() == 2
    # The throttle's key holds a hash of the address, never the address.
    assert not [k for k in cache._cache if "127.0.0.1" in str(k)]  # noqa: SLF001


def test_behind_our_proxy_each_visitor_has_their_own_allowance(client, round_, settings):
    """Behind a reverse proxy every request comes from the proxy: with EE_TRUSTED_PROXIES the
    address the proxy saw counts, so one busy ward does not use up everyone's allowance, and
    an address the visitor writes into the header does not buy a new one."""
    settings.EE_QUESTIONNAIRE_POSTS_PER_HOUR = 1
    settings.EE_TRUSTED_PROXIES = 1
    cache.clear()
    url = reverse("questionnaires:answer", kwargs={"token": round_.token})

    def post(token: str, forwarded: str) -> int:
        data = {"token": token, **_answers(round_)}
        response = client.post(url, data, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
        return response.status_code

    assert post("a1", "203.0.113.7") == 302  # noqa: PLR2004
    assert post("b1", "198.51.100.9") == 302  # another visitor, same proxy  # noqa: PLR2004
    assert post("a2", "203.0.113.7") == 429  # noqa: PLR2004
    assert post("a3", "1.2.3.4, 203.0.113.7") == 429  # a forged entry changes nothing  # noqa: PLR2004
    assert Response.objects.count() == 2  # noqa: PLR2004


def test_closed_round_says_so_kindly(client, round_):
    Round.objects.filter(pk=round_.pk).update(closed_on=timezone.localdate())
    url = reverse("questionnaires:answer", kwargs={"token": round_.token})
    response = client.get(url)
    assert response.status_code == 200
    assert "questionnaire is closed" in response.content.decode()
    posted = client.post(url, {"token": "x", **_answers(round_)})
    assert posted.status_code == 200
    assert not Response.objects.exists()


def test_unknown_link_is_a_helpful_404(client, round_):
    response = client.get(reverse("questionnaires:answer", kwargs={"token": "not-a-real-link"}))
    assert response.status_code == 404
    assert "could not find this questionnaire" in response.content.decode()


def test_no_results_on_public_pages(client, round_):
    for _ in range(6):
        answer(round_, "5", text="secret comment")
    for name in ("answer", "thanks", "contribute"):
        html = client.get(reverse(f"questionnaires:{name}", kwargs={"token": round_.token})).content
        assert b"agreed" not in html
        assert b"secret comment" not in html


def test_resident_contribution_lands_in_the_queue(client, round_):
    url = reverse("questionnaires:contribute", kwargs={"token": round_.token})
    token = _form_token(client.get(url).content.decode())
    response = client.post(
        url,
        {
            "token": token,
            "kind": "artwork",
            "title": "My painting",
            "photo": SimpleUploadedFile("p.png", demo_png_bytes(), "image/png"),
            "consent": "on",
        },
    )
    assert response.status_code == 302
    assert list(Contribution.objects.values_list("title", "kind")) == [("My painting", "artwork")]


def test_contribution_without_consent_is_refused(client, round_):
    url = reverse("questionnaires:contribute", kwargs={"token": round_.token})
    response = client.post(url, {"token": "x", "kind": "quote", "text": "Hello"})
    assert response.status_code == 400
    assert not Contribution.objects.exists()


# --- signed-in pages: every view against the roles --------------------------------------------


def _get(user, name, **kwargs):
    return client_for(user).get(reverse(f"questionnaires:{name}", kwargs=kwargs))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("contributor", 200),
        ("cleared_assessor", 200),
        ("admin_user", 200),
        ("other_lead", 404),
        ("assessor", 404),
    ],
)
def test_rounds_page_by_role(request, round_, who, status):
    user = request.getfixturevalue(who)
    response = _get(user, "rounds", pk=round_.portfolio_id)
    assert response.status_code == status
    response = _get(user, "round", pk=round_.pk)
    assert response.status_code == status
    if status == 200:
        # Only the lead sees the link (the credential) and the controls.
        assert (round_.token in response.content.decode()) == (who == "lead")


@pytest.mark.parametrize("who", ["contributor", "cleared_assessor", "other_lead", "admin_user"])
def test_lead_only_pages_are_404_for_others(request, round_, who):
    user = request.getfixturevalue(who)
    contribution = factories.ContributionFactory(round=round_)
    assert _get(user, "paper_entry", pk=round_.pk).status_code == 404
    assert _get(user, "contributions", pk=round_.portfolio_id).status_code == 404
    assert _get(user, "document_download", pk=round_.pk, kind="poster").status_code == 404
    url = reverse("questionnaires:contribution_decline", kwargs={"pk": contribution.pk})
    assert client_for(user).post(url).status_code == 404
    assert Contribution.objects.count() == 1


def test_export_lead_and_admin_only(round_, lead, contributor, other_lead, admin_user):
    for _ in range(5):
        answer(round_, "4")
    url = reverse("questionnaires:portfolio_export", kwargs={"pk": round_.portfolio_id})
    assert client_for(contributor).get(url).status_code == 404
    assert client_for(other_lead).get(url).status_code == 404
    body = b"".join(client_for(lead).get(url).streaming_content).decode()
    assert body.splitlines()[0] == "unit,audience,response,item,standard,criterion,value,text"
    assert len({line.split(",")[2] for line in body.splitlines()[1:]}) == 5
    national = reverse("questionnaires:national_export")
    assert client_for(lead).get(national).status_code == 404
    assert client_for(admin_user).get(national).status_code == 200


def test_export_never_writes_a_formula(round_, lead):
    for _ in range(5):
        answer(round_, "4", text='=HYPERLINK("http://evil.example")')
    url = reverse("questionnaires:portfolio_export", kwargs={"pk": round_.portfolio_id})
    body = b"".join(client_for(lead).get(url).streaming_content).decode()
    assert body.count("'=HYPERLINK") == 5
    assert ',"=HYPERLINK' not in body


def test_export_below_n_holds_no_rows(round_, lead):
    for _ in range(4):
        answer(round_, "4")
    url = reverse("questionnaires:portfolio_export", kwargs={"pk": round_.portfolio_id})
    body = b"".join(client_for(lead).get(url).streaming_content).decode()
    assert body.splitlines()[1:] == []


def test_national_view_admin_only(round_, admin_user, lead):
    for _ in range(5):
        answer(round_, "4")
    assert _get(lead, "national").status_code == 404
    response = client_for(admin_user).get(reverse("questionnaires:national"), {"audience": "staff"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    response = client_for(admin_user).get(reverse("questionnaires:national"))
    assert "100% agreed" in response.content.decode()


def test_lead_opens_and_closes_a_round(portfolio, lead, questionnaire):
    client = client_for(lead)
    today = timezone.localdate()
    response = client.post(
        reverse("questionnaires:round_open", kwargs={"pk": portfolio.pk}),
        {
            "audience": "staff",
            "opens_on": today,
            "closes_on": today + dt.timedelta(days=7),
            "expected_count": 8,
        },
    )
    round_ = Round.objects.get()
    assert response["Location"] == reverse("questionnaires:round", kwargs={"pk": round_.pk})
    client.post(reverse("questionnaires:round_close", kwargs={"pk": round_.pk}))
    round_.refresh_from_db()
    assert round_.closed_on == today


def test_opening_twice_shows_a_message_and_changes_nothing(portfolio, lead, round_):
    today = timezone.localdate()
    response = client_for(lead).post(
        reverse("questionnaires:round_open", kwargs={"pk": portfolio.pk}),
        {"audience": "service_users", "opens_on": today, "closes_on": today, "expected_count": 8},
        follow=True,
    )
    assert "already a round" in response.content.decode()
    # Said once: refusal_message shows the reason, the view adds nothing of its own.
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1, shown
    assert "already a round" in shown[0]
    assert Round.objects.count() == 1


def test_wrong_methods(round_, lead):
    client = client_for(lead)
    assert (
        client.get(reverse("questionnaires:round_close", kwargs={"pk": round_.pk})).status_code
        == 405
    )
    assert client.post(reverse("questionnaires:round", kwargs={"pk": round_.pk})).status_code == 405
    assert (
        client.put(reverse("questionnaires:answer", kwargs={"token": round_.token})).status_code
        == 405
    )


# --- paper: print and enter ------------------------------------------------------------------


def _pdf_pages(document) -> list[str]:
    with document.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return [page.extract_text() for page in reader.pages]


def _pdf_text(document) -> str:
    return "\n".join(_pdf_pages(document))


def _sheet_numbers(document) -> list[int]:
    """The sheet number printed on each page (every page of a sheet carries it)."""
    return [int(re.search(r"Sheet number (\d+)", page)[1]) for page in _pdf_pages(document)]


def test_poster_and_paper_pdfs_are_made_by_the_task(
    round_, lead, django_capture_on_commit_callbacks
):
    client = client_for(lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("questionnaires:document_render", kwargs={"pk": round_.pk, "kind": "poster"})
        )
        client.post(
            reverse(
                "questionnaires:document_render", kwargs={"pk": round_.pk, "kind": "paper_easy"}
            ),
            {"sheets": 3},
        )
        client.post(
            reverse("questionnaires:document_render", kwargs={"pk": round_.pk, "kind": "paper"}),
            {"sheets": 2},
        )
    poster = Document.objects.get(kind="poster")
    assert poster.status == "ready"
    assert "Have your say" in _pdf_text(poster)
    easy = Document.objects.get(kind="paper_easy")
    text = _pdf_text(easy)
    numbers = _sheet_numbers(easy)
    assert sorted(set(numbers)) == [1, 2, 3]
    assert numbers == sorted(numbers)  # each sheet's pages together
    assert items_of(round_)[0].easy_read in text
    paper = Document.objects.get(kind="paper")
    assert sorted(set(_sheet_numbers(paper))) == [4, 5]
    round_.refresh_from_db()
    assert round_.sheets_issued == 5
    download = client.get(
        reverse("questionnaires:document_download", kwargs={"pk": round_.pk, "kind": "poster"})
    )
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_poster_qr_code_holds_the_link(round_):
    from questionnaires.tasks import answer_url, qr_png_data_uri  # noqa: PLC0415 -- lazily used

    assert qr_png_data_uri(answer_url(round_.token)).startswith("data:image/png;base64,")
    assert answer_url(round_.token) == f"http://testserver/q/{round_.token}/"


def test_data_entry_saves_a_sheet_and_refuses_it_twice(round_, lead):
    Round.objects.filter(pk=round_.pk).update(sheets_issued=10)
    client = client_for(lead)
    url = reverse("questionnaires:paper_entry", kwargs={"pk": round_.pk})
    page = client.get(url).content.decode()
    assert 'inputmode="numeric"' in page
    data = {"sheet_number": 4}
    for item in items_of(round_):
        data[f"item_{item.pk}"] = {"agree5": "5", "yes_no": "y", "text": "Good"}[item.answer_type]
    response = client.post(url, data)
    assert response.status_code == 302
    again = client.post(url, data)
    assert again.status_code == 400
    assert "Sheet 4 has already been entered." in again.content.decode()
    wrong = client.post(url, {**data, "sheet_number": 5, f"item_{items_of(round_)[0].pk}": "7"})
    assert wrong.status_code == 400
    assert Response.objects.get().sheet_number == 4
    assert AuditEvent.objects.filter(verb="questionnaires.paper_entered", actor=lead).count() == 1


# --- moderation ---------------------------------------------------------------------------------


def test_lead_accepts_a_contribution_as_evidence(round_, lead, framework):
    contribution = factories.ContributionFactory(round=round_)
    criterion = framework.standards.first().criteria.first()
    client = client_for(lead)
    page = client.get(reverse("questionnaires:contributions", kwargs={"pk": round_.portfolio_id}))
    assert contribution.text in page.content.decode()
    client.post(
        reverse("questionnaires:contribution_accept", kwargs={"pk": contribution.pk}),
        {f"c{contribution.pk}-criteria": [criterion.pk]},
    )
    evidence = Evidence.objects.get()
    assert evidence.contributed_by_resident
    assert list(evidence.criteria.all()) == [criterion]
    library = client.get(reverse("portfolios:evidence_library", kwargs={"pk": round_.portfolio_id}))
    assert "contributed by a resident" in library.content.decode()


def test_lead_declines_a_contribution(round_, lead):
    contribution = factories.ContributionFactory(round=round_)
    client_for(lead).post(
        reverse("questionnaires:contribution_decline", kwargs={"pk": contribution.pk})
    )
    assert not Contribution.objects.exists()
    assert not Evidence.objects.exists()


def test_accept_into_a_locked_portfolio_is_a_message(round_, lead):
    contribution = factories.ContributionFactory(round=round_)
    type(round_.portfolio).objects.filter(pk=round_.portfolio_id).update(
        state=PortfolioState.SUBMITTED
    )
    response = client_for(lead).post(
        reverse("questionnaires:contribution_accept", kwargs={"pk": contribution.pk}), follow=True
    )
    assert response.status_code == 200
    assert Contribution.objects.count() == 1
    assert not Evidence.objects.exists()


# --- results where people work ------------------------------------------------------------------


def test_builder_shows_results_per_standard_once_n_reached(round_, lead):
    url = reverse("portfolios:detail", kwargs={"pk": round_.portfolio_id})
    for _ in range(4):
        answer(round_, "4")
    html = client_for(lead).get(url).content.decode()
    assert "Results show once 5 people have answered" in html
    assert "4 of about 20 responded" in html
    answer(round_, "2")
    html = client_for(lead).get(url).content.decode()
    assert "80% agreed" in html
    assert "<svg" in html
    assert '<table class="visually-hidden">' in html


def test_scoring_page_shows_results_beside_the_standard(round_, assessor):
    round_.portfolio.state = PortfolioState.IN_REVIEW
    round_.portfolio.save(update_fields=["state"])
    assignment = factories.AssignmentFactory(
        portfolio=round_.portfolio, assessor=assessor, state=AssignmentState.SCORING
    )
    for _ in range(5):
        answer(round_, "5")
    html = (
        client_for(assessor)
        .get(reverse("reviews:score", kwargs={"pk": assignment.pk}))
        .content.decode()
    )
    # One panel per standard, beside its first criterion (ten standards).
    assert html.count("100% agreed") == 10


def test_previous_cycle_results_show_beside_this_cycles(round_, lead, framework, questionnaire):
    for _ in range(5):
        answer(round_, "5")
    renewal = factories.PortfolioFactory(
        unit=round_.portfolio.unit, framework=framework, previous=round_.portfolio, cycle="renewal"
    )
    for criterion in framework.standards.first().criteria.all():
        factories.CriterionResponseFactory(portfolio=renewal, criterion=criterion)
    now = factories.RoundFactory(portfolio=renewal, questionnaire=questionnaire)
    for _ in range(5):
        answer(now, "2")
    html = (
        client_for(lead)
        .get(reverse("portfolios:detail", kwargs={"pk": renewal.pk}))
        .content.decode()
    )
    assert "Last cycle, for comparison" in html
    assert "0% agreed" in html
    # Standard 1 holds an agree item and the yes/no item: ten answers from five people.
    assert "100% agreed (10 answered)" in html


@pytest.mark.parametrize("responses", [10, 200])
def test_results_page_constant_queries(django_assert_num_queries, round_, lead, responses):
    for _ in range(responses):
        answer(round_, "4", text="ok")
    client = client_for(lead)
    url = reverse("questionnaires:round", kwargs={"pk": round_.pk})
    client.get(url)
    # session, user with their unit roles and the cache epoch, round (with set, portfolio,
    # unit, framework), response counts, answer distribution, documents, counts again and the
    # comments (round_comments), session save (savepoint, update, release)
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.context["result"].included == responses


@pytest.mark.parametrize("units", [1, 4])
def test_national_view_constant_queries(
    django_assert_num_queries, framework, questionnaire, admin_user, units
):
    for _ in range(units):
        round_ = factories.RoundFactory(
            portfolio=factories.PortfolioFactory(framework=framework), questionnaire=questionnaire
        )
        for _ in range(5):
            answer(round_, "4")
    client = client_for(admin_user)
    url = reverse("questionnaires:national")
    client.get(url)
    # session, user with their unit roles and the cache epoch, the current set, response
    # totals, answer distribution, units per audience, session save (savepoint, update,
    # release)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.context["counted"] == units


def test_poster_qr_codes_decode_to_the_answer_and_contribute_links(
    round_, lead, django_capture_on_commit_callbacks
):
    from questionnaires.tasks import answer_url  # noqa: PLC0415 -- lazily used

    with django_capture_on_commit_callbacks(execute=True):
        client_for(lead).post(
            reverse("questionnaires:document_render", kwargs={"pk": round_.pk, "kind": "poster"})
        )
    poster = Document.objects.get(kind="poster")
    with poster.pdf.open("rb") as handle:
        images = PdfReader(io.BytesIO(handle.read())).pages[0].images
    decoded = []
    for picture in images:
        image = picture.image.convert("L")  # one pixel per module
        big = image.resize((image.width * 8, image.height * 8), Image.Resampling.NEAREST)
        decoded += [r.text for r in zxingcpp.read_barcodes(big)]
    link = answer_url(round_.token)
    assert sorted(decoded) == [link, link + "contribute/"]


def test_answer_page_uses_the_units_setting_wording(client, framework, questionnaire):
    from questionnaires.models import Item  # noqa: PLC0415 -- this test's own set

    unit = factories.UnitFactory(name="Maple School", setting_type="education")
    portfolio = factories.PortfolioFactory(unit=unit, framework=framework)
    round_ = factories.RoundFactory(portfolio=portfolio, questionnaire=questionnaire)
    item = items_of(round_)[0]
    # Items of a published set are immutable: the wording is set on the row directly.
    Item.objects.filter(pk=item.pk).update(setting_wording={"education": "Pupils welcome me."})
    html = client.get(reverse("questionnaires:answer", kwargs={"token": round_.token})).content
    assert b"Pupils welcome me." in html
