"""Upload a large evidence file to a running server; report memory growth and time against cp.

    .venv/bin/python bench/upload.py               # 1 GiB (the issue's target)
    .venv/bin/python bench/upload.py --size-mib 100

Starts gunicorn (one sync worker, the production shape) on 127.0.0.1 with a throw-away
SQLite database and private media folder, seeds the demo, signs in as lead@demo.test and
POSTs one MP4-like file (an ftyp header then pseudo-random bytes) to the evidence upload
endpoint with a streamed multipart body. While the request runs it samples the worker's
VmRSS from /proc. Five interleaved cp/upload runs (--runs), medians. Prints one JSON line;
targets: peak RSS growth <= 64 MiB, time <= 2 x cp.
Not part of the test suite.
"""

import argparse
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
MIB = 1024 * 1024


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


def main() -> int:  # noqa: PLR0915 -- a script read top to bottom
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--runs", type=int, default=5, help="interleaved runs (medians)")
    args = parser.parse_args()
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
        "TMPDIR": str(work),
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    py = sys.executable
    server = None
    try:
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

        def time_cp() -> float:
            # Flush first, so neither cp nor the upload pays for earlier writeback; then both
            # are timed until their bytes are on disk (`sync`): how much of a 1 GiB copy the
            # kernel still holds in dirty pages when cp returns varied from 1.2 to 2.5 s.
            subprocess.run(["sync"], check=False)
            start = time.perf_counter()
            subprocess.run(["cp", str(source), str(work / "cp-copy.mp4")], check=True)
            subprocess.run(["sync"], check=False)
            seconds = time.perf_counter() - start
            (work / "cp-copy.mp4").unlink()
            subprocess.run(["sync"], check=False)
            return seconds

        port = free_port()
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
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        library = f"/portfolios/{pk}/evidence/"
        session.request("GET", library)  # warm up the views and templates
        baseline = proc_status(pid)
        peak = {"rss": baseline["VmRSS"]}
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                try:
                    peak["rss"] = max(peak["rss"], proc_status(pid)["VmRSS"])
                except (FileNotFoundError, KeyError):
                    return
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        def time_upload(run: int) -> tuple[float, object, bytes]:
            with source.open("r+b") as handle:  # a different file each run (no duplicate)
                handle.seek(64)
                handle.write(run.to_bytes(8, "big"))
            subprocess.run(["sync"], check=False)
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
            subprocess.run(["sync"], check=False)  # as for cp: until the bytes are on disk
            return time.perf_counter() - start, response, data

        # Interleaved runs, medians: timings on a shared machine are noisy.
        cp_runs, upload_runs, ok = [], [], True
        for run in range(args.runs):
            cp_runs.append(time_cp())
            seconds, response, data = time_upload(run)
            upload_runs.append(seconds)
            ok = ok and response.status == 200 and bool(json.loads(data).get("ok"))
        cp_seconds = statistics.median(cp_runs)
        upload_seconds = statistics.median(upload_runs)
        stop.set()
        sampler.join()
        after = proc_status(pid)
        # VmHWM is the worker's lifetime peak; it only counts if it rose during the upload.
        hwm = after["VmHWM"] if after["VmHWM"] > baseline["VmHWM"] else 0
        growth = max(peak["rss"], hwm) - baseline["VmRSS"]
        report = {
            "size_bytes": size,
            "upload_ok": bool(ok),
            "upload_seconds": round(upload_seconds, 2),
            "cp_seconds": round(cp_seconds, 2),
            "runs": args.runs,
            "upload_runs_s": [round(s, 2) for s in upload_runs],
            "cp_runs_s": [round(s, 2) for s in cp_runs],
            "time_ratio_vs_cp": round(upload_seconds / cp_seconds, 2) if cp_seconds else None,
            "baseline_rss_mib": round(baseline["VmRSS"] / MIB, 1),
            "sampled_peak_rss_mib": round(peak["rss"] / MIB, 1),
            "vmhwm_before_mib": round(baseline["VmHWM"] / MIB, 1),
            "vmhwm_after_mib": round(after["VmHWM"] / MIB, 1),
            "peak_rss_growth_mib": round(growth / MIB, 1),
            "server": "gunicorn, 1 sync worker",
            # The shape bench/run.py merges: each target has value, limit and met.
            "targets": {
                "rss_growth_mib": {
                    "value": round(growth / MIB, 1),
                    "limit": 64,
                    "met": bool(ok) and growth <= 64 * MIB,
                },
                "time_vs_cp": {
                    "value": round(upload_seconds / cp_seconds, 2) if cp_seconds else None,
                    "limit": 2.0,
                    "met": bool(ok and cp_seconds) and upload_seconds <= 2 * cp_seconds,
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
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
