"""Every cluster-model rule, with valid and invalid inventories (table-driven)."""

from __future__ import annotations

from typing import Any

import pytest

from hactl.inventory import cluster_model as cm

BASE: dict[str, Any] = {
    "hactl_cluster_name": "prod",
    "hactl_network_cidr": "10.0.0.0/24",
    "hactl_api_vip": "10.0.0.10",
    "hactl_api_port": 6443,
}


def model(
    cp: int = 3,
    etcd: int = 0,
    storage: int = 0,
    gpu: dict[str, dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
    per_host: dict[str, dict[str, Any]] | None = None,
) -> cm.Model:
    """A cluster of cp control-plane nodes (10.0.0.11...), plus optional groups."""
    groups: dict[str, list[str]] = {"control_plane": [f"cp-{i}" for i in range(1, cp + 1)]}
    groups["etcd"] = [f"etcd-{i}" for i in range(1, etcd + 1)]
    groups["storage"] = [f"st-{i}" for i in range(1, storage + 1)]
    groups["gpu_workers"] = list(gpu or {})
    hosts: dict[str, dict[str, Any]] = {}
    n = 11
    for members in groups.values():
        for host in members:
            hosts[host] = {**BASE, **(extra or {}), "ansible_host": f"10.0.0.{n}"}
            n += 1
    for host, hv in (gpu or {}).items():
        hosts[host].update(hv)
    for host, hv in (per_host or {}).items():
        hosts[host].update(hv)
    groups["all"] = list(hosts)
    return cm.Model(hosts, groups)


def vrrp_model(*instances: dict[str, Any]) -> cm.Model:
    """The default cluster with further VIPs (hactl_vrrp_instances) after the API's."""
    return model(extra={"hactl_vrrp_instances": list(instances)})


def rules(problems: list[cm.Problem]) -> list[str]:
    return sorted(p.rule for p in problems)


VALID = [
    ("three control-plane nodes", model()),
    ("five control-plane nodes", model(cp=5)),
    ("single node with allow_non_ha", model(cp=1, extra={"hactl_allow_non_ha": True})),
    ("no VIP at all", model(extra={"hactl_api_vip": None})),
    (
        "external etcd of three",
        model(etcd=3, extra={"hactl_etcd_topology": "external"}),
    ),
    (
        "storage replica 3",
        model(storage=3, extra={"hactl_storage_volumes": [{"name": "data", "replica": 3}]}),
    ),
    (
        "storage replica 3 arbiter 1",
        model(
            storage=3,
            extra={"hactl_storage_volumes": [{"name": "d", "replica": 3, "arbiter": 1}]},
        ),
    ),
    (
        "GPU driver new enough",
        model(gpu={"gpu-1": {"hactl_gpu_model": "H100", "hactl_gpu_driver_branch": 550}}),
    ),
    ("Kubernetes 1.33.2", model(extra={"hactl_kubernetes_version": "1.33.2"})),
    ("Kubernetes v1.32", model(extra={"hactl_kubernetes_version": "v1.32"})),
    (
        "distinct VRRP ids",
        model(
            extra={
                "hactl_api_vrrp_router_id": 51,
                "hactl_vrrp_instances": [
                    {"name": "ingress", "vip": "10.0.0.9", "virtual_router_id": 52}
                ],
            }
        ),
    ),
    (
        "two further VIPs beside the API's default router id 51",
        model(
            extra={
                "hactl_vrrp_instances": [
                    {"name": "inference", "vip": "10.0.0.101", "virtual_router_id": 52},
                    {
                        "name": "ingress",
                        "vip": "10.0.0.102",
                        "virtual_router_id": 53,
                        "track": False,
                    },
                ]
            }
        ),
    ),
    (
        "templated further VIP left to Ansible",
        model(
            extra={
                "hactl_vrrp_instances": [
                    {"name": "gw", "vip": "{{ gw_vip }}", "virtual_router_id": 52}
                ]
            }
        ),
    ),
    ("templated values are left to Ansible", model(extra={"hactl_api_vip": "{{ vip }}"})),
]


@pytest.mark.parametrize("m", [m for _, m in VALID], ids=[i for i, _ in VALID])
def test_valid_inventories_pass(m: cm.Model) -> None:
    assert cm.validate(m) == []


INVALID = [
    ("two control-plane nodes", model(cp=2), "control_plane_quorum", None, None),
    ("four control-plane nodes", model(cp=4), "control_plane_quorum", None, None),
    ("single node without allow_non_ha", model(cp=1), "control_plane_quorum", None, None),
    ("no control plane", model(cp=0, etcd=1), "control_plane_quorum", None, None),
    (
        "allow_non_ha given as a string",
        model(cp=1, extra={"hactl_allow_non_ha": "yes"}),
        "booleans",
        "cp-1",
        "hactl_allow_non_ha",
    ),
    (
        "external etcd of two",
        model(etcd=2, extra={"hactl_etcd_topology": "external"}),
        "etcd_quorum",
        None,
        None,
    ),
    (
        "etcd group with stacked topology",
        model(etcd=3),
        "etcd_topology",
        None,
        "hactl_etcd_topology",
    ),
    (
        "unknown etcd topology",
        model(extra={"hactl_etcd_topology": "mixed"}),
        "etcd_topology",
        None,
        "hactl_etcd_topology",
    ),
    (
        "VIP not an address",
        model(extra={"hactl_api_vip": "10.0.0.300"}),
        "vip",
        None,
        "hactl_api_vip",
    ),
    (
        "VIP outside the network",
        model(extra={"hactl_api_vip": "10.0.1.10"}),
        "vip",
        None,
        "hactl_api_vip",
    ),
    (
        "VIP is the network address",
        model(extra={"hactl_api_vip": "10.0.0.0"}),
        "vip",
        None,
        "hactl_api_vip",
    ),
    (
        "VIP is the broadcast address",
        model(extra={"hactl_api_vip": "10.0.0.255"}),
        "vip",
        None,
        "hactl_api_vip",
    ),
    (
        "VIP is a node's address",
        model(extra={"hactl_api_vip": "10.0.0.12"}),
        "vip",
        None,
        "hactl_api_vip",
    ),
    (
        "VIP without a network",
        model(extra={"hactl_network_cidr": None}),
        "vip",
        None,
        "hactl_network_cidr",
    ),
    (
        "network not a CIDR",
        model(extra={"hactl_network_cidr": "10.0.0.1/24"}),
        "network",
        None,
        "hactl_network_cidr",
    ),
    (
        "node outside the network",
        model(per_host={"cp-3": {"ansible_host": "192.168.1.5"}}),
        "address_in_network",
        "cp-3",
        None,
    ),
    (
        "duplicate address",
        model(per_host={"cp-3": {"ansible_host": "10.0.0.11"}}),
        "address_unique",
        "cp-3",
        None,
    ),
    (
        "duplicate VRRP router id",
        model(
            extra={
                "hactl_api_vrrp_router_id": 51,
                "hactl_vrrp_instances": [
                    {"name": "ingress", "vip": "10.0.0.9", "virtual_router_id": 51}
                ],
            }
        ),
        "vrrp_router_id",
        None,
        "hactl_vrrp_instances[0].virtual_router_id",
    ),
    (
        "further VIP takes the API's default router id 51",
        vrrp_model({"name": "gw", "vip": "10.0.0.9", "virtual_router_id": 51}),
        "vrrp_router_id",
        None,
        "hactl_vrrp_instances[0].virtual_router_id",
    ),
    (
        "two further VIPs share a router id",
        vrrp_model(
            {"name": "a", "vip": "10.0.0.8", "virtual_router_id": 52},
            {"name": "b", "vip": "10.0.0.9", "virtual_router_id": 52},
        ),
        "vrrp_router_id",
        None,
        "hactl_vrrp_instances[1].virtual_router_id",
    ),
    (
        "further VIP router id out of range",
        vrrp_model({"name": "gw", "vip": "10.0.0.9", "virtual_router_id": 0}),
        "vrrp_router_id",
        None,
        "hactl_vrrp_instances[0].virtual_router_id",
    ),
    (
        "further VIP with the old router_id key",
        vrrp_model({"name": "gw", "vip": "10.0.0.9", "router_id": 52}),
        "vrrp_instance",
        None,
        "hactl_vrrp_instances[0].router_id",
    ),
    (
        "further VIP without a router id",
        vrrp_model({"name": "gw", "vip": "10.0.0.9"}),
        "vrrp_instance",
        None,
        "hactl_vrrp_instances[0]",
    ),
    (
        "further VIP without a name",
        vrrp_model({"vip": "10.0.0.9", "virtual_router_id": 52}),
        "vrrp_instance",
        None,
        "hactl_vrrp_instances[0]",
    ),
    (
        "further VIP named like the API's instance",
        vrrp_model({"name": "api", "vip": "10.0.0.9", "virtual_router_id": 52}),
        "vrrp_instance",
        None,
        "hactl_vrrp_instances[0].name",
    ),
    (
        "further VIP name keepalived cannot parse",
        vrrp_model({"name": "my gw", "vip": "10.0.0.9", "virtual_router_id": 52}),
        "vrrp_instance",
        None,
        "hactl_vrrp_instances[0].name",
    ),
    (
        "further VIP equal to the API VIP",
        vrrp_model({"name": "gw", "vip": "10.0.0.10", "virtual_router_id": 52}),
        "vrrp_instance",
        None,
        "hactl_vrrp_instances[0].vip",
    ),
    (
        "further VIP outside the network",
        vrrp_model({"name": "gw", "vip": "10.0.1.9", "virtual_router_id": 52}),
        "vip",
        None,
        "hactl_vrrp_instances[0].vip",
    ),
    (
        "further VIP is a node's address",
        vrrp_model({"name": "gw", "vip": "10.0.0.13", "virtual_router_id": 52}),
        "vip",
        None,
        "hactl_vrrp_instances[0].vip",
    ),
    (
        "further VIP not an address",
        vrrp_model({"name": "gw", "vip": "gateway", "virtual_router_id": 52}),
        "vip",
        None,
        "hactl_vrrp_instances[0].vip",
    ),
    (
        "further VIPs without an API VIP",
        model(
            extra={
                "hactl_api_vip": None,
                "hactl_vrrp_instances": [
                    {"name": "gw", "vip": "10.0.0.9", "virtual_router_id": 52}
                ],
            }
        ),
        "vrrp_instance",
        None,
        "hactl_vrrp_instances",
    ),
    (
        "further VIPs not a list",
        model(extra={"hactl_vrrp_instances": {"name": "gw"}}),
        "vrrp_instance",
        None,
        "hactl_vrrp_instances",
    ),
    (
        "further VIP entry not a mapping",
        model(extra={"hactl_vrrp_instances": ["10.0.0.9"]}),
        "vrrp_instance",
        None,
        "hactl_vrrp_instances[0]",
    ),
    (
        "VRRP router id out of range",
        model(extra={"hactl_api_vrrp_router_id": 256}),
        "vrrp_router_id",
        None,
        "hactl_api_vrrp_router_id",
    ),
    (
        "replica 3 on two storage nodes",
        model(storage=2, extra={"hactl_storage_volumes": [{"name": "d", "replica": 3}]}),
        "storage_layout",
        None,
        "hactl_storage_volumes[0]",
    ),
    (
        "arbiter with replica 4",
        model(
            storage=4,
            extra={"hactl_storage_volumes": [{"name": "d", "replica": 4, "arbiter": 1}]},
        ),
        "storage_layout",
        None,
        "hactl_storage_volumes[0]",
    ),
    (
        "replica 2 arbiter 1 (gluster's alias of replica 3 arbiter 1)",
        model(
            storage=3,
            extra={"hactl_storage_volumes": [{"name": "d", "replica": 2, "arbiter": 1}]},
        ),
        "storage_layout",
        None,
        "hactl_storage_volumes[0]",
    ),
    (
        "arbiter with replica 1",
        model(
            storage=3,
            extra={"hactl_storage_volumes": [{"name": "d", "replica": 1, "arbiter": 1}]},
        ),
        "storage_layout",
        None,
        "hactl_storage_volumes[0]",
    ),
    (
        "replica 3 arbiter 1 on two storage nodes",
        model(
            storage=2,
            extra={"hactl_storage_volumes": [{"name": "d", "replica": 3, "arbiter": 1}]},
        ),
        "storage_layout",
        None,
        "hactl_storage_volumes[0]",
    ),
    (
        "replica 2 without an arbiter",
        model(storage=2, extra={"hactl_storage_volumes": [{"name": "d", "replica": 2}]}),
        "storage_layout",
        None,
        "hactl_storage_volumes[0]",
    ),
    (
        "GPU driver too old",
        model(gpu={"gpu-1": {"hactl_gpu_model": "H200", "hactl_gpu_driver_branch": 535}}),
        "gpu_driver",
        "gpu-1",
        "hactl_gpu_driver_branch",
    ),
    (
        "unknown GPU model",
        model(gpu={"gpu-1": {"hactl_gpu_model": "H1000"}}),
        "gpu_driver",
        "gpu-1",
        "hactl_gpu_model",
    ),
    (
        "Kubernetes version malformed",
        model(extra={"hactl_kubernetes_version": "1.31-rc"}),
        "kubernetes_version",
        None,
        "hactl_kubernetes_version",
    ),
    (
        "Kubernetes version read as a float",
        model(extra={"hactl_kubernetes_version": 1.3}),
        "kubernetes_version",
        None,
        "hactl_kubernetes_version",
    ),
    (
        "Kubernetes version unsupported",
        model(extra={"hactl_kubernetes_version": "1.20.4"}),
        "kubernetes_version",
        None,
        "hactl_kubernetes_version",
    ),
    (
        "host name not RFC 1123",
        cm.Model(
            {"cp_1": {}, "cp-2": {}, "cp-3": {}},
            {"control_plane": ["cp_1", "cp-2", "cp-3"]},
        ),
        "hostname",
        "cp_1",
        None,
    ),
    (
        "host names differing only in case",
        cm.Model(
            {"cp-1": {}, "CP-1": {}, "cp-3": {}},
            {"control_plane": ["cp-1", "CP-1", "cp-3"]},
        ),
        "hostname_unique",
        "CP-1",
        None,
    ),
    (
        "cluster variable differs between hosts",
        model(per_host={"cp-2": {"hactl_api_port": 7443}}),
        "cluster_var_differs",
        "cp-2",
        "hactl_api_port",
    ),
    (
        "API port out of range",
        model(extra={"hactl_api_port": 70000}),
        "api_port",
        None,
        "hactl_api_port",
    ),
    (
        "cluster name not a label",
        model(extra={"hactl_cluster_name": "Prod Cluster"}),
        "cluster_name",
        None,
        "hactl_cluster_name",
    ),
]


@pytest.mark.parametrize(
    ("m", "rule", "host", "variable"),
    [case[1:] for case in INVALID],
    ids=[case[0] for case in INVALID],
)
def test_invalid_inventories_fail_naming_host_and_variable(
    m: cm.Model, rule: str, host: str | None, variable: str | None
) -> None:
    problems = cm.validate(m)
    matching = [p for p in problems if p.rule == rule]
    assert matching, f"expected a {rule} problem, got {problems}"
    assert any(p.host == host and p.variable == variable for p in matching), matching
    assert all(str(p) for p in problems)


def test_unknown_variable_suggests_the_known_one() -> None:
    problems = cm.validate(model(extra={"hactl_api_vipp": "10.0.0.10"}))
    (problem,) = [p for p in problems if p.rule == "unknown_variable"]
    assert problem.variable == "hactl_api_vipp"
    assert "did you mean hactl_api_vip?" in problem.message


def test_unknown_variable_without_a_close_match() -> None:
    problems = cm.validate(model(extra={"hactl_xyzzyplugh": 1}))
    (problem,) = [p for p in problems if p.rule == "unknown_variable"]
    assert "did you mean" not in problem.message


def test_every_problem_is_reported_not_just_the_first() -> None:
    m = model(cp=2, extra={"hactl_api_vip": "10.0.1.1", "hactl_kubernetes_version": "x"})
    assert {"control_plane_quorum", "vip", "kubernetes_version"} <= set(rules(cm.validate(m)))


def test_empty_inventory() -> None:
    assert rules(cm.validate(cm.Model({}, {}))) == ["hosts"]


def test_problem_names_file_when_origin_known() -> None:
    m = model(extra={"hactl_api_vip": "10.0.1.1"})
    m.origins["cp-1/hactl_api_vip"] = "group_vars/all.yml"
    (problem,) = [p for p in cm.validate(m) if p.rule == "vip"]
    assert str(problem).startswith("group_vars/all.yml, hactl_api_vip: ")


def test_known_variables_documented_in_sample_inventory(repo) -> None:
    text = "\n".join(p.read_text() for p in (repo / "inventories/sample").rglob("*.yml"))
    missing = [v for v in cm.KNOWN_VARIABLES if v not in text]
    assert not missing, f"document these in inventories/sample/group_vars/all/: {missing}"
