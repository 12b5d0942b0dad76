"""Drill safety and the trial timeline, with fake faults, probes and status."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import ClassVar

import pytest

from hactl.drill import run as drill_run
from hactl.drill.engine import Context, DrillRefused, Plan, Scenario, run_trial
from hactl.drill.faults import FaultGuard
from hactl.drill.probes import ProbeLoop
from hactl.status import DEGRADED, HEALTHY, ClusterStatus, ComponentStatus


@dataclass
class FakeFault:
    log: list[str]
    name: str = "f"
    fail_restore: int = 0
    description: str = "fake fault"
    active: bool = field(default=False)

    def inject(self) -> None:
        self.active = True
        self.log.append(f"inject {self.name}")

    def restore(self) -> None:
        if self.fail_restore:
            self.fail_restore -= 1
            raise RuntimeError("flaky")
        self.active = False
        self.log.append(f"restore {self.name}")


def test_guard_restores_newest_first_even_on_interrupt() -> None:
    log: list[str] = []
    with pytest.raises(KeyboardInterrupt), FaultGuard() as guard:
        guard.inject(FakeFault(log, "a"))
        guard.inject(FakeFault(log, "b"))
        raise KeyboardInterrupt
    assert log == ["inject a", "inject b", "restore b", "restore a"]


def test_guard_retries_a_flaky_restore() -> None:
    log: list[str] = []
    with FaultGuard() as guard:
        guard.inject(FakeFault(log, "a", fail_restore=1))
    assert log == ["inject a", "restore a"]
    assert guard.restore_errors == []


def test_guard_undoes_a_fault_whose_injection_failed() -> None:
    log: list[str] = []

    class Half(FakeFault):
        def inject(self) -> None:
            self.log.append("half inject")
            raise RuntimeError("ssh dropped")

    with pytest.raises(RuntimeError), FaultGuard() as guard:
        guard.inject(Half(log))
    assert log == ["half inject", "restore f"]


@pytest.mark.parametrize(
    ("env", "confirmed"), [("lab", False), ("staging", False), ("production", True)]
)
def test_environments_that_may_drill(env: str, confirmed: bool) -> None:
    drill_run.check_environment(env, confirmed)


def test_production_is_refused_without_confirmation() -> None:
    with pytest.raises(DrillRefused, match="production"):
        drill_run.check_environment("production", False)
    with pytest.raises(DrillRefused, match="not one of"):
        drill_run.check_environment("prod", True)


def test_unknown_scenario_is_refused() -> None:
    with pytest.raises(DrillRefused, match="unknown scenario"):
        drill_run.resolve(["vip-holder-dwon"])
    assert "vip-holder-down" in drill_run.resolve(["all"])


class FakeInventory:
    hosts: ClassVar[list[str]] = ["n1", "n2", "n3"]

    def hostvars(self, host: str) -> dict:
        return {"hactl_cluster_name": "t", "hactl_environment": "lab"}


def healthy() -> ClusterStatus:
    return ClusterStatus([ComponentStatus("vip", HEALTHY, "ok")])


def _scenario(plan_fn) -> Scenario:
    return Scenario("fake", "vip", "fake", lambda ctx, opt: None, plan_fn)


def test_a_drill_never_starts_on_an_unhealthy_cluster() -> None:
    log: list[str] = []
    ctx = Context(FakeInventory(), lambda: ClusterStatus([ComponentStatus("vip", DEGRADED, "x")]))
    scenario = _scenario(lambda c: Plan(target="n1", faults=[FakeFault(log)]))
    with pytest.raises(DrillRefused, match="not fully healthy"):
        run_trial(ctx, scenario, 1, restore_timeout_s=1)
    assert log == []


def test_trial_measures_the_outage_and_undoes_the_fault() -> None:
    log: list[str] = []
    fault = FakeFault(log)
    ctx = Context(FakeInventory(), healthy)

    def plan(c: Context) -> Plan:
        # The service fails while the fault is active, for 0.5 s at most.
        def check() -> bool:
            return not fault.active or time.time() - injected_at[0] > 0.5

        injected_at = [float("inf")]

        def mark() -> bool:
            if injected_at[0] == float("inf"):
                injected_at[0] = time.time()
            return True

        return Plan(
            target="n1",
            faults=[fault],
            probes=[ProbeLoop(check=check, interval_s=0.05, max_s=30)],
            interval_s=0.05,
            injected=mark,
            min_observe_s=1.0,
            observe_s=5.0,
        )

    trial = run_trial(ctx, _scenario(plan), 1, restore_timeout_s=5)
    assert log == ["inject f", "restore f"]
    assert trial.passed
    assert trial.fault_took_effect
    assert trial.probes_failed > 0
    assert 0.3 < trial.downtime_s < 2.0
    assert trial.detected_at is not None and trial.recovered_at is not None
    assert trial.redundancy_restored_s is not None


def test_trial_fails_when_the_fault_never_takes_effect() -> None:
    log: list[str] = []
    ctx = Context(FakeInventory(), healthy)
    scenario = _scenario(
        lambda c: Plan(
            target="n1",
            faults=[FakeFault(log)],
            probes=[ProbeLoop(check=lambda: True, interval_s=0.05, max_s=30)],
            injected=lambda: False,
            observe_s=1.0,
            min_observe_s=0.1,
        )
    )
    trial = run_trial(ctx, scenario, 1, restore_timeout_s=2)
    assert not trial.passed
    assert "did not visibly take effect" in " ".join(trial.notes)
    assert log == ["inject f", "restore f"]


def test_markdown_report_lists_scenarios_and_skips() -> None:
    from hactl.drill.engine import DrillReport, summarize_scenario

    ctx = Context(FakeInventory(), healthy)
    scenario = Scenario(
        "fake", "vip", "x", lambda c, o: None, lambda c: None, redundancy=lambda c: (1, 3)
    )
    trial = run_trial.__globals__["Trial"](
        "fake", 1, "n1", "f", 0.0, 0.1, 0.4, 0.3, 10, 3, None, None, None, 5.0, True, True
    )
    result = summarize_scenario(ctx, scenario, [trial], mttf_s=3600.0)
    text = drill_run.markdown(
        DrillReport("t", "lab", 3600.0, [result], {"etcd-leader-down": "no etcd"})
    )
    assert "| fake | 1 | yes | 0.30 |" in text
    assert "1-of-3" in text
    assert "etcd-leader-down | skipped: no etcd" in text
    assert result.availability == pytest.approx(3600 / 3600.3)


def test_an_interrupt_during_an_undo_leaves_the_fault_for_the_guard_exit() -> None:
    log: list[str] = []

    class InterruptedOnce(FakeFault):
        calls = 0

        def restore(self) -> None:
            self.calls += 1
            if self.calls == 1:
                raise KeyboardInterrupt  # Ctrl-C in the middle of the undo
            super().restore()

    with pytest.raises(KeyboardInterrupt), FaultGuard() as guard:
        guard.inject(FakeFault(log, "a"))
        guard.inject(InterruptedOnce(log, "b"))
        guard.restore_all()
    assert log == ["inject a", "inject b", "restore b", "restore a"]
    assert guard.injected == []


def test_a_fault_that_cannot_be_undone_aborts_the_trial_and_stops_the_writers() -> None:
    from hactl.drill.engine import DrillAborted

    log: list[str] = []
    ctx = Context(FakeInventory(), healthy)
    scenario = _scenario(
        lambda c: Plan(
            target="n1",
            faults=[FakeFault(log, fail_restore=5)],
            probes=[ProbeLoop(check=lambda: True, interval_s=0.05, max_s=30)],
            stop_writers=lambda: log.append("writers stopped"),
            observe_s=0.5,
            min_observe_s=0.1,
        )
    )
    with pytest.raises(DrillAborted, match="could not undo"):
        run_trial(ctx, scenario, 1, restore_timeout_s=1)
    assert log[-1] == "writers stopped"


@dataclass
class FakeWriter:
    probes: list
    acked: set = field(default_factory=set)
    errors: list = field(default_factory=list)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


def test_quorum_loss_counts_only_writes_acknowledged_after_the_last_fault() -> None:
    """Two faults land one after the other; acks between them are not 'during the outage'."""
    from hactl.drill.report import Probe

    log: list[str] = []
    writer = FakeWriter(probes=[])

    class Recording(FakeFault):
        def inject(self) -> None:
            super().inject()
            now = time.time()
            # The first stop leaves quorum: a write is acknowledged right after it.
            if self.name == "follower":
                writer.probes.append(Probe(at=now + 0.01, ok=True))
                time.sleep(0.2)
            else:  # the leader's stop ends quorum: from here on writes fail
                writer.probes.extend(Probe(at=now + 0.7 + i * 0.1, ok=False) for i in range(5))

    ctx = Context(FakeInventory(), healthy)
    scenario = _scenario(
        lambda c: Plan(
            target="n1,n2",
            faults=[Recording(log, "follower"), Recording(log, "leader")],
            writers=[writer],  # type: ignore[list-item]
            injected=lambda: any(not p.ok for p in writer.probes),
            expect_outage=True,
            observe_s=3.0,
            min_observe_s=1.5,
        )
    )
    trial = run_trial(ctx, scenario, 1, restore_timeout_s=2)
    assert trial.writes_acked_during_fault == 0
    assert trial.probes_failed == 5
    assert trial.passed
    # And an acknowledgement well after the last stop is counted.
    late = FakeWriter(probes=[Probe(at=time.time() + 0.8, ok=True)])
    from hactl.drill.engine import acked_between

    assert acked_between([late], time.time() + 0.5, time.time() + 1.0) == 1  # type: ignore[list-item]
    assert acked_between([late], time.time() + 0.9, time.time() + 1.0) == 0  # type: ignore[list-item]
    # A write the node began before the window, whose acknowledgement arrived late (a busy
    # controller, a slow SSH channel), is not one acknowledged without quorum.
    began_early = FakeWriter(probes=[Probe(at=time.time() + 3.0, ok=True, started=time.time())])
    assert acked_between([began_early], time.time() + 0.5, time.time() + 5.0) == 0  # type: ignore[list-item]
    began_late = FakeWriter(probes=[Probe(at=time.time() + 3.0, ok=True, started=time.time() + 2)])
    assert acked_between([began_late], time.time() + 0.5, time.time() + 5.0) == 1  # type: ignore[list-item]


def test_quorum_loss_stops_the_followers_first_and_the_leader_last(monkeypatch) -> None:
    from hactl.drill import data_scenarios as ds

    monkeypatch.setattr(ds, "_etcd_members", lambda ctx: ["n1", "n2", "n3"])
    monkeypatch.setattr(ds, "etcd_leader", lambda ctx, via: "n2")
    ctx = Context(FakeInventory(), healthy)
    monkeypatch.setattr(ctx, "fresh_session", lambda host: object())
    plan = ds._plan_etcd(ctx, 2)
    assert [f.host for f in plan.faults] == ["n1", "n2"]  # a follower, then the leader
    assert plan.expect_outage
    assert "writer on n3" in plan.notes[0]
    single = ds._plan_etcd(ctx, 1)
    assert [f.host for f in single.faults] == ["n2"]


def test_a_cluster_that_does_not_come_back_ends_the_drill_with_what_was_measured(
    monkeypatch,
) -> None:
    """After a trial, the next one waits (bounded) for full health; when it never comes, the
    drill stops there, fails, and still reports the trials it ran (it used to refuse and lose
    them all)."""
    log: list[str] = []
    calls = [0]

    def status() -> ClusterStatus:
        calls[0] += 1  # healthy for trial 1's start check and its restore wait, then degraded
        state = HEALTHY if calls[0] <= 2 else DEGRADED
        return ClusterStatus([ComponentStatus("vip", state, "held by no lb node")])

    def plan(c: Context) -> Plan:
        return Plan(
            target="n1",
            faults=[FakeFault(log)],
            probes=[ProbeLoop(check=lambda: True, interval_s=0.05, max_s=30)],
            injected=lambda: True,
            observe_s=0.5,
            min_observe_s=0.1,
        )

    monkeypatch.setitem(drill_run.SCENARIOS, "fake", _scenario(plan))
    monkeypatch.setattr(drill_run, "resolve", lambda names: list(names))
    ctx = Context(FakeInventory(), status)
    report = drill_run.run_drills(ctx, ["fake", "fake"], trials=3, mttf_s=3600, restore_timeout_s=1)
    assert [len(s.trials) for s in report.scenarios] == [1]
    assert report.scenarios[0].trials[0].passed
    assert report.stopped is not None and "fake trial 2" in report.stopped
    assert not report.passed
    assert log == ["inject f", "restore f"]  # no second fault was injected
    assert report.to_dict()["stopped"] == report.stopped
    assert "Stopped early" in drill_run.markdown(report)
