"""Write stall on a GlusterFS replica-3 volume when one storage node stops or hangs.

Three node containers (own network hactl-bench-gluster, 172.30.7.0/24) run glusterd with a
replica-3 volume (client quorum auto, server quorum on); node 1 mounts it with FUSE and a writer
appends fsync'd, numbered records, logging the time of each acknowledgement. Then node 3 is
either stopped (glusterd and its bricks killed: TCP resets at once) or paused (`docker pause`:
the node hangs, its sockets stay open, so the client only gives up after network.ping-timeout).
The stall is the longest gap between two acknowledgements from just before the fault until
50 records after it. After the node is
back and the heal is done, every acknowledged record must be on all three bricks ("lost" counts
the ones that are not; it must be 0).

Prints numbers; asserts nothing about time. Usage:
    python bench/storage_stall.py [--trials 1] [--timeouts 42,10] [--modes stop,pause]
Needs Docker and the hactl-node:bookworm image (`python -m hactl lab image --release bookworm`).
Cleans up its containers and network, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

NETWORK = "hactl-bench-gluster"
SUBNET = "172.30.7.0/24"
PREFIX = "hactl-bench-gluster"
IMAGE = "hactl-node:bookworm"
NODES = [f"{PREFIX}-{i}" for i in (1, 2, 3)]
ADDRS = [f"172.30.7.{20 + i}" for i in (1, 2, 3)]
VOLUME = "bench"
BRICK = "/bricks/bench/brick"
MOUNT = "/mnt/bench"
WRITER_PATH = "/usr/local/bin/bench-writer.py"
RUN_FLAGS = [
    "--cap-add", "SYS_ADMIN", "--cap-add", "NET_ADMIN", "--cap-add", "NET_RAW",
    "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
    "--cgroupns=host", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
    "--tmpfs", "/run", "--tmpfs", "/run/lock", "--device", "/dev/fuse",
    "-e", "container=docker", "--stop-signal", "SIGRTMIN+3",
]  # fmt: skip

WRITER = r"""
import os, sys, time
target, acks, stop = sys.argv[1:4]
num = 1
with open(acks, "a") as ack:
    while not os.path.exists(stop):
        try:
            fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, b"%08d\n" % num)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:
            time.sleep(0.05)
            continue
        ack.write("%08d %.4f\n" % (num, time.time()))
        ack.flush()
        num += 1
        time.sleep(0.01)
"""


def sh(*argv: str, check: bool = True, timeout: float = 300) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: rc {proc.returncode}: {proc.stderr or proc.stdout}")
    return proc.stdout


def ex(node: str, cmd: str, check: bool = True, timeout: float = 300) -> str:
    return sh("docker", "exec", node, "sh", "-c", cmd, check=check, timeout=timeout)


def gluster_xml(args: str) -> str:
    return ex(NODES[0], f"LC_ALL=C gluster --mode=script {args} --xml", check=False, timeout=120)


def bounded_wait(what: str, probe, timeout: float, every: float = 1.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(every)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def _parsers():
    sys.path.insert(0, "plugins/module_utils")
    import _gluster  # the parsers the modules use, from the repo tree

    return _gluster


def cleanup() -> None:
    for node in NODES:
        sh("docker", "rm", "-f", node, check=False)
    sh("docker", "network", "rm", NETWORK, check=False)


def setup() -> None:
    cleanup()
    sh("docker", "network", "create", "--subnet", SUBNET, NETWORK)
    for node, addr in zip(NODES, ADDRS, strict=True):
        sh("docker", "run", "-d", "--name", node, "--hostname", node, "--network", NETWORK,
           "--ip", addr, *RUN_FLAGS, IMAGE, "/lib/systemd/systemd")  # fmt: skip
    for node in NODES:
        ex(node, "timeout 90 systemctl is-system-running --wait", check=False)
    script = (
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
        "glusterfs-server >/dev/null && systemctl enable --now glusterd"
    )
    install = [subprocess.Popen(["docker", "exec", n, "sh", "-c", script]) for n in NODES]
    if any(p.wait(timeout=600) for p in install):
        raise RuntimeError("installing glusterfs-server failed")
    for node in NODES:
        ex(node, f"mkdir -p {BRICK}")
    for addr in ADDRS[1:]:
        ex(NODES[0], f"gluster peer probe {addr}")
    g = _parsers()
    bounded_wait(
        "peers in cluster",
        lambda: sum(p["connected"] for p in g.parse_peer_status(gluster_xml("peer status"))) == 2,
        60,
    )
    bricks = " ".join(f"{a}:{BRICK}" for a in ADDRS)
    ex(NODES[0], f"gluster --mode=script volume create {VOLUME} replica 3 {bricks} force")
    for key, value in (
        ("cluster.quorum-type", "auto"),
        ("cluster.server-quorum-type", "server"),
        ("cluster.self-heal-daemon", "on"),
    ):
        ex(NODES[0], f"gluster --mode=script volume set {VOLUME} {key} {value}")
    ex(NODES[0], f"gluster --mode=script volume start {VOLUME}")
    ex(NODES[0], f"cat > {WRITER_PATH} <<'EOF'\n{WRITER}\nEOF")


def set_ping_timeout(seconds: int) -> None:
    ex(NODES[0], f"gluster --mode=script volume set {VOLUME} network.ping-timeout {seconds}")
    # The client reads ping-timeout from its volfile: remount so the new value is in force.
    ex(NODES[0], f"umount {MOUNT} 2>/dev/null; mkdir -p {MOUNT}")
    backups = ":".join(ADDRS[1:])
    ex(
        NODES[0],
        f"mount -t glusterfs -o backup-volfile-servers={backups} {ADDRS[0]}:/{VOLUME} {MOUNT}",
    )


def healthy() -> bool:
    g = _parsers()
    info = g.parse_volume_info(gluster_xml(f"volume info {VOLUME}")).get(VOLUME)
    status = g.parse_volume_status(gluster_xml(f"volume status {VOLUME}")).get(VOLUME, {})
    if not info or g.bricks_offline(info, status):
        return False
    heal = g.parse_heal_info(gluster_xml(f"volume heal {VOLUME} info summary"))
    return heal["entries"] == 0 and heal["unreachable"] == 0 and heal["split_brain"] == 0


@dataclass
class Trial:
    mode: str
    ping_timeout: int
    stall_s: float
    acked: int
    lost: int
    split_brain: int


@dataclass
class Results:
    trials: list[Trial] = field(default_factory=list)


def read_acks(path: str) -> list[tuple[str, float]]:
    out = ex(NODES[0], f"cat {path} 2>/dev/null || true")
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2:
            rows.append((parts[0], float(parts[1])))
    return rows


def trial(mode: str, ping_timeout: int, idx: int) -> Trial:
    tag = f"{mode}-{ping_timeout}-{idx}"
    target, acks, stop = f"{MOUNT}/{tag}.log", f"/var/tmp/{tag}.acks", f"/var/tmp/{tag}.stop"
    argv = ["docker", "exec", NODES[0], "python3", WRITER_PATH, target, acks, stop]
    writer = subprocess.Popen(argv)
    victim = NODES[2]
    try:
        bounded_wait("the writer to start", lambda: len(read_acks(acks)) >= 50, 60, 0.5)
        fault_at = time.time()
        if mode == "stop":
            ex(victim, "systemctl stop glusterd")
        else:
            sh("docker", "pause", victim)
        # Writes must resume: wait for 50 acknowledgements after the fault (bounded).
        bounded_wait(
            "writes to resume",
            lambda: sum(1 for _, t in read_acks(acks) if t > fault_at) >= 50,
            ping_timeout + 60,
            0.5,
        )
        if mode == "stop":
            ex(victim, "systemctl start glusterd")
        else:
            sh("docker", "unpause", victim)
        time.sleep(2)
    finally:
        ex(NODES[0], f"touch {stop}", check=False)
        writer.wait(timeout=60)
    # The stall: the longest gap between acknowledgements from the last one before the fault
    # up to the 50th after it (the fault takes effect a little after it is issued).
    times = sorted(t for _, t in read_acks(acks))
    first = max(i for i, t in enumerate(times) if t <= fault_at)
    window = times[first : first + 52]
    stall = max(b - a for a, b in itertools.pairwise(window))
    ex(NODES[0], f"gluster --mode=script volume heal {VOLUME}", check=False)
    bounded_wait("the heal to finish", healthy, 180, 2)
    acked = {n for n, _ in read_acks(acks)}
    lost = 0
    for node in NODES:
        on_brick = set(ex(node, f"cat {BRICK}/{tag}.log").split())
        lost += len(acked - on_brick)
    g = _parsers()
    split = g.parse_heal_info(gluster_xml(f"volume heal {VOLUME} info summary"))["split_brain"]
    return Trial(mode, ping_timeout, stall, len(acked), lost, split)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1)
    parser.add_argument("--timeouts", default="42,10", help="ping-timeouts to compare, seconds")
    parser.add_argument("--modes", default="stop,pause", help="stop (service stop), pause (hang)")
    parser.add_argument("--json", action="store_true", help="print the trials as JSON too")
    args = parser.parse_args()
    results = Results()
    started = time.monotonic()
    try:
        setup()
        print(f"setup took {time.monotonic() - started:.0f} s", flush=True)
        for timeout in [int(t) for t in args.timeouts.split(",")]:
            set_ping_timeout(timeout)
            for mode in args.modes.split(","):
                for idx in range(args.trials):
                    res = trial(mode, timeout, idx)
                    results.trials.append(res)
                    print(
                        f"  {mode:5} ping-timeout {timeout:2d}s trial {idx}: stall "
                        f"{res.stall_s:6.2f} s, acked {res.acked}, lost {res.lost}, "
                        f"split-brain {res.split_brain}",
                        flush=True,
                    )
    finally:
        cleanup()
    print()
    print(f"{'mode':6} {'ping-timeout':>12} {'trials':>6} {'p50 stall':>10} {'max stall':>10} "
          f"{'acked':>7} {'lost':>5}")  # fmt: skip
    groups: dict[tuple[str, int], list[Trial]] = {}
    for res in results.trials:
        groups.setdefault((res.mode, res.ping_timeout), []).append(res)
    for (mode, timeout), rows in groups.items():
        stalls = [r.stall_s for r in rows]
        print(
            f"{mode:6} {timeout:>11}s {len(rows):>6} {statistics.median(stalls):>9.2f}s "
            f"{max(stalls):>9.2f}s {sum(r.acked for r in rows):>7} {sum(r.lost for r in rows):>5}"
        )
    print(f"total {time.monotonic() - started:.0f} s")
    if args.json:
        print(json.dumps([r.__dict__ for r in results.trials]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
