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


def test_bench_run_exits_non_zero_when_its_port_is_taken(listening_socket):
    """bench/run.py refuses before seeding anything when its port is held by another server
    (EE_BENCH_PORT moves it off 8765 for this test, so it never meets a real bench)."""
    _, port = listening_socket
    out = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--skip-files"],
        cwd=ROOT, env={**os.environ, "EE_BENCH_PORT": str(port)},
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert out.returncode == 1
    assert f"127.0.0.1:{port} is already in use" in out.stderr
    assert "seeding" not in out.stdout + out.stderr
