"""Loading an inventory from files: YAML errors with file and line, variable precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from hactl import inventory
from hactl.errors import InvalidConfig

HOSTS = """\
all:
  children:
    control_plane:
      hosts:
        cp-1: {ansible_host: 10.0.0.11}
        cp-2: {ansible_host: 10.0.0.12}
        cp-3: {ansible_host: 10.0.0.13, hactl_node_address: 10.0.0.33}
    lb:
      children:
        control_plane:
  vars:
    hactl_network_cidr: 10.0.0.0/24
"""


def write(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "hosts.yml"


def test_groups_children_and_precedence(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "hosts.yml": HOSTS,
            "group_vars/all.yml": "hactl_api_vip: 10.0.0.10\nx: all\n",
            "group_vars/control_plane/main.yml": "x: control_plane\n",
            "host_vars/cp-2.yml": "x: host\n",
        },
    )
    inv = inventory.load(path)
    assert inv.hosts == ["cp-1", "cp-2", "cp-3"]
    assert inv.group("lb") == ["cp-1", "cp-2", "cp-3"]
    assert inv.hostvars("cp-1")["x"] == "control_plane"
    assert inv.hostvars("cp-2")["x"] == "host"
    assert inv.hostvars("cp-3")["hactl_api_vip"] == "10.0.0.10"
    assert inventory.validate(inv) == []


def test_directory_inventory(tmp_path: Path) -> None:
    write(tmp_path, {"hosts.yml": HOSTS})
    assert inventory.load(tmp_path).hosts == ["cp-1", "cp-2", "cp-3"]


def test_yaml_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {"hosts.yml": HOSTS, "group_vars/all.yml": "a: 1\nb: [unclosed\nc: 3\n"},
    )
    with pytest.raises(InvalidConfig) as info:
        inventory.load(path)
    (problem,) = info.value.problems
    assert problem.file == str(tmp_path / "group_vars/all.yml")
    assert problem.line in (2, 3, 4)
    assert f"{problem.file}:{problem.line}" in str(problem)
    assert info.value.exit_code == 3


def test_yaml_error_in_hosts_file(tmp_path: Path) -> None:
    path = write(tmp_path, {"hosts.yml": "all:\n  hosts:\n    a: {\n  b\n"})
    with pytest.raises(InvalidConfig) as info:
        inventory.load(path)
    assert info.value.problems[0].file == str(path)
    assert info.value.problems[0].line is not None


def test_unknown_variable_problem_names_its_file(tmp_path: Path) -> None:
    path = write(tmp_path, {"hosts.yml": HOSTS, "group_vars/all.yml": "hactl_api_vipp: 1\n"})
    problems = inventory.validate(inventory.load(path))
    (problem,) = [p for p in problems if p.rule == "unknown_variable"]
    assert problem.file == str(tmp_path / "group_vars/all.yml")
    assert "did you mean hactl_api_vip?" in str(problem)


def test_vault_values_are_opaque(tmp_path: Path) -> None:
    vault = "secret: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n"
    path = write(tmp_path, {"hosts.yml": HOSTS, "group_vars/all.yml": vault})
    assert inventory.load(path).hostvars("cp-1")["secret"].startswith("{{")


def test_missing_inventory() -> None:
    with pytest.raises(InvalidConfig, match="does not exist"):
        inventory.load("/nonexistent/hosts.yml")


def test_load_valid_raises_with_every_problem(tmp_path: Path) -> None:
    text = HOSTS.replace("cp-3: {ansible_host: 10.0.0.13, hactl_node_address: 10.0.0.33}", "")
    path = write(tmp_path, {"hosts.yml": text, "group_vars/all.yml": "hactl_api_vip: 1.2.3.4\n"})
    with pytest.raises(InvalidConfig) as info:
        inventory.load_valid(path)
    assert {p.rule for p in info.value.problems} == {"control_plane_quorum", "vip"}


def test_sample_inventory_is_valid(repo: Path) -> None:
    assert inventory.validate(inventory.load(repo / "inventories/sample/hosts.yml")) == []
