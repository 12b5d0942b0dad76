"""Drill scenarios for the stateful components: etcd and GlusterFS, with acknowledged writers.

A writer runs on a node that the fault leaves alone, records every acknowledged write, and after
the fault is undone the drill reads back what is there: ``writes_lost`` counts acknowledged writes
that are missing. The drill's keys and files are removed afterwards.
"""

from __future__ import annotations

import json
import posixpath
import shlex
import uuid
from typing import Any

from hactl.drill.engine import Context, DrillRefused, Plan, Scenario
from hactl.drill.faults import ServiceFault
from hactl.drill.probes import RemoteWriter
from hactl.drill.writers import ETCD_WRITER, FILE_WRITER

WRITE_INTERVAL_S = 0.1
WRITER_MAX_S = 400
ETCDCTL_ENV = "/etc/etcd/etcdctl.env"


def _etcd_members(ctx: Context) -> list[str]:
    return ctx.inventory.group(str(ctx.var("etcd_group", "etcd")))


def _etcd_applies(ctx: Context, opt_in: bool) -> str | None:
    members = _etcd_members(ctx)
    if len(members) < 3:
        return f"{len(members)} etcd members: a drill needs at least 3"
    return None


def _etcdctl(ctx: Context, host: str, args: str, timeout: float = 15, partial: bool = False) -> str:
    """etcdctl on a member; ``partial``: keep what it printed even when an endpoint is down
    (`endpoint status` exits non-zero then, but still reports the members that answer)."""
    cmd = f"set -a; . {ETCDCTL_ENV}; set +a; etcdctl --command-timeout=3s {args}"
    out = ctx.session(host).sudo(f"bash -c {shlex.quote(cmd)}", timeout=timeout)
    if out.rc != 0 and not (partial and out.stdout.strip()):
        raise DrillRefused(f"{host}: etcdctl {args} failed: {out.stderr.strip()[-300:]}")
    return out.stdout


def etcd_leader(ctx: Context, via: str) -> str:
    """The inventory host whose endpoint is the current leader."""
    statuses = json.loads(_etcdctl(ctx, via, "endpoint status -w json", partial=True))
    leader_id = next(
        (s["Status"]["leader"] for s in statuses if s.get("Status", {}).get("leader")), None
    )
    for s in statuses:
        if s.get("Status", {}).get("header", {}).get("member_id") == leader_id:
            endpoint = str(s["Endpoint"])
            for host in _etcd_members(ctx):
                if _address(ctx, host) in endpoint:
                    return host
    raise DrillRefused(f"no etcd leader found in {statuses}")


def _address(ctx: Context, host: str) -> str:
    hv = ctx.inventory.hostvars(host)
    return str(hv.get("hactl_node_address") or hv.get("ansible_host") or host)


def _trial_id(ctx: Context) -> str:
    """A name for one trial's keys, files and stop file: a writer must never see an earlier
    trial's stop file (it would stop at once)."""
    return f"{ctx.run_id}-{uuid.uuid4().hex[:6]}"


def _etcd_writer(ctx: Context, host: str) -> tuple[RemoteWriter, str, str]:
    trial = _trial_id(ctx)
    prefix = f"/hactl-drill/{trial}/"
    stop_file = f"/tmp/hactl-drill-{trial}.stop"
    writer = RemoteWriter(
        ctx.fresh_session(host),
        ETCD_WRITER,
        [ETCDCTL_ENV, prefix, str(WRITE_INTERVAL_S), str(WRITER_MAX_S), stop_file],
        sudo=True,
    )
    return writer, prefix, stop_file


def _read_back_etcd(ctx: Context, host: str, prefix: str) -> set[int]:
    keys = _etcdctl(ctx, host, f"get --prefix --keys-only {shlex.quote(prefix)}", timeout=60)
    seqs = {int(k.rsplit("/", 1)[-1]) for k in keys.split() if k.startswith(prefix)}
    _etcdctl(ctx, host, f"del --prefix {shlex.quote(prefix)}", timeout=60)
    return seqs


def _plan_etcd(ctx: Context, stop: int) -> Plan:
    members = _etcd_members(ctx)
    leader = etcd_leader(ctx, members[0])
    if stop == 1:
        victims = [leader]
    else:
        # Quorum loss: stop a majority, keeping the writer's member up. Followers go first and
        # the leader last: stopped the other way round, the survivors could elect a new leader
        # between two stops and acknowledge writes while the drill already counts them as lost
        # quorum. The last stop ends quorum at once.
        others = [m for m in members if m != leader]
        victims = [*others[: len(members) // 2], leader]
    writer_host = next(m for m in members if m not in victims)
    writer, prefix, stop_file = _etcd_writer(ctx, writer_host)

    def leader_changed() -> bool:
        try:
            return etcd_leader(ctx, writer_host) not in victims
        except Exception:
            return False

    def refused() -> bool:
        return any(not p.ok for p in writer.probes)

    return Plan(
        target=",".join(victims),
        faults=[ServiceFault(ctx.session, v, "etcd") for v in victims],
        writers=[writer],
        interval_s=WRITE_INTERVAL_S,
        injected=leader_changed if stop == 1 else refused,
        read_back=lambda: _read_back_etcd(ctx, writer_host, prefix),
        stop_writers=lambda: ctx.session(writer_host).run(f"touch {stop_file}"),
        expect_outage=stop > 1,
        min_observe_s=3.0 if stop == 1 else 5.0,
        notes=[f"writer on {writer_host}; old leader {leader}"],
    )


def _etcd_redundancy(ctx: Context) -> tuple[int, int]:
    n = len(_etcd_members(ctx))
    return n // 2 + 1, n


# --- storage -----------------------------------------------------------------------------------


def _storage_layout(ctx: Context) -> dict[str, Any] | None:
    servers = ctx.inventory.group(str(ctx.var("glusterfs_server_group", "storage")))
    volumes = ctx.var("glusterfs_server_volumes") or ctx.var("hactl_storage_volumes") or []
    mounts = {}
    for host in ctx.inventory.hosts:
        for mount in ctx.inventory.hostvars(host).get("glusterfs_client_mounts", []) or []:
            mounts.setdefault(mount["volume"], []).append((host, mount["path"]))
    for volume in volumes:
        clients = mounts.get(volume["name"], [])
        if int(volume.get("replica", 3)) >= 3 and len(servers) >= 3 and clients:
            root = str(ctx.var("glusterfs_server_brick_root", "/srv/glusterfs"))
            brick = volume.get("brick_dir") or posixpath.join(root, volume["name"], "brick")
            return {
                "volume": volume["name"],
                "servers": servers,
                "clients": clients,
                "brick": brick,
            }
    return None


def _storage_applies(ctx: Context, opt_in: bool) -> str | None:
    if _storage_layout(ctx) is None:
        return "no replica-3 GlusterFS volume with 3 servers and a client mount in the inventory"
    return None


class _StorageNodeDown:
    """Stop glusterd and the brick processes on one storage node; restore starts glusterd,
    which starts the bricks again. FUSE client mounts on that node are left alone."""

    def __init__(self, ctx: Context, host: str) -> None:
        self.ctx, self.host = ctx, host
        self.description = f"stop glusterd and bricks on {host}"

    def inject(self) -> None:
        out = self.ctx.session(self.host).sudo("systemctl stop glusterd; pkill -x glusterfsd; true")
        if out.rc != 0:
            raise DrillRefused(f"{self.host}: could not stop glusterd: {out.stderr}")

    def restore(self) -> None:
        out = self.ctx.session(self.host).sudo("systemctl start glusterd")
        if out.rc != 0:
            raise DrillRefused(f"{self.host}: could not start glusterd: {out.stderr}")


def _plan_storage(ctx: Context) -> Plan:
    layout = _storage_layout(ctx)
    assert layout is not None
    writer_host, mount = layout["clients"][0]
    victim = next(s for s in reversed(layout["servers"]) if s != writer_host)
    trial = _trial_id(ctx)
    name = f"hactl-drill-{trial}.log"
    path = posixpath.join(mount, name)
    stop_file = f"/tmp/hactl-drill-{trial}.stop"
    writer = RemoteWriter(
        ctx.fresh_session(writer_host),
        FILE_WRITER,
        [path, str(WRITE_INTERVAL_S), str(WRITER_MAX_S), stop_file],
        sudo=True,
    )

    def bricks_down() -> bool:
        out = ctx.session(victim).run("pgrep -x glusterfsd")
        return out.rc != 0

    def read_back() -> set[int]:
        """Every acknowledged record must be in the file through the mount and on every brick."""
        seen: list[set[int]] = []
        out = ctx.session(writer_host).sudo(f"cat {shlex.quote(path)}", timeout=60)
        seen.append({int(x) for x in out.stdout.split() if x.isdigit()})
        for server in layout["servers"]:
            brick_file = posixpath.join(layout["brick"], name)
            out = ctx.session(server).sudo(f"cat {shlex.quote(brick_file)}", timeout=60)
            seen.append({int(x) for x in out.stdout.split() if x.isdigit()})
        ctx.session(writer_host).sudo(f"rm -f {shlex.quote(path)}")
        return set.intersection(*seen)

    return Plan(
        target=victim,
        faults=[_StorageNodeDown(ctx, victim)],
        writers=[writer],
        interval_s=WRITE_INTERVAL_S,
        injected=bricks_down,
        read_back=read_back,
        stop_writers=lambda: ctx.session(writer_host).run(f"touch {stop_file}"),
        min_observe_s=4.0,
        notes=[f"writer on {writer_host}:{mount}"],
    )


def _storage_redundancy(ctx: Context) -> tuple[int, int]:
    return 2, 3  # client quorum: writes need 2 of the 3 replicas


DATA_SCENARIOS = (
    Scenario(
        "etcd-leader-down",
        "etcd",
        "etcd stopped on the leader: a new leader must take writes, no acknowledged write lost",
        _etcd_applies,
        lambda ctx: _plan_etcd(ctx, 1),
        _etcd_redundancy,
    ),
    Scenario(
        "etcd-quorum-loss",
        "etcd",
        "etcd stopped on a majority: writes must be refused, none acknowledged",
        _etcd_applies,
        lambda ctx: _plan_etcd(ctx, 2),
        _etcd_redundancy,
    ),
    Scenario(
        "storage-node-down",
        "storage",
        "one GlusterFS server down: fsync'd appends continue, none lost, heal completes",
        _storage_applies,
        _plan_storage,
        _storage_redundancy,
    ),
)
