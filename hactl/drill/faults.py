"""Faults a drill injects, each with the action that undoes it.

Every fault is registered with a ``FaultGuard`` before it is injected, and the guard restores all of
them, newest first, however the drill ends: success, an exception, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import contextlib
import shlex
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Protocol

from hactl.ssh import Session


class DrillFaultError(Exception):
    """A fault could not be injected or undone."""


class Fault(Protocol):
    description: str

    def inject(self) -> None: ...

    def restore(self) -> None: ...


def _check(what: str, rc: int, out: str) -> None:
    if rc != 0:
        raise DrillFaultError(f"{what} failed (exit {rc}): {out.strip()[-500:]}")


@dataclass
class ServiceFault:
    """Stop a systemd unit on a host over SSH (real hosts and lab alike); restore starts it."""

    session_for: Callable[[str], Session]
    host: str
    unit: str
    description: str = ""

    def __post_init__(self) -> None:
        self.description = self.description or f"stop {self.unit} on {self.host}"

    def inject(self) -> None:
        out = self.session_for(self.host).sudo(f"systemctl stop {shlex.quote(self.unit)}")
        _check(f"{self.host}: systemctl stop {self.unit}", out.rc, out.stderr)

    def restore(self) -> None:
        out = self.session_for(self.host).sudo(f"systemctl start {shlex.quote(self.unit)}")
        _check(f"{self.host}: systemctl start {self.unit}", out.rc, out.stderr)


def docker(*args: str, timeout: float = 60) -> tuple[int, str]:
    proc = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    return proc.returncode, proc.stdout + proc.stderr


@dataclass
class ContainerCrash:
    """Lab only: kill a node container outright (power loss); restore boots it again."""

    container: str
    description: str = ""

    def __post_init__(self) -> None:
        self.description = self.description or f"kill container {self.container}"

    def inject(self) -> None:
        _check(f"docker kill {self.container}", *docker("kill", self.container))

    def restore(self) -> None:
        rc, out = docker("start", self.container)
        if rc != 0 and "already" not in out:
            _check(f"docker start {self.container}", rc, out)


@dataclass
class NetworkPartition:
    """Lab only: cut a node container off its network; restore reconnects it at its address."""

    container: str
    network: str
    address: str
    description: str = ""

    def __post_init__(self) -> None:
        self.description = self.description or f"disconnect {self.container} from {self.network}"

    def inject(self) -> None:
        _check(
            f"docker network disconnect {self.network} {self.container}",
            *docker("network", "disconnect", "--force", self.network, self.container),
        )

    def restore(self) -> None:
        rc, out = docker("network", "connect", "--ip", self.address, self.network, self.container)
        if rc != 0 and "already exists" not in out:
            _check(f"docker network connect {self.network} {self.container}", rc, out)


@dataclass
class IptablesPartition:
    """Real hosts (opt-in): drop the node's traffic to and from the cluster network."""

    session_for: Callable[[str], Session]
    host: str
    cidr: str
    description: str = ""
    comment: str = "hactl-drill-partition"

    def __post_init__(self) -> None:
        self.description = self.description or f"iptables partition of {self.host} from {self.cidr}"

    def _rules(self, op: str) -> str:
        c, cidr = shlex.quote(self.comment), shlex.quote(self.cidr)
        # The SSH session that undoes the partition must survive it: keep established flows.
        return " && ".join(
            f"iptables {op} {chain} {flag} {cidr} -m conntrack ! --ctstate ESTABLISHED "
            f"-m comment --comment {c} -j DROP"
            for chain, flag in (("INPUT", "-s"), ("OUTPUT", "-d"))
        )

    def inject(self) -> None:
        out = self.session_for(self.host).sudo(self._rules("-I"))
        _check(f"{self.host}: iptables partition", out.rc, out.stderr)

    def restore(self) -> None:
        out = self.session_for(self.host).sudo(self._rules("-D"))
        _check(f"{self.host}: remove iptables partition", out.rc, out.stderr)


@dataclass
class FaultGuard:
    """Undo every injected fault on exit, newest first, also on Ctrl-C and SIGTERM."""

    injected: list[Fault] = field(default_factory=list)
    restore_errors: list[str] = field(default_factory=list)
    _old_term: object = None

    def inject(self, fault: Fault) -> float:
        """Inject ``fault``; returns the time it was injected."""
        self.injected.append(fault)  # registered first: a half-done injection is undone too
        at = time.time()
        fault.inject()
        return at

    def restore_all(self) -> None:
        """Undo the faults newest first. A fault leaves the list only once its undo has been
        tried in full, so an interrupt during an undo leaves it for the next call (the guard's
        exit) instead of dropping it."""
        while self.injected:
            fault = self.injected[-1]
            for attempt in range(3):
                try:
                    fault.restore()
                    break
                except Exception as exc:
                    if attempt == 2:
                        self.restore_errors.append(f"{fault.description}: {exc}")
                    time.sleep(1)
            self.injected.pop()

    def __enter__(self) -> FaultGuard:
        def on_term(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        try:
            self._old_term = signal.signal(signal.SIGTERM, on_term)
        except ValueError:  # not the main thread: Ctrl-C still reaches the main thread's guard
            self._old_term = None
        return self

    def __exit__(self, *exc: object) -> None:
        # A second Ctrl-C (or a SIGTERM) while the faults are being undone must not leave one of
        # them behind: both wait until the undo is done.
        old = {}
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError):  # not the main thread
                old[sig] = signal.signal(sig, signal.SIG_IGN)
        try:
            self.restore_all()
        finally:
            for sig, handler in old.items():
                if sig == signal.SIGTERM and self._old_term is not None:
                    handler = self._old_term
                signal.signal(sig, handler)  # type: ignore[arg-type]
