"""Bounded probe loops that watch the cluster from outside while a fault is active.

Each loop stops on request, after ``max_s`` seconds or after ``max_count`` probes, whichever comes
first, so no drill can probe forever. Acknowledged writers run a small script on a node over SSH
and stream one line per write back: ``A <seq>`` for an acknowledged write, ``F <seq>`` for a failed
one; afterwards the drill checks that every acknowledged write is still there.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from hactl.drill.report import Probe
from hactl.ssh import Session


def _float(fields: list[str]) -> float | None:
    """The first of ``fields`` as a number, or None (an older writer printed no start time)."""
    try:
        return float(fields[0])
    except (IndexError, ValueError):
        return None


def tcp_check(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_check(url: str, timeout: float = 0.5) -> bool:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # health endpoints behind the VIP; only the answer matters
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=ctx) as resp:
            return 200 <= resp.status < 300
    except (OSError, ValueError):
        return False


@dataclass
class ProbeLoop:
    """Call ``check`` every ``interval_s`` in a thread and record each result."""

    check: Callable[[], bool]
    interval_s: float = 0.1
    max_s: float = 300.0
    max_count: int = 10_000
    probes: list[Probe] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> ProbeLoop:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        deadline = time.monotonic() + self.max_s
        while not self._stop.is_set() and len(self.probes) < self.max_count:
            started = time.monotonic()
            if started > deadline:
                break
            ok = self.check()
            self.probes.append(Probe(at=time.time(), ok=ok))
            self._stop.wait(max(0.0, self.interval_s - (time.monotonic() - started)))

    def stop(self) -> list[Probe]:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        return list(self.probes)


@dataclass
class RemoteWriter:
    """Run a writer script on ``host`` over SSH; collect acknowledged and failed writes."""

    session: Session
    script: str
    args: list[str]
    sudo: bool = False
    probes: list[Probe] = field(default_factory=list)
    acked: set[int] = field(default_factory=set)
    failed: set[int] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    _thread: threading.Thread | None = None
    _channel: object = None

    def start(self) -> RemoteWriter:
        import shlex

        command = "python3 - " + " ".join(shlex.quote(a) for a in self.args)
        if self.sudo and self.session.target.user != "root":
            command = "sudo -n " + command
        transport = self.session.client.get_transport()
        assert transport is not None
        chan = transport.open_session()
        chan.exec_command(command)
        chan.sendall(self.script.encode())
        chan.shutdown_write()
        self._channel = chan
        self._thread = threading.Thread(target=self._read, args=(chan,), daemon=True)
        self._thread.start()
        return self

    def _read(self, chan: object) -> None:
        buf = b""
        stream = chan.makefile("rb")  # type: ignore[attr-defined]
        for raw in stream:
            buf = raw.strip()
            parts = buf.decode(errors="replace").split()
            if len(parts) >= 2 and parts[0] in ("A", "F") and parts[1].isdigit():
                seq = int(parts[1])
                ok = parts[0] == "A"
                (self.acked if ok else self.failed).add(seq)
                self.probes.append(Probe(at=time.time(), ok=ok, started=_float(parts[2:3])))
            elif parts:
                self.errors.append(buf.decode(errors="replace"))

    def stop(self, timeout: float = 30) -> None:
        """The script stops on its own (bounded); wait for its last lines."""
        if self._thread is not None:
            self._thread.join(timeout=timeout)
        if self._channel is not None:
            self._channel.close()  # type: ignore[attr-defined]
