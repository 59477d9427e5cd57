"""Service errors never become 500s (issue 12): every POST route, in every state its
workflow object can be in, as each of the seven roles, with an empty and a plausible body.

The routes are enumerated from the resolver (test_url_matrix.url_patterns) and probed: a
route whose view refuses POST with 405 is not a POST route. Every POST route needs an entry
in POST_ROUTES, so a new one cannot be forgotten. The URL kwargs come from the
authorization matrix (test_url_matrix.ROUTES) and the objects from world.py.

For each route, the world's objects are put into each state in turn ("setups", written
straight to the database with queryset.update()); each request runs in a savepoint that is
rolled back, so one role's POST never changes what the next one meets. Django's test client
re-raises an unhandled exception, so a 500 fails the test with its traceback; the status is
also checked. Whenever the answer is a refusal (4xx, or an error message), nothing has
changed: the workflow states and the rows that matter are the same as before.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from awards.enums import AwardStatus, CertificateStatus
from awards.models import Award, Certificate
from network.csv_io import ImportFileError
from network.enums import MembershipStatus, UnitRoleKind
from network.models import Invitation, Membership, Organisation, Unit, UnitRole, User
from network.services import InvitationUnusable
from portfolios.demo import demo_pdf_bytes
from portfolios.enums import PortfolioState
from portfolios.models import CriterionResponse, Evidence, EvidenceLink, Portfolio
from questionnaires.models import Contribution, Item, Response
from questionnaires.models import Round as QuestionnaireRound
from reviews.enums import AssignmentState, ReportKind, ReportStatus
from reviews.models import (
    AgreedScore,
    Assignment,
    CriterionScore,
    Decision,
    EvidenceRequest,
    Report,
)
from standards.models import Criterion

from .test_url_matrix import ROUTES, url_patterns
from .world import ROLES, World

Setup = tuple[str, Callable[[World], object]]
Body = Callable[[World], dict]

JSON_FETCH = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ACCEPT": "application/json"}


# --- the states a workflow object can be in --------------------------------------------------


def _set(model, pk_of: Callable[[World], int], **values) -> Callable[[World], object]:
    return lambda w: model.objects.filter(pk=pk_of(w)).update(**values)


def _portfolio_states() -> list[Setup]:
    return [
        (f"portfolio {s}", _set(Portfolio, lambda w: w.portfolio.pk, state=s))
        for s in PortfolioState
    ]


def _awarded_portfolio_states() -> list[Setup]:
    return [
        (f"awarded portfolio {s}", _set(Portfolio, lambda w: w.awarded_portfolio.pk, state=s))
        for s in PortfolioState
    ]


def _assignment_states() -> list[Setup]:
    return [
        (f"assignment {s}", _set(Assignment, lambda w: w.assignment.pk, state=s))
        for s in AssignmentState
    ]


def _report_statuses(label: str, pk_of: Callable[[World], int]) -> list[Setup]:
    """A report in each status, released or not."""
    return [
        (
            f"{label} {status}{' released' if released else ''}",
            _set(Report, pk_of, status=status, released_at=released),
        )
        for status in ReportStatus
        for released in (None, timezone.now())
    ]


def _report_states() -> list[Setup]:
    """The interim report in each status, released or not, and as each kind."""
    setups = _report_statuses("report", lambda w: w.report.pk)
    for kind in ReportKind:
        setups.append((f"report kind {kind}", _set(Report, lambda w: w.report.pk, kind=kind)))
    return setups


def _award_states() -> list[Setup]:
    setups: list[Setup] = []
    for status in AwardStatus:
        for certificate_status in CertificateStatus:

            def apply(w: World, status=status, certificate_status=certificate_status) -> None:
                Award.objects.filter(pk=w.award.pk).update(status=status)
                Certificate.objects.filter(pk=w.certificate.pk).update(status=certificate_status)

            setups.append((f"award {status}, certificate {certificate_status}", apply))
    setups.append(
        ("no certificate", lambda w: Certificate.objects.filter(pk=w.certificate.pk).delete())
    )
    return setups


def _feedback_states() -> list[Setup]:
    setups = _report_statuses("feedback", lambda w: w.feedback.pk)
    setups.append(
        ("no feedback report", lambda w: Report.objects.filter(pk=w.feedback.pk).delete())
    )
    return setups


def _invitation_states() -> list[Setup]:
    now = timezone.now()
    setups: list[Setup] = [
        ("invitation accepted", _set(Invitation, lambda w: w.invitation.pk, accepted_at=now)),
        ("invitation revoked", _set(Invitation, lambda w: w.invitation.pk, revoked_at=now)),
        (
            "invitation expired",
            _set(Invitation, lambda w: w.invitation.pk, expires_at=now - dt.timedelta(days=1)),
        ),
    ]
    # Pending, for someone who already has an account (each role's): accepting it signed in.
    for role in ROLES[1:]:
        setups.append(
            (
                f"invitation for {role}'s account",
                lambda w, role=role: Invitation.objects.filter(pk=w.invitation.pk).update(
                    email=w.user(role).email
                ),
            )
        )
    return setups


def _membership_states() -> list[Setup]:
    setups: list[Setup] = [
        (
            f"membership {s}",
            _set(Membership, lambda w: w.membership.pk, status=s, status_reason="Unpaid"),
        )
        for s in MembershipStatus
    ]
    setups.append(
        (
            "membership ended",
            _set(
                Membership,
                lambda w: w.membership.pk,
                end_date=timezone.localdate() - dt.timedelta(days=1),
            ),
        )
    )
    return setups


def _role_states() -> list[Setup]:
    def only_lead(w: World) -> None:
        # The contributor's role becomes the unit's only lead.
        UnitRole.objects.filter(unit=w.unit, role=UnitRoleKind.LEAD).update(
            role=UnitRoleKind.CONTRIBUTOR
        )
        UnitRole.objects.filter(pk=w.contributor_role.pk).update(role=UnitRoleKind.LEAD)

    return [
        ("role lead", _set(UnitRole, lambda w: w.contributor_role.pk, role=UnitRoleKind.LEAD)),
        ("role the only lead", only_lead),
    ]


def _round_states() -> list[Setup]:
    today = timezone.localdate()
    return [
        ("round closed", _set(QuestionnaireRound, lambda w: w.round.pk, closed_on=today)),
        (
            "round not open yet",
            _set(
                QuestionnaireRound,
                lambda w: w.round.pk,
                opens_on=today + dt.timedelta(days=3),
                closes_on=today + dt.timedelta(days=9),
            ),
        ),
        (
            "round past its closing day",
            _set(
                QuestionnaireRound,
                lambda w: w.round.pk,
                opens_on=today - dt.timedelta(days=9),
                closes_on=today - dt.timedelta(days=1),
            ),
        ),
        (
            "round with printed sheets",
            _set(QuestionnaireRound, lambda w: w.round.pk, sheets_issued=20),
        ),
    ]


AXES: dict[str, Callable[[], list[Setup]]] = {
    "round": _round_states,
    "portfolio": _portfolio_states,
    "awarded_portfolio": _awarded_portfolio_states,
    "assignment": _assignment_states,
    "report": _report_states,
    "award": _award_states,
    "feedback": _feedback_states,
    "invitation": _invitation_states,
    "membership": _membership_states,
    "role": _role_states,
}


# --- plausible bodies ------------------------------------------------------------------------


def _empty(w: World) -> dict:
    return {}


def _future(days: int = 14) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _today() -> str:
    return timezone.localdate().isoformat()


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("minutes.pdf", demo_pdf_bytes("Minutes"), "application/pdf")


def _ratings(w: World) -> dict:
    top = w.framework.rating_choices[-1][0]
    data = {}
    for criterion in Criterion.objects.filter(standard__framework=w.framework):
        data[f"rating_{criterion.pk}"] = top
        data[f"comment_{criterion.pk}"] = "Agreed at consolidation."
    return data


def _narrative(w: World) -> dict:
    response = CriterionResponse.objects.get(portfolio=w.portfolio, criterion=w.criterion)
    return {
        "narrative": "We meet together daily.",
        "self_rating": "met",
        "version": response.version,
    }


def _import_csv(rows: list[str]) -> SimpleUploadedFile:
    header = (
        "organisation,organisation_kind,unit,setting_type,region,show_on_register,programme,"
        "start_date,end_date,status,status_reason,fee_reference,notes"
    )
    return SimpleUploadedFile(
        "members.csv", "\n".join([header, *rows]).encode(), content_type="text/csv"
    )


def _import_rows(w: World) -> list[str]:
    start, end = _today(), _future(365)
    code = w.membership.programme.code
    return [
        f"New Org,provider,New Ward,health_inpatient,london,yes,{code},{start},{end},active,,F1,",
        # Unit A again (same name), a second membership of the same programme.
        f"{w.organisation.name},provider,{w.unit.name},health_inpatient,london,yes,{code},"
        f"{start},{end},active,,F2,",
    ]


def _stage_import(client: Client, w: World) -> None:
    """Upload a member CSV first, so the preview has something to confirm."""
    client.post(reverse("network:import_upload"), {"file": _import_csv(_import_rows(w))})


def _round_items(w: World) -> list[Item]:
    return list(Item.objects.filter(questionnaire=w.round.questionnaire, audience=w.round.audience))


def _questionnaire_answers(w: World) -> dict:
    data = {"token": "walker-token"}
    for item in _round_items(w):
        data[f"item_{item.pk}"] = {"agree5": "4", "yes_no": "yes", "text": "Fine"}[item.answer_type]
    return data


def _paper_sheet(w: World) -> dict:
    data = {"sheet_number": 3}
    for item in _round_items(w):
        data[f"item_{item.pk}"] = {"agree5": "4", "yes_no": "y", "text": "Fine"}[item.answer_type]
    return data


def _contribution(w: World) -> dict:
    return {"token": "walker", "kind": "quote", "text": "Staff listen.", "consent": "on"}


@dataclass(frozen=True)
class PostRoute:
    # Plausible valid-looking bodies (field names from the view's form); an empty body is
    # always sent too.
    bodies: tuple[Body, ...] = ()
    # State axes (AXES) this route's objects go through; "as built" is always included.
    axes: tuple[str, ...] = ()
    # Headers of a second, fetch/JSON request with the first body (autosave, uploads).
    json: dict = field(default_factory=dict)
    # Run with the same client before the POST (inside the same savepoint).
    before: Callable[[Client, World], None] | None = None


P = ("portfolio",)

POST_ROUTES: dict[str, PostRoute] = {
    # --- accounts -------------------------------------------------------------------------
    "login": PostRoute((lambda w: {"username": w.lead.email, "password": "not-it"},)),
    "logout": PostRoute(),
    "password_reset": PostRoute((lambda w: {"email": w.lead.email},)),
    # A made-up link (test_url_matrix): the "this link is invalid" page, whatever is posted.
    "password_reset_confirm": PostRoute(
        (lambda w: {"new_password1": "a-new-long-password-42", "new_password2": "x"},)
    ),
    "password_change": PostRoute(
        (
            lambda w: {
                "old_password": "not-it",
                "new_password1": "a-new-long-password-42",
                "new_password2": "a-new-long-password-42",
            },
        )
    ),
    # --- network --------------------------------------------------------------------------
    "network:unit_create": PostRoute(
        (
            lambda w: {
                "organisation": w.organisation.pk,
                "name": w.unit.name,  # a duplicate name in the same organisation
                "setting_type": "health_inpatient",
                "region": "london",
                "show_on_register": "on",
            },
        )
    ),
    "network:unit_edit": PostRoute(
        (
            lambda w: {
                "organisation": w.organisation.pk,
                "name": "Willow Ward",
                "setting_type": "health_inpatient",
                "region": "london",
            },
        )
    ),
    "network:membership_create": PostRoute(
        (
            lambda w: {
                "programme": w.membership.programme_id,
                "start_date": _today(),
                "end_date": _future(365),
                "status": "active",
                "fee_reference": "F-1",
            },
        ),
        axes=("membership",),
    ),
    "network:invitation_create": PostRoute(
        (
            lambda w: {"email": "newcomer@example.test", "role": "contributor"},
            lambda w: {"email": w.lead.email, "role": "lead"},
        ),
        axes=("invitation",),
    ),
    "network:membership_renew": PostRoute(
        (lambda w: {"start_date": _today(), "end_date": _future(365), "fee_reference": "R"},),
        axes=("membership",),
    ),
    "network:membership_status": PostRoute(
        (lambda w: {"status": "suspended", "reason": "Unpaid"},), axes=("membership",)
    ),
    "network:invitation_resend": PostRoute(axes=("invitation",)),
    "network:invitation_revoke": PostRoute(axes=("invitation",)),
    "network:invitation_accept": PostRoute(
        (
            lambda w: {
                "full_name": "New Comer",
                "password1": "a-new-long-password-42",
                "password2": "a-new-long-password-42",
            },
        ),
        axes=("invitation",),
    ),
    "network:role_remove": PostRoute(axes=("role",)),
    "network:role_change": PostRoute(
        (lambda w: {"role": "lead"}, lambda w: {"role": "contributor"}), axes=("role",)
    ),
    "network:organisation_create": PostRoute(
        (lambda w: {"name": w.organisation.name, "kind": "provider"},)
    ),
    "network:organisation_edit": PostRoute(
        (lambda w: {"name": w.organisation.name, "kind": "trust", "website": "example.test"},)
    ),
    "network:import_upload": PostRoute(
        (
            lambda w: {"file": _import_csv(_import_rows(w))},
            lambda w: {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad", "text/csv")},
        )
    ),
    "network:import_preview": PostRoute(axes=("membership",), before=_stage_import),
    "network:import_cancel": PostRoute(before=_stage_import),
    # --- portfolios -----------------------------------------------------------------------
    "portfolios:start": PostRoute(
        (lambda w: {"unit": w.other_unit.pk}, lambda w: {"unit": w.unit.pk})
    ),
    "portfolios:criterion": PostRoute((_narrative,), P, json=JSON_FETCH),
    "portfolios:evidence_upload": PostRoute(
        (
            lambda w: {
                "up-files": _pdf(),
                "up-title": "Minutes",
                "up-evidence_type": "minutes",
                "up-criteria": [w.criterion.pk],
            },
        ),
        P,
        json=JSON_FETCH,
    ),
    "portfolios:evidence_text": PostRoute(
        (
            lambda w: {
                "tx-title": "A quote",
                "tx-text": "It feels like home.",
                "tx-evidence_type": "feedback",
                "tx-criteria": [w.criterion.pk],
            },
        ),
        P,
    ),
    "portfolios:evidence_declare": PostRoute(
        (
            lambda w: {
                "dc-items": [w.text_evidence.pk, w.evidence.pk],
                "dc-contains_identifiable": "yes",
                "dc-consent_recorded": "yes",
            },
        ),
        P,
    ),
    "portfolios:submit": PostRoute(axes=P),
    "portfolios:evidence_edit": PostRoute(
        (
            lambda w: {
                "title": "Minutes, March",
                "evidence_type": "minutes",
                "criteria": [w.criterion.pk],
            },
        ),
        P,
    ),
    "portfolios:evidence_delete": PostRoute(axes=P),
    "portfolios:evidence_link": PostRoute((lambda w: {"criterion": w.criterion.code},), P),
    "portfolios:evidence_unlink": PostRoute((lambda w: {"criterion": w.criterion.code},), P),
    # --- reviews --------------------------------------------------------------------------
    "reviews:assign": PostRoute(
        (lambda w: {"assessor": w.unassigned.pk, "due_date": _future(), "is_lead": "on"},),
        (*P, "assignment"),
    ),
    "reviews:consolidate": PostRoute((_ratings,), (*P, "assignment")),
    "reviews:request_evidence": PostRoute(
        (
            lambda w: {
                "criteria": [w.criterion.pk],
                "message": "Please add this year's minutes.",
                "due_date": _future(),
            },
        ),
        P,
    ),
    "reviews:accept_resubmission": PostRoute(axes=P),
    "reviews:advance": PostRoute(
        (
            lambda w: {"to_state": PortfolioState.INTERIM_REPORT},
            lambda w: {"to_state": PortfolioState.PANEL},
            # Issue 17: moving on past unfinished steps with a recorded reason.
            lambda w: {"to_state": PortfolioState.VISIT, "override_reason": "Panel date fixed."},
            lambda w: {"to_state": PortfolioState.INTERIM_REPORT, "override_reason": "x" * 3000},
        ),
        P,
    ),
    "reviews:report_edit": PostRoute(
        (
            lambda w: {
                "visit_date": _today(),
                "visit_mode": "in_person",
                "people_met": "Staff and members",
                "findings": "A warm welcome.",
            },
        ),
        (*P, "report"),
    ),
    "reviews:decision": PostRoute(
        (
            lambda w: {"outcome": "awarded", "rationale": "All standards are met."},
            lambda w: {
                "outcome": "deferred",
                "rationale": "Some evidence is missing.",
                "conditions": "Send minutes.",
                "conditions_due": _future(),
            },
            lambda w: {
                "outcome": "awarded",
                "rationale": "All standards are met.",
                "override_reason": "The summary was presented orally.",
            },
        ),
        (*P, "assignment"),
    ),
    "reviews:assignment": PostRoute(
        (
            lambda w: {"declaration": "no_conflict"},
            lambda w: {"declaration": "conflict", "reason": "I worked there."},
        ),
        (*P, "assignment"),
    ),
    "reviews:score_save": PostRoute(
        (
            lambda w: {
                f"c{w.criterion.pk}-rating": w.framework.rating_choices[-1][0],
                f"c{w.criterion.pk}-comment": "Clear evidence.",
            },
        ),
        (*P, "assignment"),
        json={"HTTP_X_REQUESTED_WITH": "fetch"},
    ),
    "reviews:submit_scores": PostRoute(axes=(*P, "assignment")),
    "reviews:report_release": PostRoute(axes=(*P, "report")),
    "reviews:report_render": PostRoute(axes=(*P, "report")),
    # Issue 16: publishing the shipped example (refused on the test framework, nothing
    # written) and starting a practice portfolio (no body).
    "reviews:calibration_publish": PostRoute(),
    "reviews:calibration_start": PostRoute(),
    # --- awards ---------------------------------------------------------------------------
    "awards:suspend": PostRoute((lambda w: {"reason": "Under investigation."},), ("award",)),
    "awards:revoke": PostRoute(
        (lambda w: {"reason": "Standards no longer met.", "confirm": "on"},), ("award",)
    ),
    "awards:reinstate": PostRoute((lambda w: {"note": "Resolved."},), ("award",)),
    "awards:requeue": PostRoute(axes=("award",)),
    "awards:open_review": PostRoute(
        (lambda w: {"cycle": "interim"}, lambda w: {"cycle": "renewal"}),
        ("award", *P, "awarded_portfolio"),
    ),
    "awards:feedback_request": PostRoute(axes=("award", "feedback", "awarded_portfolio")),
    "awards:feedback_release": PostRoute(axes=("award", "feedback", "awarded_portfolio")),
    # --- questionnaires -------------------------------------------------------------------
    "questionnaires:answer": PostRoute((_questionnaire_answers,), ("round",)),
    "questionnaires:contribute": PostRoute((_contribution,), ("round",)),
    "questionnaires:round_open": PostRoute(
        (
            lambda w: {
                "audience": "staff",
                "opens_on": _today(),
                "closes_on": _future(),
                "expected_count": 9,
            },
        ),
        P,
    ),
    "questionnaires:round_close": PostRoute(axes=("round",)),
    "questionnaires:paper_entry": PostRoute((_paper_sheet,), (*P, "round")),
    "questionnaires:document_render": PostRoute((lambda w: {"sheets": 10},), ("round",)),
    "questionnaires:contribution_accept": PostRoute(
        (lambda w: {f"c{w.contribution.pk}-criteria": [w.criterion.pk]},), P
    ),
    "questionnaires:contribution_decline": PostRoute(axes=P),
}


# Views that take any method; they may come to refuse POST (require_safe), which is fine.
MAY_TAKE_POST: set[str] = set()


# --- what "nothing changed" means ------------------------------------------------------------


def _snapshot() -> tuple:
    def rows(model, *fields):
        return list(model.objects.order_by("pk").values_list("pk", *fields))

    return (
        rows(Portfolio, "state"),
        rows(Assignment, "state"),
        rows(Report, "kind", "status", "released_at"),
        rows(Decision),
        rows(Award, "status", "status_reason"),
        rows(Certificate, "status"),
        rows(Invitation, "email", "accepted_at", "revoked_at", "sent_count", "expires_at"),
        rows(Membership, "status", "start_date", "end_date"),
        rows(UnitRole, "role"),
        rows(User, "email", "password"),
        rows(Unit, "name"),
        rows(Organisation, "name", "kind"),
        rows(Evidence, "title", "evidence_type"),
        rows(EvidenceLink),
        rows(CriterionResponse, "version"),
        rows(CriterionScore, "rating", "comment"),
        rows(AgreedScore, "rating"),
        rows(EvidenceRequest),
        rows(QuestionnaireRound, "closed_on", "sheets_issued"),
        rows(Response, "sheet_number"),
        rows(Contribution),
    )


def _is_post_route(name: str, world: World) -> bool:
    """Probe: a view that does not take POST answers 405, to anonymous visitors or (behind a
    sign-in, like Django's password-change-done page) to an admin."""
    url = reverse(name, kwargs=ROUTES[name].kwargs(world))
    for user in (None, world.admin):
        client = Client()
        if user is not None:
            client.force_login(user)
        with transaction.atomic():
            status = client.post(url).status_code
            transaction.set_rollback(True)
        if status == 405:
            return False
    return True


def test_every_post_route_has_an_entry(world):
    names = [name for name, _pattern in url_patterns() if name in ROUTES]
    post_routes = {name for name in names if _is_post_route(name, world)}
    missing = sorted(post_routes - POST_ROUTES.keys())
    stale = sorted(POST_ROUTES.keys() - post_routes - MAY_TAKE_POST)
    assert not missing, f"POST routes the walker does not know (add them to POST_ROUTES): {missing}"
    assert not stale, f"Entries for routes that take no POST (or no longer exist): {stale}"
    for route in POST_ROUTES.values():
        assert set(route.axes) <= AXES.keys()


def _sessions(world: World) -> dict[str, str | None]:
    """One signed-in session per role, made before any savepoint (so none is rolled back)."""
    keys: dict[str, str | None] = {"anon": None}
    for role in ROLES[1:]:
        client = Client()
        client.force_login(world.user(role))
        keys[role] = client.session.session_key
    return keys


@dataclass
class Walk:
    """One route's walk: what it sent and what went wrong."""

    name: str
    route: PostRoute
    url: str
    sessions: dict[str, str | None]
    requests: int = 0
    problems: list[str] = field(default_factory=list)

    def post(
        self, world: World, where: str, role: str, body: Body, headers: dict, *, before
    ) -> int:
        """POST in a savepoint that is rolled back; note a 5xx or a refusal that changed
        something. ``before`` is the snapshot of the state the request starts from."""
        self.requests += 1
        client = Client()
        if self.sessions[role]:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        with transaction.atomic():
            if self.route.before is not None:
                self.route.before(client, world)
            response = client.post(self.url, body(world), **headers)
            status = response.status_code
            errors = [
                str(m.message)
                for m in get_messages(response.wsgi_request)
                if m.level == message_levels.ERROR
            ]
            # A 404 is the permission check's answer; whether it changes nothing is checked
            # in the world as built (below), the states' own refusals everywhere.
            refused = (status >= 400 and (status != 404 or where.startswith("as built"))) or errors
            after = _snapshot() if refused else before
            transaction.set_rollback(True)
        if status >= 500:
            self.problems.append(f"{where}: answered {status}")
        elif after != before:
            changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
            self.problems.append(
                f"{where}: refused ({status}, {errors}) but changed snapshot parts {changed}"
            )
        return status


@pytest.mark.parametrize("name", sorted(POST_ROUTES))
def test_post_route_never_answers_5xx(world, name):
    route = POST_ROUTES[name]
    walk = Walk(name, route, reverse(name, kwargs=ROUTES[name].kwargs(world)), _sessions(world))
    setups: list[Setup] = [("as built", lambda w: None)]
    for axis in route.axes:
        setups += AXES[axis]()
    requests: list[tuple[str, Body, dict]] = [("empty", _empty, {})]
    requests += [(f"body {i}", body, {}) for i, body in enumerate(route.bodies, 1)]
    if route.json:
        requests.append(("json", route.bodies[0] if route.bodies else _empty, route.json))
    # Roles the route turns away (404) in the world as built are strangers to it whatever
    # the state (test_url_matrix holds the full matrix): in the other states they send the
    # empty body only, which keeps the walk to a few tens of seconds.
    strangers = set(ROLES)
    for index, (label, setup) in enumerate(setups):
        with transaction.atomic():
            setup(world)
            before = _snapshot()
            for role in ROLES:
                for body_label, body, headers in requests:
                    if index and role in strangers and body is not _empty:
                        continue
                    where = f"{label} as {role}, {body_label}"
                    status = walk.post(world, where, role, body, headers, before=before)
                    if not index and status != 404:
                        strangers.discard(role)
            transaction.set_rollback(True)
    assert not walk.problems, "\n".join(walk.problems)


# --- refusals the states above cannot provoke ------------------------------------------------
# Some services' refusals need a race (a report turned into a feedback report, an invitation
# revoked between page and click) or a future rule. Make the service refuse, and check the
# view shows the refusal and changes nothing.

REFUSAL = "Refused for the test."


@dataclass(frozen=True)
class Refusing:
    name: str
    service: str  # where the view looks the service up
    role: str
    body: Body = _empty
    setup: Callable[[World], object] = lambda w: None
    error: type[Exception] = ValidationError


REFUSING = [
    Refusing("reviews:report_release", "reviews.workflow.report_release", "admin"),
    Refusing("reviews:report_render", "reviews.workflow.report_render", "admin"),
    Refusing(
        "reviews:accept_resubmission",
        "reviews.workflow.portfolio_accept_resubmission",
        "admin",
        setup=_set(Portfolio, lambda w: w.portfolio.pk, state=PortfolioState.RESUBMITTED),
    ),
    Refusing(
        "reviews:advance",
        "reviews.workflow.review_advance",
        "admin",
        body=lambda w: {"to_state": PortfolioState.INTERIM_REPORT},
    ),
    Refusing(
        "reviews:assignment",
        "reviews.workflow.assignment_declare_no_conflict",
        "assessor",
        body=lambda w: {"declaration": "no_conflict"},
        setup=_set(
            Assignment, lambda w: w.assignment.pk, state=AssignmentState.AWAITING_DECLARATION
        ),
    ),
    Refusing("network:role_remove", "network.services.unit_role_remove", "lead"),
    Refusing(
        "network:role_change",
        "network.services.unit_role_change",
        "admin",
        body=lambda w: {"role": "lead"},
    ),
    *(
        Refusing(
            "network:invitation_accept",
            "network.services.invitation_accept",
            "contributor",
            setup=_set(Invitation, lambda w: w.invitation.pk, email="contributor@example.test"),
            error=error,
        )
        for error in (ValidationError, InvitationUnusable)
    ),
    Refusing("network:import_preview", "network.services.membership_import_apply", "admin"),
    Refusing(
        "network:import_preview",
        "network.services.membership_import_apply",
        "admin",
        error=ImportFileError,
    ),
    Refusing("awards:requeue", "awards.views.certificate_requeue", "admin"),
    Refusing(
        "portfolios:evidence_delete",
        "portfolios.views.evidence_delete",
        "lead",
        setup=_set(Portfolio, lambda w: w.portfolio.pk, state=PortfolioState.DRAFT),
    ),
]


@pytest.mark.parametrize("case", REFUSING, ids=lambda c: f"{c.name}-{c.error.__name__}")
def test_a_refusing_service_is_shown_and_changes_nothing(world, case, monkeypatch):
    monkeypatch.setattr(case.service, _raiser(case.error))
    case.setup(world)
    client = Client()
    client.force_login(world.user(case.role))
    if POST_ROUTES[case.name].before is not None:
        POST_ROUTES[case.name].before(client, world)
    before = _snapshot()
    response = client.post(
        reverse(case.name, kwargs=ROUTES[case.name].kwargs(world)), case.body(world)
    )
    assert response.status_code < 500
    shown = [str(m.message) for m in get_messages(response.wsgi_request)]
    assert REFUSAL in shown or REFUSAL in response.content.decode(), shown
    assert not [m for m in shown if m != REFUSAL], "a success message beside the refusal"
    assert _snapshot() == before


def _raiser(error: type[Exception]) -> Callable:
    def refuse(*args, **kwargs):
        raise error(REFUSAL)

    return refuse
