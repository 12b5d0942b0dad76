"""playbooks/gpu-remediate.yml end to end on two local "GPU nodes" made of fixtures.

Each node is the controller itself (local connection) with its own fixture sysfs, procfs,
nvidia-smi and kernel log (hactl_gpu_probe) and its own remediation state directory. Kubernetes
is off (gpu_remediate_kubernetes: false) and resets and reboots are forbidden in every test (the
planner checks capacity and one-at-a-time before permission), so no step can touch this machine.
What runs for real: the judging play, the capacity and one-at-a-time filters over hostvars, the
planner module with its state file, the step loop and its guard.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests/unit"))

import gpu_fixtures as fx  # noqa: E402  after the path insert

KERNEL_LOG_OFF_THE_BUS = fx.KERNEL_LOG_CLEAN + (
    "2026-12-03T13:00:00+0000 gpu kernel: NVRM: Xid (PCI:0000:31:00): 79, pid='<unknown>',"
    " name=<unknown>, GPU has fallen off the bus.\n"
)


def _node(tmp_path: Path, name: str, log: str = fx.KERNEL_LOG_CLEAN, **smi: dict) -> dict:
    base = tmp_path / name
    base.mkdir()
    (base / "kern.log").write_text(log)
    return {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "ansible_become": False,
        "hactl_gpu_expected_count": 4,
        "gpu_remediate_state_dir": str(base / "state"),
        "hactl_gpu_probe": {
            "sysfs_root": str(fx.sysfs_mixed_pcie(base / "sys")),
            "proc_root": str(fx.proc_driver(base / "proc")),
            "nvidia_smi": fx.fake_smi(base, fx.mixed_smi_xml(**smi)),
            "kernel_log": str(base / "kern.log"),
        },
    }


def _run(tmp_path: Path, hosts: dict, **group_vars) -> dict[str, str]:
    """Run the playbook; return each host's final 'Report the outcome' message."""
    group_vars = {
        "hactl_kubernetes_enabled": False,  # no cluster here: no Kubernetes inputs to validate
        "gpu_remediate_kubernetes": False,
        "gpu_remediate_allow_reboot": False,
        "gpu_remediate_allow_reset": False,
        **group_vars,
    }
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(
        yaml.safe_dump({"all": {"children": {"gpu_workers": {"hosts": hosts, "vars": group_vars}}}})
    )
    env = dict(os.environ)
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "ANSIBLE_STDOUT_CALLBACK": "json",
            "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
            "ANSIBLE_CACHE_PLUGIN": "memory",
            "ANSIBLE_FORCE_COLOR": "0",
        }
    )
    proc = subprocess.run(
        # The inventory holds only the GPU "nodes" under test (no control plane): skip the
        # cluster-model step of the validation play; the GPU roles' own checks still run.
        [
            "ansible-playbook",
            "-i",
            str(inventory),
            "playbooks/gpu-remediate.yml",
            "--skip-tags",
            "hactl_model",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-3000:]
    outcome = {}
    for play in json.loads(proc.stdout)["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"] == "Report the outcome":
                outcome.update({h: r["msg"] for h, r in task["hosts"].items()})
    return outcome


def _state(hosts: dict, name: str) -> dict | None:
    path = Path(hosts[name]["gpu_remediate_state_dir"]) / "gpu-remediation.json"
    return json.loads(path.read_text()) if path.exists() else None


@pytest.mark.slow
def test_hardware_fault_is_parked_for_inspection(tmp_path: Path) -> None:
    hosts = {
        "g1": _node(tmp_path, "g1"),
        "g2": _node(tmp_path, "g2", gpu2={"remap_failure": "Yes"}),
    }
    outcome = _run(tmp_path, hosts)
    assert "last step none" in outcome["g1"]
    assert "last step inspect" in outcome["g2"], outcome
    assert _state(hosts, "g1") is None
    assert _state(hosts, "g2") == {
        "fault": "row_remap_failure",
        "resets": 0,
        "reboots": 0,
        "inspection": True,
    }
    again = _run(tmp_path, hosts)
    assert "last step hold" in again["g2"], again


@pytest.mark.slow
def test_refuses_below_capacity(tmp_path: Path) -> None:
    hosts = {"g1": _node(tmp_path, "g1"), "g2": _node(tmp_path, "g2", log=KERNEL_LOG_OFF_THE_BUS)}
    outcome = _run(tmp_path, hosts, gpu_remediate_min_gpus=8)
    assert "last step refuse" in outcome["g2"] and "capacity of 8" in outcome["g2"], outcome
    assert _state(hosts, "g2") is None, "a refusal records nothing"


@pytest.mark.slow
def test_one_node_at_a_time(tmp_path: Path) -> None:
    hosts = {"g1": _node(tmp_path, "g1"), "g2": _node(tmp_path, "g2", log=KERNEL_LOG_OFF_THE_BUS)}
    state = Path(hosts["g1"]["gpu_remediate_state_dir"])
    state.mkdir()
    (state / "gpu-remediation.json").write_text(
        json.dumps({"fault": "xid:48", "resets": 1, "reboots": 1})
    )
    # g1 is healthy again and uncordoned first (serial 1, inventory order); then g2 may start, and
    # stops only because reboots are forbidden here.
    outcome = _run(tmp_path, hosts)
    assert "last step uncordon" in outcome["g1"], outcome
    assert _state(hosts, "g1") is None
    assert "last step refuse" in outcome["g2"] and "not allowed" in outcome["g2"], outcome


@pytest.mark.slow
def test_waits_for_a_node_in_remediation(tmp_path: Path) -> None:
    hosts = {
        "g1": _node(tmp_path, "g1", log=KERNEL_LOG_OFF_THE_BUS),
        "g2": _node(tmp_path, "g2", log=KERNEL_LOG_OFF_THE_BUS),
    }
    state = Path(hosts["g1"]["gpu_remediate_state_dir"])
    state.mkdir()
    (state / "gpu-remediation.json").write_text(
        json.dumps({"fault": "xid:79", "resets": 0, "reboots": 1})
    )
    outcome = _run(tmp_path, hosts)
    # g1 is mid-remediation (cordoned, one reboot done) but may not reboot here: refused (not
    # allowed, and a refusal records nothing), so it stays in remediation and g2 must wait.
    assert "last step" in outcome["g1"]
    assert "one node at a time" in outcome["g2"], outcome
