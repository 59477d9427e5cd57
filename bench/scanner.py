"""A real clamd for the bench: every upload is scanned before it is stored (issue 12), and with
DEBUG off gunicorn refuses to start without EE_CLAMD_URL (portfolios/checks.py).

Reuses the tests' helper (tests/services.py ``clamd_daemon``: a throw-away config, one local
.hdb signature, TCP on a free 127.0.0.1 port), with stream and file limits that cover the
bench's upload: clamd's own defaults would refuse a 1 GiB INSTREAM (StreamMaxLength) or skip
scanning it (MaxFileSize, MaxScanSize).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.guard import PortInUseError, listening_pids  # noqa: E402


@contextlib.contextmanager
def clamd(workdir: Path, *, max_mib: int) -> Iterator[str]:
    """Start clamd scanning streams up to ``max_mib`` MiB; yield its tcp:// URL."""
    from tests.services import clamd_binary, clamd_daemon  # noqa: PLC0415 -- after sys.path

    binary = clamd_binary()
    if binary is None:
        sys.exit("bench: clamd is needed (apt-get install clamav-daemon)")
    workdir.mkdir(parents=True, exist_ok=True)
    with clamd_daemon(binary, workdir, max_mib=max_mib) as url:
        port = urlparse(url).port
        config = str(workdir / "clamd.conf")
        holders = listening_pids(port)
        ours = [pid for pid in holders if config in _cmdline(pid)]
        if not ours or len(ours) != len(holders):
            raise PortInUseError(
                f"bench: refusing to measure: port {port} is held by {holders}, not the clamd "
                f"the bench started with {config}."
            )
        yield url


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def instream_seconds(url: str, path: Path) -> float:
    """Time one INSTREAM of ``path`` to clamd through the portal's own client (what an upload
    pays for its scan), from a file read in the same chunks."""
    from ee_portal.lib.clamav import Clamd  # noqa: PLC0415

    started = time.perf_counter()
    with path.open("rb") as handle:
        result = Clamd(url, timeout=600).scan(handle)
    seconds = time.perf_counter() - started
    if not result.clean:
        raise RuntimeError(f"clamd found {result.signature} in the bench file")
    return seconds


def clamdscan_seconds(url: str, path: Path, workdir: Path, *, max_mib: int) -> float:
    """Time ``clamdscan --stream`` of ``path`` against the same clamd (ClamAV's own client).

    clamdscan reads StreamMaxLength from its own config and sends only that much (100 MB by
    default) without saying so: without it, 1 GiB "scanned" in 4 s (the first full run of
    2026-11-30 reported that figure) against about 40 s for the whole file."""
    port = urlparse(url).port
    config = workdir / "clamdscan.conf"
    config.write_text(f"TCPSocket {port}\nTCPAddr 127.0.0.1\nStreamMaxLength {max_mib}M\n")
    started = time.perf_counter()
    out = subprocess.run(
        ["clamdscan", f"--config-file={config}", "--stream", "--no-summary", str(path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if out.returncode != 0:
        raise RuntimeError(f"clamdscan failed: {out.stdout[-500:]} {out.stderr[-500:]}")
    return seconds
