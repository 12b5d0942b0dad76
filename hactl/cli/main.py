"""The ``hactl`` command: argument parsing and rendering only; the work is in hactl.api."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from hactl import __version__
from hactl.cli import drill, lab, preflight, provision, status, validate, verbs
from hactl.cli._render import err, plain
from hactl.errors import EXIT_CODES, HactlError, Interrupted

EPILOG = """examples:
  hactl lab up                                   # a working HA lab on this machine
  hactl validate -i inventories/prod             # check the cluster model, touch nothing
  hactl preflight -i inventories/prod            # SSH, sudo, python3, clock, disk, ports
  hactl provision -i inventories/prod --check --diff
  hactl status -i inventories/prod --json

exit codes: {codes}
""".format(codes=", ".join(f"{v} {k}" for k, v in EXIT_CODES.items()))

COMMANDS = (validate, preflight, provision, status, drill, verbs, lab)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hactl",
        description="Provision fault-tolerant AI clusters with Ansible, and prove it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hactl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def _report(exc: HactlError, as_json: bool) -> None:
    if as_json:
        doc = {"error": str(exc), "exit_code": exc.exit_code, "problems": plain(exc.problems)}
        print(json.dumps(doc, indent=2))
        return
    err.print(f"[red]hactl:[/] {exc}", markup=True)
    for problem in exc.problems:
        err.print(f"  - {problem}", markup=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    as_json = bool(getattr(args, "json", False))
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("hactl: interrupted", file=sys.stderr)
        return Interrupted.exit_code
    except HactlError as exc:
        _report(exc, as_json)
        return exc.exit_code
