"""Run a set of drill scenarios against one cluster and collect the report."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hactl.drill.engine import (
    Context,
    DrillRefused,
    DrillReport,
    ScenarioResult,
    Trial,
    run_trial,
    summarize_scenario,
)
from hactl.drill.scenarios import SCENARIOS

ENVIRONMENTS = ("lab", "staging", "production")


def check_environment(environment: str, confirmed: bool) -> None:
    if environment not in ENVIRONMENTS:
        raise DrillRefused(f"hactl_environment {environment!r} is not one of {ENVIRONMENTS}")
    if environment == "production" and not confirmed:
        raise DrillRefused(
            "this inventory is production (hactl_environment is unset or 'production'): drills "
            "inject real faults, so they run only on lab or staging clusters, or with "
            "--yes-this-is-production"
        )


def resolve(names: Sequence[str]) -> list[str]:
    if "all" in names:
        return list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise DrillRefused(f"unknown scenario(s) {unknown}; choose from {[*SCENARIOS, 'all']}")
    return list(dict.fromkeys(names))


def run_drills(
    ctx: Context,
    names: Sequence[str],
    trials: int,
    mttf_s: float,
    allow_disruptive: bool = False,
    restore_timeout_s: float = 240.0,
    on_trial: Callable[[Trial], None] = lambda t: None,
) -> DrillReport:
    environment = str(ctx.var("hactl_environment", "production"))
    results: list[ScenarioResult] = []
    skipped: dict[str, str] = {}
    stopped: str | None = None
    for name in resolve(names):
        scenario = SCENARIOS[name]
        reason = scenario.applies(ctx, allow_disruptive)
        if reason is not None:
            skipped[name] = reason
            continue
        done: list[Trial] = []
        for number in range(1, trials + 1):
            # The first trial refuses an unhealthy cluster (run_trial). Later ones follow a trial
            # that waited for full redundancy, yet a component may relapse in between: wait for
            # it once more (bounded), and if it does not come back, end the drill with what was
            # measured so far instead of discarding it.
            if (results or done) and ctx.wait_healthy(restore_timeout_s) is None:
                stopped = (
                    f"the cluster was not fully healthy within {restore_timeout_s:.0f} s before "
                    f"{name} trial {number}, so no further trial started"
                )
                break
            trial = run_trial(ctx, scenario, number, restore_timeout_s)
            on_trial(trial)
            done.append(trial)
        if done:
            results.append(summarize_scenario(ctx, scenario, done, mttf_s))
        if stopped:
            break
    return DrillReport(
        cluster=str(ctx.var("hactl_cluster_name", "cluster")),
        environment=environment,
        mttf_s=mttf_s,
        scenarios=results,
        skipped=skipped,
        stopped=stopped,
    )


def markdown(report: DrillReport) -> str:
    """The report as a Markdown table for people."""

    def f(v: float | None, digits: int = 2) -> str:
        return "-" if v is None else f"{v:.{digits}f}"

    hours = report.mttf_s / 3600
    lines = [
        f"## Drill report: {report.cluster} ({report.environment})",
        "",
        f"Availability from the measured MTTR for a stated MTTF of {hours:g} h per fault: "
        "A = MTTF / (MTTF + MTTR); k-of-n uses each unit's measured time to full redundancy.",
        "",
        "| scenario | trials | passed | downtime p50 (s) | p95 (s) | max (s) | probes failed "
        "| writes acked / lost | redundancy restored p50 (s) | A (service) | k-of-n A |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for sc in report.scenarios:
        acked = [t.writes_acked for t in sc.trials if t.writes_acked is not None]
        lost = [t.writes_lost for t in sc.trials if t.writes_lost is not None]
        writes = f"{sum(acked)} / {sum(lost)}" if acked else "-"
        failed = sum(t.probes_failed for t in sc.trials)
        total = sum(t.probes_total for t in sc.trials)
        kn = sc.redundancy
        kn_text = f"{kn['k']}-of-{kn['n']}: {kn['system_availability']:.9f}" if kn else "-"
        lines.append(
            f"| {sc.name} | {len(sc.trials)} | {'yes' if sc.passed else 'NO'} "
            f"| {f(sc.downtime.p50)} | {f(sc.downtime.p95)} | {f(sc.downtime.max)} "
            f"| {failed}/{total} | {writes} | {f(sc.redundancy_restored.p50, 1)} "
            f"| {f(sc.availability, 9)} | {kn_text} |"
        )
    for name, reason in report.skipped.items():
        lines.append(f"| {name} | skipped: {reason} | | | | | | | | | |")
    if report.stopped:
        lines += ["", f"**Stopped early:** {report.stopped}."]
    return "\n".join(lines) + "\n"
