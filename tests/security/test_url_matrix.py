"""Authorization matrix: every URL pattern of the project against seven roles.

The roles (columns, in this order): anonymous, contributor of unit A, lead of unit A, lead of
unit B, the assessor assigned to A's portfolio (declared no conflict, scoring), an assessor
with no assignment, a CCQI admin. The world is tests/security/world.py: A's portfolio is in
review (interim cycle), A holds an award from its initial portfolio.

Every pattern is enumerated from the resolver, so a new URL without an entry here fails the
test, and so does an entry whose pattern has gone. Each request runs inside a savepoint that
is rolled back, so a POST by one role cannot change what the next role sees.

Expected values: an HTTP status, LOGIN (302 to /accounts/login/), or 302 (a redirect
somewhere else: the real outcome of an empty POST by someone allowed to make it). POSTs
carry empty data (CSRF is not enforced by the test client): someone who may not see the
object gets 404, someone who may gets the real answer (form error 200/400, redirect, ...).
The expectations were reviewed row by row against the rules in DESIGN.md and the readme
sections: other units, unassigned assessors and contributors get 404 for what they may not
see; anonymous visitors are sent to sign in for signed-in pages (the portfolios app does
this for every portfolio URL, existing or not, so nothing leaks).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views import static as static_views

from portfolios.models import EvidenceLink

from .world import ROLES, World

LOGIN = "login"  # 302 to the sign-in page
_ = 404  # readability: "may not see it"


@dataclass(frozen=True)
class Route:
    kwargs: Callable[[World], dict]
    # method -> expected result per role, in ROLES order:
    # (anon, contributor, lead, other_lead, assessor, unassigned, admin)
    expected: dict[str, tuple]
    # POST data, when an empty POST would not reach the permission check (rare).
    data: Callable[[World], dict] | None = None


def _none(world: World) -> dict:
    return {}


def _pk(attr: str) -> Callable[[World], dict]:
    return lambda world: {"pk": getattr(world, attr).pk}


def _practice(world: World):
    """A published practice portfolio with the assigned assessor's submitted practice on it,
    made the first time a route asks (world.py stays as the other tests know it)."""
    exercise = getattr(world, "practice_exercise", None)
    if exercise is None:
        from reviews.enums import AssignmentState  # noqa: PLC0415 -- only for these routes
        from tests import factories  # noqa: PLC0415

        exercise = factories.CalibrationExerciseFactory(
            portfolio__framework=world.framework, portfolio__unit__name="Practice: Example"
        )
        exercise.practice_assignment = factories.AssignmentFactory(
            portfolio=exercise.portfolio,
            assessor=world.assessor,
            state=AssignmentState.SUBMITTED,
        )
        world.practice_exercise = exercise
    return exercise


PUBLIC = (200,) * 7
SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200, 200)
ADMIN_ONLY = (LOGIN, _, _, _, _, _, 200)
ADMIN_ONLY_REDIRECT = (LOGIN, _, _, _, _, _, 302)
# A's portfolio: A's members, the cleared assessor and admins see it; B and the unassigned don't.
PORTFOLIO_READERS = (LOGIN, 200, 200, _, 200, _, 200)
PORTFOLIO_READERS_REDIRECT = (LOGIN, 302, 302, _, 302, _, 302)
AWARD_READERS = (LOGIN, 200, 200, _, _, _, 200)
ASSIGNED_ASSESSOR_ONLY = (LOGIN, _, _, _, 302, _, _)
LEAD_ONLY = (LOGIN, _, 200, _, _, _, _)
LEAD_ONLY_REDIRECT = (LOGIN, _, 302, _, _, _, _)

ROUTES: dict[str, Route] = {
    # --- site, accounts -------------------------------------------------------------------
    "home": Route(_none, {"GET": (200, 302, 302, 302, 302, 302, 302)}),
    "health": Route(_none, {"GET": PUBLIC}),
    "login": Route(_none, {"GET": PUBLIC, "POST": PUBLIC}),
    # Django 5 signs out on POST only.
    "logout": Route(_none, {"GET": (405,) * 7, "POST": (302,) * 7}),
    "password_reset": Route(_none, {"GET": PUBLIC, "POST": PUBLIC}),
    "password_reset_done": Route(_none, {"GET": PUBLIC}),
    # A made-up link: the "this link is invalid" page.
    "password_reset_confirm": Route(
        lambda w: {"uidb64": "MQ", "token": "not-a-real-token"}, {"GET": PUBLIC}
    ),
    "password_reset_complete": Route(_none, {"GET": PUBLIC}),
    "password_change": Route(_none, {"GET": SIGNED_IN, "POST": SIGNED_IN}),
    "password_change_done": Route(_none, {"GET": SIGNED_IN}),
    # --- standards (public) ---------------------------------------------------------------
    "standards:list": Route(_none, {"GET": PUBLIC}),
    "standards:detail": Route(lambda w: {"number": 1}, {"GET": PUBLIC}),
    # --- network: admins; a unit's members see its page, its lead manages contributors ----
    "network:dashboard": Route(_none, {"GET": ADMIN_ONLY}),
    "network:unit_list": Route(_none, {"GET": ADMIN_ONLY}),
    "network:unit_export": Route(_none, {"GET": ADMIN_ONLY}),
    "network:unit_create": Route(_none, {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY}),
    "network:unit_detail": Route(_pk("unit"), {"GET": (LOGIN, 200, 200, _, _, _, 200)}),
    "network:unit_edit": Route(_pk("unit"), {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY}),
    "network:membership_create": Route(_pk("unit"), {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY}),
    "network:invitation_create": Route(
        _pk("unit"),
        {"GET": (LOGIN, _, 200, _, _, _, 200), "POST": (LOGIN, _, 200, _, _, _, 200)},
    ),
    "network:membership_renew": Route(_pk("membership"), {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY}),
    "network:membership_status": Route(_pk("membership"), {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY}),
    # A contributor invitation of unit A: its lead and admins manage it.
    "network:invitation_resend": Route(_pk("invitation"), {"POST": (LOGIN, _, 302, _, _, _, 302)}),
    "network:invitation_revoke": Route(_pk("invitation"), {"POST": (LOGIN, _, 302, _, _, _, 302)}),
    # The link itself is the credential: public, for anyone holding it (empty POST: form errors).
    "network:invitation_accept": Route(
        lambda w: {"token": w.invitation_token}, {"GET": PUBLIC, "POST": PUBLIC}
    ),
    # The contributor's role in unit A: its lead removes it; only admins change roles.
    "network:role_remove": Route(_pk("contributor_role"), {"POST": (LOGIN, _, 302, _, _, _, 302)}),
    "network:role_change": Route(_pk("contributor_role"), {"POST": ADMIN_ONLY_REDIRECT}),
    "network:person_list": Route(_none, {"GET": ADMIN_ONLY}),
    "network:organisation_list": Route(_none, {"GET": ADMIN_ONLY}),
    "network:organisation_create": Route(_none, {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY}),
    "network:organisation_edit": Route(
        _pk("organisation"), {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY}
    ),
    "network:import_upload": Route(_none, {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY}),
    # Nothing uploaded yet: back to the upload page.
    "network:import_preview": Route(
        _none, {"GET": ADMIN_ONLY_REDIRECT, "POST": ADMIN_ONLY_REDIRECT}
    ),
    "network:import_cancel": Route(_none, {"POST": ADMIN_ONLY_REDIRECT}),
    # --- portfolios (A's portfolio is in review: locked, readable) ------------------------
    # Everyone signed in has a list (of what they may see: test_list_pages_show_only_...).
    "portfolios:list": Route(_none, {"GET": SIGNED_IN}),
    # Start unit B's first portfolio: only B's lead may (B has none yet); everyone else 404.
    "portfolios:start": Route(
        _none,
        {"POST": (LOGIN, _, _, 302, _, _, _)},
        data=lambda w: {"unit": w.other_unit.pk},
    ),
    "portfolios:detail": Route(_pk("portfolio"), {"GET": PORTFOLIO_READERS}),
    # Empty POST: the narrative form is invalid (400) for those who may see the portfolio.
    "portfolios:criterion": Route(
        lambda w: {"pk": w.portfolio.pk, "code": w.criterion.code},
        {"GET": PORTFOLIO_READERS, "POST": (LOGIN, 400, 400, _, 400, _, 400)},
    ),
    "portfolios:evidence_library": Route(_pk("portfolio"), {"GET": PORTFOLIO_READERS}),
    "portfolios:evidence_upload": Route(_pk("portfolio"), {"POST": PORTFOLIO_READERS_REDIRECT}),
    "portfolios:evidence_text": Route(_pk("portfolio"), {"POST": PORTFOLIO_READERS_REDIRECT}),
    "portfolios:evidence_declare": Route(_pk("portfolio"), {"POST": PORTFOLIO_READERS_REDIRECT}),
    "portfolios:diff": Route(_pk("portfolio"), {"GET": PORTFOLIO_READERS}),
    "portfolios:export_zip": Route(_pk("portfolio"), {"GET": PORTFOLIO_READERS}),
    "portfolios:submit": Route(_pk("portfolio"), {"POST": PORTFOLIO_READERS_REDIRECT}),
    "portfolios:evidence_edit": Route(
        _pk("evidence"), {"GET": PORTFOLIO_READERS, "POST": PORTFOLIO_READERS}
    ),
    "portfolios:evidence_delete": Route(_pk("evidence"), {"POST": PORTFOLIO_READERS_REDIRECT}),
    "portfolios:evidence_link": Route(_pk("evidence"), {"POST": PORTFOLIO_READERS_REDIRECT}),
    "portfolios:evidence_unlink": Route(_pk("evidence"), {"POST": PORTFOLIO_READERS_REDIRECT}),
    "portfolios:evidence_download": Route(_pk("evidence"), {"GET": PORTFOLIO_READERS}),
    # --- reviews --------------------------------------------------------------------------
    "reviews:list": Route(_none, {"GET": (LOGIN, _, _, _, 200, 200, 200)}),
    "reviews:portfolio": Route(_pk("portfolio"), {"GET": (LOGIN, _, _, _, 200, _, 200)}),
    "reviews:assign": Route(_pk("portfolio"), {"POST": ADMIN_ONLY}),
    # The assigned assessor is not the lead assessor: consolidation etc. are admins' here.
    "reviews:consolidate": Route(_pk("portfolio"), {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY}),
    "reviews:request_evidence": Route(_pk("portfolio"), {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY}),
    "reviews:accept_resubmission": Route(_pk("portfolio"), {"POST": ADMIN_ONLY_REDIRECT}),
    "reviews:advance": Route(_pk("portfolio"), {"POST": ADMIN_ONLY_REDIRECT}),
    # Any cleared assessor writes reports (reviews.write_report).
    "reviews:report_edit": Route(
        lambda w: {"pk": w.portfolio.pk, "kind": "visit"},
        {"GET": (LOGIN, _, _, _, 200, _, 200), "POST": (LOGIN, _, _, _, 200, _, 200)},
    ),
    "reviews:decision": Route(_pk("portfolio"), {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY}),
    # The unit's view of released reports and decisions (never scores).
    "reviews:outcome": Route(_pk("portfolio"), {"GET": PORTFOLIO_READERS}),
    # An assessor's own assignment: nobody else's, admins included (they use the review page).
    "reviews:assignment": Route(
        _pk("assignment"), {"GET": ASSIGNED_ASSESSOR_ONLY, "POST": (LOGIN, _, _, _, 200, _, _)}
    ),
    "reviews:score": Route(_pk("assignment"), {"GET": (LOGIN, _, _, _, 200, _, _)}),
    "reviews:score_save": Route(
        lambda w: {"pk": w.assignment.pk, "criterion_pk": w.criterion.pk},
        {"POST": ASSIGNED_ASSESSOR_ONLY},
    ),
    # GET checks every criterion is rated, then asks (issue 17).
    "reviews:submit_scores": Route(
        _pk("assignment"), {"GET": (LOGIN, _, _, _, 200, _, _), "POST": ASSIGNED_ASSESSOR_ONLY}
    ),
    "reviews:score_next": Route(_pk("assignment"), {"GET": ASSIGNED_ASSESSOR_ONLY}),
    # The interim report is not released: the unit does not see it yet.
    "reviews:report": Route(_pk("report"), {"GET": (LOGIN, _, _, _, 200, _, 200)}),
    "reviews:report_pdf": Route(_pk("report"), {"GET": (LOGIN, _, _, _, 200, _, 200)}),
    "reviews:report_release": Route(_pk("report"), {"POST": ADMIN_ONLY_REDIRECT}),
    "reviews:report_render": Route(_pk("report"), {"POST": (LOGIN, _, _, _, 302, _, 302)}),
    # Agreement and calibration (issue 16): admins see everyone's, an assessor their own;
    # units never see any of it.
    "reviews:agreement": Route(_none, {"GET": ADMIN_ONLY}),
    "reviews:agreement_criteria": Route(_none, {"GET": ADMIN_ONLY}),
    "reviews:agreement_criteria_csv": Route(_none, {"GET": ADMIN_ONLY}),
    "reviews:agreement_mine": Route(_none, {"GET": (LOGIN, _, _, _, 302, 302, _)}),
    "reviews:agreement_assessor": Route(_pk("assessor"), {"GET": (LOGIN, _, _, _, 200, _, 200)}),
    "reviews:calibration": Route(_none, {"GET": (LOGIN, _, _, _, 200, 200, 200)}),
    # The shipped example does not fit the test framework: refused with a message (302).
    "reviews:calibration_publish": Route(_none, {"POST": ADMIN_ONLY_REDIRECT}),
    "reviews:calibration_start": Route(
        lambda w: {"pk": _practice(w).pk}, {"POST": (LOGIN, _, _, _, 302, 302, _)}
    ),
    # The assigned assessor's submitted practice: theirs and the admins' only.
    "reviews:calibration_result": Route(
        lambda w: {"pk": _practice(w).practice_assignment.pk},
        {"GET": (LOGIN, _, _, _, 200, _, 200)},
    ),
    # --- awards ---------------------------------------------------------------------------
    "awards:register": Route(_none, {"GET": PUBLIC}),
    "awards:verify": Route(lambda w: {"code": w.certificate.verify_code}, {"GET": PUBLIC}),
    "awards:list": Route(_none, {"GET": SIGNED_IN}),
    "awards:detail": Route(_pk("award"), {"GET": AWARD_READERS}),
    "awards:certificate": Route(_pk("award"), {"GET": AWARD_READERS}),
    # Each has its own page (issue 17); an empty POST shows the form again with its errors.
    "awards:suspend": Route(_pk("award"), {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY}),
    "awards:revoke": Route(_pk("award"), {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY}),
    "awards:reinstate": Route(_pk("award"), {"POST": ADMIN_ONLY_REDIRECT}),
    "awards:requeue": Route(_pk("award"), {"POST": ADMIN_ONLY_REDIRECT}),
    "awards:open_review": Route(_pk("award"), {"POST": ADMIN_ONLY_REDIRECT}),
    "awards:feedback_request": Route(_pk("award"), {"POST": ADMIN_ONLY_REDIRECT}),
    "awards:feedback_release": Route(_pk("award"), {"POST": ADMIN_ONLY_REDIRECT}),
    # Released feedback report: the unit's members and admins.
    "awards:feedback": Route(_pk("award"), {"GET": AWARD_READERS}),
    # --- questionnaires --------------------------------------------------------------------
    # The anonymous link is the credential: public (an empty POST is a form error, 400).
    "questionnaires:answer": Route(
        lambda w: {"token": w.round.token}, {"GET": PUBLIC, "POST": (400,) * 7}
    ),
    "questionnaires:thanks": Route(lambda w: {"token": w.round.token}, {"GET": PUBLIC}),
    "questionnaires:contribute": Route(
        lambda w: {"token": w.round.token}, {"GET": PUBLIC, "POST": (400,) * 7}
    ),
    # Rounds and results: whoever may read the portfolio; running them: its lead only.
    "questionnaires:rounds": Route(_pk("portfolio"), {"GET": PORTFOLIO_READERS}),
    "questionnaires:round": Route(_pk("round"), {"GET": PORTFOLIO_READERS}),
    "questionnaires:round_open": Route(_pk("portfolio"), {"POST": LEAD_ONLY_REDIRECT}),
    "questionnaires:round_close": Route(_pk("round"), {"POST": LEAD_ONLY_REDIRECT}),
    # The portfolio is in review: the lead sees the entry page, which says why it is closed.
    "questionnaires:paper_entry": Route(_pk("round"), {"GET": LEAD_ONLY, "POST": LEAD_ONLY}),
    "questionnaires:document_render": Route(
        lambda w: {"pk": w.round.pk, "kind": "poster"}, {"POST": LEAD_ONLY_REDIRECT}
    ),
    "questionnaires:document_download": Route(
        lambda w: {"pk": w.round.pk, "kind": "poster"}, {"GET": LEAD_ONLY}
    ),
    "questionnaires:contributions": Route(_pk("portfolio"), {"GET": LEAD_ONLY}),
    # Accepting into a portfolio in review is refused with a message (302 back).
    "questionnaires:contribution_accept": Route(_pk("contribution"), {"POST": LEAD_ONLY_REDIRECT}),
    "questionnaires:contribution_decline": Route(_pk("contribution"), {"POST": LEAD_ONLY_REDIRECT}),
    "questionnaires:contribution_file": Route(_pk("contribution"), {"GET": LEAD_ONLY}),
    # Anonymous responses as CSV: the unit's lead and CCQI admins; the national view: admins.
    "questionnaires:portfolio_export": Route(
        _pk("portfolio"), {"GET": (LOGIN, _, 200, _, _, _, 200)}
    ),
    "questionnaires:national": Route(_none, {"GET": ADMIN_ONLY}),
    "questionnaires:national_export": Route(_none, {"GET": ADMIN_ONLY}),
    # --- privacy --------------------------------------------------------------------------
    "awards:person_export": Route(_pk("contributor"), {"GET": ADMIN_ONLY}),
}

# Only present when EE_BENCH_VIEWS is on (benchmarks); public, a bare "SELECT 1".
OPTIONAL_ROUTES: dict[str, Route] = {"bench_bare": Route(_none, {"GET": PUBLIC, "POST": PUBLIC})}


def url_patterns(patterns=None, namespace: str | None = None) -> Iterator[tuple[str, str]]:
    """("namespace:name", route) for every named pattern of the project."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            # The Django admin is Django's own, behind is_staff (no portal user has it); its
            # dozens of generated patterns are tested by Django itself.
            if str(entry.pattern) == "django-admin/":
                continue
            yield from url_patterns(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            # Static files are served by WhiteNoise (middleware), not by URL patterns; were
            # django.views.static.serve ever added (DEBUG helpers), it serves public assets.
            if entry.callback is static_views.serve:
                continue
            assert entry.name, f"URL pattern {entry.pattern} has no name"
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), str(entry.pattern)


def test_every_url_pattern_has_an_entry_and_every_entry_a_pattern():
    names = {name for name, _route in url_patterns()}
    missing = sorted(names - ROUTES.keys() - OPTIONAL_ROUTES.keys())
    stale = sorted(ROUTES.keys() - names)
    assert not missing, f"URL patterns without an authorization entry: {missing}"
    assert not stale, f"Entries for URL patterns that no longer exist: {stale}"
    for route in ROUTES.values():
        for method, row in route.expected.items():
            assert method in {"GET", "POST"}
            assert len(row) == len(ROLES)


def _observe(world: World, role: str, method: str, url: str, data: dict | None = None):
    client = Client()
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        if method == "POST":
            response = client.post(url, data or {})
        else:
            response = client.head(url) if method == "HEAD" else client.get(url)
        if getattr(response, "streaming", False):
            # Generators run their queries here. Consuming closes the response through the
            # test client, which keeps the test's PostgreSQL connection open (close() would not).
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN, response
    return response.status_code, response


def test_authorization_matrix(world):
    present = {name for name, _route in url_patterns()}
    routes = {**ROUTES, **{k: v for k, v in OPTIONAL_ROUTES.items() if k in present}}
    mismatches = []
    for name, route in routes.items():
        url = reverse(name, kwargs=route.kwargs(world))
        for method, row in route.expected.items():
            for role, expected in zip(ROLES, row, strict=True):
                data = route.data(world) if route.data else None
                observed, response = _observe(world, role, method, url, data)
                if observed != expected:
                    where = response.get("Location", "")
                    mismatches.append(
                        f"{name} {method} as {role}: expected {expected}, got {observed} {where}"
                    )
    assert not mismatches, "\n".join(mismatches)


def test_head_answers_every_get_route_like_get(world):
    """Issue 12: monitoring, link checkers and proxies send HEAD. Every GET route answers a
    HEAD with the status its GET gives each role, and no body."""
    present = {name for name, _route in url_patterns()}
    routes = {**ROUTES, **{k: v for k, v in OPTIONAL_ROUTES.items() if k in present}}
    mismatches = []
    checked = 0
    for name, route in routes.items():
        if "GET" not in route.expected:
            continue
        url = reverse(name, kwargs=route.kwargs(world))
        for role, expected in zip(ROLES, route.expected["GET"], strict=True):
            observed, response = _observe(world, role, "HEAD", url)
            checked += 1
            body = b"" if response.streaming else response.content
            if observed != expected or body:
                mismatches.append(
                    f"{name} HEAD as {role}: expected {expected}, got {observed}, "
                    f"{len(body)} bytes of body"
                )
    assert checked > 100
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("portfolios:list", "other_lead"),
        ("portfolios:list", "unassigned"),
        ("reviews:list", "unassigned"),
        ("awards:list", "other_lead"),
        ("awards:list", "assessor"),
        ("awards:list", "unassigned"),
    ],
)
def test_list_pages_show_only_what_the_user_may_see(world, name, role):
    """A 200 on a list is only safe if the list leaves out other units' objects."""
    observed, response = _observe(world, role, "GET", reverse(name))
    assert observed == 200
    assert world.unit.name not in response.content.decode()


@pytest.mark.parametrize("role", ["lead", "contributor", "admin"])
def test_list_pages_show_their_own(world, role):
    _status, response = _observe(world, role, "GET", reverse("portfolios:list"))
    assert world.unit.name in response.content.decode()
    _status, response = _observe(world, role, "GET", reverse("awards:list"))
    assert world.unit.name in response.content.decode()


def test_missing_objects_look_like_forbidden_ones(world):
    """A 404 for a missing pk and for someone else's object: existence does not leak."""
    for name in ("portfolios:detail", "portfolios:evidence_edit", "awards:detail"):
        _status, missing = _observe(world, "other_lead", "GET", reverse(name, kwargs={"pk": 99999}))
        assert missing.status_code == 404
    for name in ("portfolios:detail", "reviews:portfolio"):
        anon, _response = _observe(world, "anon", "GET", reverse(name, kwargs={"pk": 99999}))
        assert anon == LOGIN


def _writes(world: World) -> list[tuple[str, dict]]:
    """Valid writes on A's portfolio (urls with data a member could legitimately send)."""
    response = world.portfolio.responses.get(criterion=world.criterion)
    return [
        (
            reverse(
                "portfolios:criterion",
                kwargs={"pk": world.portfolio.pk, "code": world.criterion.code},
            ),
            {
                "narrative": "written by an intruder",
                "self_rating": "met",
                "version": response.version,
            },
        ),
        (
            reverse("portfolios:evidence_text", kwargs={"pk": world.portfolio.pk}),
            {"tx-title": "intruder", "tx-text": "intruder", "tx-evidence_type": "feedback"},
        ),
        (
            reverse("portfolios:evidence_declare", kwargs={"pk": world.portfolio.pk}),
            {"dc-items": [world.text_evidence.pk], "dc-contains_identifiable": "yes"},
        ),
        (
            reverse("portfolios:evidence_edit", kwargs={"pk": world.text_evidence.pk}),
            {"title": "intruder", "evidence_type": "feedback", "text": "intruder"},
        ),
        (
            reverse("portfolios:evidence_unlink", kwargs={"pk": world.evidence.pk}),
            {"criterion": world.criterion.code},
        ),
        (reverse("portfolios:evidence_delete", kwargs={"pk": world.text_evidence.pk}), {}),
        (reverse("portfolios:evidence_delete", kwargs={"pk": world.evidence.pk}), {}),
        (reverse("portfolios:submit", kwargs={"pk": world.portfolio.pk}), {}),
    ]


def _portfolio_state(world: World) -> tuple:
    portfolio = world.portfolio
    portfolio.refresh_from_db()
    return (
        portfolio.state,
        sorted(portfolio.responses.values_list("narrative", "self_rating", "version")),
        sorted(
            portfolio.evidence.values_list(
                "pk", "title", "text", "contains_identifiable", "consent_recorded"
            )
        ),
        sorted(
            EvidenceLink.objects.filter(evidence__portfolio=portfolio).values_list("pk", flat=True)
        ),
    )


@pytest.mark.parametrize("role", ["assessor", "admin", "other_lead", "unassigned"])
def test_readers_and_strangers_cannot_change_an_open_portfolio(world, role):
    """Draft (fully open): those who may read it, or not even that, change nothing."""
    world.portfolio.state = "draft"
    world.portfolio.save(update_fields=["state"])
    before = _portfolio_state(world)
    client = Client()
    client.force_login(world.user(role))
    for url, data in _writes(world):
        response = client.post(url, data)
        assert response.status_code in (302, 400, 403, 404), (url, response.status_code)
        if role in ("other_lead", "unassigned"):
            assert response.status_code == 404, url
    assert _portfolio_state(world) == before


def test_contributor_cannot_change_the_leads_evidence(world):
    world.portfolio.state = "draft"
    world.portfolio.save(update_fields=["state"])
    before = sorted(world.portfolio.evidence.filter(pk=world.text_evidence.pk).values_list())
    client = Client()
    client.force_login(world.contributor)
    for url, data in _writes(world)[2:5]:
        client.post(url, data)
    assert sorted(world.portfolio.evidence.filter(pk=world.text_evidence.pk).values_list()) == (
        before
    )
