"""The bench refuses to start when a port it will listen on is taken (issue 12): on one rerun
another server answered there and the bench measured it."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bench import guard

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def listening_socket():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock, sock.getsockname()[1]


def test_a_taken_port_stops_the_bench_with_a_clear_message(listening_socket):
    _, port = listening_socket
    with pytest.raises(SystemExit) as info:
        guard.ensure_port_free(port)
    message = str(info.value)
    assert f"127.0.0.1:{port} is already in use" in message
    assert "refusing to start" in message
    assert f"process {os.getpid()}" in message  # who holds it, when this user can see


def test_a_free_port_passes():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    guard.ensure_port_free(port)  # nothing listens any more: no exception


def test_the_listener_must_be_the_process_the_bench_started(listening_socket):
    _, port = listening_socket
    guard.ensure_listener_is({os.getpid()}, port)  # ours: accepted
    with pytest.raises(SystemExit, match="not the one the bench started"):
        guard.ensure_listener_is({os.getpid() + 1_000_000}, port)


def test_bench_run_exits_non_zero_when_its_port_is_taken():
    """bench/run.py refuses before seeding anything (its port, 8765, held by another server)."""
    sys.path.insert(0, str(ROOT))
    from bench import run  # noqa: PLC0415

    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", run.PORT))
        except OSError:
            pytest.skip(f"port {run.PORT} is in use on this machine already")
        sock.listen()
        code = (
            "import sys; from bench import guard, run;"
            "guard.ensure_port_free(run.PORT, what='make bench')"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False,
            timeout=60,
        )  # fmt: skip
    assert out.returncode == 1
    assert f"127.0.0.1:{run.PORT} is already in use" in out.stderr
