"""Thin lifecycle verbs: each runs one playbook the way ``hactl provision`` runs site.yml.

A verb is registered only when its playbook is in this checkout, so each one lands with the
playbook it wraps. Options that a playbook reads as variables become flags.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from hactl.cli import provision as provision_cli

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Option:
    flag: str
    var: str
    help: str
    required: bool = False
    boolean: bool = False  # a switch that sets the variable to true


@dataclass(frozen=True)
class Verb:
    name: str
    playbook: str
    help: str
    example: str
    options: tuple[Option, ...] = field(default_factory=tuple)


VERBS = (
    Verb(
        "backup",
        "playbooks/etcd-backup.yml",
        "snapshot etcd on a healthy member, verify it, keep N, copy it off the node",
        "hactl backup -i inventories/prod --fetch-dir backups/etcd",
        (Option("--fetch-dir", "etcd_backup_fetch_dir", "copy the snapshot here (control host)"),),
    ),
    Verb(
        "restore",
        "playbooks/etcd-restore.yml",
        "disaster recovery: restore every etcd member from one snapshot",
        "hactl restore -i inventories/prod --snapshot backups/etcd/etcd-2026-12-03T17.db",
        (Option("--snapshot", "etcd_restore_snapshot", "snapshot file (default: the newest)"),),
    ),
    Verb(
        "replace-node",
        "playbooks/etcd-replace-member.yml",
        "replace a lost etcd member (remove it, add the new node as learner, promote)",
        "hactl replace-node -i inventories/prod --host etcd-3",
        (Option("--host", "etcd_replace_host", "inventory name of the member", required=True),),
    ),
    Verb(
        "heal-check",
        "playbooks/storage-heal-check.yml",
        "GlusterFS heal backlog and split-brain count of every volume",
        "hactl heal-check -i inventories/prod",
    ),
    Verb(
        "gpu-health",
        "playbooks/gpu-health.yml",
        "read-only GPU health of every GPU node (XID, ECC, NVLink, fabric manager, count)",
        "hactl gpu-health -i inventories/prod",
    ),
    Verb(
        "gpu-admit",
        "playbooks/gpu-admit.yml",
        "the GPU admission gate a node must pass before it joins",
        "hactl gpu-admit -i inventories/prod --limit gpu-7",
    ),
    Verb(
        "gpu-remediate",
        "playbooks/gpu-remediate.yml",
        "cordon, drain, reset or reboot failed GPU nodes, one at a time; re-check; uncordon",
        "hactl gpu-remediate -i inventories/prod",
    ),
    Verb(
        "upgrade",
        "playbooks/upgrade.yml",
        "upgrade Kubernetes one node at a time, stopping on the first failure",
        "hactl upgrade -i inventories/prod --version 1.33.5",
        (Option("--version", "hactl_kubernetes_version", "target version", required=True),),
    ),
    Verb(
        "add-node",
        "playbooks/add-node.yml",
        "join new nodes (in the inventory, not yet in the cluster)",
        "hactl add-node -i inventories/prod --nodes worker-9,worker-10",
        (Option("--nodes", "hactl_nodes", "comma-separated inventory names", required=True),),
    ),
    Verb(
        "remove-node",
        "playbooks/remove-node.yml",
        "drain, delete and reset a node",
        "hactl remove-node -i inventories/prod --node worker-9",
        (Option("--node", "hactl_node", "inventory name", required=True),),
    ),
    Verb(
        "recover-control-plane",
        "playbooks/recover-control-plane.yml",
        "replace a lost control-plane node (its etcd member cleaned first with stacked etcd)",
        "hactl recover-control-plane -i inventories/prod --node cp-2 --lost",
        (
            Option("--node", "hactl_node", "inventory name", required=True),
            Option(
                "--lost", "hactl_node_lost", "the old node is gone: skip its drain", boolean=True
            ),
        ),
    ),
    Verb(
        "certs-check",
        "playbooks/certs-check.yml",
        "expiry of every Kubernetes certificate; renew when asked",
        "hactl certs-check -i inventories/prod --renew",
        (Option("--renew", "hactl_certs_renew", "renew the certificates", boolean=True),),
    ),
    Verb(
        "reset",
        "playbooks/reset.yml",
        "tear the Kubernetes cluster down (kubeadm reset on every node)",
        "hactl reset -i inventories/lab --confirm lab",
        (Option("--confirm", "hactl_confirm_reset", "the cluster name", required=True),),
    ),
)


def available(repo: Path = REPO) -> list[Verb]:
    return [v for v in VERBS if (repo / v.playbook).is_file()]


def register(sub: argparse._SubParsersAction) -> None:
    for verb in available():
        p = sub.add_parser(
            verb.name,
            help=verb.help,
            epilog=f"runs {verb.playbook} (validated first)\n\nexample:\n  {verb.example}\n\n"
            "exit codes: 0 ok, 2 a task failed, 3 invalid inventory, 4 hosts unreachable, "
            "130 interrupted",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        provision_cli.add_arguments(p)
        for opt in verb.options:
            if opt.boolean:
                p.add_argument(opt.flag, dest=opt.var, action="store_true", help=opt.help)
            else:
                p.add_argument(opt.flag, dest=opt.var, required=opt.required, help=opt.help)
        p.set_defaults(func=run, verb=verb)


def run(args: argparse.Namespace) -> int:
    verb: Verb = args.verb
    extravars = {o.var: getattr(args, o.var) for o in verb.options if getattr(args, o.var)}
    return provision_cli.run_playbook(args, verb.playbook, extravars)
