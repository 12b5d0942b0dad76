"""kubernetes_packages' local fact records what is installed: a kubeadm installed ahead of the
kubelet (upgrade.yml's first step) does not make the node's recorded release the new one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the role sets owner root on the fact")

PLAYBOOK = """\
- name: Verify the installed packages
  hosts: node
  gather_facts: false
  tasks:
    - name: Verify and record
      ansible.builtin.include_role:
        name: kubernetes_packages
        tasks_from: verify
"""


def _verify(repo: Path, tmp: Path, env: dict[str, str], names: list[str], version: str) -> dict:
    bindir = tmp / "bin"
    bindir.mkdir(exist_ok=True)
    kubeadm = bindir / "kubeadm"
    kubeadm.write_text(f"#!/bin/sh\necho v{version}\n")
    kubeadm.chmod(0o755)
    fact = tmp / "facts.d/kubernetes_packages.fact"
    (tmp / "play.yml").write_text(PLAYBOOK)
    extra = {
        "kubernetes_packages_names": names,
        "kubernetes_packages_version": version,
        "kubernetes_packages_source": "offline",
        "kubernetes_packages_offline_format": "binaries",
        "kubernetes_packages_bin_dir": str(bindir),
        "__kubernetes_packages_facts_file": str(fact),
    }
    proc = subprocess.run(
        [
            "ansible-playbook",
            "-i",
            "node,",
            "-c",
            "local",
            str(tmp / "play.yml"),
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            "-e",
            json.dumps(extra),
        ],
        cwd=repo,
        env={**env, "ANSIBLE_CONFIG": str(repo / "ansible.cfg"), "ANSIBLE_CACHE_PLUGIN": "memory"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    return json.loads(fact.read_text())


def test_kubeadm_ahead_of_the_kubelet_keeps_the_recorded_release(
    repo: Path, tmp_path: Path, tool_env
) -> None:
    fact = tmp_path / "facts.d/kubernetes_packages.fact"
    fact.parent.mkdir()
    # A record as the role wrote it before it kept per-package versions.
    fact.write_text(json.dumps({"version": "1.31.4", "source": "offline"}))

    record = _verify(repo, tmp_path, tool_env, ["kubeadm"], "1.31.5")
    assert record["version"] == "1.31.4"
    assert record["packages"] == {"kubeadm": "1.31.5", "kubelet": "1.31.4", "kubectl": "1.31.4"}


def test_a_fresh_node_records_what_it_installed(repo: Path, tmp_path: Path, tool_env) -> None:
    record = _verify(repo, tmp_path, tool_env, ["kubeadm", "kubectl"], "1.31.5")
    assert record["packages"] == {"kubeadm": "1.31.5", "kubectl": "1.31.5"}
    assert record["version"] == "1.31.5"
