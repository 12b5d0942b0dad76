"""``hactl lab``: the local lab on this machine."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from hactl import api
from hactl.lab.images import RELEASES

EPILOG = """examples:
  hactl lab prepare --json
  hactl lab image --release bookworm
"""


def register(sub: argparse._SubParsersAction) -> None:
    lab = sub.add_parser(
        "lab",
        help="the local lab of node containers",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    lab_sub = lab.add_subparsers(dest="lab_command", required=True, metavar="LAB_COMMAND")

    prepare = lab_sub.add_parser(
        "prepare", help="start the Docker engine and apt cache, build missing node images"
    )
    prepare.add_argument(
        "--release", action="append", choices=RELEASES, help="only this release (repeatable)"
    )
    prepare.add_argument("--json", action="store_true", help="machine-readable output")
    prepare.set_defaults(func=_prepare)

    image = lab_sub.add_parser("image", help="print a node image tag, building it if missing")
    image.add_argument("--release", choices=RELEASES, default="bookworm")
    image.set_defaults(func=_image)


def _prepare(args: argparse.Namespace) -> int:
    result = api.lab_prepare(tuple(args.release or RELEASES))
    if args.json:
        print(json.dumps(asdict(result), indent=2))
        return 0
    started = " (started now)" if result.docker_started else ""
    print(f"docker engine  {result.docker_version}{started}")
    print(f"apt cache      {result.apt_cache}")
    for release, tag in result.images.items():
        note = "built" if tag in result.built else "cached"
        print(f"node image     {release:9} {tag} ({note})")
    return 0


def _image(args: argparse.Namespace) -> int:
    print(api.lab_image(args.release).tag)
    return 0
