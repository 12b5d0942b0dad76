"""The lab end to end (marker: slow): `hactl lab up` on 3 nodes over real SSH, status healthy,
a second provision with changed=0 read from runner stats, every failover drill, the etcd and
storage alerts firing and resolving, and `hactl lab down` leaving nothing.

Uses its own lab name, network and subnet (hactl-itest, 172.30.101.0/24) and its own state dir,
so it never touches a developer's `hactl lab` or a molecule scenario.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NAME = "itest"
SUBNET = "172.30.101.0/24"
LABEL = f"hactl.lab={NAME}"
TIMEOUT_S = int(os.environ.get("HACTL_LAB_TIMEOUT", "2400"))


def hactl(env: dict[str, str], *args: str) -> tuple[int, dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "hactl", *args, "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    try:
        doc = json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"hactl {' '.join(args)}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc.returncode, doc


def docker_names(kind: str) -> list[str]:
    """This lab's containers or networks, by label."""
    argv = ["ps", "-a"] if kind == "container" else ["network", "ls"]
    fmt = "{{.Names}}" if kind == "container" else "{{.Name}}"
    cmd = ["docker", *argv, "--filter", f"label={LABEL}", "--format", fmt]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()


# Every drill scenario: the lab provisions every component they fault (VIP, load balancer,
# nodes, etcd, GlusterFS).
RUNS_FOR_MINUTES = True  # tests/conftest.py starts it first

LAB_DRILLS = (
    "vip-holder-down",
    "haproxy-down",
    "lb-backend-down",
    "node-crash",
    "network-partition",
    "etcd-leader-down",
    "etcd-quorum-loss",
    "storage-node-down",
)
# Scenarios whose probes are acknowledged writes, which must all be read back afterwards.
WRITERS = ("etcd-leader-down", "etcd-quorum-loss", "storage-node-down")


def check_drills(env: dict[str, str], inventory: str) -> None:
    """`hactl drill --scenario all` on the lab: every fault really injected and recovered from,
    no acknowledged write lost, writes refused while etcd had no quorum, and the cluster fully
    redundant afterwards."""
    rc, drill = hactl(env, "drill", "-i", inventory, "--scenario", "all")
    report = json.dumps(drill, indent=1)
    ran = {s["name"]: s for s in drill["scenarios"]}
    assert set(ran) == set(LAB_DRILLS), (drill["skipped"], report[-4000:])
    for scenario in drill["scenarios"]:
        for trial in scenario["trials"]:
            where = f"{scenario['name']} #{trial['trial']}: {trial['notes']}"
            assert trial["fault_took_effect"], where
            assert trial["redundancy_restored_s"] is not None, where
            if scenario["name"] in WRITERS:
                assert trial["writes_acked"] > 0, f"{where}: no write acknowledged"
                assert trial["writes_lost"] == 0, where
            if scenario["name"] != "etcd-quorum-loss":
                assert trial["detected_at"] is None or trial["recovered_at"] is not None, where
    quorum = ran["etcd-quorum-loss"]["trials"][0]
    assert quorum["probes_failed"] > 0, "writes were not refused while quorum was lost"
    assert quorum["writes_acked_during_fault"] == 0, "a write was acknowledged without quorum"
    assert quorum["recovered_at"] is not None, "writes did not resume once quorum was back"
    assert rc == 0, report[-6000:]
    assert drill["passed"]
    rc, status = hactl(env, "status", "-i", inventory)
    assert rc == 0 and status["state"] == "healthy", status


def firing(env: dict[str, str], inventory: str) -> set[str]:
    """Alerts firing on either Prometheus, as `hactl status` reads them."""
    _, doc = hactl(env, "status", "-i", inventory)
    monitoring = next(c for c in doc["components"] if c["name"] == "monitoring")
    return {a for view in monitoring["details"].values() for a in view.get("firing", [])}


def wait_for(predicate, what: str, timeout_s: float = 180, poll_s: float = 5) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(poll_s)
    pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")


def check_alerts(env: dict[str, str], inventory: str) -> None:
    """Continuous detection on the lab: stopping an etcd member, and a storage node's glusterd
    with its bricks, fires the matching alert in Prometheus within the rule's `for:` window;
    undone, the alert resolves."""
    node = f"hactl-{NAME}-3"
    faults = {
        "HactlEtcdMemberDown": ("systemctl stop etcd", "systemctl start etcd"),
        "HactlGlusterBrickDown": (
            "systemctl stop glusterd; pkill -x glusterfsd; true",
            "systemctl start glusterd",
        ),
    }
    for alert, (stop, start) in faults.items():
        assert alert not in firing(env, inventory), f"{alert} fires before its fault"
        subprocess.run(["docker", "exec", node, "sh", "-c", stop], check=True, timeout=60)
        try:
            wait_for(lambda a=alert: a in firing(env, inventory), f"{alert} to fire")
        finally:
            subprocess.run(["docker", "exec", node, "sh", "-c", start], check=True, timeout=60)
        wait_for(lambda a=alert: a not in firing(env, inventory), f"{alert} to resolve")


@pytest.mark.slow
def test_lab_up_status_idempotent_down(tmp_path: Path, tool_env: dict[str, str]) -> None:
    env = {**tool_env, "XDG_DATA_HOME": str(tmp_path), "PYTHONPATH": str(REPO)}
    try:
        rc, up = hactl(env, "lab", "up", "--nodes", "3", "--name", NAME, "--subnet", SUBNET)
        assert rc == 0, json.dumps(up, indent=1)[-6000:]
        assert sorted(up["nodes"]) == [f"hactl-{NAME}-{i}" for i in (1, 2, 3)]
        assert up["status"]["state"] == "healthy"
        inventory = up["inventory"]

        rc, status = hactl(env, "status", "-i", inventory)
        assert rc == 0, status
        assert status["state"] == "healthy"
        assert {c["name"]: c["state"] for c in status["components"]}["nodes"] == "healthy"

        rc, again = hactl(env, "provision", "-i", inventory)
        assert rc == 0, again["failures"]
        assert again["stats"]["changed"] == {} or set(again["stats"]["changed"].values()) == {0}
        assert again["changed"] == 0

        rc, up2 = hactl(env, "lab", "up", "--nodes", "3", "--name", NAME, "--subnet", SUBNET)
        assert rc == 0
        assert up2["created"] == []  # converges, never duplicates
        assert len(docker_names("container")) == 3

        check_drills(env, inventory)
        check_alerts(env, inventory)
    finally:
        rc, _ = hactl(env, "lab", "down", "--name", NAME)
    assert rc == 0
    assert docker_names("container") == []
    assert docker_names("network") == []
    assert not (tmp_path / "hactl/labs" / NAME).exists()
