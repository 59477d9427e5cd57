"""The cached fragments of the signed-in pages (ee_portal/lib/fragments.py) are never stale and
never shown to the wrong person.

Every page test drives the real views: GET the page first (so its fragment is cached), change
something through the real code path (a view, or the service a view calls), GET again and check
that the change shows. Where a test needs to know that a copy really came from the cache, it
changes a row with ``queryset.update()`` (no signal, no touch) as a probe: a cached copy does
not show that change.
"""

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from ee_portal.lib import fragments
from network.cache import NETWORK, PEOPLE
from network.enums import MembershipStatus, Region, SettingType, UnitRoleKind
from network.models import Membership, Unit, UnitRole
from portfolios.cache import QUEUE, portfolio_scope, review_scope
from portfolios.enums import PortfolioState
from portfolios.models import CriterionResponse, Evidence, Portfolio
from portfolios.services import evidence_create_text
from reviews.enums import AssignmentState
from reviews.models import Assignment, CriterionScore
from standards.cache import STANDARDS
from standards.models import Criterion
from tests import factories
from tests.portfolios.conftest import upload
from tests.reviews.conftest import make_portfolio, score_all

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- helpers ---------------------------------------------------------------------------------


def client_for(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def builder_url(portfolio) -> str:
    return reverse("portfolios:detail", kwargs={"pk": portfolio.pk})


def library_url(portfolio) -> str:
    return reverse("portfolios:evidence_library", kwargs={"pk": portfolio.pk})


def score_url(assignment) -> str:
    return reverse("reviews:score", kwargs={"pk": assignment.pk})


def criterion(portfolio, code: str) -> Criterion:
    return Criterion.objects.get(standard__framework=portfolio.framework_id, code=code)


def builder_row(html: str, portfolio, code: str) -> str:
    """The builder's list item of one criterion (its link, badges)."""
    url = reverse("portfolios:criterion", kwargs={"pk": portfolio.pk, "code": code})
    start = html.index(f'<a href="{url}">{code} ')
    return html[start : html.index("</li>", start)]


def badges(row: str) -> list[str]:
    return re.findall(r'<span class="badge [^"]*">([^<]*)</span>', row)


def library_items(html: str) -> dict[str, str]:
    """{title: the item's HTML} of the evidence library's list."""
    items = {}
    for part in html.split('<li class="list-group-item evidence-item">')[1:]:
        block = part[: part.index("</li>")]
        title = re.search(r'class="fw-semibold">([^<]*)</a>', block).group(1)
        items[title] = block
    return items


def can_change(item_html: str, evidence) -> bool:
    """Does the item show the Edit and Delete buttons?"""
    edit = 'class="btn btn-sm btn-outline-primary" href="{}"'.format(
        reverse("portfolios:evidence_edit", kwargs={"pk": evidence.pk})
    )
    delete = reverse("portfolios:evidence_delete", kwargs={"pk": evidence.pk})
    shown = (edit in item_html, f'action="{delete}"' in item_html)
    assert shown[0] == shown[1], item_html
    return shown[0]


def score_card(html: str, criterion_pk: int) -> str:
    start = html.index(f'id="c-{criterion_pk}"')
    return html[start : html.index("</section>", start)]


def form_token(html: str, action: str) -> str:
    """The CSRF token inside the form that posts to ``action``."""
    start = html.index(f'action="{action}"')
    return TOKEN.search(html, start).group(1)


def h1(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()


def unit_form(unit, **changes) -> dict:
    data = {
        "organisation": unit.organisation_id,
        "name": unit.name,
        "setting_type": unit.setting_type,
        "region": unit.region,
        "show_on_register": "on" if unit.show_on_register else "",
        "address": unit.address,
    }
    data.update(changes)
    return data


def rename_unit(admin_user, unit, name: str) -> None:
    response = client_for(admin_user).post(
        reverse("network:unit_edit", kwargs={"pk": unit.pk}), unit_form(unit, name=name)
    )
    assert response.status_code == 302, response.content
    assert Unit.objects.get(pk=unit.pk).name == name


def superuser():
    return factories.UserFactory(
        email="root@example.test", full_name="Root", is_staff=True, is_superuser=True
    )


def rename_person(person, full_name: str) -> None:
    """Change someone's name in the Django admin (the only place names are edited)."""
    person.refresh_from_db()
    data = {
        "email": person.email,
        "full_name": full_name,
        "is_active": "on" if person.is_active else "",
        "is_ccqi_admin": "on" if person.is_ccqi_admin else "",
        "is_assessor": "on" if person.is_assessor else "",
        "is_staff": "on" if person.is_staff else "",
        "is_superuser": "on" if person.is_superuser else "",
        "date_joined_0": timezone.localtime(person.date_joined).strftime("%Y-%m-%d"),
        "date_joined_1": timezone.localtime(person.date_joined).strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    response = client_for(superuser()).post(f"/django-admin/network/user/{person.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.full_name == full_name


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def second_lead(unit):
    return factories.UnitRoleFactory(
        unit=unit,
        role=UnitRoleKind.LEAD,
        user__email="lead2@example.test",
        user__full_name="Second Lead",
    ).user


# --- 1. the builder --------------------------------------------------------------------------


def test_builder_shows_a_narrative_saved_by_autosave(portfolio, lead, contributor):
    lead_client = client_for(lead)
    before = builder_row(page(lead_client, builder_url(portfolio)), portfolio, "1.1")
    assert badges(before) == ["Unit’s own rating: Not rated yet", "0 evidence", "Needs narrative"]

    # The contributor autosaves (JSON); response_save is an UPDATE with a version compare.
    response = client_for(contributor).post(
        reverse("portfolios:criterion", kwargs={"pk": portfolio.pk, "code": "1.1"}),
        {"narrative": "We meet every morning.", "self_rating": "met", "version": 0},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.json()["ok"] is True

    html = page(lead_client, builder_url(portfolio))
    assert badges(builder_row(html, portfolio, "1.1")) == [
        "Unit’s own rating: Met",
        "0 evidence",
        "Needs evidence",
    ]
    assert badges(builder_row(html, portfolio, "1.2")) == [
        "Unit’s own rating: Not rated yet",
        "0 evidence",
        "Needs narrative",
    ]
    assert "1.1: write how you meet this criterion." not in html

    # A second save of the same criterion (version 1) shows too.
    response = client_for(lead).post(
        reverse("portfolios:criterion", kwargs={"pk": portfolio.pk, "code": "1.1"}),
        {"narrative": "We meet daily.", "self_rating": "working_towards", "version": 1},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.json()["version"] == 2
    row = builder_row(page(lead_client, builder_url(portfolio)), portfolio, "1.1")
    assert badges(row)[0] == "Unit’s own rating: Working towards"


def test_builder_evidence_count_follows_upload_link_and_delete(portfolio, lead, contributor):
    lead_client = client_for(lead)
    c11 = criterion(portfolio, "1.1")
    CriterionResponse.objects.filter(portfolio=portfolio, criterion=c11).update(narrative="Yes.")
    html = page(lead_client, builder_url(portfolio))
    assert badges(builder_row(html, portfolio, "1.1"))[1:] == ["0 evidence", "Needs evidence"]

    # Uploaded (with a link to 1.1) through the upload view.
    response = client_for(contributor).post(
        reverse("portfolios:evidence_upload", kwargs={"pk": portfolio.pk}),
        {
            "up-files": upload("report.pdf"),
            "up-evidence_type": "minutes",
            "up-criteria": [c11.pk],
            "up-contains_identifiable": "no",
        },
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 200, response.content
    uploaded = Evidence.objects.get(pk=response.json()["files"][0]["id"])
    html = page(lead_client, builder_url(portfolio))
    assert badges(builder_row(html, portfolio, "1.1"))[1:] == ["1 evidence", "Complete"]

    # Text evidence created unlinked, then linked to 1.1 through the link view.
    response = client_for(lead).post(
        reverse("portfolios:evidence_text", kwargs={"pk": portfolio.pk}),
        {
            "tx-title": "A quote",
            "tx-text": "We belong.",
            "tx-evidence_type": "feedback",
            "tx-contains_identifiable": "no",
        },
    )
    assert response.status_code == 302
    quote = Evidence.objects.get(title="A quote")
    html = page(lead_client, builder_url(portfolio))
    assert badges(builder_row(html, portfolio, "1.1"))[1] == "1 evidence"
    client_for(lead).post(
        reverse("portfolios:evidence_link", kwargs={"pk": quote.pk}), {"criterion": c11.pk}
    )
    html = page(lead_client, builder_url(portfolio))
    assert badges(builder_row(html, portfolio, "1.1"))[1] == "2 evidence"

    # Both deleted through the delete view: back to none.
    for evidence in (uploaded, quote):
        response = client_for(lead).post(
            reverse("portfolios:evidence_delete", kwargs={"pk": evidence.pk})
        )
        assert response.status_code == 302
    assert not Evidence.objects.exists()
    html = page(lead_client, builder_url(portfolio))
    assert badges(builder_row(html, portfolio, "1.1"))[1:] == ["0 evidence", "Needs evidence"]


def test_builder_submit_form_and_readiness_vary_by_person(
    ready_portfolio, lead, contributor, admin_user
):
    portfolio = ready_portfolio
    submit_action = f'action="{reverse("portfolios:submit", kwargs={"pk": portfolio.pk})}"'
    lead_client = client_for(lead)
    for _ in range(2):  # the second round is served from the cached copies
        html = page(lead_client, builder_url(portfolio))
        assert submit_action in html
        assert "When your team is happy, submit the portfolio" in html

        html = page(client_for(contributor), builder_url(portfolio))
        assert submit_action not in html
        assert "Your unit lead can now submit the portfolio." in html

        html = page(client_for(admin_user), builder_url(portfolio))
        assert submit_action not in html
        assert "Ready to submit?" not in html


def test_builder_after_submission_is_locked_for_everyone(
    ready_portfolio, lead, contributor, admin_user
):
    """The lead's and contributor's permissions change with the state (another copy), the
    admin's do not (the same copy, which must be retired by the state change)."""
    portfolio = ready_portfolio
    lead_client, contributor_client = client_for(lead), client_for(contributor)
    admin_client = client_for(admin_user)
    submit_action = reverse("portfolios:submit", kwargs={"pk": portfolio.pk})
    for client in (lead_client, contributor_client, admin_client):
        html = page(client, builder_url(portfolio))
        assert f">{PortfolioState.DRAFT.label}</span>" in html
        assert "can no longer be changed" not in html
    assert f'action="{submit_action}"' in page(lead_client, builder_url(portfolio))

    response = lead_client.post(submit_action)
    assert response.status_code == 302
    assert Portfolio.objects.get(pk=portfolio.pk).state == PortfolioState.SUBMITTED

    for client in (lead_client, contributor_client, admin_client):
        html = page(client, builder_url(portfolio))
        assert f">{PortfolioState.SUBMITTED.label}</span>" in html
        assert f">{PortfolioState.DRAFT.label}</span>" not in html
        assert "This portfolio is submitted, so it can no longer be changed." in html
        assert f'action="{submit_action}"' not in html
        assert "Ready to submit?" not in html
        assert "Revision 1," in html


# --- 2. the evidence library -----------------------------------------------------------------


def test_library_shows_text_evidence_added_and_hides_it_once_deleted(portfolio, lead, contributor):
    lead_client = client_for(lead)
    html = page(lead_client, library_url(portfolio))
    assert "Items (0)" in html
    assert library_items(html) == {}

    response = client_for(contributor).post(
        reverse("portfolios:evidence_text", kwargs={"pk": portfolio.pk}),
        {
            "tx-title": "A resident said",
            "tx-text": "I belong here.",
            "tx-evidence_type": "feedback",
            "tx-contains_identifiable": "no",
        },
    )
    assert response.status_code == 302
    html = page(lead_client, library_url(portfolio))
    assert "Items (1)" in html
    assert list(library_items(html)) == ["A resident said"]

    evidence = Evidence.objects.get()
    response = lead_client.post(reverse("portfolios:evidence_delete", kwargs={"pk": evidence.pk}))
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    html = page(lead_client, library_url(portfolio))
    assert "Items (0)" in html
    assert library_items(html) == {}


def test_library_badges_follow_link_and_unlink(portfolio, lead):
    evidence = evidence_create_text(portfolio=portfolio, actor=lead, title="Minutes", text="x")
    c41 = criterion(portfolio, "4.1")
    client = client_for(lead)
    item = library_items(page(client, library_url(portfolio)))["Minutes"]
    assert "Not linked to a criterion yet" in item

    client.post(
        reverse("portfolios:evidence_link", kwargs={"pk": evidence.pk}), {"criterion": "4.1"}
    )
    assert list(evidence.links.values_list("criterion", flat=True)) == [c41.pk]
    item = library_items(page(client, library_url(portfolio)))["Minutes"]
    assert ">4.1</a>" in item
    assert "Not linked to a criterion yet" not in item

    client.post(
        reverse("portfolios:evidence_unlink", kwargs={"pk": evidence.pk}), {"criterion": c41.pk}
    )
    assert not evidence.links.exists()
    item = library_items(page(client, library_url(portfolio)))["Minutes"]
    assert ">4.1</a>" not in item
    assert "Not linked to a criterion yet" in item


def test_library_buttons_vary_by_person(portfolio, unit, lead, contributor):
    other_contributor = factories.UnitRoleFactory(
        unit=unit, role=UnitRoleKind.CONTRIBUTOR, user__email="c2@example.test"
    ).user
    leads = evidence_create_text(portfolio=portfolio, actor=lead, title="Lead item", text="x")
    mine = evidence_create_text(
        portfolio=portfolio, actor=contributor, title="Contributor item", text="y"
    )
    lead_client = client_for(lead)
    contributor_client = client_for(contributor)

    # The lead primes the library: every item has its buttons.
    items = library_items(page(lead_client, library_url(portfolio)))
    assert can_change(items["Lead item"], leads)
    assert can_change(items["Contributor item"], mine)

    # The contributor: buttons only on their own item.
    items = library_items(page(contributor_client, library_url(portfolio)))
    assert not can_change(items["Lead item"], leads)
    assert can_change(items["Contributor item"], mine)

    # Another contributor: on neither.
    items = library_items(page(client_for(other_contributor), library_url(portfolio)))
    assert not can_change(items["Lead item"], leads)
    assert not can_change(items["Contributor item"], mine)

    # And the lead's copy is still the lead's (served after the others were cached).
    for client, expected in ((lead_client, True), (contributor_client, False)):
        items = library_items(page(client, library_url(portfolio)))
        assert can_change(items["Lead item"], leads) is expected
        assert can_change(items["Contributor item"], mine)

    # The contributor really cannot do what the lead's copy offers.
    contributor_client.post(reverse("portfolios:evidence_delete", kwargs={"pk": leads.pk}))
    assert Evidence.objects.filter(pk=leads.pk).exists()


def test_library_buttons_follow_a_role_change(portfolio, lead, contributor, admin_user):
    leads = evidence_create_text(portfolio=portfolio, actor=lead, title="Lead item", text="x")
    contributor_client = client_for(contributor)
    items = library_items(page(contributor_client, library_url(portfolio)))
    assert not can_change(items["Lead item"], leads)

    role = UnitRole.objects.get(user=contributor, unit=portfolio.unit)
    response = client_for(admin_user).post(
        reverse("network:role_change", kwargs={"pk": role.pk}), {"role": UnitRoleKind.LEAD}
    )
    assert response.status_code == 302
    assert UnitRole.objects.get(pk=role.pk).role == UnitRoleKind.LEAD
    items = library_items(page(contributor_client, library_url(portfolio)))
    assert can_change(items["Lead item"], leads)


# --- 3. the scoring page ---------------------------------------------------------------------


def test_scoring_page_shows_a_saved_score(lead_assignment, assessor):
    portfolio = lead_assignment.portfolio
    c = Criterion.objects.filter(standard__framework=portfolio.framework).order_by("id").first()
    client = client_for(assessor)
    html = page(client, score_url(lead_assignment))
    assert '<option value="partly_met" selected>' not in score_card(html, c.pk)
    assert "<span data-rated>0</span> of 20 criteria rated" in html

    response = client.post(
        reverse("reviews:score_save", kwargs={"pk": lead_assignment.pk, "criterion_pk": c.pk}),
        {f"c{c.pk}-rating": "partly_met", f"c{c.pk}-comment": "Good start."},
        headers={"x-requested-with": "fetch"},
    )
    assert response.json() == {"ok": True, "error": "", "rated": 1}

    html = page(client, score_url(lead_assignment))
    card = score_card(html, c.pk)
    assert '<option value="partly_met" selected>' in card
    assert "Good start.</textarea>" in card
    assert "<span data-rated>1</span> of 20 criteria rated" in html

    # Changed again (without JavaScript this time).
    response = client.post(
        reverse("reviews:score_save", kwargs={"pk": lead_assignment.pk, "criterion_pk": c.pk}),
        {f"c{c.pk}-rating": "met", f"c{c.pk}-comment": "Clear."},
    )
    assert response.status_code == 302
    card = score_card(page(client, score_url(lead_assignment)), c.pk)
    assert '<option value="met" selected>' in card
    assert '<option value="partly_met" selected>' not in card


def test_scoring_page_shows_another_assessors_submission(
    lead_assignment, second_assignment, assessor, other_assessor
):
    score_all(lead_assignment, "met")
    score_all(second_assignment, "not_met")
    first = client_for(assessor)
    second = client_for(other_assessor)
    page(first, score_url(lead_assignment))
    page(second, score_url(second_assignment))

    assert first.post(reverse("reviews:submit_scores", kwargs={"pk": lead_assignment.pk}))
    assert Assignment.objects.get(pk=lead_assignment.pk).state == AssignmentState.SUBMITTED
    html = page(first, score_url(lead_assignment))
    assert "You submitted your scores" in html
    assert "Other assessors" not in html

    # The second assessor's page is still editable for them (their own copy).
    html = page(second, score_url(second_assignment))
    assert "Submit my scores" in html

    second.post(reverse("reviews:submit_scores", kwargs={"pk": second_assignment.pk}))
    assert Assignment.objects.get(pk=second_assignment.pk).state == AssignmentState.SUBMITTED
    html = page(first, score_url(lead_assignment))
    c = Criterion.objects.filter(standard__framework=lead_assignment.portfolio.framework).first()
    card = score_card(html, c.pk)
    assert "Other assessors" in card
    assert f"<strong>{other_assessor.get_full_name()}:</strong> Not met" in card
    html = page(second, score_url(second_assignment))
    assert "Submit my scores" not in html
    assert f"<strong>{assessor.get_full_name()}:</strong> Met" in html


def test_scoring_page_and_builder_show_reopened_criteria(
    lead_assignment, assessor, admin_user, lead
):
    portfolio = lead_assignment.portfolio
    chosen = list(
        Criterion.objects.filter(standard__framework=portfolio.framework).order_by("id")[2:4]
    )
    untouched = Criterion.objects.filter(standard__framework=portfolio.framework).order_by("id")[0]
    assessor_client, lead_client = client_for(assessor), client_for(lead)
    html = page(assessor_client, score_url(lead_assignment))
    assert "Reopened for more evidence" not in html
    assert ">Reopened</span>" not in page(lead_client, builder_url(portfolio))

    response = client_for(admin_user).post(
        reverse("reviews:request_evidence", kwargs={"pk": portfolio.pk}),
        {
            "criteria": [c.pk for c in chosen],
            "message": "Please add your community meeting minutes.",
            "due_date": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert Portfolio.objects.get(pk=portfolio.pk).state == PortfolioState.MORE_EVIDENCE

    html = page(assessor_client, score_url(lead_assignment))
    for c in chosen:
        assert "Reopened for more evidence" in score_card(html, c.pk)
    assert "Reopened for more evidence" not in score_card(html, untouched.pk)
    html = page(lead_client, builder_url(portfolio))
    for c in chosen:
        assert ">Reopened</span>" in builder_row(html, portfolio, c.code)
    assert ">Reopened</span>" not in builder_row(html, portfolio, untouched.code)
    assert "Only the criteria the assessor reopened can change now" in html


# --- 4. the member list ----------------------------------------------------------------------


def test_member_list_shows_a_unit_created_by_an_admin(admin_user, unit):
    client = client_for(admin_user)
    url = reverse("network:unit_list")
    html = page(client, url)
    assert "1 unit found." in html
    assert "Maple House" not in html

    response = client.post(
        reverse("network:unit_create"),
        {
            "organisation": unit.organisation_id,
            "name": "Maple House",
            "setting_type": SettingType.EDUCATION,
            "region": Region.SCOTLAND,
        },
    )
    assert response.status_code == 302
    html = page(client, url)
    assert "2 units found." in html
    assert ">Maple House</a>" in html
    # A filtered copy cached before is not stale either.
    assert ">Maple House</a>" in page(client, url + "?q=maple")


def test_member_list_shows_a_membership_status_change(admin_user, unit):
    membership = factories.MembershipFactory(unit=unit)
    client = client_for(admin_user)
    url = reverse("network:unit_list")
    html = page(client, url)
    assert "network-status-active" in html
    assert "network-status-suspended" not in html

    response = client.post(
        reverse("network:membership_status", kwargs={"pk": membership.pk}),
        {"status": MembershipStatus.SUSPENDED, "reason": "Invoice unpaid"},
    )
    assert response.status_code == 302
    html = page(client, url)
    assert '<span class="badge network-status-suspended">Suspended</span>' in html
    assert "network-status-active" not in html


def test_member_list_shows_a_csv_import(admin_user, unit):
    programme = factories.ProgrammeFactory()
    start = timezone.localdate() - dt.timedelta(days=10)
    end = start + dt.timedelta(days=3 * 365)
    client = client_for(admin_user)
    url = reverse("network:unit_list")
    html = page(client, url)
    assert "1 unit found." in html
    assert f"<div>{programme.name}: " not in html

    header = (
        "organisation,unit,setting_type,region,programme,start_date,end_date,status,fee_reference"
    )
    rows = [
        # An existing unit: only a membership is added (bulk_create, no signal).
        f"{unit.organisation.name},{unit.name},health_inpatient,london,{programme.code},"
        f"{start},{end},active,F1",
        f"Hope Trust,Ash Ward,health_inpatient,london,{programme.code},{start},{end},active,F2",
    ]
    response = client.post(
        reverse("network:import_upload"),
        {"file": SimpleUploadedFile("m.csv", "\n".join([header, *rows]).encode(), "text/csv")},
    )
    assert response.status_code == 302, response.content
    response = client.post(reverse("network:import_preview"))
    assert response.status_code == 302
    assert Membership.objects.filter(unit=unit).count() == 1

    html = page(client, url)
    assert "2 units found." in html
    assert ">Ash Ward</a>" in html
    willow = html[html.index(f">{unit.name}</a>") :]
    willow = willow[: willow.index("</tr>")]
    assert f"<div>{programme.name}: " in willow
    assert "network-status-active" in willow


def test_member_list_shows_an_import_that_only_adds_memberships(admin_user, unit):
    """Every row names an existing unit: nothing is saved one by one, only bulk_create."""
    programme = factories.ProgrammeFactory()
    start = timezone.localdate() - dt.timedelta(days=10)
    end = start + dt.timedelta(days=3 * 365)
    client = client_for(admin_user)
    url = reverse("network:unit_list")
    assert '<span class="text-muted">None</span>' in page(client, url)

    csv_text = (
        "organisation,unit,setting_type,region,programme,start_date,end_date,status,"
        "status_reason,fee_reference\n"
        f"{unit.organisation.name},{unit.name},health_inpatient,london,{programme.code},"
        f"{start},{end},lapsed,Unpaid,F9\n"
    )
    response = client.post(
        reverse("network:import_upload"),
        {"file": SimpleUploadedFile("m.csv", csv_text.encode(), "text/csv")},
    )
    assert response.status_code == 302, response.content
    assert client.post(reverse("network:import_preview")).status_code == 302
    assert Membership.objects.filter(unit=unit, status=MembershipStatus.LAPSED).exists()

    html = page(client, url)
    assert '<span class="text-muted">None</span>' not in html
    assert '<span class="badge network-status-lapsed">Lapsed</span>' in html


# --- 5. the review queue ---------------------------------------------------------------------


def test_review_queue_shows_an_assigned_assessor(admin_user, unit, framework, lead, assessor):
    submitted = make_portfolio(unit, framework)
    client = client_for(admin_user)
    html = page(client, reverse("reviews:list"))
    assert "None yet" in html
    assert assessor.get_full_name() not in html

    due = timezone.localdate() + dt.timedelta(days=20)
    response = client.post(
        reverse("reviews:assign", kwargs={"pk": submitted.pk}),
        {"assessor": assessor.pk, "due_date": due.isoformat(), "is_lead": "on"},
    )
    assert response.status_code == 302
    html = page(client, reverse("reviews:list"))
    label = AssignmentState.AWAITING_DECLARATION.label.lower()
    assert f"{assessor.get_full_name()} (lead) – {label}" in html
    assert "None yet" not in html
    assert due.strftime("%-d %b %Y") in html


def test_review_queue_shows_a_renamed_unit(admin_user, unit, framework, lead):
    make_portfolio(unit, framework)
    client = client_for(admin_user)
    assert ">Willow Ward</a>" in page(client, reverse("reviews:list"))
    rename_unit(admin_user, unit, "Birch Ward")
    html = page(client, reverse("reviews:list"))
    assert ">Birch Ward</a>" in html
    assert "Willow Ward" not in html


def test_review_queue_shows_a_renamed_assessor(admin_user, lead_assignment, assessor):
    client = client_for(admin_user)
    assert assessor.get_full_name() in page(client, reverse("reviews:list"))
    rename_person(assessor, "Zelda Quill")
    assert "Zelda Quill (lead)" in page(client, reverse("reviews:list"))


# --- pages that show names from the network (unit, organisation, people) ---------------------
# The builder, the library and the scoring page show the unit's (and organisation's, and
# people's) names: a rename touches the unit's portfolio scopes, a person's the "people" scope.


def test_builder_shows_a_renamed_unit(portfolio, lead, admin_user, unit):
    client = client_for(lead)
    assert h1(page(client, builder_url(portfolio))).startswith("Willow Ward:")
    rename_unit(admin_user, unit, "Birch Ward")
    html = page(client, builder_url(portfolio))
    assert "<title>Birch Ward portfolio" in html  # outside the fragment
    assert h1(html).startswith("Birch Ward:")


def test_library_shows_a_renamed_unit(portfolio, lead, admin_user, unit):
    client = client_for(lead)
    assert "Willow Ward · " in page(client, library_url(portfolio))
    rename_unit(admin_user, unit, "Birch Ward")
    html = page(client, library_url(portfolio))
    assert "Birch Ward · " in html
    assert "Willow Ward" not in html


def test_scoring_page_shows_a_renamed_unit(lead_assignment, assessor, admin_user, unit):
    client = client_for(assessor)
    assert h1(page(client, score_url(lead_assignment))) == "Scoring Willow Ward"
    rename_unit(admin_user, unit, "Birch Ward")
    assert h1(page(client, score_url(lead_assignment))) == "Scoring Birch Ward"


def test_library_shows_a_renamed_uploader(portfolio, lead, contributor):
    evidence_create_text(portfolio=portfolio, actor=contributor, title="Quote", text="x")
    client = client_for(lead)
    item = library_items(page(client, library_url(portfolio)))["Quote"]
    assert f"added by {contributor.get_full_name()}" in item
    rename_person(contributor, "Zelda Quill")
    item = library_items(page(client, library_url(portfolio)))["Quote"]
    assert "added by Zelda Quill" in item


def test_scoring_page_shows_a_renamed_assessor(
    lead_assignment, second_assignment, assessor, other_assessor
):
    score_all(lead_assignment)
    score_all(second_assignment)
    Assignment.objects.filter(pk__in=[lead_assignment.pk, second_assignment.pk]).update(
        state=AssignmentState.SUBMITTED
    )
    client = client_for(assessor)
    assert f"<strong>{other_assessor.get_full_name()}:</strong>" in page(
        client, score_url(lead_assignment)
    )
    rename_person(other_assessor, "Zelda Quill")
    assert "<strong>Zelda Quill:</strong>" in page(client, score_url(lead_assignment))


# --- 6. the page chrome ----------------------------------------------------------------------


def signed_in_as(html: str) -> str:
    return re.search(r"Signed in as ([^<]*)</span>", html).group(1)


def test_chrome_shows_a_changed_name(lead, portfolio):
    lead.full_name = "Alice Ashdown"
    lead.save()
    client = client_for(lead)
    url = reverse("portfolios:list")
    assert signed_in_as(page(client, url)) == "Alice"
    rename_person(lead, "Beatrice Ashdown")
    assert signed_in_as(page(client, url)) == "Beatrice"
    assert signed_in_as(page(client, builder_url(portfolio))) == "Beatrice"


def test_chrome_shows_a_unit_role_added(admin_user, unit):
    person = factories.UserFactory(email="new@example.test", full_name="Nia New")
    client = client_for(person)
    unit_link = 'href="{}"'.format(reverse("network:unit_detail", kwargs={"pk": unit.pk}))
    html = page(client, reverse("portfolios:list"))
    assert unit_link not in html
    assert ">Portfolios</a>" not in html

    response = client_for(admin_user).post(
        reverse("network:invitation_create", kwargs={"pk": unit.pk}),
        {"email": person.email, "role": UnitRoleKind.CONTRIBUTOR},
    )
    assert response.status_code == 302
    assert UnitRole.objects.filter(user=person, unit=unit).exists()

    html = page(client, reverse("portfolios:list"))
    assert f"{unit_link}>My unit</a>" in html
    assert ">Portfolios</a>" in html


def test_chrome_never_shows_one_person_to_another(unit):
    alice = factories.UnitRoleFactory(unit=unit, user__full_name="Alice Ashdown").user
    bob = factories.UnitRoleFactory(unit=unit, user__full_name="Bob Brown").user
    # Same first name, different people: still each their own copy (and token).
    alice2 = factories.UnitRoleFactory(unit=unit, user__full_name="Alice Other").user
    clients = {person: client_for(person) for person in (alice, bob, alice2)}
    url = reverse("portfolios:list")
    for _ in range(2):
        for person, client in clients.items():
            html = page(client, url)
            assert signed_in_as(html) == person.get_short_name()
            for other in clients:
                if other.get_short_name() != person.get_short_name():
                    assert other.get_short_name() not in html


# --- 7. CSRF tokens in shared copies ---------------------------------------------------------


def test_builder_copy_from_the_cache_carries_the_visitors_own_token(
    ready_portfolio, lead, second_lead
):
    portfolio = ready_portfolio
    action = reverse("portfolios:submit", kwargs={"pk": portfolio.pk})
    a, b = client_for(lead, csrf=True), client_for(second_lead, csrf=True)
    html_a = page(a, builder_url(portfolio))
    token_a = form_token(html_a, action)

    # Probe: a change that sends no signal. If B's body came from A's cached copy, it is absent.
    CriterionResponse.objects.filter(portfolio=portfolio, criterion__code="1.1").update(
        self_rating="working_towards"
    )
    html_b = page(b, builder_url(portfolio))
    first_badge = badges(builder_row(html_b, portfolio, "1.1"))[0]
    assert first_badge == "Unit’s own rating: Not rated yet"  # from the cache
    token_b = form_token(html_b, action)
    assert fragments.CSRF_PLACEHOLDER not in html_a + html_b
    assert token_a not in html_b
    assert token_b not in html_a

    # A's token is refused for B (it is bound to A's secret); B's own token is accepted.
    assert b.post(action, {"csrfmiddlewaretoken": token_a}).status_code == 403
    assert Portfolio.objects.get(pk=portfolio.pk).state == PortfolioState.DRAFT
    response = b.post(action, {"csrfmiddlewaretoken": token_b})
    assert response.status_code == 302
    assert Portfolio.objects.get(pk=portfolio.pk).state == PortfolioState.SUBMITTED


def test_library_copy_from_the_cache_carries_the_visitors_own_token(portfolio, lead, second_lead):
    evidence = evidence_create_text(portfolio=portfolio, actor=lead, title="Old title", text="x")
    action = reverse("portfolios:evidence_delete", kwargs={"pk": evidence.pk})
    a, b = client_for(lead, csrf=True), client_for(second_lead, csrf=True)
    token_a = form_token(page(a, library_url(portfolio)), action)

    Evidence.objects.filter(pk=evidence.pk).update(title="Probe title")  # no signal
    html_b = page(b, library_url(portfolio))
    assert "Old title" in html_b  # B's body is A's cached copy
    token_b = form_token(html_b, action)
    assert fragments.CSRF_PLACEHOLDER not in html_b
    assert token_a not in html_b

    # A's token is refused for B; B's own token is accepted.
    assert b.post(action, {"csrfmiddlewaretoken": token_a}).status_code == 403
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert b.post(action, {"csrfmiddlewaretoken": token_b}).status_code == 302
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


def test_text_evidence_form_from_the_cache_accepts_the_contributors_token(
    portfolio, contributor, unit
):
    other = factories.UnitRoleFactory(
        unit=unit, role=UnitRoleKind.CONTRIBUTOR, user__email="c2@example.test"
    ).user
    action = reverse("portfolios:evidence_text", kwargs={"pk": portfolio.pk})
    first, second = client_for(contributor, csrf=True), client_for(other, csrf=True)
    page(first, library_url(portfolio))
    html = page(second, library_url(portfolio))
    token = form_token(html, action)
    response = second.post(
        action,
        {
            "csrfmiddlewaretoken": token,
            "tx-title": "Said by a resident",
            "tx-text": "Kind staff.",
            "tx-evidence_type": "feedback",
            "tx-contains_identifiable": "no",
        },
    )
    assert response.status_code == 302
    assert Evidence.objects.get().uploaded_by == other


def test_sign_out_token_in_the_cached_chrome_is_the_visitors(lead, contributor):
    a, b = client_for(lead, csrf=True), client_for(contributor, csrf=True)
    url, logout = reverse("portfolios:list"), reverse("logout")
    token_a = form_token(page(a, url), logout)
    html_b = page(b, url)
    token_b = form_token(html_b, logout)
    assert fragments.CSRF_PLACEHOLDER not in html_b
    assert b.post(logout, {"csrfmiddlewaretoken": token_a}).status_code == 403
    assert b.post(logout, {"csrfmiddlewaretoken": token_b}).status_code == 302
    assert b.get(url).status_code == 302  # signed out
    assert a.get(url).status_code == 200


# --- 8. ee_portal/lib/fragments.py -----------------------------------------------------------

TEMPLATE = "fragment-test.html"


@pytest.fixture
def fragment_template(settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {TEMPLATE: "<p>{{ value }}</p><form>{% csrf_token %}</form>"},
                    )
                ]
            },
        }
    ]
    return TEMPLATE


class Counter:
    """A context callable that counts its calls and returns the current value."""

    def __init__(self, value: str = "one"):
        self.value = value
        self.calls = 0

    def __call__(self) -> dict:
        self.calls += 1
        return {"value": self.value}


def render(context: Callable[[], dict], *, scopes=("unit-test",), vary=(), request=None) -> str:
    request = request or RequestFactory().get("/")
    return fragments.render_cached(request, TEMPLATE, scopes=scopes, vary=vary, context=context)


def version(scope: str):
    return cache.get(fragments._version_key(scope))


def test_context_is_not_called_on_a_hit(fragment_template):
    context = Counter()
    first = render(context)
    assert context.calls == 1
    context.value = "changed without a touch"
    for _ in range(3):
        assert "<p>one</p>" in render(context)
    assert context.calls == 1
    assert "<p>one</p>" in first


def test_render_cached_renders_again_after_touch(fragment_template):
    context = Counter()
    assert "<p>one</p>" in render(context, scopes=("a", "b"))
    context.value = "two"
    fragments.touch("b")
    assert "<p>two</p>" in render(context, scopes=("a", "b"))
    assert context.calls == 2
    assert "<p>two</p>" in render(context, scopes=("a", "b"))
    assert context.calls == 2
    # A scope the fragment does not use changes nothing.
    fragments.touch("c")
    render(context, scopes=("a", "b"))
    assert context.calls == 2


def test_render_cached_renders_again_when_a_version_is_lost(fragment_template):
    context = Counter()
    render(context, scopes=("a", "b"))
    old = version("b")
    context.value = "two"
    cache.delete(fragments._version_key("b"))  # flushed or evicted
    assert "<p>two</p>" in render(context, scopes=("a", "b"))
    assert context.calls == 2
    assert version("b") > old  # from the clock: never an old number again
    assert "<p>two</p>" in render(context, scopes=("a", "b"))
    assert context.calls == 2
    # Everything flushed (versions and copies): rendered again, then cached again.
    cache.clear()
    context.value = "three"
    assert "<p>three</p>" in render(context, scopes=("a", "b"))
    assert "<p>three</p>" in render(context, scopes=("a", "b"))
    assert context.calls == 3


def test_touch_in_a_transaction_bumps_again_on_commit(
    fragment_template, django_capture_on_commit_callbacks
):
    context = Counter()
    render(context)
    start = version("unit-test")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            fragments.touch("unit-test")
            assert version("unit-test") == start + 1
            # Another request renders from data read before the commit and stores it.
            context.value = "read before the commit"
            assert "<p>read before the commit</p>" in render(context)
            assert context.calls == 2
        assert version("unit-test") == start + 1  # the commit has not happened yet
    assert [fragments.is_bump(c) for c in callbacks] == [True]
    assert version("unit-test") == start + 2
    # That copy is not used after the commit.
    context.value = "committed"
    assert "<p>committed</p>" in render(context)
    assert context.calls == 3


def test_touch_of_a_scope_never_read_starts_a_version(fragment_template):
    assert version("fresh") is None
    fragments.touch("fresh", "")
    assert version("fresh") is not None
    assert version("") is None


def test_copies_vary_and_carry_the_visitors_csrf_token(fragment_template):
    context = Counter()
    factory = RequestFactory()
    first, second = factory.get("/"), factory.get("/")
    html_1 = render(context, vary=("x",), request=first)
    html_2 = render(context, vary=("x",), request=second)
    assert context.calls == 1
    assert fragments.CSRF_PLACEHOLDER not in html_1 + html_2
    token_1 = TOKEN.search(html_1).group(1)
    token_2 = TOKEN.search(html_2).group(1)
    assert token_1 != token_2
    # Each is the request's own (same secret as the cookie it will set).
    assert first.META["CSRF_COOKIE"] != second.META["CSRF_COOKIE"]
    assert _unmask_cipher_token(token_1) == first.META["CSRF_COOKIE"]
    assert _unmask_cipher_token(token_2) == second.META["CSRF_COOKIE"]
    # Another vary is another copy.
    context.value = "two"
    assert "<p>two</p>" in render(context, vary=("y",))
    assert "<p>one</p>" in render(context, vary=("x",))
    assert context.calls == 2


def test_model_saves_touch_their_scopes(portfolio, lead, unit):
    """The signal map: a save or delete of each kind of row moves the right scopes."""
    scopes = [
        portfolio_scope(portfolio.pk),
        review_scope(portfolio.pk),
        QUEUE,
        NETWORK,
        STANDARDS,
        PEOPLE,
    ]
    for scope in scopes:
        fragments.touch(scope)

    def moved() -> set[str]:
        now = {s: version(s) for s in scopes}
        changed = {s for s in scopes if now[s] != before[s]}
        before.update(now)
        return changed

    before = {s: version(s) for s in scopes}
    evidence = evidence_create_text(portfolio=portfolio, actor=lead, title="T", text="x")
    assert moved() == set(scopes[:3])
    evidence.delete()
    assert moved() == set(scopes[:3])
    unit.name = "Renamed"
    unit.save()
    # A rename shows on the unit's portfolio pages too.
    assert moved() == set(scopes[:4])
    unit.organisation.name = "Renamed Trust"
    unit.organisation.save()
    assert moved() == set(scopes[:4])
    lead.full_name = "Someone Else"
    lead.save()
    assert moved() == {QUEUE, PEOPLE}
    lead.save(update_fields=["last_login"])  # signing in changes nothing any page shows
    assert moved() == set()
    # Review rows touch the review scope, not the portfolio's (scoring leaves the builder).
    assessor = factories.UserFactory(is_assessor=True)
    assert moved() == {QUEUE, PEOPLE}  # a new person
    assignment = factories.AssignmentFactory(portfolio=portfolio, assessor=assessor)
    assert moved() == {review_scope(portfolio.pk), QUEUE}
    factories.CriterionScoreFactory(assignment=assignment)
    assert moved() == {review_scope(portfolio.pk), QUEUE}
    assert CriterionScore.objects.count() == 1
    factories.CriterionFactory()  # in a new draft framework
    assert moved() == {STANDARDS}


def test_a_deploy_that_changes_the_code_renders_again(fragment_template, settings, tmp_path):
    """Copies rendered by the old templates or code are never served by the new (the key holds
    a fingerprint of both, taken once per process)."""
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("old")
    settings.BASE_DIR = tmp_path
    fragments.code_version.cache_clear()
    try:
        context = Counter()
        render(context, scopes=("a",))
        render(context, scopes=("a",))
        assert context.calls == 1
        page.write_text("new template")  # a deploy; the new processes start afresh
        fragments.code_version.cache_clear()
        render(context, scopes=("a",))
        assert context.calls == 2
    finally:
        fragments.code_version.cache_clear()


# --- the cache unreachable (Redis down): pages and writes still work, uncached ----------------

DEAD_REDIS = {
    "default": {
        "BACKEND": "ee_portal.caching.backends.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: connection refused
    }
}


def test_pages_and_writes_work_while_the_cache_is_unreachable(
    settings, lead, admin_user, lead_assignment, caplog
):
    from network.services import unit_create  # noqa: PLC0415

    portfolio = lead_assignment.portfolio
    settings.CACHES = DEAD_REDIS
    client = client_for(lead)
    for url in (builder_url(portfolio), library_url(portfolio)):
        assert "Willow Ward" in page(client, url)
    scoring = f"/reviews/assignments/{lead_assignment.pk}/score/"
    assert "Submit my scores" in page(client_for(lead_assignment.assessor), scoring)
    # A write touches its scopes (the cache refuses) and still succeeds; the pages show it.
    unit_create(
        actor=admin_user,
        organisation=portfolio.unit.organisation,
        name="Written Offline Ward",
        setting_type=SettingType.HEALTH_INPATIENT,
        region=Region.LONDON,
    )
    admin = client_for(admin_user)
    assert "Written Offline Ward" in page(admin, reverse("network:unit_list"))
    assert "Review queue" in page(admin, reverse("reviews:list"))
    assert page(Client(), "/standards/")  # the public page cache degrades too
    assert "Page fragment cache unavailable" in caplog.text
