"""Questionnaire benchmarks (issue 13, deliverable 9), for bench/run.py to call.

    from bench import questionnaires
    token = questionnaires.setup_round()                 # after django.setup(), bench DB
    # start gunicorn with EE_QUESTIONNAIRE_POSTS_PER_HOUR=0: every client is 127.0.0.1
    block = questionnaires.run(port=PORT, token=token)   # {"posting", "bare", "queries", "targets"}

- posting: 300 anonymous responses by 30 concurrent clients to one round. Each client loads
  the form (its CSRF cookie and one-time token), posts it, and posts the same form again (a
  double tap): the round must then hold exactly 300 responses (0 lost, 0 duplicated).
- bare: the same clients and request count POSTing to /bench/bare/ (EE_BENCH_VIEWS) with a
  valid CSRF token: the whole middleware stack and the CSRF check, then the view's 405 (it
  serves GET only, and bench/run.py is not to be edited). Target: posting >= 0.5 x bare.
  bare_get (its GET, one query) is reported beside it.
- queries: SQL per results page (the round page as its lead) and national view (as an admin)
  with 10 and with 100,000 responses (bulk-inserted into two rounds): must be equal.

Everything here needs django.setup() with the bench's settings, except post_responses and
bare_throughput, which only talk HTTP.
"""

import datetime as dt
import hashlib
import http.client
import re
import statistics
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

TARGET_RATIO = 0.5


class _Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        conn.close()
        return response.status, data


def _form(page: bytes) -> dict[str, str]:
    html = page.decode()
    data = {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1],
        "token": re.search(r'name="token" value="([^"]+)"', html)[1],
    }
    for name in sorted(set(re.findall(r'name="(item_\d+)" value="4"', html))):
        data[name] = "4"
    return data


def _phase(clients: int, work) -> float:
    """Run ``work(i)`` in ``clients`` threads started together; the wall time of the phase."""
    barrier = threading.Barrier(clients + 1)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            work(index)
        except BaseException as exc:  # noqa: BLE001 -- reported after the phase
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    if errors:
        raise errors[0]
    return wall


def post_responses(*, port: int, token: str, total: int = 300, clients: int = 30) -> dict:
    """Three phases: every client loads its forms (not timed); all post them at once (timed:
    throughput = posts / wall time); all post the same forms again, the double taps (timed
    apart, must store nothing)."""
    path = f"/q/{token}/"
    per_client = total // clients
    sessions = [_Client(port) for _ in range(clients)]
    bodies: list[list[str]] = [[] for _ in range(clients)]
    statuses: list[int] = []
    timings: list[float] = []
    lock = threading.Lock()

    def load(index: int) -> None:
        for _ in range(per_client):
            _status, page = sessions[index].request("GET", path)
            bodies[index].append(urlencode(_form(page)))

    def post(index: int) -> None:
        for body in bodies[index]:
            start = time.perf_counter()
            status, _ = sessions[index].request("POST", path, body)
            elapsed = time.perf_counter() - start
            with lock:
                statuses.append(status)
                timings.append(elapsed)

    _phase(clients, load)
    wall = _phase(clients, post)
    first = list(statuses)
    again_wall = _phase(clients, post)
    return {
        "posted": per_client * clients,
        "statuses": {str(s): first.count(s) for s in sorted(set(first))},
        "double_tap_statuses": {
            str(s): statuses[len(first) :].count(s) for s in sorted(set(statuses[len(first) :]))
        },
        "wall_seconds": round(wall, 3),
        "rps": round(len(first) / wall, 1),
        "double_tap_rps": round(len(first) / again_wall, 1),
        "median_ms": round(statistics.median(timings[: len(first)]) * 1000, 1),
    }


def bare_throughput(*, port: int, total: int = 300, clients: int = 30, post: bool = True) -> dict:
    """The same clients and request count against /bench/bare/ (EE_BENCH_VIEWS): requests /
    wall time. ``post``: a POST with a valid CSRF token, the bare view's POST (the whole
    middleware stack, the CSRF check included, then the view's 405: it serves GET only);
    otherwise its GET (the stack and one query)."""
    per_client = total // clients
    sessions = [_Client(port) for _ in range(clients)]
    tokens: list[str] = []
    if post:
        for session in sessions:
            _status, page = session.request("GET", "/accounts/login/")
            tokens.append(
                re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.decode())[1]
            )
    expected = 405 if post else 200
    timings: list[float] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        body = urlencode({"csrfmiddlewaretoken": tokens[index]}) if post else None
        for _ in range(per_client):
            start = time.perf_counter()
            status, _ = sessions[index].request("POST" if post else "GET", "/bench/bare/", body)
            elapsed = time.perf_counter() - start
            if status != expected:
                raise RuntimeError(f"/bench/bare/ answered {status}")
            with lock:
                timings.append(elapsed)

    wall = _phase(clients, work)
    return {
        "rps": round(len(timings) / wall, 1),
        "median_ms": round(statistics.median(timings) * 1000, 1),
    }


# --- needs django.setup() ---------------------------------------------------------------------


def _bench_objects(label: str):
    """A unit with a lead, a draft portfolio on the current framework and the framework's
    questionnaire set (the sample one, imported when missing)."""
    from django.conf import settings  # noqa: PLC0415 -- after django.setup()

    from network.enums import UnitRoleKind  # noqa: PLC0415
    from network.models import Organisation, Unit, UnitRole, User  # noqa: PLC0415
    from portfolios.enums import Cycle  # noqa: PLC0415
    from portfolios.services import portfolio_create  # noqa: PLC0415
    from questionnaires.selectors import questionnaire_for_framework  # noqa: PLC0415
    from questionnaires.services import questionnaire_import  # noqa: PLC0415
    from standards.models import Framework  # noqa: PLC0415
    from standards.services import framework_import  # noqa: PLC0415

    fixtures = settings.BASE_DIR / "fixtures"
    framework = Framework.objects.current() or framework_import(
        text=(fixtures / "standards" / "ee-sample.yaml").read_text("utf-8"), publish=True
    )
    questionnaire = questionnaire_for_framework(framework_id=framework.pk)
    if questionnaire is None:
        text = (fixtures / "questionnaires" / "ee-sample.yaml").read_text("utf-8")
        text = text.replace("framework: ee-sample-2013", f"framework: {framework.code}")
        questionnaire = questionnaire_import(text=text, publish=True)
    org, _ = Organisation.objects.get_or_create(name="Questionnaire bench")
    unit, _ = Unit.objects.get_or_create(organisation=org, name=f"Questionnaire bench {label}")
    lead = User.objects.filter(email=f"q-bench-{label}@bench.test").first()
    if lead is None:
        lead = User.objects.create_user(
            email=f"q-bench-{label}@bench.test", password="q-bench-password", full_name=label
        )
    UnitRole.objects.get_or_create(unit=unit, user=lead, defaults={"role": UnitRoleKind.LEAD})
    portfolio = unit.portfolios.first() or portfolio_create(
        unit=unit, framework=framework, cycle=Cycle.INITIAL, actor=lead
    )
    return lead, portfolio, questionnaire


def setup_round(*, label: str = "posting") -> str:
    """An open service-user round on a bench unit's draft portfolio; returns its token."""
    from django.utils import timezone  # noqa: PLC0415

    from questionnaires.models import Round  # noqa: PLC0415
    from questionnaires.services import round_open  # noqa: PLC0415

    lead, portfolio, _questionnaire = _bench_objects(label)
    round_ = Round.objects.filter(portfolio=portfolio, audience="service_users").first()
    if round_ is None:
        today = timezone.localdate()
        round_ = round_open(
            portfolio=portfolio,
            actor=lead,
            audience="service_users",
            opens_on=today,
            closes_on=today + dt.timedelta(days=30),
            expected_count=300,
        )
    return round_.token


def _fill(round_, count: int) -> None:
    """Bulk-insert ``count`` responses (every scale item answered) into the round."""
    from questionnaires.models import Answer, Item, Response  # noqa: PLC0415

    items = list(Item.objects.filter(questionnaire=round_.questionnaire, audience=round_.audience))
    have = round_.responses.count()
    values = ("1", "2", "3", "4", "5", "dk", "pn")
    batch = 2000
    for start in range(have, count, batch):
        stop = min(count, start + batch)
        responses = Response.objects.bulk_create(
            Response(
                round=round_,
                submitted_on=round_.opens_on,
                source="online",
                submission_key=hashlib.sha256(f"bench-{round_.pk}-{n}".encode()).hexdigest(),
            )
            for n in range(start, stop)
        )
        Answer.objects.bulk_create(
            Answer(
                response=response,
                item=item,
                value=""
                if item.answer_type == "text"
                else values[(n + item.number) % 7]
                if item.answer_type == "agree5"
                else "yes",
                text="Bench comment" if item.answer_type == "text" else "",
            )
            for n, response in enumerate(responses, start)
            for item in items
        )


def query_counts(*, sizes: tuple[int, int] = (10, 100_000)) -> dict:
    """SQL per request for the results page and the national view, small vs large."""
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415
    from django.urls import reverse  # noqa: PLC0415

    from network.models import User  # noqa: PLC0415
    from questionnaires.models import Round  # noqa: PLC0415

    counts: dict[str, list[int]] = {"results_page": [], "national_view": []}
    admin = User.objects.filter(is_ccqi_admin=True).first() or User.objects.create_user(
        email="q-bench-admin@bench.test", password="q-bench-password", is_ccqi_admin=True
    )
    for size in sizes:
        _bench_objects(f"size-{size}")
        token = setup_round(label=f"size-{size}")
        round_ = Round.objects.select_related("questionnaire").get(token=token)
        _fill(round_, size)
        lead = round_.created_by
        for name, user, url in (
            ("results_page", lead, reverse("questionnaires:round", kwargs={"pk": round_.pk})),
            ("national_view", admin, reverse("questionnaires:national")),
        ):
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            counts[name].append(len(ctx.captured_queries))
    return {
        name: {"small": c[0], "large": c[1], "sizes": list(sizes)} for name, c in counts.items()
    }


def stored_responses(token: str) -> int:
    from questionnaires.models import Response  # noqa: PLC0415

    return Response.objects.filter(round__token=token).count()


def run(*, port: int, token: str, total: int = 300, clients: int = 30, sizes=(10, 100_000)) -> dict:
    """The whole block, with targets in bench/run.py's shape ({name: {value, limit, met}})."""
    before = stored_responses(token)
    bare = bare_throughput(port=port, total=total, clients=clients)
    bare_get = bare_throughput(port=port, total=total, clients=clients, post=False)
    posting = post_responses(port=port, token=token, total=total, clients=clients)
    stored = stored_responses(token) - before
    queries = query_counts(sizes=sizes)
    ratio = posting["rps"] / bare["rps"] if bare["rps"] else 0.0
    targets = {
        "lost": {"value": max(0, posting["posted"] - stored), "limit": 0},
        "duplicated": {"value": max(0, stored - posting["posted"]), "limit": 0},
        "throughput": {"value": round(ratio, 3), "limit": TARGET_RATIO},
    }
    for key in ("lost", "duplicated"):
        targets[key]["met"] = targets[key]["value"] == 0
    targets["throughput"]["met"] = ratio >= TARGET_RATIO
    for name, block in queries.items():
        targets[f"queries_constant.{name}"] = {
            "value": block["large"],
            "limit": block["small"],
            "met": block["large"] == block["small"],
        }
    return {
        "posting": posting,
        "bare": bare,
        "bare_get": bare_get,
        "stored": stored,
        "queries": queries,
        "targets": targets,
    }
