"""``hactl provision``: run playbooks/site.yml through ansible-runner, with live progress."""

from __future__ import annotations

import argparse

from hactl import api
from hactl.cli._render import LiveProgress, cancel_on_ctrl_c, print_json, print_recap

EPILOG = """The inventory is validated first; no host is touched when it is invalid.
Artifacts of every run (events, stdout, rc) are kept under .cache/runs/<cluster>/artifacts/.

examples:
  hactl provision -i inventories/prod
  hactl provision -i inventories/prod --check --diff          # what would change
  hactl provision -i inventories/prod --limit cp-2 --tags node_prep
  hactl provision -i "$(hactl lab inventory)" --json | jq '.changed'

exit codes: 0 ok, 2 a task failed, 3 invalid inventory, 4 hosts unreachable, 130 interrupted
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "provision",
        help="provision the cluster (playbooks/site.yml)",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(p)
    p.set_defaults(func=run)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-i", "--inventory", required=True, help="inventory file or directory")
    p.add_argument("--limit", help="only these hosts or groups (Ansible pattern)")
    p.add_argument("--tags", help="only tasks with these tags (comma-separated)")
    p.add_argument("--check", action="store_true", help="dry run: change nothing")
    p.add_argument("--diff", action="store_true", help="show file changes")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    return run_playbook(args, api.SITE)


def run_playbook(
    args: argparse.Namespace, playbook: str, extravars: dict[str, object] | None = None
) -> int:
    """Run one playbook with the common options; shared by provision and the lifecycle verbs."""
    with cancel_on_ctrl_c() as cancelled, LiveProgress(enabled=not args.json) as live:
        result = api.provision(
            args.inventory,
            limit=args.limit,
            tags=args.tags,
            check=args.check,
            diff=args.diff,
            playbook=playbook,
            extravars=extravars,
            on_event=live,
            cancelled=cancelled,
        )
    if args.json:
        print_json(result, changed=result.changed, exit_code=result.exit_code)
    else:
        print_recap(result)
    return result.exit_code
