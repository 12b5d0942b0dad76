"""The ``hactl`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from hactl import __version__
from hactl.cli import lab
from hactl.errors import HactlError, Interrupted

EPILOG = """examples:
  hactl lab prepare                 # Docker engine, apt cache and node images for the lab and tests
  hactl lab image --release trixie  # print the Debian 13 node image tag, building it if missing
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hactl",
        description="Provision fault-tolerant AI clusters with Ansible, and prove it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hactl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    lab.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("hactl: interrupted", file=sys.stderr)
        return Interrupted.exit_code
    except HactlError as exc:
        print(f"hactl: {exc}", file=sys.stderr)
        return exc.exit_code
