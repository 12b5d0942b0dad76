"""The lab end to end (marker: slow): `hactl lab up` on 3 nodes over real SSH, status healthy,
a second provision with changed=0 read from runner stats, every failover drill, and `hactl lab
down` leaving nothing.

Uses its own lab name, network and subnet (hactl-itest, 172.30.101.0/24) and its own state dir,
so it never touches a developer's `hactl lab` or a molecule scenario.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


# The drills this suite runs on the lab: every fault of the VIP, load balancer and nodes (each
# passed on the lab). The etcd and storage drills (etcd-leader-down, etcd-quorum-loss,
# storage-node-down) are implemented but not yet proven on the lab, so CI does not run them yet.
LAB_DRILLS = (
    "vip-holder-down",
    "haproxy-down",
    "lb-backend-down",
    "node-crash",
    "network-partition",
)


def check_drills(env: dict[str, str], inventory: str) -> None:
    """`hactl drill` on the lab: every fault really injected and recovered from, and the cluster
    fully redundant afterwards."""
    scenarios = [arg for name in LAB_DRILLS for arg in ("--scenario", name)]
    rc, drill = hactl(env, "drill", "-i", inventory, *scenarios)
    report = json.dumps(drill, indent=1)
    ran = {s["name"]: s for s in drill["scenarios"]}
    assert set(ran) == set(LAB_DRILLS), (drill["skipped"], report[-4000:])
    for scenario in drill["scenarios"]:
        for trial in scenario["trials"]:
            where = f"{scenario['name']} #{trial['trial']}: {trial['notes']}"
            assert trial["fault_took_effect"], where
            assert trial["redundancy_restored_s"] is not None, where
            assert trial["detected_at"] is None or trial["recovered_at"] is not None, where
    assert rc == 0, report[-6000:]
    assert drill["passed"]
    rc, status = hactl(env, "status", "-i", inventory)
    assert rc == 0 and status["state"] == "healthy", status


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
    finally:
        rc, _ = hactl(env, "lab", "down", "--name", NAME)
    assert rc == 0
    assert docker_names("container") == []
    assert docker_names("network") == []
    assert not (tmp_path / "hactl/labs" / NAME).exists()
