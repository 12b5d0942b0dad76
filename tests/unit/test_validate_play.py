"""Plain `ansible-playbook` gets the same cluster-model protection as `hactl validate`."""

from __future__ import annotations

import subprocess
from pathlib import Path

BAD = """\
all:
  children:
    control_plane:
      hosts:
        cp-1: {ansible_host: 10.0.0.11}
        cp-2: {ansible_host: 10.0.0.12}
  vars:
    ansible_connection: local
    hactl_network_cidr: 10.0.0.0/24
    hactl_api_vip: 10.0.1.10
    hactl_api_vipp: 10.0.0.10
"""


def _play(repo: Path, inventory: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["ansible-playbook", "-i", str(inventory), "playbooks/validate.yml"],
        cwd=repo,
        env={**env, "ANSIBLE_CONFIG": str(repo / "ansible.cfg")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_validation_play_rejects_a_bad_cluster(repo: Path, tmp_path: Path, tool_env) -> None:
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(BAD)
    proc = _play(repo, inventory, tool_env)
    assert proc.returncode != 0
    out = proc.stdout
    assert "group control_plane has 2 host(s)" in out
    assert "10.0.1.10 is outside hactl_network_cidr 10.0.0.0/24" in out
    assert "did you mean hactl_api_vip?" in out
    assert "Validate node_prep inputs" not in out  # stopped before anything else ran


def test_validation_play_accepts_the_sample(repo: Path, tmp_path: Path, tool_env) -> None:
    inventory = tmp_path / "hosts.yml"
    text = (repo / "inventories/sample/hosts.yml").read_text()
    inventory.write_text(text.replace("ansible_user: ops", "ansible_connection: local"))
    (tmp_path / "group_vars").symlink_to(repo / "inventories/sample/group_vars")
    proc = _play(repo, inventory, tool_env)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "cluster model valid (5 hosts)" in proc.stdout or "ok=" in proc.stdout
