"""Questionnaire benchmarks (issue 13, deliverable 9), for bench/run.py to call.

    from bench import questionnaires
    token = questionnaires.setup_round()                 # after django.setup(), bench DB
    # gunicorn runs with EE_TRUSTED_PROXIES=1: each client sends its own X-Forwarded-For
    block = questionnaires.run(port=PORT, token=token)   # {"posting", "bare", "queries", "targets"}

- posting: 300 anonymous responses by 30 concurrent clients to one round (a community meeting
  scanning the poster together). Each client loads its forms (its CSRF cookie and one-time
  tokens; not timed), posts them (timed), then posts the same forms again (the double taps):
  the round must then hold exactly 300 more responses (0 lost, 0 duplicated). The throttle
  stays on: each client is its own address (X-Forwarded-For behind one trusted proxy), new
  addresses each round, as 30 phones would be.
- bare: the same clients and request count POSTing to /bench/bare/ (EE_BENCH_VIEWS) with a
  valid CSRF token: the whole middleware stack, the CSRF check and the bare view's one query
  ("the bare view's POST throughput"). Target: posting >= 0.5 x bare, the median over
  ``rounds`` interleaved runs (bare, posting, bare, posting, ...) so drift hits both alike.
  bare_get (its GET) is reported beside it.
- queries: SQL per results page (the round page as its lead) and national view (as an admin)
  with 10 and with 100,000 responses (bulk-inserted into two rounds): must be equal.

Everything here needs django.setup() with the bench's settings, except post_responses and
bare_throughput, which only talk HTTP.
"""

import contextlib
import datetime as dt
import hashlib
import http.client
import os
import re
import statistics
import subprocess
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

TARGET_RATIO = 0.5


class _Client:
    def __init__(self, port: int, address: str = "") -> None:
        self.port = port
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.address:  # as the one trusted proxy in front would add it
            headers["X-Forwarded-For"] = self.address
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


# --- CPU spent per request, by every process that serves it --------------------------------
# The machine is shared: wall-clock throughput moves with whatever else runs. The CPU seconds
# that the web workers, their PostgreSQL backends, Redis and the clients themselves spend per
# request do not, and on a quiet machine (CPU the limit) their ratio is the throughput ratio.

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


def _serving_pids(worker_pids) -> dict[str, list[int]]:
    """The web workers, this database's backends and redis-server (shared with anything else
    on the machine that uses it: its share is reported apart)."""
    from django.db import connection  # noqa: PLC0415 -- after django.setup()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [row[0] for row in cursor.fetchall()]
    redis = subprocess.run(
        ["pgrep", "-x", "redis-server"], check=False, capture_output=True, text=True
    ).stdout
    return {
        "web": list(worker_pids()),
        "postgresql": backends,
        "redis": [int(p) for p in redis.split()],
    }


class CpuMeter:
    """CPU seconds spent by the serving processes and this one (the clients) during a phase,
    in all (``seconds``) and per kind of process (``parts``)."""

    def __init__(self, worker_pids) -> None:
        self.worker_pids = worker_pids

    def __enter__(self) -> "CpuMeter":
        self.pids = _serving_pids(self.worker_pids)
        self.before = {pid: _proc_cpu(pid) for pids in self.pids.values() for pid in pids}
        self.own = sum(os.times()[:2])
        return self

    def __exit__(self, *exc) -> None:
        after = _serving_pids(self.worker_pids)
        self.parts = {"clients": sum(os.times()[:2]) - self.own}
        for kind in after:
            pids = set(self.pids[kind]) | set(after[kind])
            self.parts[kind] = sum(_proc_cpu(pid) - self.before.get(pid, 0.0) for pid in pids)
        self.seconds = sum(self.parts.values())

    def per_request(self, requests: int) -> dict[str, float]:
        return {
            "cpu_ms": round(self.seconds * 1000 / requests, 3),
            "cpu_ms_parts": {k: round(v * 1000 / requests, 3) for k, v in self.parts.items()},
        }


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


def _addresses(clients: int, round_no: int) -> list[str]:
    return [f"10.{round_no % 250}.{i // 250}.{i % 250 + 1}" for i in range(clients)]


def _metered_phase(clients: int, work, worker_pids) -> tuple[float, CpuMeter | None]:
    """_phase(), with the serving processes' CPU counted when ``worker_pids`` is given."""
    meter = CpuMeter(worker_pids) if worker_pids else None
    with meter or contextlib.nullcontext():
        wall = _phase(clients, work)
    return wall, meter


def post_responses(  # noqa: PLR0913 -- the bench's knobs
    *,
    port: int,
    token: str,
    total: int = 300,
    clients: int = 30,
    round_no: int = 0,
    worker_pids=None,
) -> dict:
    """Three phases: every client loads its forms (not timed); all post them at once (timed:
    throughput = posts / wall time); all post the same forms again, the double taps (timed
    apart, must store nothing)."""
    path = f"/q/{token}/"
    per_client = total // clients
    sessions = [_Client(port, address) for address in _addresses(clients, round_no)]
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
    wall, meter = _metered_phase(clients, post, worker_pids)
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
        **(meter.per_request(len(first)) if meter else {}),
    }


def bare_throughput(  # noqa: PLR0913 -- the bench's knobs
    *,
    port: int,
    total: int = 300,
    clients: int = 30,
    post: bool = True,
    round_no: int = 0,
    worker_pids=None,
) -> dict:
    """The same clients and request count against /bench/bare/ (EE_BENCH_VIEWS): requests /
    wall time. ``post``: a POST with a valid CSRF token (the whole middleware stack, the CSRF
    check and the view's one query); otherwise its GET (the stack and the query)."""
    per_client = total // clients
    sessions = [_Client(port, address) for address in _addresses(clients, round_no)]
    tokens: list[str] = []
    if post:
        for session in sessions:
            _status, page = session.request("GET", "/accounts/login/")
            tokens.append(
                re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.decode())[1]
            )
    expected = 200
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

    wall, meter = _metered_phase(clients, work, worker_pids)
    return {
        "rps": round(len(timings) / wall, 1),
        "median_ms": round(statistics.median(timings) * 1000, 1),
        **(meter.per_request(len(timings)) if meter else {}),
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


def run(  # noqa: PLR0913 -- the bench's knobs
    *,
    port: int,
    token: str,
    total: int = 300,
    clients: int = 30,
    rounds: int = 3,
    sizes=(10, 100_000),
    worker_pids=None,
) -> dict:
    """The whole block, with targets in bench/run.py's shape ({name: {value, limit, met}}).
    Each round posts ``total`` new responses; every round must store exactly that many."""
    bare_runs, posting_runs, stored = [], [], []
    bare_get = bare_throughput(port=port, total=total, clients=clients, post=False)
    for round_no in range(rounds):
        bare_runs.append(
            bare_throughput(
                port=port,
                total=total,
                clients=clients,
                round_no=round_no,
                worker_pids=worker_pids,
            )
        )
        before = stored_responses(token)
        posting_runs.append(
            post_responses(
                port=port,
                token=token,
                total=total,
                clients=clients,
                round_no=round_no,
                worker_pids=worker_pids,
            )
        )
        stored.append(stored_responses(token) - before)
    queries = query_counts(sizes=sizes)
    ratios = [p["rps"] / b["rps"] for p, b in zip(posting_runs, bare_runs, strict=True)]
    ratio = statistics.median(ratios)
    posted = [p["posted"] for p in posting_runs]
    targets = {
        "lost": {"value": sum(max(0, p - s) for p, s in zip(posted, stored, strict=True))},
        "duplicated": {"value": sum(max(0, s - p) for p, s in zip(posted, stored, strict=True))},
        "throughput": {"value": round(ratio, 3), "limit": TARGET_RATIO},
    }
    for key in ("lost", "duplicated"):
        targets[key]["limit"] = 0
        targets[key]["met"] = targets[key]["value"] == 0
    targets["throughput"]["met"] = ratio >= TARGET_RATIO
    for name, block in queries.items():
        targets[f"queries_constant.{name}"] = {
            "value": block["large"],
            "limit": block["small"],
            "met": block["large"] == block["small"],
        }
    cpu = {}
    if worker_pids:
        bare_cpu = statistics.median(b["cpu_ms"] for b in bare_runs)
        post_cpu = statistics.median(p["cpu_ms"] for p in posting_runs)
        cpu = {
            "cpu_ms_per_request": {"bare": bare_cpu, "posting": post_cpu},
            "cpu_ratio": round(bare_cpu / post_cpu, 3) if post_cpu else 0.0,
        }
    return {
        **cpu,
        "posting": posting_runs,
        "bare": bare_runs,
        "bare_get": bare_get,
        "ratios": [round(r, 3) for r in ratios],
        "stored": stored,
        "queries": queries,
        "targets": targets,
    }
