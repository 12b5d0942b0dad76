"""``hactl lab``: the local lab on this machine."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from hactl import api
from hactl.cli._render import (
    LiveProgress,
    cancel_on_ctrl_c,
    err,
    out,
    print_json,
    print_recap,
    print_status,
)
from hactl.lab.cluster import DEFAULT_NAME, DEFAULT_SUBNET
from hactl.lab.images import RELEASES

EPILOG = """examples:
  hactl lab up                        # 3 node containers, provisioned over SSH, then status
  hactl lab up --nodes 1              # a single-node lab (hactl_allow_non_ha: true)
  hactl status -i "$(hactl lab inventory)"
  hactl lab down                      # remove the containers, the network and the lab's state
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

    up = lab_sub.add_parser(
        "up",
        help="create node containers, provision them over SSH, print status",
        epilog="examples:\n  hactl lab up\n  hactl lab up --nodes 5 --name big "
        "--subnet 172.30.110.0/24 --json\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    up.add_argument("--nodes", type=int, default=3, help="number of nodes (default 3)")
    _name(up)
    up.add_argument(
        "--subnet", default=DEFAULT_SUBNET, help=f"lab network (default {DEFAULT_SUBNET})"
    )
    up.add_argument("--release", choices=RELEASES, default="bookworm", help="node OS release")
    up.add_argument("--json", action="store_true", help="machine-readable output")
    up.set_defaults(func=_up)

    down = lab_sub.add_parser(
        "down",
        help="remove the lab's containers, network and state",
        epilog="examples:\n  hactl lab down\n  hactl lab down --name big\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _name(down)
    down.add_argument("--json", action="store_true", help="machine-readable output")
    down.set_defaults(func=_down)

    inventory = lab_sub.add_parser(
        "inventory",
        help="print the path of the lab's inventory",
        epilog='examples:\n  hactl provision -i "$(hactl lab inventory)" --check\n',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _name(inventory)
    inventory.add_argument("--json", action="store_true", help="machine-readable output")
    inventory.set_defaults(func=_inventory)

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
    image.add_argument("--json", action="store_true", help="machine-readable output")
    image.set_defaults(func=_image)


def _name(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", default=DEFAULT_NAME, help=f"lab name (default {DEFAULT_NAME})")


def _up(args: argparse.Namespace) -> int:
    def step(text: str) -> None:
        if not args.json:
            err.print(f"[bold]lab[/] {text}")

    with cancel_on_ctrl_c() as cancelled, LiveProgress(enabled=not args.json) as live:
        result = api.lab_up(
            args.nodes,
            args.name,
            args.subnet,
            args.release,
            on_step=step,
            on_event=live,
            cancelled=cancelled,
        )
    code = result.provision.exit_code or (result.status.exit_code if result.status else 0)
    if args.json:
        print_json(result, exit_code=code, changed=result.provision.changed)
        return code
    print_recap(result.provision)
    if result.status is not None:
        print_status(result.status)
    for note in result.skipped:
        out.print(f"[dim]skipped[/] {note}")
    out.print(f"inventory: {result.inventory}")
    return code


def _down(args: argparse.Namespace) -> int:
    result = api.lab_down(args.name)
    if args.json:
        print_json(result)
        return 0
    removed = ", ".join(result.containers + result.networks) or "nothing (no such lab)"
    out.print(f"lab {result.name}: removed {removed}")
    return 0


def _inventory(args: argparse.Namespace) -> int:
    path = api.lab_inventory(args.name)
    if args.json:
        print_json({"name": args.name, "inventory": path})
    else:
        print(path)
    return 0


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
    result = api.lab_image(args.release)
    if args.json:
        print_json(result)
    else:
        print(result.tag)
    return 0
