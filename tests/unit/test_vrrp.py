"""Table-driven tests of the VRRP and load balancer planning in plugins/filter/hactl_vrrp.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

_PATH = Path(__file__).resolve().parents[2] / "plugins/filter/hactl_vrrp.py"
_spec = importlib.util.spec_from_file_location("hactl_vrrp", _PATH)
assert _spec and _spec.loader
vrrp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vrrp)

HOSTS = ["lb-1", "lb-2", "lb-3"]


def _hostvars(**per_host: dict[str, Any]) -> dict[str, dict[str, Any]]:
    hv = {h: {"ansible_host": f"10.0.0.{11 + i}"} for i, h in enumerate(HOSTS)}
    for host, extra in per_host.items():
        hv[host.replace("_", "-")].update(extra)
    return hv


SETTINGS = {
    "group": "lb",
    "priority_base": 150,
    "priority_step": 10,
    "nopreempt": False,
    "track_weight": 50,
    "tracking": True,
    "network_cidr": "10.0.0.0/24",
}
API = {"name": "api", "vip": "10.0.0.100", "virtual_router_id": 51}


def _problems(instances=None, hosts=None, hostvars=None, **settings) -> list[str]:
    return vrrp.vrrp_problems(
        [API] if instances is None else instances,
        HOSTS if hosts is None else hosts,
        hostvars or _hostvars(),
        {**SETTINGS, **settings},
    )


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, []),
        (
            {"instances": [dict(API, vip="10.0.1.100")]},
            ["vip 10.0.1.100 is not in hactl_network_cidr"],
        ),
        ({"network_cidr": ""}, ["hactl_network_cidr (or the instance's network_cidr) is empty"]),
        ({"instances": [dict(API, network_cidr="10.0.0.0/24")], "network_cidr": ""}, []),
        ({"instances": [dict(API, vip="10.0.0.12")]}, ["host lb-2: its address 10.0.0.12 equals"]),
        (
            {"instances": [dict(API, vip="not-an-ip")]},
            ["keepalived_instances[api].vip 'not-an-ip'"],
        ),
        (
            {"hostvars": _hostvars(lb_3={"hactl_node_address": "10.9.0.13"})},
            ["host lb-3: address 10.9.0.13 is not in hactl_network_cidr"],
        ),
        (
            {"instances": [API, dict(API, name="gw", vip="10.0.0.101")]},
            ["keepalived_instances[gw].virtual_router_id 51 is already used by"],
        ),
        (
            {"instances": [API, dict(API, virtual_router_id=52)]},
            ["keepalived_instances[api].vip 10.0.0.100 is already used", "name 'api' is used 2"],
        ),
        (
            {"instances": [dict(API, virtual_router_id=0)]},
            ["virtual_router_id 0 must be an integer"],
        ),
        ({"instances": [dict(API, virtual_router_id=256)]}, ["virtual_router_id 256 must be"]),
        ({"hosts": ["lb-1"]}, ["keepalived_group 'lb' has 1 host(s)"]),
        ({"instances": []}, ["keepalived_instances is empty"]),
        (
            {"hostvars": _hostvars(lb_1={"keepalived_state": "MASTER"}), "nopreempt": True},
            ["host lb-1: keepalived_state is MASTER but keepalived_nopreempt is true"],
        ),
        ({"nopreempt": True}, []),  # auto: BACKUP everywhere with nopreempt
        (
            {"hostvars": _hostvars(lb_2={"keepalived_state": "master"})},
            ["keepalived_state 'master'"],
        ),
        ({"instances": [dict(API, auth_pass="12345678")]}, []),
        ({"instances": [dict(API, auth_pass="123456789")]}, ["auth_pass is 9 characters"]),
        ({"track_weight": 20}, ["keepalived_track_weight 20 must exceed the priority spread 20"]),
        ({"track_weight": 20, "tracking": False}, []),
        ({"priority_base": 15}, ["host lb-3: priority -5 is below 1"]),
        ({"vrrp_version": 2, "advert_int": 0.5}, ["keepalived_advert_int 0.5 is fractional"]),
        ({"vrrp_version": 2, "advert_int": 1}, []),
        ({"vrrp_version": 3, "advert_int": 0.1}, []),
        ({"advert_int": 0}, ["keepalived_advert_int 0.0 must be above 0"]),
        (
            {"hostvars": _hostvars(lb_2={"hactl_node_address": "lb-2.example"})},
            ["host lb-2: hactl_node_address 'lb-2.example' is not an IP address"],
        ),
        (
            {"hostvars": _hostvars(lb_2={"ansible_host": "lb-2.example"})},
            ["host lb-2: no address in the inventory"],
        ),
        (
            {"hostvars": _hostvars(lb_2={"ansible_host": "10.0.0.11"})},
            ["hosts lb-1 and lb-2 share the address 10.0.0.11"],
        ),
    ],
)
def test_vrrp_problems(kwargs: dict[str, Any], expected: list[str]) -> None:
    problems = _problems(**kwargs)
    if not expected:
        assert problems == []
    for fragment in expected:
        assert any(fragment in p for p in problems), (fragment, problems)


INFERENCE = {"name": "inference", "vip": "10.0.0.101", "virtual_router_id": 52}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("10.0.0.100",), [API]),
        (("10.0.0.100", 51, None), [API]),
        (("10.0.0.100", 51, []), [API]),
        (("10.0.0.100", 61, []), [dict(API, virtual_router_id=61)]),
        (("10.0.0.100", 51, [INFERENCE]), [API, INFERENCE]),
        (
            (
                "10.0.0.100",
                51,
                [INFERENCE, dict(INFERENCE, name="gw", vip="10.0.0.102", track=False)],
            ),
            [API, INFERENCE, dict(INFERENCE, name="gw", vip="10.0.0.102", track=False)],
        ),
        # No API VIP: the instance stays first, and vrrp_problems names its empty vip.
        (("", 51, [INFERENCE]), [dict(API, vip=""), INFERENCE]),
        ((None, 51, []), [dict(API, vip="")]),
    ],
)
def test_default_instances(args: tuple, expected: list[dict]) -> None:
    assert vrrp.default_instances(*args) == expected


@pytest.mark.parametrize(
    ("further", "match"),
    [
        ({"name": "gw"}, "hactl_vrrp_instances must be a list"),
        ("gw", "hactl_vrrp_instances must be a list"),
        (["10.0.0.101"], r"hactl_vrrp_instances\[0\] must be a mapping"),
        (
            [INFERENCE, {"name": "gw", "vip": "10.0.0.102", "router_id": 53}],
            r"hactl_vrrp_instances\[1\].router_id is spelled virtual_router_id",
        ),
    ],
)
def test_default_instances_rejects_bad_shapes(further: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        vrrp.default_instances("10.0.0.100", 51, further)


@pytest.mark.parametrize(
    ("further", "expected"),
    [
        ([INFERENCE], []),
        (
            [dict(INFERENCE, virtual_router_id=51)],
            ["[inference].virtual_router_id 51 is already used"],
        ),
        (
            [dict(INFERENCE, vip="10.0.1.101")],
            ["[inference].vip 10.0.1.101 is not in hactl_network_cidr"],
        ),
        ([dict(INFERENCE, vip="10.0.0.13")], ["host lb-3: its address 10.0.0.13 equals"]),
        ([dict(INFERENCE, vip="10.0.0.100")], ["[inference].vip 10.0.0.100 is already used by"]),
        ([dict(INFERENCE, name="api")], ["name 'api' is used 2 times"]),
        ([dict(INFERENCE, auth_pass="123456789")], ["[inference].auth_pass is 9 characters"]),
        ([dict(INFERENCE, virtual_router_id="52")], ["[inference].virtual_router_id '52' must be"]),
    ],
)
def test_default_instances_are_all_validated(further: list[dict], expected: list[str]) -> None:
    problems = _problems(instances=vrrp.default_instances("10.0.0.100", 51, further))
    if not expected:
        assert problems == []
    for fragment in expected:
        assert any(fragment in p for p in problems), (fragment, problems)


def test_default_instances_filter_names_itself() -> None:
    filters = vrrp.FilterModule().filters()
    assert filters["hactl_vrrp_default_instances"]("10.0.0.100", 51, [INFERENCE])[1] == INFERENCE
    with pytest.raises(Exception, match="hactl_vrrp_default_instances: "):
        filters["hactl_vrrp_default_instances"]("10.0.0.100", 51, "gw")


@pytest.mark.parametrize(
    ("host", "settings", "hostvars", "expected"),
    [
        ("lb-1", {}, {}, {"priority": 150, "state": "MASTER", "peers": ["10.0.0.12", "10.0.0.13"]}),
        ("lb-3", {}, {}, {"priority": 130, "state": "BACKUP", "peers": ["10.0.0.11", "10.0.0.12"]}),
        ("lb-1", {"nopreempt": True}, {}, {"priority": 150, "state": "BACKUP"}),
        ("lb-2", {"priority_step": 5}, {}, {"priority": 145, "address": "10.0.0.12"}),
        ("lb-2", {}, {"lb_2": {"keepalived_state": "MASTER"}}, {"state": "MASTER"}),
        ("lb-2", {}, {"lb_2": {"hactl_node_address": "10.0.0.99"}}, {"address": "10.0.0.99"}),
    ],
)
def test_vrrp_plan(host: str, settings: dict, hostvars: dict, expected: dict) -> None:
    plan = vrrp.vrrp_plan(HOSTS, _hostvars(**hostvars), host, {**SETTINGS, **settings})
    assert {k: plan[k] for k in expected} == expected


def test_vrrp_plan_rejects_a_host_outside_the_group() -> None:
    with pytest.raises(ValueError, match="not one of the VRRP nodes"):
        vrrp.vrrp_plan(HOSTS, _hostvars(), "cp-9", SETTINGS)


FACTS = {
    "interfaces": ["lo", "eth0", "eth-1"],
    "lo": {"ipv4": {"address": "127.0.0.1"}},
    "eth0": {"ipv4": {"address": "10.0.0.11"}},
    "eth_1": {"ipv4": {"address": "192.168.9.1"}, "ipv4_secondaries": [{"address": "10.1.0.5"}]},
}


@pytest.mark.parametrize(
    ("address", "expected"),
    [("10.0.0.11", "eth0"), ("192.168.9.1", "eth-1"), ("10.1.0.5", "eth-1"), ("10.9.9.9", None)],
)
def test_vrrp_interface(address: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(ValueError, match="set keepalived_interface"):
            vrrp.vrrp_interface(FACTS, address)
    else:
        assert vrrp.vrrp_interface(FACTS, address) == expected


GROUPS = {"control_plane": HOSTS, "empty": []}
FRONTEND = {"name": "api", "port": 8443, "backend_group": "control_plane", "backend_port": 6443}


@pytest.mark.parametrize(
    ("frontends", "expected"),
    [
        ([FRONTEND], []),
        ([], ["haproxy_frontends is empty"]),
        ([dict(FRONTEND, port=0)], ["haproxy_frontends[api].port 0 must be a port number"]),
        (
            [dict(FRONTEND, backend_group="nope")],
            ["backend_group 'nope' is not an inventory group"],
        ),
        ([dict(FRONTEND, backend_group="empty")], ["backend_group 'empty' has no hosts"]),
        ([dict(FRONTEND, backend_group=None)], ["no servers and no backend_group"]),
        ([dict(FRONTEND, backend_port=None)], ["server lb-1 port 0 must be 1-65535"]),
        ([dict(FRONTEND, check="icmp")], ["check 'icmp' is not one of https, http, tcp"]),
        (
            [FRONTEND, dict(FRONTEND, name="gw")],
            ["haproxy_frontends[gw].port 8443 is already used by haproxy_frontends[api]"],
        ),
        ([FRONTEND, dict(FRONTEND, port=9000)], ["name 'api' is used 2 times"]),
        ([FRONTEND, dict(FRONTEND, name="gw", bind="10.0.0.100")], []),
        (
            [
                {
                    "name": "gw",
                    "port": 80,
                    "servers": [{"name": "a", "address": "10.0.0.5", "port": 8000}],
                }
            ],
            [],
        ),
    ],
)
def test_lb_problems(frontends: list[dict], expected: list[str]) -> None:
    problems = vrrp.lb_problems(frontends, GROUPS, _hostvars())
    if not expected:
        assert problems == []
    for fragment in expected:
        assert any(fragment in p for p in problems), (fragment, problems)


def test_lb_servers_from_group_and_explicit() -> None:
    assert vrrp.lb_servers(FRONTEND, GROUPS, _hostvars()) == [
        {"name": "lb-1", "address": "10.0.0.11", "port": 6443},
        {"name": "lb-2", "address": "10.0.0.12", "port": 6443},
        {"name": "lb-3", "address": "10.0.0.13", "port": 6443},
    ]
    explicit = {"name": "x", "servers": [{"name": "s", "address": "10.0.0.5", "port": "80"}]}
    assert vrrp.lb_servers(explicit, GROUPS, {}) == [
        {"name": "s", "address": "10.0.0.5", "port": 80}
    ]


def test_filter_adapter_names_the_filter() -> None:
    filters = vrrp.FilterModule().filters()
    with pytest.raises(Exception, match="hactl_vrrp_plan: "):
        filters["hactl_vrrp_plan"](HOSTS, _hostvars(), "cp-9", SETTINGS)
