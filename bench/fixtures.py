"""Objects, sessions and measurements that need Django (imported after django.setup())."""

import hashlib
import os
import subprocess
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from awards.models import Certificate
from network.enums import Region, SettingType, UnitRoleKind
from network.models import Organisation, Unit, UnitRole, User
from portfolios.enums import Cycle, EvidenceKind, PortfolioState
from portfolios.models import Evidence, EvidenceLink, Portfolio
from portfolios.services import portfolio_create
from reviews.enums import AssignmentState
from reviews.models import Assignment
from standards.models import Criterion, Framework


def _session_cookie(user: User) -> str:
    """The cookies a signed-in browser sends: its session and its CSRF secret (a browser keeps
    the csrftoken cookie Django set on an earlier page)."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "network.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return (
        f"{settings.SESSION_COOKIE_NAME}={store.session_key}; "
        f"{settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}"
    )


def _bench_portfolio(org, name: str, lead: User, state: str, evidence_count: int) -> Portfolio:
    unit = Unit.objects.create(
        organisation=org, name=name, setting_type=SettingType.OTHER, region=Region.LONDON
    )
    UnitRole.objects.create(user=lead, unit=unit, role=UnitRoleKind.LEAD)
    framework = Framework.objects.current()
    portfolio = portfolio_create(unit=unit, framework=framework, cycle=Cycle.INITIAL, actor=lead)
    Portfolio.objects.filter(pk=portfolio.pk).update(state=state)
    criteria = list(Criterion.objects.filter(standard__framework=framework))
    content = b"Minutes of the community meeting.\n"
    digest = hashlib.sha256(content).hexdigest()
    name_on_disk = "bench/query-count.txt"
    path = Path(settings.EE_MEDIA_ROOT) / name_on_disk
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    rows = Evidence.objects.bulk_create(
        Evidence(
            portfolio=portfolio, kind=EvidenceKind.FILE, title=f"Item {i}", file=name_on_disk,
            original_name=f"item-{i}.txt", content_type="text/plain", size=len(content),
            sha256=digest, contains_identifiable=False, uploaded_by=lead,
        )
        for i in range(evidence_count)
    )  # fmt: skip
    EvidenceLink.objects.bulk_create(
        EvidenceLink(evidence=e, criterion=criteria[i % len(criteria)]) for i, e in enumerate(rows)
    )
    portfolio.refresh_from_db()
    return portfolio


def make() -> dict:
    admin = User.objects.create_user(
        email="bench-admin@bench.test", password="enabling-demo", is_ccqi_admin=True
    )
    lead = User.objects.create_user(email="bench-lead@bench.test", password="enabling-demo")
    assessor = User.objects.create_user(
        email="bench-assessor@bench.test", password="enabling-demo", is_assessor=True
    )
    anon = User.objects.create_user(email="bench-anon@bench.test", password="enabling-demo")
    org = Organisation.objects.create(name="Bench organisation")
    small = _bench_portfolio(org, "Bench 1 item", lead, PortfolioState.DRAFT, 1)
    large = _bench_portfolio(org, "Bench 50 items", lead, PortfolioState.DRAFT, 50)
    review_small = _bench_portfolio(org, "Bench review 1", lead, PortfolioState.IN_REVIEW, 1)
    review_large = _bench_portfolio(org, "Bench review 50", lead, PortfolioState.IN_REVIEW, 50)
    due = timezone.localdate()
    assign_small, assign_large = (
        Assignment.objects.create(
            portfolio=p, assessor=assessor, due_date=due, state=AssignmentState.SCORING,
            declared_at=timezone.now(),
        )
        for p in (review_small, review_large)
    )  # fmt: skip
    certificate = Certificate.objects.order_by("pk").first()
    cookies = {"lead": _session_cookie(lead), "assessor": _session_cookie(assessor),
               "admin": _session_cookie(admin), "anonymous": None,
               "signed_in": _session_cookie(anon)}  # fmt: skip
    first_unit = Unit.objects.filter(name__startswith="Scale unit").order_by("name").first()
    pages = [
        ("builder", reverse("portfolios:detail", args=[large.pk]), "lead"),
        ("evidence_library", reverse("portfolios:evidence_library", args=[large.pk]), "lead"),
        ("scoring", reverse("reviews:score", args=[assign_large.pk]), "assessor"),
        ("member_list", reverse("network:unit_list"), "admin"),
        ("review_queue", reverse("reviews:list"), "admin"),
        ("register", reverse("awards:register"), "anonymous"),
        ("verify", reverse("awards:verify", args=[certificate.verify_code]), "anonymous"),
        ("standard", reverse("standards:detail", args=[1]), "anonymous"),
    ]
    return {
        "users": {"lead": lead, "assessor": assessor, "admin": admin},
        "pages": [{"name": n, "path": p, "as": a, "cookie": cookies[a]} for n, p, a in pages],
        "baselines": {
            "anonymous": None,
            "lead": cookies["signed_in"],
            "assessor": cookies["signed_in"],
            "admin": cookies["signed_in"],
        },
        "pairs": [
            (
                "builder",
                "1 vs 50 evidence items",
                "lead",
                reverse("portfolios:detail", args=[small.pk]),
                reverse("portfolios:detail", args=[large.pk]),
            ),
            (
                "evidence_library",
                "1 vs 50 evidence items",
                "lead",
                reverse("portfolios:evidence_library", args=[small.pk]),
                reverse("portfolios:evidence_library", args=[large.pk]),
            ),
            (
                "scoring",
                "1 vs 50 evidence items",
                "assessor",
                reverse("reviews:score", args=[assign_small.pk]),
                reverse("reviews:score", args=[assign_large.pk]),
            ),
            (
                "member_list",
                "10 vs all units",
                "admin",
                reverse("network:unit_list") + f"?q={first_unit.name[:-1]}",
                reverse("network:unit_list"),
            ),
            (
                "register",
                "one region vs all award holders",
                "anonymous",
                reverse("awards:register") + f"?region={first_unit.region}",
                reverse("awards:register"),
            ),
        ],  # fmt: skip
        "zip_owner": lead,
        "org": org,
    }


def count_queries(fx: dict) -> list[dict]:
    """SQL queries per page, small vs large data: with an empty cache (a first visit, what the
    target is about) and then again with the page's fragments cached (a repeat visit)."""
    from django.core.cache import cache  # noqa: PLC0415 -- after django.setup()

    results = []
    for name, detail, who, small_url, large_url in fx["pairs"]:
        client = Client(HTTP_HOST="127.0.0.1")
        if who != "anonymous":
            client.force_login(fx["users"][who])
        counts, cached = [], []
        for url in (small_url, large_url):
            cache.clear()  # the bench's own Redis database
            for into in (counts, cached):
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")
                into.append(len(ctx.captured_queries))
        results.append(
            {
                "name": name,
                "detail": detail,
                "small": counts[0],
                "large": counts[1],
                "small_cached": cached[0],
                "large_cached": cached[1],
            }
        )
    return results


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class RssSampler(threading.Thread):
    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids = pids
        self.before = {pid: _rss_kib(pid) for pid in pids}
        self.peak = dict(self.before)
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], _rss_kib(pid))
            time.sleep(0.02)

    def growth_mib(self) -> float:
        return max(self.peak[p] - self.before[p] for p in self.pids) / 1024


def zip_export_bench(fx: dict, server, *, size_mib: int, port: int) -> dict:
    """Export a portfolio of ``size_mib`` of evidence as a ZIP; compare with `zip -0 -r`."""
    lead = fx["zip_owner"]
    portfolio = _bench_portfolio(fx["org"], "Bench ZIP export", lead, PortfolioState.DRAFT, 0)
    criterion = Criterion.objects.filter(standard__framework=portfolio.framework).first()
    media = Path(settings.EE_MEDIA_ROOT)
    folder = media / "evidence" / str(portfolio.pk)
    folder.mkdir(parents=True, exist_ok=True)
    file_mib = 64
    for i in range(max(1, size_mib // file_mib)):
        name = f"evidence/{portfolio.pk}/{uuid.uuid4().hex}"
        with (media / name).open("wb") as handle:
            for _ in range(file_mib):
                handle.write(os.urandom(1024 * 1024))
        evidence = Evidence.objects.create(
            portfolio=portfolio, kind=EvidenceKind.FILE, title=f"Recording {i}", file=name,
            original_name=f"recording-{i}.mp4", content_type="video/mp4",
            size=file_mib * 1024 * 1024, sha256="0" * 64, contains_identifiable=False,
            uploaded_by=lead,
        )  # fmt: skip
        EvidenceLink.objects.create(evidence=evidence, criterion=criterion)
    baseline_zip = media.parent / "baseline.zip"
    started = time.monotonic()
    subprocess.run(["zip", "-0", "-q", "-r", str(baseline_zip), str(folder)], check=True)
    zip_seconds = time.monotonic() - started
    baseline_zip.unlink()
    cookie = _session_cookie(lead)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{reverse('portfolios:export_zip', args=[portfolio.pk])}",
        headers={"Cookie": cookie},
    )
    sampler = RssSampler(server.worker_pids())
    sampler.start()
    started = time.monotonic()
    received = 0
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310 -- loopback
        while chunk := response.read(1024 * 1024):
            received += len(chunk)
    export_seconds = time.monotonic() - started
    sampler.stop.set()
    sampler.join()
    growth = sampler.growth_mib()
    ratio = export_seconds / zip_seconds
    return {
        "size_mib": size_mib,
        "bytes_received": received,
        "export_seconds": round(export_seconds, 2),
        "zip_0_seconds": round(zip_seconds, 2),
        "rss_growth_mib": round(growth, 1),
        "targets": {
            "rss_growth_mib": {"value": round(growth, 1), "limit": 64, "met": growth <= 64},
            "time_vs_zip": {"value": round(ratio, 2), "limit": 1.5, "met": ratio <= 1.5},
        },
    }
