"""``hactl status``: healthy, degraded or failed, per component."""

from __future__ import annotations

import argparse

from hactl import api
from hactl.cli._render import print_json, print_status

EPILOG = """components: nodes (reachable, node_prep facts, chrony), vip (which lb node holds
hactl_api_vip), lb (haproxy backends from its stats socket); a component whose role is not in
the inventory or this checkout is reported as skipped, with the reason.

examples:
  hactl status -i inventories/prod
  hactl status -i "$(hactl lab inventory)" --json | jq -r '.state'

exit codes: 0 healthy, 6 degraded, 7 failed, 3 invalid inventory, 4 no host answers
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "status",
        help="health of each cluster component",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-i", "--inventory", required=True, help="inventory file or directory")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = api.status(args.inventory)
    if args.json:
        print_json(result, exit_code=result.exit_code)
    else:
        print_status(result)
    return result.exit_code
