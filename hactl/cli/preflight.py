"""``hactl preflight``: can hactl provision these hosts? Checked over SSH, in parallel."""

from __future__ import annotations

import argparse

from hactl import api
from hactl.cli._render import out, print_json
from hactl.errors import HostsUnreachable
from hactl.preflight import DEFAULT_MIN_FREE_GIB

EPILOG = """checks, per host: SSH reachable, host key known (never accepted silently), auth, sudo,
python3, clock skew < 1 s against this machine, free disk on /, required ports free.

examples:
  hactl preflight -i inventories/prod
  hactl preflight -i inventories/prod --min-free-gib 20 --json

exit codes: 0 all passed, 3 invalid inventory, 4 a host failed a check
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "preflight",
        help="check every host over SSH before provisioning",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-i", "--inventory", required=True, help="inventory file or directory")
    p.add_argument(
        "--min-free-gib",
        type=float,
        default=DEFAULT_MIN_FREE_GIB,
        help=f"free space / must have (default {DEFAULT_MIN_FREE_GIB:g})",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    report = api.preflight(args.inventory, min_free_gib=args.min_free_gib)
    code = 0 if report.ok else HostsUnreachable.exit_code
    if args.json:
        print_json(report, ok=report.ok)
        return code
    for host in report.hosts:
        mark = "[green]ok[/]" if host.ok else "[red]FAILED[/]"
        out.print(f"{mark} {host.host} ({host.address})")
        for check in host.checks:
            sign = "[green]✓[/]" if check.ok else "[red]✗[/]"
            out.print(f"    {sign} {check.name:10} {check.detail}")
    return code
