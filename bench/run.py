"""`make bench`: the performance suite, on PostgreSQL + Redis + gunicorn (2 workers) + Celery.

Every target is a ratio against a baseline measured in the same run (this machine is shared
and noisy); figures are medians of several runs. Writes bench/results/<date>.json and the
table in docs/performance.md.

    python bench/run.py            # full sizes (about 10 minutes)
    python bench/run.py --quick    # small data, short runs (a smoke test of the harness)
"""

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import guard, scanner  # noqa: E402 -- stdlib only, before Django

RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "performance.md"
DB_NAME = "ee_bench"
PG = "postgres://postgres@127.0.0.1:5432"
# A Redis database of its own (flushed at the start): tests and `make demo` use the low numbers.
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
PORT = int(os.environ.get("EE_BENCH_PORT", "8765"))
WRK_LUA = ROOT / "bench" / "wrk_report.lua"

# Limits against the bare view (issue 12, deliverable 9): signed-in pages >= 0.5 of its
# throughput and p95 <= 2x its p95; anonymous (public, cached) pages keep 0.4 and 2.5x.
LIMITS = {
    "signed_in": {"throughput": 0.50, "p95": 2.0},
    "anonymous": {"throughput": 0.40, "p95": 2.5},
}
# The bench's own clamd scans the uploads of the pages' gunicorn (none are measured there;
# bench/upload.py starts a clamd of its own sized for its 1 GiB file).
CLAMD_MAX_MIB = 64


def limits_for(audience: str) -> dict[str, float]:
    return LIMITS["anonymous" if audience == "anonymous" else "signed_in"]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(cmd: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, **kwargs)


def ensure_tools() -> None:
    if shutil.which("wrk") is None:
        if os.geteuid() != 0:
            sys.exit("wrk is needed: apt-get install wrk")
        log("installing wrk (Debian package)")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode != 0:
        sys.exit("PostgreSQL is not running on 127.0.0.1:5432 (see .ci/run for how to start it)")
    if subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True, check=False
    ).returncode:
        sys.exit("Redis is not running on 127.0.0.1:6379 (see .ci/run for how to start it)")


def bench_env(media_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="ee_portal.settings.base",
        DATABASE_URL=f"{PG}/{DB_NAME}",
        REDIS_URL=REDIS,
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        EE_MEDIA_ROOT=str(media_root),
        EE_BENCH_VIEWS="1",
        EE_SITE_URL=f"http://127.0.0.1:{PORT}",
        # Gunicorn runs Django's system checks at start-up (ee_portal/wsgi.py): with DEBUG off
        # they refuse a per-process cache (REDIS_URL above gives the shared Redis cache) and a
        # missing upload scanner (EE_CLAMD_URL, set by main() to the bench's own clamd).
        EE_WEB_PROCESSES="2",
        EMAIL_URL="consolemail://",
        LOG_LEVEL="WARNING",
        CONN_MAX_AGE="600",
        # One proxy of ours in front (as in production): the questionnaire bench's clients
        # each send their own X-Forwarded-For, so its throttle stays on and counts each alone.
        EE_TRUSTED_PROXIES="1",
    )
    return env


def prepare_database(env: dict[str, str], sizes: dict[str, int]) -> float:
    subprocess.run(
        ["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB_NAME}"], check=True
    )
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {DB_NAME}"], check=True)
    # The page cache lives in this Redis database: a previous run's pages must not be served.
    subprocess.run(["redis-cli", "-u", REDIS, "flushdb"], check=True, capture_output=True)
    debug_env = {**env, "DJANGO_DEBUG": "1"}
    py = sys.executable
    run([py, "manage.py", "migrate", "--noinput", "-v0"], debug_env)
    started = time.monotonic()
    run(
        [py, "manage.py", "seed_scale", *(f"--{k}={v}" for k, v in sizes.items())],
        debug_env,
    )
    seed_seconds = time.monotonic() - started
    run([py, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    return seed_seconds


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django  # noqa: PLC0415 -- configured from the bench environment above

    django.setup()


def make_fixtures() -> dict:
    """Sessions and sample objects for the pages, plus small/large pairs for query counts."""
    from bench import fixtures  # noqa: PLC0415 -- needs django.setup() first

    return fixtures.make()


class Server:
    """gunicorn (2 workers) and a Celery worker, production settings."""

    def __init__(self, env: dict[str, str], workdir: Path, workers: int = 2):
        self.env = env
        self.workdir = workdir
        self.workers = workers
        self.procs: list[subprocess.Popen] = []

    def __enter__(self):
        guard.ensure_port_free(PORT, what="make bench")
        log_file = (self.workdir / "gunicorn.log").open("wb")
        self.gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "ee_portal.wsgi:application", "--workers", str(self.workers),
             "--bind", f"127.0.0.1:{PORT}", "--timeout", "300", "--access-logfile", "/dev/null"],
            cwd=ROOT, env=self.env, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
        worker_log = (self.workdir / "celery.log").open("wb")
        self.celery = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ee_portal", "worker", "--concurrency", "1",
             "--loglevel", "WARNING", "-n", "bench@%h"],
            cwd=ROOT, env=self.env, stdout=worker_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.procs = [self.gunicorn, self.celery]
        deadline = time.monotonic() + 60
        while True:
            if self.gunicorn.poll() is not None:
                self.__exit__()
                raise RuntimeError(
                    "gunicorn exited at start-up:\n" + (self.workdir / "gunicorn.log").read_text()
                )
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health/", timeout=5) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError((self.workdir / "gunicorn.log").read_text()) from None
                time.sleep(0.5)
        try:
            # The answer came from the gunicorn started here, not from another server.
            guard.ensure_listener_is(guard.process_tree(self.gunicorn.pid), PORT)
        except guard.PortInUseError:
            self.__exit__()
            raise
        return self

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.gunicorn.pid)], capture_output=True, text=True, check=False
        ).stdout
        return [int(p) for p in out.split()]

    def __exit__(self, *exc):
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def wrk(path: str, cookie: str | None, seconds: int) -> dict:
    cmd = ["wrk", "-t2", "-c4", f"-d{seconds}s", "--latency", "-s", str(WRK_LUA)]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(f"http://127.0.0.1:{PORT}{path}")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("JSON "))
    data = json.loads(line[5:])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    if data["non2xx"] or data["errors"]:
        raise RuntimeError(f"{path}: {data['non2xx']} non-2xx responses, {data['errors']} errors")
    return data


def measure_pages(pages: list[dict], baselines: dict[str, str | None], rounds: int, seconds: int):
    """Interleave each page with its baseline so drift on the machine hits both alike."""
    results = []
    for page in pages:
        base_cookie = baselines[page["as"]]
        page_runs, base_runs = [], []
        wrk(page["path"], page["cookie"], 1)  # warm up
        for _ in range(rounds):
            base_runs.append(wrk("/bench/bare/", base_cookie, seconds))
            page_runs.append(wrk(page["path"], page["cookie"], seconds))
        rps = statistics.median(r["rps"] for r in page_runs)
        base_rps = statistics.median(r["rps"] for r in base_runs)
        p95 = statistics.median(r["p95_us"] for r in page_runs) / 1000
        base_p95 = statistics.median(r["p95_us"] for r in base_runs) / 1000
        results.append(
            {
                "name": page["name"],
                "path": page["path"],
                "as": page["as"],
                "rps": round(rps, 1),
                "baseline_rps": round(base_rps, 1),
                "p95_ms": round(p95, 2),
                "baseline_p95_ms": round(base_p95, 2),
                "throughput_ratio": round(rps / base_rps, 3),
                "p95_ratio": round(p95 / base_p95, 3),
            }
        )
        log(f"{page['name']}: {rps:.0f} rps ({rps / base_rps:.0%} of bare), p95 {p95:.1f} ms")
    return results


def run_script(script: str, args: list[str], env: dict[str, str]) -> dict | None:
    path = ROOT / "bench" / script
    if not path.exists():
        log(f"{script} not found, skipped")
        return None
    out = subprocess.run(
        [sys.executable, str(path), *args], cwd=ROOT, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    if out.returncode != 0:
        log(f"{script} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
        return {"error": out.stderr[-2000:] or out.stdout[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> dict:
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
         if ln.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False).stdout
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(int(mem) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": pg.strip(),
        "os": platform.platform(),
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small data and short runs")
    parser.add_argument("--skip-files", action="store_true", help="skip the 1 GiB file benchmarks")
    parser.add_argument(
        "--only",
        choices=["questionnaires"],
        help="one block alone, on small seed data (written to var/, not to the record)",
    )
    args = parser.parse_args()
    sizes = (
        {"units": 200, "portfolios": 600, "evidence": 20000, "scores": 2000}
        if args.quick or args.only
        else {"units": 2000, "portfolios": 6000, "evidence": 400000, "scores": 20000}
    )
    rounds, seconds = (2, 3) if args.quick else (3, 8)
    # Refuse at once, before 15 minutes of seeding, if the port is taken (checked again just
    # before gunicorn starts, and its listener checked once it answers).
    guard.ensure_port_free(PORT, what="make bench")
    ensure_tools()
    start_machine = machine()
    workdir = Path(tempfile.mkdtemp(prefix="ee-bench-"))
    env = bench_env(workdir / "private")
    with scanner.clamd(workdir / "clamd", max_mib=CLAMD_MAX_MIB) as clamd_url:
        env["EE_CLAMD_URL"] = clamd_url
        return _main(args, sizes, rounds, seconds, start_machine, workdir, env)


def _main(args, sizes, rounds, seconds, start_machine, workdir, env) -> int:  # noqa: PLR0913, PLR0915, PLR0917 -- one run, in order
    # Quick runs and single blocks are smoke tests or experiments: kept out of bench/results/
    # (whose newest file is the record) and out of docs/performance.md.
    partial = bool(args.quick or args.only)
    log(f"seeding {sizes} into {DB_NAME}")
    seed_seconds = prepare_database(env, sizes)
    setup_django(env)
    from bench import fixtures  # noqa: PLC0415 -- after django.setup()

    fx = make_fixtures()
    targets: dict[str, dict] = {}
    queries: list[dict] = []
    pages: list[dict] = []
    files: dict = {}
    if not args.only:
        log("counting queries per page, small vs large data")
        queries = fixtures.count_queries(fx)
    for q in queries:
        targets[f"queries_constant.{q['name']}"] = {
            "value": q["large"],
            "limit": q["small"],
            "met": q["large"] == q["small"],
            "detail": q["detail"],
        }
    from bench import questionnaires  # noqa: PLC0415 -- after django.setup()

    token = questionnaires.setup_round()
    if not args.only:
        with Server(env, workdir) as server:
            pages = measure_pages(fx["pages"], fx["baselines"], rounds, seconds)
            for p in pages:
                limit = limits_for(p["as"])
                p["throughput_limit"], p["p95_limit"] = limit["throughput"], limit["p95"]
                targets[f"throughput.{p['name']}"] = {
                    "value": p["throughput_ratio"],
                    "limit": limit["throughput"],
                    "met": p["throughput_ratio"] >= limit["throughput"],
                }
                targets[f"p95.{p['name']}"] = {
                    "value": p["p95_ratio"],
                    "limit": limit["p95"],
                    "met": p["p95_ratio"] <= limit["p95"],
                }
            if not args.skip_files:
                files["zip_export"] = fixtures.zip_export_bench(
                    fx, server, size_mib=128 if args.quick else 1024, port=PORT
                )
    # A questionnaire round is written to, not read: each post waits for its commit to reach the
    # disk. Its own server has gunicorn's recommended (2 x cores) + 1 sync workers, so that one
    # worker's wait is another's turn; the bare view's POST is measured on the same server.
    workers = 2 * (os.cpu_count() or 1) + 1
    with Server(env, workdir, workers=workers) as server:
        log(f"questionnaire: 300 responses by 30 clients, {workers} workers, against bare POST")
        files["questionnaires"] = questionnaires.run(
            port=PORT,
            token=token,
            rounds=rounds,
            sizes=(10, 1_000 if partial else 100_000),
            worker_pids=server.worker_pids,
        )
        files["questionnaires"]["workers"] = workers
        q = files["questionnaires"]
        log(
            f"questionnaire posting: ratios {q['ratios']}, stored {q['stored']},"
            f" CPU ms per request {q.get('cpu_ms_per_request')}"
        )
    if not (args.skip_files or args.only):
        # Three interleaved runs, not five: each now includes two whole-file clamd scans (the
        # baseline's and the upload's), about a minute each for 1 GiB on this machine.
        upload_args = ["--size-mib", "128" if args.quick else "1024", "--runs", "3"]
        files["upload"] = run_script("upload.py", upload_args, env)
        cert_args = ["--count", "20" if args.quick else "200"]
        files["certificates"] = run_script(
            "certificates.py", cert_args, {**env, "DJANGO_DEBUG": "1"}
        )
    if not args.only:
        # Issue 16: agreement figures in one pass (its own database, seeded once and kept).
        agreement_args = ["--portfolios", "2000" if args.quick else "20000"]
        files["agreement"] = run_script("agreement.py", agreement_args, env)
    for key, block in files.items():
        for name, target in ((block or {}).get("targets") or {}).items():
            targets[f"{key}.{name}"] = target
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": partial,
        "machine": {**start_machine, "load_at_end": machine()["load"]},
        "sizes": sizes,
        "seed_seconds": round(seed_seconds, 1),
        "pages": pages,
        "queries": queries,
        "files": files,
        "targets": targets,
    }
    out = ROOT / "var" / "bench-quick.json" if partial else RESULTS / f"{dt.date.today()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    from bench import report  # noqa: PLC0415

    if not partial:
        report.write_markdown(result, DOC)
    missed = [k for k, t in targets.items() if not t["met"]]
    log(f"wrote {out.relative_to(ROOT)}; {len(targets) - len(missed)}/{len(targets)} targets met")
    for name in missed:
        log(f"MISSED {name}: {targets[name]}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
