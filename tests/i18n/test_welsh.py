"""Issue 15: pages, emails and certificates in English and Welsh."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from awards.services import award_issue_for_decision
from ee_portal.lib.emails import send_templated_email
from network.enums import Region
from network.models import User
from tests import factories

pytestmark = pytest.mark.django_db

WELSH_COOKIE = {"django_language": "cy"}


def _html(response) -> str:
    return response.content.decode()


def test_pages_are_english_by_default_with_a_switch_to_welsh(client, framework):
    html = _html(client.get("/standards/"))
    assert '<html lang="en-gb">' in html
    assert "The Enabling Environments standards" in html
    assert 'name="language" value="cy" lang="cy"' in html
    assert ">Cymraeg</button>" in html


def test_an_anonymous_visitor_switches_to_welsh_without_javascript(client, framework):
    response = client.post(
        "/i18n/setlang/", {"language": "cy", "next": "/standards/"}, HTTP_REFERER="/awards/"
    )
    assert response.status_code == 302
    assert response["Location"] == "/standards/"
    assert response.cookies["django_language"].value == "cy"
    html = _html(client.get("/standards/"))
    assert '<html lang="cy">' in html
    assert "Safonau Amgylcheddau Galluogi" in html
    assert "The Enabling Environments standards" not in html
    assert ">English</button>" in html


def test_switching_goes_back_to_the_page_it_came_from(client):
    response = client.post("/i18n/setlang/", {"language": "cy"}, HTTP_REFERER="/awards/")
    assert response["Location"] == "/awards/"


def test_an_unknown_language_changes_nothing(client, lead, framework):
    client.force_login(lead)
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/standards/"})
    assert response.status_code == 302
    assert "django_language" not in response.cookies
    lead.refresh_from_db()
    assert lead.language == ""
    assert '<html lang="en-gb">' in _html(client.get("/standards/"))


def test_switching_is_a_post_only(client):
    assert client.get("/i18n/setlang/?language=cy").status_code == 405


def test_a_signed_in_persons_choice_is_remembered_on_every_device(lead, framework):
    first = Client()
    first.force_login(lead)
    first.post("/i18n/setlang/", {"language": "cy", "next": "/standards/"})
    lead.refresh_from_db()
    assert lead.language == "cy"
    other_device = Client()  # no language cookie
    other_device.force_login(lead)
    html = _html(other_device.get("/standards/"))
    assert '<html lang="cy">' in html
    assert "Allgofnodi" in html  # "Sign out" in the header
    other_device.post("/i18n/setlang/", {"language": "en-gb"})
    lead.refresh_from_db()
    assert lead.language == "en-gb"
    assert "Sign out" in _html(first.get("/standards/"))


def test_a_signed_in_switch_without_the_csrf_token_is_refused(lead):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    response = client.post("/i18n/setlang/", {"language": "cy"})
    assert response.status_code == 403
    lead.refresh_from_db()
    assert lead.language == ""


def test_a_cached_english_page_is_never_served_to_a_welsh_reader(client, framework):
    """The public pages and the page chrome are cached: their keys hold the language."""
    english = _html(client.get("/standards/"))
    assert "The Enabling Environments standards" in english
    welsh_reader = Client()
    welsh_reader.cookies.load(WELSH_COOKIE)
    welsh = _html(welsh_reader.get("/standards/"))
    assert "Safonau Amgylcheddau Galluogi" in welsh
    assert "The Enabling Environments standards" not in welsh
    assert "The Enabling Environments standards" in _html(client.get("/standards/"))


def test_the_signed_in_chrome_follows_the_language_of_the_same_person(lead, framework):
    client = Client()
    client.force_login(lead)
    assert "Sign out" in _html(client.get("/standards/"))
    client.post("/i18n/setlang/", {"language": "cy"})
    html = _html(client.get("/standards/"))
    assert "Allgofnodi" in html
    assert "Sign out" not in html


def test_welsh_standards_text_falls_back_to_english_marked(client):
    framework = factories.make_framework(criteria_per_standard=1)
    standard = framework.standards.get(number=1)
    type(standard).objects.filter(pk=standard.pk).update(
        welsh={"name": "Perthyn", "value_statement": "Perthnasoedd sy'n dod gyntaf."}
    )
    client.cookies.load(WELSH_COOKIE)
    html = _html(client.get("/standards/1/"))
    assert "<h1>1. Perthyn</h1>" in html
    assert "Perthnasoedd sy&#x27;n dod gyntaf." in html
    criterion = standard.criteria.get()
    assert f'<span lang="en-GB">{criterion.text}</span>' in html
    assert "Yn Saesneg yn unig" in html  # "English only": what is still to translate
    english = Client()
    html = _html(english.get("/standards/1/"))
    assert f"1. {standard.name}" in html
    assert "Perthyn" not in html
    assert "English only" not in html


def test_emails_go_out_in_each_recipients_language(settings):
    welsh = factories.UserFactory(email="siân@example.test", language="cy")
    english = factories.UserFactory(email="ann@example.test")
    unit = factories.UnitFactory(name="Ward Dyffryn")
    context = {"unit": unit, "report": None, "kind": "interim-due", "award_path": "/a/1/"}
    context["award"] = factories.AwardFactory.build(
        unit=unit, interim_due=dt.date(2027, 3, 1), end_date=dt.date(2028, 3, 1)
    )
    sent = send_templated_email(
        "award-reminder", [welsh.email, english.email, "new@example.test"], context
    )
    assert sent == 2
    by_recipient = {tuple(message.to): message for message in mail.outbox}
    assert set(by_recipient) == {(welsh.email,), (english.email, "new@example.test")}
    cymraeg = by_recipient[(welsh.email,)]
    assert cymraeg.subject == "Mae eich adolygiad interim yn ddyledus (Ward Dyffryn)"
    assert "Annwyl dîm Ward Dyffryn," in cymraeg.body
    assert "1 Mawrth 2027" in cymraeg.body
    html = cymraeg.alternatives[0][0]
    assert "Annwyl dîm Ward Dyffryn," in html
    english_message = by_recipient[(english.email, "new@example.test")]
    assert english_message.subject == "Your interim review is due (Ward Dyffryn)"
    assert "Dear Ward Dyffryn team," in english_message.body


def test_an_invitation_to_someone_without_an_account_can_be_sent_in_welsh():
    unit = factories.UnitFactory(name="Ward Dyffryn")
    context = {
        "unit": unit,
        "inviter": None,
        "role": "Cyfrannwr",
        "expires_on": dt.date(2027, 1, 5),
        "accept_path": "/network/invitations/x/",
    }
    send_templated_email("invitation", ["new@example.test"], context, language="cy")
    (message,) = mail.outbox
    assert message.subject.startswith("Gwahoddiad i ymuno â Ward Dyffryn")
    assert "5 Ionawr 2027" in message.body


def _certificate_text(unit, admin_user, capture) -> str:
    framework = factories.make_framework(criteria_per_standard=1)
    portfolio = factories.PortfolioFactory(unit=unit, framework=framework, state="awarded")
    decision = factories.DecisionFactory(portfolio=portfolio, decided_on=dt.date(2026, 3, 14))
    with capture(execute=True):
        award = award_issue_for_decision(decision=decision, actor=admin_user)
    award.certificate.refresh_from_db()
    with award.certificate.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def test_a_welsh_units_certificate_is_bilingual(admin_user, django_capture_on_commit_callbacks):
    unit = factories.UnitFactory(name="Ward Dyffryn", region=Region.WALES)
    text = _certificate_text(unit, admin_user, django_capture_on_commit_callbacks)
    for welsh in (
        "Gwobr Amgylcheddau Galluogi",
        "wedi dangos ei bod yn darparu amgylchedd galluogi",
        "Dyfarnwyd 14 Mawrth 2026",
        "Yn ddilys tan 13 Mawrth 2029",
        "Tystysgrif rhif",
    ):
        assert welsh in text
    for english in (
        "Enabling Environments Award",
        "has shown that it provides an enabling environment",
        "Awarded 14 March 2026",
    ):
        assert english in text
    assert text.index("Dyfarnwyd 14 Mawrth 2026") < text.index("Awarded 14 March 2026")


def test_a_certificate_outside_wales_is_in_english_whoever_issues_it(
    admin_user, django_capture_on_commit_callbacks
):
    unit = factories.UnitFactory(name="Willow Ward", region=Region.LONDON)
    with translation.override("cy"):  # issued by a Welsh-speaking admin (Celery eager)
        text = _certificate_text(unit, admin_user, django_capture_on_commit_callbacks)
    assert "Awarded 14 March 2026" in text
    assert "Gwobr" not in text
    assert "Dyfarnwyd" not in text


def test_the_demo_has_a_welsh_speaking_lead_on_a_welsh_unit_with_an_award():
    from io import StringIO  # noqa: PLC0415

    from django.core.management import call_command  # noqa: PLC0415

    call_command("seed_demo", allow_without_debug=True, stdout=StringIO())
    person = User.objects.get(email="cymraeg@demo.test")
    assert person.language == "cy"
    assert person.check_password("enabling-demo")
    (role,) = person.unit_roles.select_related("unit")
    assert (role.unit.region, role.role) == (Region.WALES, "lead")
    award = role.unit.awards.get()
    assert award.certificate.status == "ready"
    client = Client()
    client.force_login(person)
    html = _html(client.get(f"/awards/{award.pk}/"))
    assert '<html lang="cy">' in html
    assert "Lawrlwytho'r dystysgrif (PDF)" in html
