"""hactl's Jinja filters (plugins/filter/hactl_filters.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "plugins/filter/hactl_filters.py"
_spec = importlib.util.spec_from_file_location("hactl_filters", _PATH)
assert _spec and _spec.loader
filters = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(filters)


@pytest.mark.parametrize(
    ("hostvars", "expected"),
    [
        ({"hactl_node_address": "10.0.0.5", "ansible_host": "10.0.0.9"}, "10.0.0.5"),
        ({"ansible_host": "10.0.0.9", "ansible_default_ipv4": {"address": "10.1.1.1"}}, "10.0.0.9"),
        ({"ansible_host": "node-1", "ansible_default_ipv4": {"address": "10.1.1.1"}}, "10.1.1.1"),
        ({"ansible_host": "fd00::5"}, "fd00::5"),
        ({"ansible_default_ipv4": {"address": "172.30.1.11"}}, "172.30.1.11"),
    ],
)
def test_node_address(hostvars: dict, expected: str) -> None:
    assert filters.node_address(hostvars, "n1") == expected


@pytest.mark.parametrize(
    ("hostvars", "message"),
    [
        ({"ansible_host": "node-1"}, "host n1: no address known"),
        ({"ansible_host": "node-1", "ansible_default_ipv4": {}}, "host n1: no address known"),
        ({"hactl_node_address": "not-an-ip"}, "host n1: hactl_node_address 'not-an-ip'"),
    ],
)
def test_node_address_errors_name_the_host(hostvars: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        filters.node_address(hostvars, "n1")


WANTED = {"net.ipv4.ip_forward": 1, "net.bridge.bridge-nf-call-iptables": True, "vm.swappiness": 0}


@pytest.mark.parametrize(
    ("in_container", "has_bridge", "apply", "skipped"),
    [
        (False, True, set(WANTED), set()),
        (
            True,
            True,
            {"net.ipv4.ip_forward", "net.bridge.bridge-nf-call-iptables"},
            {"vm.swappiness"},
        ),
        (
            False,
            False,
            {"net.ipv4.ip_forward", "vm.swappiness"},
            {"net.bridge.bridge-nf-call-iptables"},
        ),
        (
            True,
            False,
            {"net.ipv4.ip_forward"},
            {"vm.swappiness", "net.bridge.bridge-nf-call-iptables"},
        ),
    ],
)
def test_sysctl_plan(in_container: bool, has_bridge: bool, apply: set, skipped: set) -> None:
    plan = filters.sysctl_plan(WANTED, in_container=in_container, has_bridge_nf=has_bridge)
    assert set(plan["apply"]) == apply
    assert set(plan["skipped"]) == skipped


def test_sysctl_plan_renders_booleans_as_integers() -> None:
    plan = filters.sysctl_plan({"net.bridge.bridge-nf-call-iptables": True})
    assert plan["apply"] == {"net.bridge.bridge-nf-call-iptables": "1"}


def test_filter_errors_name_the_filter() -> None:
    wrapped = filters.FilterModule().filters()["hactl_node_address"]
    with pytest.raises(Exception, match="hactl_node_address: host x: no address known"):
        wrapped({}, "x")
