"""``hactl drill``: inject faults, measure failover, downtime and data loss, report availability."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hactl import api
from hactl.drill.engine import Trial
from hactl.drill.run import markdown
from hactl.drill.scenarios import SCENARIOS
from hactl.errors import DrillFailed

EPILOG = """scenarios: {names}, all

Drills run only against an inventory with hactl_environment: lab or staging (the lab sets it),
never start while the cluster is not fully healthy, and undo every fault they inject, also when
interrupted (Ctrl-C) or when a step fails. node-crash and network-partition on real hosts
(sysrq crash, iptables) need --allow-disruptive.

examples:
  hactl drill -i "$(hactl lab inventory)" --scenario vip-holder-down --trials 5
  hactl drill -i "$(hactl lab inventory)" --scenario all --json --report drill.md
  hactl drill -i inventories/staging --scenario etcd-leader-down --mttf-hours 2160

exit codes: 0 every trial passed, 9 a trial failed, 8 refused, 130 interrupted
""".format(names=", ".join(SCENARIOS))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "drill",
        help="inject a fault, measure failover and data loss",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-i", "--inventory", required=True, help="inventory file or directory")
    p.add_argument(
        "--scenario", action="append", required=True, help="scenario name or 'all' (repeatable)"
    )
    p.add_argument("--trials", type=int, default=1, help="trials per scenario (default 1)")
    p.add_argument(
        "--mttf-hours",
        type=float,
        default=720.0,
        help="stated mean time to failure per fault, for availability (default 720 h)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--report", type=Path, help="also write the Markdown report to this file")
    p.add_argument("--allow-disruptive", action="store_true", help="crash/partition real hosts")
    p.add_argument(
        "--yes-this-is-production",
        action="store_true",
        help="run against an inventory not marked lab or staging",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    def progress(t: Trial) -> None:
        if not args.json:
            lost = "-" if t.writes_lost is None else t.writes_lost
            print(
                f"{t.scenario} #{t.trial} on {t.target}: downtime {t.downtime_s:.2f} s, "
                f"{t.probes_failed}/{t.probes_total} probes failed, writes lost {lost}: "
                f"{'ok' if t.passed else 'FAILED'}",
                flush=True,
            )

    report = api.drill(
        args.inventory,
        args.scenario,
        trials=args.trials,
        mttf_hours=args.mttf_hours,
        confirm_production=args.yes_this_is_production,
        allow_disruptive=args.allow_disruptive,
        on_trial=progress,
    )
    text = markdown(report)
    if args.report:
        args.report.write_text(text)
    if args.json:  # one JSON document, whatever the verdict
        print(json.dumps(report.to_dict(), indent=2))
        return 0 if report.passed else DrillFailed.exit_code
    print(text)
    if not report.passed:
        raise DrillFailed(report.stopped or "a drill trial failed; see the report")
    return 0
