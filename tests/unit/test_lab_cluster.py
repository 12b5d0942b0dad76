"""The lab's plan: names, addresses, container flags and its inventory (nothing is created)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hactl import inventory
from hactl.errors import LabError
from hactl.lab import cluster


def test_describe_default_lab(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    lab = cluster.describe()
    assert lab.network == "hactl-lab"
    assert lab.subnet == "172.30.100.0/24"
    assert [n.name for n in lab.nodes] == ["hactl-lab-1", "hactl-lab-2", "hactl-lab-3"]
    assert [n.address for n in lab.nodes] == ["172.30.100.11", "172.30.100.12", "172.30.100.13"]
    assert lab.vip == "172.30.100.10"
    assert lab.state_dir == tmp_path / "hactl/labs/lab"


def test_describe_rejects_silly_sizes() -> None:
    with pytest.raises(LabError):
        cluster.describe(nodes=0)


def test_container_flags_come_from_the_molecule_platform(repo: Path) -> None:
    platform = cluster.platform_defaults()
    shared = yaml.safe_load((repo / "tests/molecule/platform.yml").read_text())
    assert platform["capabilities"] == shared["hactl_molecule_platform_defaults"]["capabilities"]
    opts, command = cluster.docker_run_args(platform)
    assert "--cap-add=SYS_ADMIN" in opts
    assert "--cgroupns=host" in opts
    assert "--tmpfs=/run" in opts
    assert "--volume=/sys/fs/cgroup:/sys/fs/cgroup:rw" in opts
    assert not any("SYS_TIME" in o or "SYS_MODULE" in o or "privileged" in o for o in opts)
    assert command == ["/lib/systemd/systemd"]


@pytest.mark.parametrize("nodes", [1, 2, 3, 5])
def test_generated_inventory_is_a_valid_cluster(nodes: int, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    lab = cluster.describe(nodes=nodes)
    path = cluster.write_inventory(lab)
    assert inventory.validate(inventory.load(path)) == []
    first = cluster.write_inventory(lab).read_text()
    assert cluster.write_inventory(lab).read_text() == first  # stable: re-runs converge


def test_lab_ntp_stays_inside_the_lab(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    lab = cluster.describe(nodes=3)
    hosts = cluster.inventory_data(lab)["all"]["children"]["control_plane"]["hosts"]
    one, two = hosts["hactl-lab-1"], hosts["hactl-lab-2"]
    assert one["node_prep_chrony_pools"] == [] and one["node_prep_chrony_servers"] == []
    assert one["node_prep_chrony_local_stratum"] > 0
    assert two["node_prep_chrony_pools"] == []
    assert two["node_prep_chrony_servers"] == ["172.30.100.11"]


def test_ssh_settings_pin_known_hosts(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    lab = cluster.describe()
    lab_vars = cluster.inventory_data(lab)["all"]["vars"]
    assert f"UserKnownHostsFile={lab.known_hosts}" in lab_vars["ansible_ssh_common_args"]
    assert "StrictHostKeyChecking=yes" in lab_vars["ansible_ssh_common_args"]
    assert lab_vars["ansible_ssh_private_key_file"] == str(lab.key_file)
