"""Hypothesis-driven posts to the main forms: never a 500, and never a response that says
"invalid" while something was saved anyway (nor a save that differs from what the product's
rules make of what was sent: see `as_saved`).

Examples, deadline and randomness come from the hypothesis profile (tests/conftest.py): "ci",
derandomized, for `make test`; "explore" (`make fuzz`) looks for new examples."""

import os

import pytest
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st

from network.models import Invitation, Membership, Organisation, Unit, UnitRole
from portfolios.enums import PortfolioState
from portfolios.models import CriterionResponse, Evidence
from reviews.enums import AssignmentState
from reviews.models import CriterionScore
from standards.models import Criterion
from tests import factories

NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\r\n\r\n",
        "<script>alert(1)</script>",
        "'; DROP TABLE portfolios_evidence; --",
        "\u202eevil",
        "💩" * 500,
        "A" * 300_000,
        "%s%s%n",
        "{{ settings.SECRET_KEY }}",
        "-1",
        "99999999999999999999999",
        "1e309",
        "NaN",
        "０",  # a full-width digit
    ]
)
TEXT = st.one_of(
    NASTY,
    st.text(max_size=300),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=60),  # control characters
    st.binary(max_size=120).map(lambda b: b.decode("latin-1")),
)
MAYBE = st.one_of(st.none(), TEXT)


def form(**fields) -> dict:
    """POST data without the fields that are None (a missing field is a case too)."""
    return {key: value for key, value in fields.items() if value is not None}


@pytest.fixture
def draft(unit, framework, lead, contributor):
    portfolio = factories.PortfolioFactory(
        unit=unit, framework=framework, state=PortfolioState.DRAFT
    )
    for criterion in Criterion.objects.filter(standard__framework=framework):
        factories.CriterionResponseFactory(portfolio=portfolio, criterion=criterion)
    return portfolio


def as_saved(text: str | None) -> str:
    """What a text field keeps of what was sent: Django's forms.CharField strips surrounding
    whitespace (str.strip: spaces, tabs, \r, \n and the other Unicode spaces) and turns a
    missing field into "". Line breaks inside the text are kept as sent."""
    return (text or "").strip()


def _row(model, pk, fields):
    return model.objects.filter(pk=pk).values(*fields).first()


# --- narrative (criterion editor, JSON autosave and the no-JavaScript form) ------------------


@given(
    narrative=MAYBE,
    self_rating=st.one_of(st.sampled_from(["met", "working_towards", "not_started"]), MAYBE),
    version=st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), MAYBE),
    as_json=st.booleans(),
)
def test_fuzz_narrative(client, draft, lead, *, narrative, self_rating, version, as_json):
    client.force_login(lead)
    response_row = CriterionResponse.objects.filter(portfolio=draft).first()
    fields = ("narrative", "self_rating", "version")
    before = _row(CriterionResponse, response_row.pk, fields)
    url = reverse(
        "portfolios:criterion", kwargs={"pk": draft.pk, "code": response_row.criterion.code}
    )
    headers = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"} if as_json else {}
    response = client.post(
        url, form(narrative=narrative, self_rating=self_rating, version=version), **headers
    )
    after = _row(CriterionResponse, response_row.pk, fields)
    assert response.status_code in (200, 302, 400, 409)
    saved = response.status_code == 200 if as_json else response.status_code == 302
    if not saved:
        assert after == before
        return
    if as_json:
        assert response.json()["ok"] is True
    if after != before:
        assert after["version"] == before["version"] + 1
        assert after["self_rating"] == self_rating
        # The narrative service also stores browsers' \r\n line breaks as \n.
        assert after["narrative"] == as_saved(narrative).replace("\r\n", "\n")
        assert "\x00" not in after["narrative"]


@given(body=st.binary(max_size=400))
def test_fuzz_narrative_raw_body(client, draft, lead, body):
    """Raw bytes as the form body (invalid UTF-8, stray '&' and '=')."""
    client.force_login(lead)
    response_row = CriterionResponse.objects.filter(portfolio=draft).first()
    before = _row(CriterionResponse, response_row.pk, ("narrative", "version"))
    url = reverse(
        "portfolios:criterion", kwargs={"pk": draft.pk, "code": response_row.criterion.code}
    )
    response = client.post(
        url, body, content_type="application/x-www-form-urlencoded", HTTP_ACCEPT="application/json"
    )
    assert response.status_code in (200, 400, 409)
    if response.status_code != 200:
        assert _row(CriterionResponse, response_row.pk, ("narrative", "version")) == before


# --- evidence metadata (edit form) -----------------------------------------------------------

YES_NO = st.one_of(st.sampled_from(["yes", "no", ""]), MAYBE)


@given(
    title=MAYBE,
    description=MAYBE,
    evidence_type=st.one_of(st.sampled_from(["document", "feedback", "minutes"]), MAYBE),
    contains_identifiable=YES_NO,
    consent_recorded=YES_NO,
    text=MAYBE,
    criteria=st.lists(st.one_of(st.integers(-5, 10**12).map(str), TEXT), max_size=4),
)
def test_fuzz_evidence_edit(
    client,
    draft,
    lead,
    *,
    title,
    description,
    evidence_type,
    contains_identifiable,
    consent_recorded,
    text,
    criteria,
):
    client.force_login(lead)
    evidence = Evidence.objects.filter(portfolio=draft).first() or factories.EvidenceFactory(
        portfolio=draft, uploaded_by=lead
    )
    fields = ("title", "description", "evidence_type", "text", "contains_identifiable")
    fields += ("consent_recorded",)
    before = (_row(Evidence, evidence.pk, fields), sorted(evidence.links.values_list("pk")))
    data = form(
        title=title,
        description=description,
        evidence_type=evidence_type,
        contains_identifiable=contains_identifiable,
        consent_recorded=consent_recorded,
        text=text,
    )
    data["criteria"] = criteria
    response = client.post(reverse("portfolios:evidence_edit", kwargs={"pk": evidence.pk}), data)
    after_row = _row(Evidence, evidence.pk, fields)
    assert response.status_code in (200, 302)
    saved = response.status_code == 302 and response["Location"] == reverse(
        "portfolios:evidence_library", kwargs={"pk": draft.pk}
    )
    if not saved:
        # The form was shown again, or the service refused: nothing changed, links included.
        assert (after_row, sorted(evidence.links.values_list("pk"))) == before
        return
    assert after_row["title"] == as_saved(title)
    assert after_row["description"] == as_saved(description)
    assert after_row["evidence_type"] == evidence_type
    assert after_row["text"] == as_saved(text)
    assert after_row["text"]  # a text item cannot be emptied
    assert "\x00" not in after_row["title"] + after_row["description"] + after_row["text"]


# --- scoring ---------------------------------------------------------------------------------


@pytest.fixture
def scoring(unit, framework, lead, assessor):
    portfolio = factories.PortfolioFactory(
        unit=unit, framework=framework, state=PortfolioState.IN_REVIEW
    )
    return factories.AssignmentFactory(
        portfolio=portfolio, assessor=assessor, state=AssignmentState.SCORING
    )


@given(
    rating=st.one_of(st.sampled_from(["met", "partly_met", "not_met", ""]), MAYBE),
    comment=MAYBE,
    as_json=st.booleans(),
    prefixed=st.booleans(),
)
def test_fuzz_score_save(client, scoring, assessor, *, rating, comment, as_json, prefixed):
    client.force_login(assessor)
    criterion = Criterion.objects.filter(standard__framework=scoring.portfolio.framework).first()
    prefix = f"c{criterion.pk}-" if prefixed else ""
    before = list(
        CriterionScore.objects.filter(assignment=scoring).values_list("rating", "comment")
    )
    headers = {"HTTP_X_REQUESTED_WITH": "fetch"} if as_json else {}
    response = client.post(
        reverse("reviews:score_save", kwargs={"pk": scoring.pk, "criterion_pk": criterion.pk}),
        form(**{f"{prefix}rating": rating, f"{prefix}comment": comment}),
        **headers,
    )
    after = list(CriterionScore.objects.filter(assignment=scoring).values_list("rating", "comment"))
    assert response.status_code in ((200, 400) if as_json else (302,))
    if as_json and response.status_code == 400:
        assert response.json()["ok"] is False
        assert after == before
    if after != before:
        # Without the form's prefix the fields are simply absent: an empty score.
        [(saved_rating, saved_comment)] = after
        assert saved_rating == ((rating or "") if prefixed else "")
        assert saved_comment == (as_saved(comment) if prefixed else "")
        assert "\x00" not in saved_comment


# --- CSV import ------------------------------------------------------------------------------

HEADER = "organisation,unit,setting_type,region,programme,start_date,end_date,status,fee_reference"
CELL = st.one_of(
    NASTY.filter(lambda s: len(s) < 1000),
    st.text(max_size=30),
    st.sampled_from(
        [
            "ee-award",
            "housing",
            "london",
            "active",
            "2026-01-01",
            "31/12/2028",
            "=cmd|' /C calc'!A0",
        ]
    ),
)


def _csv_line(cells: list[str]) -> str:
    return ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)


@given(
    raw=st.one_of(
        st.binary(max_size=300),
        st.lists(st.lists(CELL, min_size=0, max_size=11), max_size=4).map(
            lambda rows: "\n".join([HEADER, *(_csv_line(r) for r in rows)]).encode()
        ),
        st.lists(st.lists(CELL, min_size=9, max_size=9), min_size=1, max_size=3)
        .map(lambda rows: "\ufeff" + "\r\n".join([HEADER, *(_csv_line(r) for r in rows)]))
        .map(lambda text: text.encode("utf-8", "surrogatepass")),
    ),
    name=st.one_of(st.just("members.csv"), st.text(min_size=1, max_size=40)),
)
def test_fuzz_csv_import(client, admin_user, raw, name):
    assume(name.strip("\x00 ."))
    # A name the test client itself cannot send (Django keeps only the part after the last
    # slash, and refuses an empty one before any request is made).
    assume(os.path.basename(name) not in {"", ".", ".."})
    client.force_login(admin_user)
    counts = (Organisation.objects.count(), Unit.objects.count(), Membership.objects.count())
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    response = client.post(
        reverse("network:import_upload"), {"file": SimpleUploadedFile(name, raw)}
    )
    assert response.status_code in (200, 302)
    # Uploading never writes rows: only the confirmation does.
    assert (
        Organisation.objects.count(),
        Unit.objects.count(),
        Membership.objects.count(),
    ) == counts
    if response.status_code == 302:
        assert response["Location"] == reverse("network:import_preview")
        confirm = client.post(reverse("network:import_preview"))
        assert confirm.status_code in (200, 302)
        if confirm.status_code == 200:  # checked again and refused: nothing written
            assert (
                Organisation.objects.count(),
                Unit.objects.count(),
                Membership.objects.count(),
            ) == counts


# --- invitations -----------------------------------------------------------------------------


@given(
    email=st.one_of(st.emails(), MAYBE, st.emails().map(lambda e: " " + e.upper() + "\x00")),
    role=st.one_of(st.sampled_from(["contributor", "lead"]), MAYBE),
    as_admin=st.booleans(),
)
def test_fuzz_invitation(client, unit, lead, admin_user, *, email, role, as_admin):
    client.force_login(admin_user if as_admin else lead)
    before = (Invitation.objects.count(), UnitRole.objects.count())
    response = client.post(
        reverse("network:invitation_create", kwargs={"pk": unit.pk}), form(email=email, role=role)
    )
    after = (Invitation.objects.count(), UnitRole.objects.count())
    assert response.status_code in (200, 302, 404)
    if response.status_code != 302:
        assert after == before
        if response.status_code == 404:  # only a lead asking to invite a lead
            assert not as_admin
            assert role == "lead"
        return
    assert after != before
    invitation = Invitation.objects.order_by("-pk").first()
    if after[0] > before[0]:
        assert invitation.email == as_saved(email).lower()  # addresses are kept in lower case
        assert "\x00" not in invitation.email
        assert invitation.role == (role if as_admin else "contributor")
