"""Run drills: gate on health, probe, inject, observe, restore, verify, report.

A scenario is a small object that, given the cluster as it is now, builds a ``Plan``: which fault to
inject where, which probes to run, how to tell that the fault really took effect, and (for
acknowledged writers) how to read back what survived. The engine owns the timeline and the safety
rules; the arithmetic lives in ``report``.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from hactl.drill import report
from hactl.drill.faults import FaultGuard
from hactl.drill.probes import ProbeLoop, RemoteWriter
from hactl.inventory import Inventory
from hactl.ssh import Session, SshFailure, target
from hactl.status import HEALTHY, ClusterStatus


class DrillRefused(Exception):
    """The drill must not run (not a lab, cluster not healthy, scenario cannot apply)."""


class DrillAborted(Exception):
    """A drill step failed midway (a fault could not be undone); the cluster needs a look."""


@dataclass
class Plan:
    target: str
    faults: list[Any]
    probes: list[ProbeLoop] = field(default_factory=list)
    writers: list[RemoteWriter] = field(default_factory=list)
    interval_s: float = 0.1
    # True once the fault is visibly in effect (VIP moved, leader changed, writes refused...).
    injected: Callable[[], bool] = lambda: True
    # Acknowledged write ids read back after restore, per writer; None when not applicable.
    read_back: Callable[[], set[int] | None] = lambda: None
    stop_writers: Callable[[], None] = lambda: None
    expect_outage: bool = False  # quorum loss: the probes SHOULD fail while the fault lasts
    # With expect_outage: writes the node began later than this after the last fault was injected
    # and that were acknowledged count against the drill (one begun just before may still commit
    # as the fault lands; the grace also covers the clocks of controller and node).
    ack_grace_s: float = 0.5
    observe_s: float = 20.0
    min_observe_s: float = 3.0
    notes: list[str] = field(default_factory=list)


@dataclass
class Trial:
    scenario: str
    trial: int
    target: str
    fault: str
    fault_injected_at: float
    detected_at: float | None
    recovered_at: float | None
    downtime_s: float
    probes_total: int
    probes_failed: int
    writes_acked: int | None
    writes_lost: int | None
    writes_acked_during_fault: int | None
    redundancy_restored_s: float | None
    fault_took_effect: bool
    passed: bool
    notes: list[str] = field(default_factory=list)


@dataclass
class ScenarioResult:
    name: str
    trials: list[Trial]
    downtime: report.Summary
    redundancy_restored: report.Summary
    mttr_s: float | None
    availability: float | None
    redundancy: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.trials) and all(t.passed for t in self.trials)


@dataclass
class DrillReport:
    cluster: str
    environment: str
    mttf_s: float
    scenarios: list[ScenarioResult]
    skipped: dict[str, str]
    # Why the drill ended before its last trial (the cluster did not come back), else None.
    stopped: str | None = None

    @property
    def passed(self) -> bool:
        return self.stopped is None and all(s.passed for s in self.scenarios)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["passed"] = self.passed
        for sc, res in zip(out["scenarios"], self.scenarios, strict=True):
            sc["passed"] = res.passed
        return out


class Context:
    """What scenarios see: the inventory, SSH sessions, cluster status, lab details."""

    def __init__(
        self,
        inventory: Inventory,
        status: Callable[[], ClusterStatus],
        lab_network: str | None = None,
    ) -> None:
        self.inventory = inventory
        self.status = status
        self.lab_network = lab_network
        self.run_id = uuid.uuid4().hex[:8]
        self._sessions: dict[str, Session] = {}

    @property
    def is_lab(self) -> bool:
        return self.lab_network is not None

    def var(self, name: str, default: Any = None, host: str | None = None) -> Any:
        host = host or self.inventory.hosts[0]
        return self.inventory.hostvars(host).get(name, default)

    def session(self, host: str) -> Session:
        sess = self._sessions.get(host)
        transport = sess.client.get_transport() if sess else None
        if sess is None or transport is None or not transport.is_active():
            sess = Session(target(host, self.inventory.hostvars(host)))
            self._sessions[host] = sess
        return sess

    def fresh_session(self, host: str) -> Session:
        """A dedicated connection (writers hold theirs for the whole trial)."""
        return Session(target(host, self.inventory.hostvars(host)))

    def close(self) -> None:
        for sess in self._sessions.values():
            sess.close()
        self._sessions.clear()

    def wait_healthy(self, timeout_s: float, poll_s: float = 2.0) -> float | None:
        """Seconds until every component is healthy, or None if it was not within timeout_s."""
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            try:
                if self.status().state == HEALTHY:
                    return time.monotonic() - started
            except (SshFailure, OSError):
                pass  # a node still booting; try again
            time.sleep(poll_s)
        return None


@dataclass(frozen=True)
class Scenario:
    name: str
    component: str
    description: str
    # None when the scenario applies to this cluster, else why it is skipped.
    applies: Callable[[Context, bool], str | None]
    plan: Callable[[Context], Plan]
    # k-of-n redundancy of the component, for the availability report: (k, n) or None.
    redundancy: Callable[[Context], tuple[int, int] | None] = lambda ctx: None


def run_trial(ctx: Context, scenario: Scenario, number: int, restore_timeout_s: float) -> Trial:
    current = ctx.status()
    if current.state != HEALTHY:
        bad = [f"{c.name}: {c.summary}" for c in current.components if c.state != HEALTHY]
        raise DrillRefused(
            "the cluster is not fully healthy, so no drill starts: "
            + "; ".join(b for b in bad if not b.endswith("skipped"))
        )
    plan = scenario.plan(ctx)
    restore_wait: float | None = None
    took_effect = False
    acked_during_fault: int | None = None
    try:
        with FaultGuard() as guard:
            for probe in plan.probes:
                probe.start()
            for writer in plan.writers:
                writer.start()
            time.sleep(1.5)  # a baseline of successes before the fault
            fault_at = time.time()
            for fault in plan.faults:
                guard.inject(fault)
            all_in_at = time.time()
            deadline = time.monotonic() + plan.observe_s
            floor = time.monotonic() + plan.min_observe_s
            while time.monotonic() < deadline:
                took_effect = took_effect or plan.injected()
                samples = [p for loop in plan.probes for p in loop.probes] + [
                    p for w in plan.writers for p in w.probes
                ]
                out = report.outage(samples, fault_at, plan.interval_s)
                if plan.expect_outage:  # quorum loss: wait until the refusal is seen
                    settled = out.detected_at is not None
                else:  # failover: wait until the probes recovered, or never failed
                    settled = out.recovered_at is not None or not out.probes_failed
                if took_effect and settled and time.monotonic() > floor:
                    break
                time.sleep(0.25)
            restore_at = time.time()
            if plan.expect_outage:
                acked_during_fault = acked_between(
                    plan.writers, all_in_at + plan.ack_grace_s, restore_at
                )
            guard.restore_all()
            if guard.restore_errors:
                raise DrillAborted("could not undo the fault: " + "; ".join(guard.restore_errors))
            restore_wait = ctx.wait_healthy(restore_timeout_s)
            time.sleep(1.0)  # writes after recovery prove the service is back
            plan.stop_writers()
            for writer in plan.writers:
                writer.stop()
            samples = [p for loop in plan.probes for p in loop.stop()]
            samples += [p for w in plan.writers for p in w.probes]
    except BaseException:
        # However the trial ends early, the writers on the nodes stop now, not at their bound.
        _quietly(plan.stop_writers)
        for loop in plan.probes:
            _quietly(loop.stop)
        raise
    out = report.outage(samples, fault_at, plan.interval_s)
    acked = set().union(*(w.acked for w in plan.writers)) if plan.writers else None
    present = plan.read_back() if plan.writers else None
    lost = len(acked - present) if acked is not None and present is not None else None
    notes = list(plan.notes)
    for writer in plan.writers:
        notes += [f"writer: {e}" for e in writer.errors[:3]]
    passed = took_effect and restore_wait is not None and (lost in (None, 0))
    if plan.expect_outage:
        passed = passed and bool(out.probes_failed) and acked_during_fault == 0
    if not took_effect:
        notes.append("the fault did not visibly take effect")
    if restore_wait is None:
        notes.append(f"redundancy not restored within {restore_timeout_s:.0f} s")
    return Trial(
        scenario=scenario.name,
        trial=number,
        target=plan.target,
        fault="; ".join(f.description for f in plan.faults),
        fault_injected_at=round(fault_at, 3),
        detected_at=out.detected_at and round(out.detected_at, 3),
        recovered_at=out.recovered_at and round(out.recovered_at, 3),
        downtime_s=out.downtime_s,
        probes_total=out.probes_total,
        probes_failed=out.probes_failed,
        writes_acked=len(acked) if acked is not None else None,
        writes_lost=lost,
        writes_acked_during_fault=acked_during_fault,
        redundancy_restored_s=None if restore_wait is None else round(restore_wait, 2),
        fault_took_effect=took_effect,
        passed=passed,
        notes=notes,
    )


def acked_between(writers: list[RemoteWriter], start: float, end: float) -> int:
    """Acknowledged writes of any of ``writers`` begun in [start, end] (when the node reported
    when it began the write; else acknowledged in that window, as the controller saw it)."""
    return sum(
        1
        for w in writers
        for p in w.probes
        if p.ok and start <= (p.at if p.started is None else p.started) <= end
    )


def _quietly(action: Callable[[], Any]) -> None:
    with contextlib.suppress(Exception):  # best effort while another error is on its way out
        action()


def summarize_scenario(
    ctx: Context, scenario: Scenario, trials: list[Trial], mttf_s: float
) -> ScenarioResult:
    downtimes = [t.downtime_s for t in trials]
    restored = [t.redundancy_restored_s for t in trials if t.redundancy_restored_s is not None]
    mttr = (sum(downtimes) / len(downtimes)) if downtimes else None
    avail = report.availability(mttf_s, mttr) if mttr is not None else None
    redundancy: dict[str, Any] = {}
    kn = scenario.redundancy(ctx)
    if kn and restored:
        k, n = kn
        unit_mttr = sum(restored) / len(restored)
        unit = report.availability(mttf_s, unit_mttr)
        redundancy = {
            "k": k,
            "n": n,
            "unit_mttr_s": round(unit_mttr, 2),
            "unit_availability": unit,
            "system_availability": report.k_of_n_availability(k, n, unit),
        }
    return ScenarioResult(
        name=scenario.name,
        trials=trials,
        downtime=report.summarize(downtimes),
        redundancy_restored=report.summarize(restored),
        mttr_s=mttr,
        availability=avail,
        redundancy=redundancy,
    )
