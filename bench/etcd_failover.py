#!/usr/bin/env python3
"""etcd leader failover at etcd's raft timing and at hactl's, side by side.

For each timing (heartbeat/election in ms) it starts a 3-member etcd cluster in containers on its
own network, then, per trial: finds the leader, kills its container (SIGKILL), and measures the
time until a surviving member acknowledges a write. Then a run with both host cores saturated by
busy loops counts spurious leader changes (no member is killed). Prints numbers; decides nothing.

The containers run etcd itself (no systemd), plain HTTP, from Debian's etcd-server package
(downloaded once with apt-get into .cache/bench/etcd). Traffic goes only to the containers on
the network this script creates. Everything is removed at the end, also on Ctrl-C.

    python bench/etcd_failover.py --trials 10 --saturate 60
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache/bench/etcd"
NETWORK = "hactl-bench-etcd"
SUBNET = "172.30.4.0/24"
IMAGE = "hactl-node:bookworm"
MEMBERS = {f"hactl-bench-etcd-{i}": f"172.30.4.{10 + i}" for i in (1, 2, 3)}
TIMINGS = {"etcd defaults": (100, 1000), "hactl defaults": (50, 500)}


def sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=check)


def etcd_binary() -> Path:
    """etcd from Debian's etcd-server package, unpacked once into the cache."""
    binary = CACHE / "usr/bin/etcd"
    if binary.exists():
        return binary
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "download", "etcd-server"], cwd=CACHE, check=True)
    deb = sorted(CACHE.glob("etcd-server_*.deb"))[-1]
    subprocess.run(["dpkg-deb", "-x", str(deb), str(CACHE)], check=True)
    return binary


def _call(ip: str, path: str, body: dict, timeout: float) -> dict:
    req = urllib.request.Request(
        f"http://{ip}:2379{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read() or b"{}")


def status(ip: str, timeout: float = 0.5) -> dict | None:
    try:
        return _call(ip, "/v3/maintenance/status", {}, timeout)
    except (OSError, urllib.error.URLError, ValueError):
        return None


def put(ip: str, key: str, timeout: float) -> bool:
    b64 = base64.b64encode
    body = {"key": b64(key.encode()).decode(), "value": b64(b"x").decode()}
    try:
        _call(ip, "/v3/kv/put", body, timeout)
    except (OSError, urllib.error.URLError, ValueError):
        return False
    return True


def leader_changes(ip: str) -> float | None:
    try:
        with urllib.request.urlopen(f"http://{ip}:2379/metrics", timeout=1) as resp:
            text = resp.read().decode()
    except (OSError, urllib.error.URLError):
        return None
    for line in text.splitlines():
        if line.startswith("etcd_server_leader_changes_seen_total "):
            return float(line.split()[1])
    return None


def leader(ips: list[str]) -> str | None:
    """IP of the member that every answering member names as leader."""
    by_id = {}
    named = set()
    for ip in ips:
        st = status(ip)
        if st:
            by_id[st["header"]["member_id"]] = ip
            named.add(st.get("leader"))
    if len(named) == 1:
        return by_id.get(named.pop())
    return None


def wait(cond, timeout: float, step: float = 0.2):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(step)
    return None


@contextmanager
def cluster(binary: Path, heartbeat: int, election: int) -> Iterator[list[str]]:
    initial = ",".join(f"{n}=http://{ip}:2380" for n, ip in MEMBERS.items())
    sh("docker", "network", "create", "--subnet", SUBNET, NETWORK)
    try:
        for name, ip in MEMBERS.items():
            sh(
                "docker", "run", "-d", "--name", name, "--network", NETWORK, "--ip", ip,
                "-v", f"{binary.parent}:/opt/etcd:ro", "--entrypoint", "/opt/etcd/etcd", IMAGE,
                "--name", name, "--data-dir", "/var/lib/etcd-bench",
                "--listen-peer-urls", f"http://{ip}:2380",
                "--initial-advertise-peer-urls", f"http://{ip}:2380",
                "--listen-client-urls", f"http://{ip}:2379",
                "--advertise-client-urls", f"http://{ip}:2379",
                "--initial-cluster", initial, "--initial-cluster-state", "new",
                "--initial-cluster-token", f"bench-{heartbeat}-{election}",
                "--heartbeat-interval", str(heartbeat), "--election-timeout", str(election),
                "--logger", "zap", "--log-level", "error",
            )  # fmt: skip
        ips = list(MEMBERS.values())
        if not wait(lambda: leader(ips), 60):
            raise RuntimeError("the bench cluster elected no leader within 60 s")
        yield ips
    finally:
        for name in MEMBERS:
            sh("docker", "rm", "-f", name, check=False)
        sh("docker", "network", "rm", NETWORK, check=False)


def failover_trial(ips: list[str], n: int) -> float | None:
    lead = wait(lambda: leader(ips), 30)
    if not lead:
        return None
    name = next(k for k, v in MEMBERS.items() if v == lead)
    survivors = [ip for ip in ips if ip != lead]
    sh("docker", "kill", "-s", "KILL", name)
    killed = time.monotonic()
    took = None
    i = 0
    while time.monotonic() - killed < 30:
        if put(survivors[i % 2], f"/bench/{n}/{i}", timeout=0.25):
            took = time.monotonic() - killed
            break
        i += 1
    sh("docker", "start", name)
    wait(lambda: status(lead) and leader(ips), 60)
    time.sleep(2)  # let the restarted member catch up before the next kill
    return took


def spin(stop_at: float) -> None:
    while time.monotonic() < stop_at:
        pass


def saturated_run(ips: list[str], seconds: int) -> tuple[float, int]:
    before = sum(leader_changes(ip) or 0 for ip in ips)
    stop_at = time.monotonic() + seconds
    hogs = [
        multiprocessing.Process(target=spin, args=(stop_at,)) for _ in range(os.cpu_count() or 2)
    ]
    for hog in hogs:
        hog.start()
    terms = set()
    failed_puts = 0
    i = 0
    while time.monotonic() < stop_at:
        st = status(ips[0])
        if st:
            terms.add(st["header"]["raft_term"])
        if not put(ips[i % 3], f"/bench/sat/{i}", timeout=1.0):
            failed_puts += 1
        i += 1
        time.sleep(0.2)
    for hog in hogs:
        hog.join()
    after = sum(leader_changes(ip) or 0 for ip in ips)
    # Each member counts each leader change it sees: divide by the members.
    return (after - before) / len(ips), failed_puts


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=10, help="leader kills per timing")
    parser.add_argument(
        "--saturate", type=int, default=60, help="seconds of saturated run; 0 skips"
    )
    args = parser.parse_args()
    binary = etcd_binary()
    print(
        f"etcd: {sh(str(binary), '--version').stdout.splitlines()[0]}; host cores: {os.cpu_count()}"
    )
    results = {}
    for label, (hb, el) in TIMINGS.items():
        with cluster(binary, hb, el) as ips:
            times = []
            for n in range(args.trials):
                took = failover_trial(ips, n)
                shown = "no write within 30 s" if took is None else f"{took:.2f} s"
                print(f"  {label} {hb}/{el} ms trial {n + 1}: {shown}", flush=True)
                if took is not None:
                    times.append(took)
            spurious, failed = saturated_run(ips, args.saturate) if args.saturate else (None, None)
        results[label] = (hb, el, times, spurious, failed)
    print()
    sat_head = f"leader changes in {args.saturate} s saturated"
    print(
        f"{'timing':16} {'hb/el ms':>9} {'n':>3} {'p50 s':>6} {'p95 s':>6} {'max s':>6} "
        f"{sat_head:>34} {'failed puts':>11}"
    )
    for label, (hb, el, times, spurious, failed) in results.items():
        if times:
            p50, p95, mx = statistics.median(times), pct(times, 0.95), max(times)
            cols = f"{p50:6.2f} {p95:6.2f} {mx:6.2f}"
        else:
            cols = f"{'-':>6} {'-':>6} {'-':>6}"
        sat = "-" if spurious is None else f"{spurious:g}"
        failed_s = "-" if failed is None else str(failed)
        print(f"{label:16} {f'{hb}/{el}':>9} {len(times):3d} {cols} {sat:>34} {failed_s:>11}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
