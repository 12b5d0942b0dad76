"""Preflight: can hactl provision these hosts? Checked over SSH, every host in parallel."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from hactl.inventory import Inventory
from hactl.ssh import Session, SshFailure, Target, target

MAX_CLOCK_SKEW_S = 1.0
DEFAULT_MIN_FREE_GIB = 2.0
# Ports each kind of node must have free before provisioning, and who may already hold them
# (a re-run on a provisioned cluster finds hactl's own services there).
PORTS_BY_GROUP: dict[str, dict[int, tuple[str, ...]]] = {
    "control_plane": {6443: ("kube-apiserver", "haproxy"), 10250: ("kubelet",)},
    "workers": {10250: ("kubelet",)},
    "gpu_workers": {10250: ("kubelet",)},
    "etcd": {2379: ("etcd",), 2380: ("etcd",)},
}
CHECKS = ("reachable", "host_key", "auth", "sudo", "python3", "clock", "disk", "ports")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class HostReport:
    host: str
    address: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def reachable(self) -> bool:
        return not any(
            c.name in ("reachable", "host_key", "auth") and not c.ok for c in self.checks
        )


@dataclass(frozen=True)
class PreflightReport:
    hosts: list[HostReport]

    @property
    def ok(self) -> bool:
        return all(h.ok for h in self.hosts)


def required_ports(inventory: Inventory, host: str) -> dict[int, tuple[str, ...]]:
    ports: dict[int, tuple[str, ...]] = {}
    for group, wanted in PORTS_BY_GROUP.items():
        if host in inventory.group(group):
            ports.update(wanted)
    hv = inventory.hostvars(host)
    lb_group = "lb" if inventory.group("lb") else "control_plane"
    api_port = hv.get("hactl_api_port")
    if isinstance(api_port, int) and host in inventory.group(lb_group):
        ports[api_port] = ("haproxy", "kube-apiserver")
    for extra in hv.get("hactl_preflight_ports") or []:
        ports.setdefault(int(extra), ())
    return ports


def _listeners(session: Session) -> dict[int, str]:
    """Listening TCP ports and their process names (ss needs root to name the process)."""
    out = session.sudo("ss -Htlnp").stdout
    found: dict[int, str] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 4:
            continue
        port = parts[3].rsplit(":", 1)[-1]
        if port.isdigit():
            proc = ""
            if "users:((" in line:
                proc = line.split('users:(("', 1)[1].split('"', 1)[0]
            found[int(port)] = proc
    return found


def check_host(
    name: str, tgt: Target, ports: dict[int, tuple[str, ...]], min_free_gib: float
) -> HostReport:
    report = HostReport(name, tgt.describe())
    add = report.checks.append
    try:
        session = Session(tgt)
    except SshFailure as exc:
        stages = ("reachable", "host_key", "auth")
        for stage in stages[: stages.index(exc.stage)]:
            add(Check(stage, True, "ok"))
        add(Check(exc.stage, False, str(exc)))
        return report
    with session:
        try:
            _checks_over(session, tgt, ports, min_free_gib, add)
        except Exception as exc:  # a dropped connection mid-way is a failed check, not a crash
            add(Check("connection", False, f"lost during the checks: {exc}"))
    return report


def _checks_over(
    session: Session,
    tgt: Target,
    ports: dict[int, tuple[str, ...]],
    min_free_gib: float,
    add: Callable[[Check], None],
) -> None:
    add(Check("reachable", True, f"{tgt.host}:{tgt.port}"))
    add(Check("host_key", True, f"matches {tgt.known_hosts}"))
    add(Check("auth", True, f"as {tgt.user}"))
    sudo = session.sudo("id -u")
    add(
        Check(
            "sudo",
            sudo.rc == 0 and sudo.stdout.strip() == "0",
            "root" if sudo.rc == 0 else f"sudo -n failed: {sudo.stderr.strip()[:200]}",
        )
    )
    py = session.run("python3 --version")
    add(Check("python3", py.rc == 0, (py.stdout or py.stderr).strip() or "python3 not found"))
    before = time.time()
    remote = session.run("date +%s.%N")
    after = time.time()
    try:
        skew = float(remote.stdout.strip()) - (before + after) / 2
        add(Check("clock", abs(skew) < MAX_CLOCK_SKEW_S, f"skew {skew:+.3f} s"))
    except ValueError:
        add(Check("clock", False, f"cannot read the clock: {remote.stderr.strip()[:200]}"))
    df = session.run("df -Pk /")
    try:
        free_gib = int(df.stdout.splitlines()[1].split()[3]) / 1024 / 1024
        add(
            Check(
                "disk",
                free_gib >= min_free_gib,
                f"{free_gib:.1f} GiB free on / (need {min_free_gib:g})",
            )
        )
    except (IndexError, ValueError):
        add(Check("disk", False, f"cannot read free disk: {df.stderr.strip()[:200]}"))
    listening = _listeners(session) if ports else {}
    busy = [
        f"{port} (held by {listening[port] or 'unknown'})"
        for port in sorted(ports)
        if port in listening and listening[port] not in ports[port]
    ]
    wanted = ", ".join(str(p) for p in sorted(ports)) or "none"
    add(Check("ports", not busy, f"in use: {', '.join(busy)}" if busy else f"free: {wanted}"))


def run(
    inventory: Inventory,
    min_free_gib: float = DEFAULT_MIN_FREE_GIB,
    hosts: Iterable[str] | None = None,
    check: Callable[..., HostReport] = check_host,
) -> PreflightReport:
    names = list(hosts) if hosts is not None else inventory.hosts
    with ThreadPoolExecutor(max_workers=min(32, max(1, len(names)))) as pool:
        futures = [
            pool.submit(
                check,
                name,
                target(name, inventory.hostvars(name)),
                required_ports(inventory, name),
                min_free_gib,
            )
            for name in names
        ]
        return PreflightReport([f.result() for f in futures])
