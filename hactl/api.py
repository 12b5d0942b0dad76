"""hactl's library API: typed results, never prints or exits. The CLI is a thin layer over it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hactl import inventory as inv
from hactl import preflight as pre
from hactl import status as st
from hactl.errors import (
    STATUS_EXIT_CODES,
    DrillFailed,
    DrillRefused,
    HostsUnreachable,
    Interrupted,
    InvalidConfig,
    PlaybookFailed,
)
from hactl.events import Diff, Event, Failure, Progress, Stats
from hactl.lab import aptcache, cluster, engine, images
from hactl.runner import PlaybookRun, RunnerAdapter, ansible_runner_adapter, new_ident

REPO = Path(__file__).resolve().parents[1]
RUNS_DIR = REPO / ".cache" / "runs"
SITE = "playbooks/site.yml"
# The adapter provision() uses unless given one; tests swap in a fake with recorded events.
DEFAULT_RUNNER: RunnerAdapter = ansible_runner_adapter
# Said plainly by `lab up` while there is no Kubernetes role to run.
KUBERNETES_SKIPPED = (
    "Kubernetes skipped: the lab sets hactl_kubernetes_enabled: false (kubeadm, kubelet and their "
    "images come from pkgs.k8s.io / registry.k8s.io, which this machine may not reach)"
)


# Preflight checks that stop `lab up`; the others (ports, disk, clock) are reported, not fatal,
# since a re-run finds the lab's own services on their ports.
LAB_BLOCKING_CHECKS = ("reachable", "host_key", "auth", "sudo", "python3")


def lab_blocking_failures(report: pre.PreflightReport) -> list[str]:
    """Preflight failures that stop `lab up`: SSH-level ones. A re-run finds the lab's own services
    on the ports preflight wants free (haproxy on the API port), which must not stop it."""
    return [
        f"{h.host}: {c.name}: {c.detail}"
        for h in report.hosts
        for c in h.checks
        if not c.ok and c.name in LAB_BLOCKING_CHECKS
    ]


def _lab_notes(health: StatusResult | None) -> list[str]:
    components = health.components if health is not None else []
    notes = [f"{c.name}: {c.summary}" for c in components if c.state == st.SKIPPED]
    notes.append(KUBERNETES_SKIPPED)
    return notes


# --- lab preparation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LabPrepared:
    docker_version: str
    docker_started: bool
    apt_cache: str
    images: dict[str, str] = field(default_factory=dict)
    built: list[str] = field(default_factory=list)


def lab_prepare(releases: tuple[str, ...] = images.RELEASES) -> LabPrepared:
    """Make this machine ready for the lab and the test suite: engine, apt cache, node images."""
    eng = engine.ensure_engine()
    cache = aptcache.ensure_apt_cache()
    tags: dict[str, str] = {}
    built: list[str] = []
    for release in releases:
        result = images.ensure_image(release)
        tags[release] = result.tag
        if result.built:
            built.append(result.tag)
    return LabPrepared(eng.server_version, eng.started, cache, tags, built)


def lab_image(release: str) -> images.ImageResult:
    """The node image for one release, built when missing (the engine must be running)."""
    engine.ensure_engine()
    return images.ensure_image(release)


# --- validate ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationResult:
    inventory: Path
    hosts: list[str]
    groups: dict[str, list[str]]


def validate(inventory: str | Path) -> ValidationResult:
    """Load and check the cluster model; raise InvalidConfig listing every problem."""
    loaded = inv.load_valid(inventory)
    groups = {g: loaded.group(g) for g in inv.cluster_model.GROUPS if loaded.group(g)}
    return ValidationResult(loaded.path, loaded.hosts, groups)


# --- preflight ---------------------------------------------------------------------------------


def preflight(
    inventory: str | Path, min_free_gib: float = pre.DEFAULT_MIN_FREE_GIB
) -> pre.PreflightReport:
    """SSH, sudo, python3, clock, disk and port checks on every host, in parallel."""
    return pre.run(inv.load_valid(inventory), min_free_gib=min_free_gib)


# --- provision ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProvisionResult:
    status: str  # successful | failed | canceled | timeout
    rc: int
    stats: Stats
    failures: list[Failure]
    artifacts: Path | None
    check: bool = False
    diffs: list[Diff] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.stats.total_changed

    @property
    def exit_code(self) -> int:
        if self.status == "successful":
            return 0
        if self.status == "canceled":
            return Interrupted.exit_code
        if self.stats.unreachable and not self.stats.failures:
            return HostsUnreachable.exit_code
        return PlaybookFailed.exit_code


def provision(
    inventory: str | Path,
    *,
    limit: str | None = None,
    tags: str | None = None,
    check: bool = False,
    diff: bool = False,
    playbook: str = SITE,
    extravars: dict[str, Any] | None = None,
    on_event: Callable[[Event], None] | None = None,
    cancelled: threading.Event | None = None,
    runner: RunnerAdapter | None = None,
    runs_dir: Path = RUNS_DIR,
) -> ProvisionResult:
    """Validate, then run a playbook through the runner adapter; stats come from the runner."""
    loaded = inv.load_valid(inventory)
    name = str(loaded.model.cluster_var("hactl_cluster_name") or loaded.path.parent.name)
    progress = Progress()

    def feed(event: Event) -> None:
        progress.feed(event)
        if on_event is not None:
            on_event(event)

    run = PlaybookRun(
        playbook=playbook,
        inventory=loaded.path.resolve(),
        run_dir=runs_dir / name,
        ident=new_ident(Path(playbook).stem),
        limit=limit,
        tags=tags,
        check=check,
        diff=diff,
        extravars=dict(extravars or {}),
    )
    result = (runner or DEFAULT_RUNNER)(run, feed, cancelled or threading.Event())
    return ProvisionResult(
        result.status,
        result.rc,
        result.stats,
        progress.failures,
        result.artifacts,
        check,
        progress.diffs if diff else [],
    )


# --- status ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusResult:
    state: str
    components: list[st.ComponentStatus]
    unreachable: dict[str, str]

    @property
    def exit_code(self) -> int:
        return STATUS_EXIT_CODES[self.state]


def status(
    inventory: str | Path, probe_factory: Callable[[Any], st.Probe] = st.Probe
) -> StatusResult:
    """Each component's health; raise HostsUnreachable when no host answers at all."""
    loaded = inv.load_valid(inventory)
    cluster_status, errors = st.collect(loaded, probe_factory=probe_factory)
    if errors and len(errors) == len(loaded.hosts):
        raise HostsUnreachable(
            "no host answers over SSH", problems=[f"{h}: {e}" for h, e in sorted(errors.items())]
        )
    return StatusResult(cluster_status.state, cluster_status.components, errors)


# --- drills ------------------------------------------------------------------------------------


def drill(
    inventory: str | Path,
    scenarios: Sequence[str],
    trials: int = 1,
    mttf_hours: float = 720.0,
    confirm_production: bool = False,
    allow_disruptive: bool = False,
    on_trial: Callable[[Any], None] = lambda trial: None,
) -> Any:
    """Run failover drills and return their DrillReport (hactl.drill.engine)."""
    from hactl.drill import engine as drill_engine
    from hactl.drill import run as drill_run

    loaded = inv.load_valid(inventory)
    first = loaded.hosts[0] if loaded.hosts else None
    hostvars = loaded.hostvars(first) if first else {}
    try:
        drill_run.check_environment(
            str(hostvars.get("hactl_environment", "production")), confirm_production
        )
        if trials < 1:
            raise drill_engine.DrillRefused(f"--trials must be at least 1 (got {trials})")

        def current() -> st.ClusterStatus:
            return st.collect(loaded)[0]

        ctx = drill_engine.Context(loaded, current, hostvars.get("hactl_lab_network"))
        try:
            result = drill_run.run_drills(
                ctx, scenarios, trials, mttf_hours * 3600, allow_disruptive, on_trial=on_trial
            )
        finally:
            ctx.close()
    except drill_engine.DrillRefused as exc:
        raise DrillRefused(str(exc)) from exc
    except drill_engine.DrillAborted as exc:
        raise DrillFailed(str(exc)) from exc
    except KeyboardInterrupt as exc:
        raise Interrupted("drill interrupted; every injected fault was undone") from exc
    return result


# --- the lab -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabUpResult:
    name: str
    inventory: Path
    nodes: dict[str, str]
    created: list[str]
    preflight: pre.PreflightReport
    provision: ProvisionResult
    status: StatusResult | None
    skipped: list[str]


def lab_up(
    nodes: int = 3,
    name: str = cluster.DEFAULT_NAME,
    subnet: str = cluster.DEFAULT_SUBNET,
    release: str = "bookworm",
    on_step: Callable[[str], None] | None = None,
    on_event: Callable[[Event], None] | None = None,
    cancelled: threading.Event | None = None,
    runner: RunnerAdapter | None = None,
) -> LabUpResult:
    """Node containers with sshd, a key, known_hosts and an inventory; then provision, status."""

    def step(text: str) -> None:
        if on_step is not None:
            on_step(text)

    lab = cluster.describe(name, nodes, subnet)
    step("docker engine, apt cache and node image")
    engine.ensure_engine()
    aptcache.ensure_apt_cache()
    image = images.ensure_image(release).tag
    platform = cluster.platform_defaults()
    cluster.ensure_network(lab)
    created = []
    for node in lab.nodes:
        if cluster.ensure_node(lab, node, image, platform):
            created.append(node.name)
    removed = cluster.remove_extra_nodes(lab)
    step(
        f"nodes {', '.join(n.name for n in lab.nodes)} ({len(created)} created now"
        + (f", removed {', '.join(removed)})" if removed else ")")
    )
    public_key = cluster.ensure_key(lab)
    keys = {}
    for node in lab.nodes:
        cluster.wait_booted(node, int(platform["boot_timeout"]))
        cluster.authorize(node, public_key)
        keys[node.name] = cluster.host_keys(node)
    cluster.write_known_hosts(lab, keys)
    path = cluster.write_inventory(lab)
    step(f"inventory {path}")
    report = preflight(path)
    failed = lab_blocking_failures(report)
    if failed:
        raise HostsUnreachable("lab preflight failed", problems=failed)
    step("preflight passed; provisioning playbooks/site.yml over SSH")
    result = provision(path, on_event=on_event, cancelled=cancelled, runner=runner)
    if result.exit_code != 0:
        return LabUpResult(
            lab.name, path, {n.name: n.address for n in lab.nodes}, created, report, result,
            None, _lab_notes(None),
        )  # fmt: skip
    step("status")
    health = _settled_status(path)
    return LabUpResult(
        lab.name, path, {n.name: n.address for n in lab.nodes}, created, report, result, health,
        _lab_notes(health),
    )  # fmt: skip


# Services that were just (re)started settle: Prometheus's first scrape, the Alertmanager gossip.
LAB_SETTLE_S = 120.0


def _settled_status(
    path: Path, settle_s: float = LAB_SETTLE_S, poll_s: float = 5.0
) -> StatusResult:
    """The lab's status once it is healthy, or as it stands after ``settle_s`` seconds."""
    deadline = time.monotonic() + settle_s
    health = status(path)
    while health.state != st.HEALTHY and time.monotonic() < deadline:
        time.sleep(poll_s)
        health = status(path)
    return health


@dataclass(frozen=True)
class LabDownResult:
    name: str
    containers: list[str]
    networks: list[str]


def lab_down(name: str = cluster.DEFAULT_NAME) -> LabDownResult:
    engine.ensure_engine()
    containers, networks = cluster.remove(name)
    return LabDownResult(name, containers, networks)


def lab_inventory(name: str = cluster.DEFAULT_NAME) -> Path:
    path = cluster.describe(name, 1).inventory
    if not path.exists():
        raise InvalidConfig(f"lab {name} has no inventory yet: run `hactl lab up --name {name}`")
    return path
