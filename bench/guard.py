"""The bench measures only servers it started itself.

On the 2026-11-30 rerun another server was listening on the bench's port: it answered
`/health/` and the bench measured it. Two guards, stdlib only (importable before Django):

- ``ensure_port_free``: before starting anything, bind each port the bench will listen on;
  if the bind fails, stop with a clear message (``PortInUseError``, a ``SystemExit``, so a
  script exits non-zero with the message).
- ``ensure_listener_is(pids, port)``: once the server answers, find the process that owns the
  socket listening on the port (``/proc/net/tcp`` gives the socket's inode, ``/proc/<pid>/fd``
  which process holds it) and stop unless it is one the bench started.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

TCP_LISTEN = "0A"


class PortInUseError(SystemExit):
    """Raised (an exit with a message, status 1) when a port the bench needs is taken."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def ensure_port_free(port: int, host: str = "127.0.0.1", *, what: str = "the bench") -> None:
    """Bind ``host:port`` (TCP) and let it go again; PortInUseError if something holds it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR as gunicorn sets it: a socket in TIME_WAIT from an earlier run is not a
        # server, but a listening socket still makes the bind fail.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise
            owner = listening_pids(port)
            who = f" (process {', '.join(map(str, owner))})" if owner else ""
            raise PortInUseError(
                f"bench: refusing to start: {host}:{port} is already in use{who}. {what} would "
                f"measure whatever answers there. Stop that server or choose another port."
            ) from None


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == TCP_LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def listening_pids(port: int) -> list[int]:
    """The processes holding a socket that listens on ``port`` (those this user can see)."""
    targets = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    if not targets:
        return []
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in targets:
                    found.append(int(entry.name))
                    break
        except OSError:
            continue
    return sorted(found)


def ensure_listener_is(pids: set[int] | list[int], port: int) -> None:
    """PortInUseError unless a socket listening on ``port`` is held by one of ``pids`` and no
    other process listens there too."""
    holders = set(listening_pids(port))
    ours = set(pids)
    if not holders & ours or holders - ours:
        raise PortInUseError(
            f"bench: refusing to measure: the server listening on port {port} is process(es) "
            f"{sorted(holders) or 'unknown'}, not the one the bench started ({sorted(ours)})."
        )


def process_tree(pid: int) -> set[int]:
    """``pid`` and its descendants (gunicorn's master and its workers)."""
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            for child in children:
                if child not in tree:
                    tree.add(child)
                    frontier.append(child)
    return tree
