"""A small client for ClamAV's daemon (clamd): PING and INSTREAM, over TCP or a unix socket.

It knows nothing of Django or of the apps: give it a URL (``tcp://host:port`` or
``unix:///path/to/clamd.ctl``) and a file object. Protocol (clamd(8)): ``zINSTREAM\\0``, then
chunks each prefixed with their length as 4 bytes big-endian, then a zero length; clamd answers
``stream: OK`` or ``stream: <signature> FOUND`` (NUL-terminated, for a z-command).

We speak it ourselves rather than depend on a PyPI client: the maintained one
(clamav-client) carries a copy of the 2014 python-clamd code for the same ~50 lines, and
this is the security path, where fewer moving parts is the point.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlparse

CHUNK_SIZE = 64 * 1024
MAX_REPLY = 4096


class ScannerError(Exception):
    """clamd could not be reached, timed out, or answered with an error (not a verdict)."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""  # what clamd found, for logs and the audit log only


def parse_url(url: str) -> tuple[int, str | tuple[str, int]]:
    """(socket family, address) for ``tcp://host:port`` or ``unix:///path``. ValueError else."""
    parsed = urlparse(url)
    if parsed.scheme == "tcp" and parsed.hostname and parsed.port:
        return socket.AF_INET, (parsed.hostname, parsed.port)
    if parsed.scheme == "unix" and parsed.path and not parsed.netloc:
        return socket.AF_UNIX, parsed.path
    raise ValueError(f"not a clamd URL (tcp://host:port or unix:///path): {url!r}")


class Clamd:
    def __init__(self, url: str, *, timeout: float = 60.0) -> None:
        self.family, self.address = parse_url(url)
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        sock = socket.socket(self.family, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.address)
        except OSError as exc:
            sock.close()
            raise ScannerError(f"cannot connect to clamd: {exc}") from exc
        return sock

    @staticmethod
    def _reply(sock: socket.socket) -> str:
        data = b""
        while not data.endswith(b"\0") and len(data) < MAX_REPLY:
            part = sock.recv(MAX_REPLY)
            if not part:
                break
            data += part
        return data.rstrip(b"\0\n").decode("utf-8", "replace")

    def ping(self) -> None:
        """Raises ScannerError unless clamd answers PONG."""
        try:
            with self._connect() as sock:
                sock.sendall(b"zPING\0")
                reply = self._reply(sock)
        except OSError as exc:
            raise ScannerError(f"clamd did not answer PING: {exc}") from exc
        if reply != "PONG":
            raise ScannerError(f"clamd answered PING with {reply[:200]!r}")

    def scan(self, fileobj: IO[bytes]) -> ScanResult:
        """Stream the file (from its start, in chunks) to clamd; raises ScannerError."""
        fileobj.seek(0)
        try:
            with self._connect() as sock:
                try:
                    sock.sendall(b"zINSTREAM\0")
                    while chunk := fileobj.read(CHUNK_SIZE):
                        sock.sendall(struct.pack(">I", len(chunk)) + chunk)
                    sock.sendall(struct.pack(">I", 0))
                except OSError:
                    # clamd may answer and close early (e.g. over StreamMaxLength): read why.
                    pass
                reply = self._reply(sock)
        except OSError as exc:
            raise ScannerError(f"clamd scan failed: {exc}") from exc
        finally:
            fileobj.seek(0)
        if reply == "stream: OK":
            return ScanResult(clean=True)
        if reply.startswith("stream: ") and reply.endswith(" FOUND"):
            return ScanResult(clean=False, signature=reply[len("stream: ") : -len(" FOUND")])
        raise ScannerError(f"clamd answered {reply[:200]!r}" if reply else "clamd closed early")
