"""Real services for tests: PostgreSQL, Redis, a Celery worker subprocess and ClamAV's clamd."""

import contextlib
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.db import connection

from ee_portal.lib.clamav import Clamd, ScannerError

ROOT = Path(__file__).resolve().parents[1]


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "")


def redis_available() -> bool:
    url = redis_url()
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 1):
            return True
    except OSError:
        return False


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def test_database_url() -> str:
    """A DATABASE_URL for the test database pytest-django created (for subprocesses)."""
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="ee_portal.settings.base",
        DJANGO_DEBUG="1",
        DATABASE_URL=test_database_url(),
        REDIS_URL=redis_url(),
        EMAIL_URL="consolemail://",
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def celery_worker(
    *, media_root: Path, extra_env: dict[str, str] | None = None, queue: str | None = None
) -> Iterator[str]:
    """Start `celery -A ee_portal worker` on a private queue (or ``queue``); yield its name."""
    queue = queue or f"test-{uuid.uuid4().hex[:12]}"
    env = subprocess_env(EE_MEDIA_ROOT=str(media_root), **(extra_env or {}))
    log = media_root.parent / f"worker-{uuid.uuid4().hex[:8]}.log"
    media_root.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 -- fixed argv
            [sys.executable, "-m", "celery", "-A", "ee_portal", "worker", "-Q", queue,
             "--pool", "solo", "--concurrency", "1", "--without-heartbeat", "--without-gossip",
             "--without-mingle", "--loglevel", "INFO", "-n", f"{log.stem}@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while b"ready." not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"Celery worker did not start:\n{log.read_text(errors='replace')}"
                )
            time.sleep(0.2)
        yield queue
    finally:
        stop_process(proc)


def stop_process(proc: subprocess.Popen, *, timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()


# The EICAR anti-virus test file: harmless, but every scanner reports it.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def clamd_binary() -> str | None:
    """Debian's clamd (package clamav-daemon), or None."""
    return shutil.which("clamd") or next(
        (p for p in ("/usr/sbin/clamd", "/usr/local/sbin/clamd") if os.access(p, os.X_OK)), None
    )


def _clamd_pong(url: str) -> bool:
    try:
        Clamd(url, timeout=1).ping()
    except ScannerError:
        return False
    return True


@contextlib.contextmanager
def clamd_daemon(binary: str, workdir: Path, *, max_mib: int = 256) -> Iterator[str]:
    """Run clamd on a free 127.0.0.1 port with one local signature (EICAR, by MD5), so nothing
    is downloaded; yield its tcp:// URL once it answers PING. ``max_mib``: the largest stream
    and file clamd scans whole (bench/upload.py sends 1 GiB; clamd's default is far lower)."""
    database = workdir / "db"
    database.mkdir(parents=True, exist_ok=True)
    md5 = hashlib.md5(EICAR).hexdigest()  # noqa: S324 -- ClamAV's .hdb format is MD5
    (database / "test.hdb").write_text(f"{md5}:{len(EICAR)}:Eicar-Test-Signature\n")
    port = free_port()
    config = workdir / "clamd.conf"
    config.write_text(
        f"TCPSocket {port}\nTCPAddr 127.0.0.1\nForeground yes\n"
        f"DatabaseDirectory {database}\nLogFile {workdir / 'clamd.log'}\n"
        f"StreamMaxLength {max_mib}M\nMaxFileSize {max_mib}M\nMaxScanSize {2 * max_mib}M\n"
    )
    log = workdir / "clamd.out"
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 -- fixed argv
            [binary, f"--config-file={config}"], stdout=out, stderr=subprocess.STDOUT
        )
    url = f"tcp://127.0.0.1:{port}"
    try:
        wait_for(lambda: proc.poll() is not None or _clamd_pong(url), timeout=60)
        if proc.poll() is not None or not _clamd_pong(url):
            raise RuntimeError(f"clamd did not start:\n{log.read_text(errors='replace')}")
        yield url
    finally:
        stop_process(proc)
