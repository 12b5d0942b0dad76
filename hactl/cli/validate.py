"""``hactl validate``: check the cluster model of an inventory, touching no host."""

from __future__ import annotations

import argparse

from hactl import api
from hactl.cli._render import out, print_json

EPILOG = """examples:
  hactl validate -i inventories/sample/hosts.yml
  hactl validate -i inventories/prod --json | jq '.hosts'

exit codes: 0 valid, 3 invalid (every problem is listed, naming its file, host and variable)
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check an inventory against the cluster model",
        description="Check an inventory against hactl's cluster model, before any host changes.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-i", "--inventory", required=True, help="inventory file or directory")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = api.validate(args.inventory)
    if args.json:
        print_json(result, valid=True)
        return 0
    groups = ", ".join(f"{g} {len(h)}" for g, h in result.groups.items())
    out.print(f"[green]valid[/]: {result.inventory} ({len(result.hosts)} hosts; {groups})")
    return 0
