"""Upload a large evidence file to a running server; report memory growth and time against
`cp` plus a clamd scan of the same file.

    .venv/bin/python bench/upload.py               # 1 GiB (the issue's target)
    .venv/bin/python bench/upload.py --size-mib 100

Starts clamd (bench/scanner.py: a local signature, limits that cover the file) and gunicorn
(one sync worker, the production shape) on 127.0.0.1 with a throw-away SQLite database and
private media folder, seeds the demo, signs in as lead@demo.test and POSTs one MP4-like file
(an ftyp header then pseudo-random bytes) to the evidence upload endpoint with a streamed
multipart body. The upload includes a virus scan of the whole file (INSTREAM to clamd), so the
baseline is `cp` of the same file plus one INSTREAM of it to the same clamd, each measured in
the same run. While the request runs it samples the worker's VmRSS from /proc.

Timing (see docs/performance.md, "Evidence upload"): every measured operation starts after a
global `sync` (not timed), so no run pays for an earlier run's writeback or another job's, and
ends when its own bytes are on disk: `fsync` of the file it wrote (the copy, the stored
evidence file), never a global `sync`, which would also wait for whatever else the machine was
writing. Five interleaved cp/scan/upload runs (--runs), medians. Prints one JSON line;
targets: peak RSS growth <= 64 MiB, time <= 2 x (cp + scan).
Not part of the test suite.
"""

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
MIB = 1024 * 1024

from bench import scanner  # noqa: E402 -- after sys.path
from bench.guard import ensure_listener_is, ensure_port_free, process_tree  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_file(path: Path, size: int) -> None:
    block = os.urandom(MIB)
    header = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    with path.open("wb") as out:
        out.write(header)
        written = len(header)
        while written < size:
            chunk = block[: min(MIB, size - written)]
            out.write(chunk)
            written += len(chunk)


def proc_status(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values


def worker_pid(master: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for task in Path(f"/proc/{master}/task").iterdir():
            children = (task / "children").read_text().split()
            if children:
                return int(children[0])
        time.sleep(0.2)
    raise RuntimeError("gunicorn worker did not start")


class Session:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        conn.close()
        return response, data


def login(session: Session) -> None:
    _, page = session.request("GET", "/accounts/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    body = f"csrfmiddlewaretoken={token}&username=lead%40demo.test&password=enabling-demo"
    response, _ = session.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    if response.status != 302:
        raise RuntimeError(f"sign-in failed: {response.status}")


def multipart(path: Path, boundary: str, fields: dict[str, str]):
    head = b""
    for key, value in fields.items():
        head += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        ).encode()
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="up-files"; '
        f'filename="{path.name}"\r\nContent-Type: video/mp4\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + path.stat().st_size + len(tail)

    def body():
        yield head
        with path.open("rb") as handle:
            while chunk := handle.read(MIB):
                yield chunk
        yield tail

    return body(), length


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat, clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def procs_running() -> int:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("procs_running "):
            return int(line.split()[1])
    return 0


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def settle() -> float:
    """A global `sync` before each measured operation (not counted in it); returns how long it
    took, which is what a global sync *after* an operation would have charged to it."""
    start = time.perf_counter()
    subprocess.run(["sync"], check=False)
    return time.perf_counter() - start


def newest_file(folder: Path) -> Path:
    return max((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.stat().st_mtime_ns)


def main() -> int:  # noqa: PLR0915 -- a script read top to bottom
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--runs", type=int, default=5, help="interleaved runs (medians)")
    parser.add_argument(
        "--unscanned",
        action="store_true",
        help="diagnosis only: uploads not sent to clamd, baseline cp alone",
    )
    args = parser.parse_args()
    # SIGTERM (run.py's timeout, an operator) unwinds through `finally`: gunicorn and clamd stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    size = args.size_mib * MIB
    work = Path(tempfile.mkdtemp(prefix="ee-bench-upload-"))
    media = work / "media"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ee_portal.settings.base",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "EE_MEDIA_ROOT": str(media),
        "EE_MAX_UPLOAD_BYTES": str(size + MIB),
        # Django's temporary upload file on the media filesystem: stored by rename, not copy.
        "TMPDIR": str(work),
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    py = sys.executable
    server = None
    stack = contextlib.ExitStack()
    try:
        clamd_url = stack.enter_context(scanner.clamd(work / "clamd", max_mib=args.size_mib + 64))
        env["EE_CLAMD_URL"] = "" if args.unscanned else clamd_url
        subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [py, "manage.py", "seed_demo"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        pk = (
            subprocess.run(
                [
                    py,
                    "manage.py",
                    "shell",
                    "-c",
                    "from portfolios.models import Portfolio;"
                    "print(Portfolio.objects.get(unit__name='Demo Ward', state='draft').pk)",
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        source = work / "bench-video.mp4"
        make_file(source, size)
        copy = work / "cp-copy.mp4"

        def time_cp() -> dict:
            before = settle()
            start = time.perf_counter()
            subprocess.run(["cp", str(source), str(copy)], check=True)
            copied = time.perf_counter()
            fsync_path(copy)
            end = time.perf_counter()
            after = settle()  # not counted: what the old global `sync` added to the run
            copy.unlink()
            return {"s": end - start, "copy_s": copied - start, "fsync_s": end - copied,
                    "sync_before_s": before, "global_sync_after_s": after}  # fmt: skip

        def stamp(tag: int) -> None:
            """Make the file's content new: clamd keeps a cache of files it found clean (by
            hash), and a second scan of the same bytes costs only the transfer. The baseline
            scan and the upload each get content clamd has not seen."""
            with source.open("r+b") as handle:
                handle.seek(64)
                handle.write(tag.to_bytes(8, "big"))

        def time_scan(run: int) -> dict:
            if args.unscanned:
                return {"s": 0.0, "sync_before_s": 0.0}
            stamp(2 * run + 1)
            before = settle()
            return {"s": scanner.instream_seconds(clamd_url, source), "sync_before_s": before}

        port = free_port()
        ensure_port_free(port, what="bench/upload.py")
        server = subprocess.Popen(
            [
                str(Path(py).with_name("gunicorn")),
                "ee_portal.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
                "--timeout",
                "1800",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        pid = worker_pid(server.pid)
        session = Session(port)
        deadline = time.monotonic() + 30
        while True:
            try:
                login(session)
                break
            except (ConnectionRefusedError, http.client.HTTPException):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        ensure_listener_is(process_tree(server.pid), port)
        library = f"/portfolios/{pk}/evidence/"
        session.request("GET", library)  # warm up the views and templates
        baseline = proc_status(pid)
        peak = {"rss": baseline["VmRSS"]}
        stop = threading.Event()

        running: list[tuple[float, int]] = []  # (time, runnable threads on the machine)

        def sample() -> None:
            while not stop.is_set():
                try:
                    peak["rss"] = max(peak["rss"], proc_status(pid)["VmRSS"])
                except (FileNotFoundError, KeyError):
                    return
                running.append((time.perf_counter(), procs_running()))
                time.sleep(0.02)

        def runnable_during(start: float, end: float) -> float:
            """Mean runnable threads on the machine (this bench's included) over a run."""
            seen = [n for t, n in running if start <= t <= end]
            return round(statistics.mean(seen), 2) if seen else 0.0

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        def time_upload(run: int) -> tuple[dict, object, bytes]:
            stamp(2 * run + 2)  # new content: no duplicate, and not in clamd's clean cache
            before = settle()
            boundary = uuid.uuid4().hex
            body, length = multipart(
                source,
                boundary,
                {
                    "csrfmiddlewaretoken": session.cookies["csrftoken"],
                    "up-evidence_type": "other",
                    "up-contains_identifiable": "no",
                },
            )
            cpu_before = cpu_seconds(pid)
            start = time.perf_counter()
            response, data = session.request(
                "POST",
                f"/portfolios/{pk}/evidence/upload/",
                body=body,
                headers={
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Content-Length": str(length),
                    "X-Requested-With": "XMLHttpRequest",
                    "X-CSRFToken": session.cookies["csrftoken"],
                },
            )
            answered = time.perf_counter()
            worker_cpu = cpu_seconds(pid) - cpu_before
            stored = newest_file(media / "evidence")
            fsync_path(stored)  # as for cp: until its own bytes are on disk
            end = time.perf_counter()
            after = settle()  # not counted, as for cp
            same_inode = stored.stat().st_size == size
            stored.unlink()  # the next run starts from the same free space and page cache
            timing = {"s": end - start, "response_s": answered - start,
                      "runnable": runnable_during(start, answered),
                      "fsync_s": end - answered, "worker_cpu_s": worker_cpu,
                      "sync_before_s": before, "global_sync_after_s": after,
                      "stored_size_ok": same_inode}  # fmt: skip
            return timing, response, data

        # Interleaved runs, medians: timings on a shared machine are noisy.
        cp_runs, scan_runs, upload_runs, ok = [], [], [], True
        for run in range(args.runs):
            cp_runs.append(time_cp())
            scan_runs.append(time_scan(run))
            timing, response, data = time_upload(run)
            upload_runs.append(timing)
            ok = ok and response.status == 200 and bool(json.loads(data).get("ok"))
            print(
                f"run {run}: cp {cp_runs[-1]['s']:.2f} s, scan {scan_runs[-1]['s']:.2f} s, "
                f"upload {timing['s']:.2f} s ({timing})",
                file=sys.stderr,
                flush=True,
            )
        cp_seconds = statistics.median(r["s"] for r in cp_runs)
        scan_seconds = statistics.median(r["s"] for r in scan_runs)
        upload_seconds = statistics.median(r["s"] for r in upload_runs)
        stamp(2 * args.runs + 1)  # content clamd has not seen
        clamdscan_s = (
            0.0
            if args.unscanned
            else scanner.clamdscan_seconds(
                clamd_url, source, work / "clamd", max_mib=args.size_mib + 64
            )
        )
        baseline_seconds = cp_seconds + scan_seconds
        stop.set()
        sampler.join()
        after = proc_status(pid)
        # VmHWM is the worker's lifetime peak; it only counts if it rose during the upload.
        hwm = after["VmHWM"] if after["VmHWM"] > baseline["VmHWM"] else 0
        growth = max(peak["rss"], hwm) - baseline["VmRSS"]
        ratio = round(upload_seconds / baseline_seconds, 2) if baseline_seconds else None

        def rounded(runs: list[dict]) -> list[dict]:
            return [{k: round(v, 2) if isinstance(v, float) else v for k, v in r.items()}
                    for r in runs]  # fmt: skip

        report = {
            "size_bytes": size,
            "upload_ok": bool(ok),
            "upload_seconds": round(upload_seconds, 2),
            "cp_seconds": round(cp_seconds, 2),
            "scan_seconds": round(scan_seconds, 2),
            "clamdscan_stream_seconds": round(clamdscan_s, 2),
            "baseline_seconds": round(baseline_seconds, 2),
            "runs": args.runs,
            "upload_runs_s": [round(r["s"], 2) for r in upload_runs],
            "cp_runs_s": [round(r["s"], 2) for r in cp_runs],
            "scan_runs_s": [round(r["s"], 2) for r in scan_runs],
            "upload_runs": rounded(upload_runs),
            "cp_runs": rounded(cp_runs),
            "scan_runs": rounded(scan_runs),
            "time_ratio_vs_cp_and_scan": ratio,
            "time_ratio_vs_cp_only": round(upload_seconds / cp_seconds, 2) if cp_seconds else None,
            "baseline_rss_mib": round(baseline["VmRSS"] / MIB, 1),
            "sampled_peak_rss_mib": round(peak["rss"] / MIB, 1),
            "vmhwm_before_mib": round(baseline["VmHWM"] / MIB, 1),
            "vmhwm_after_mib": round(after["VmHWM"] / MIB, 1),
            "peak_rss_growth_mib": round(growth / MIB, 1),
            "server": "gunicorn, 1 sync worker; uploads scanned by clamd (INSTREAM)",
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
            # The shape bench/run.py merges: each target has value, limit and met.
            "targets": {
                "rss_growth_mib": {
                    "value": round(growth / MIB, 1),
                    "limit": 64,
                    "met": bool(ok) and growth <= 64 * MIB,
                },
                "time_vs_cp_and_scan": {
                    "value": ratio,
                    "limit": 2.0,
                    "met": bool(ok and baseline_seconds) and upload_seconds <= 2 * baseline_seconds,
                },
            },
        }
        if not ok:
            report["response"] = data[:500].decode(errors="replace")
        print(json.dumps(report))  # one line: bench/run.py reads the last line
        return 0 if ok else 1
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        stack.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
