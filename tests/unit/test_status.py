"""Status collectors over a fake probe, and the parsers they use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hactl import api, inventory, status
from hactl.errors import HostsUnreachable
from hactl.ssh import Output

SHOW_STAT = """# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,status,weight
api,FRONTEND,,,0,0,2000,0,0,0,OPEN,
apiservers,cp-1,0,0,0,0,,0,0,0,UP,1
apiservers,cp-2,0,0,0,0,,0,0,0,DOWN,1
apiservers,cp-3,0,0,0,0,,0,0,0,UP 1/3,1
apiservers,BACKEND,0,0,0,0,200,0,0,0,UP,2
stats,local,0,0,0,0,,0,0,0,no check,1
"""
ADDR = {
    "cp-1": "2: eth0    inet 10.0.0.11/24 brd 10.0.0.255 scope global eth0\n",
    "cp-2": (
        "2: eth0    inet 10.0.0.12/24 brd 10.0.0.255 scope global eth0\n"
        "2: eth0    inet 10.0.0.10/32 scope global eth0\n"
    ),
}


def test_parse_show_stat() -> None:
    assert status.parse_show_stat(SHOW_STAT) == {
        "apiservers": {"cp-1": "UP", "cp-2": "DOWN", "cp-3": "UP 1/3"},
        "stats": {"local": "no check"},
    }


def test_vip_holders() -> None:
    assert status.vip_holders("10.0.0.10", ADDR) == ["cp-2"]
    assert status.vip_holders("10.0.0.1", ADDR) == []
    both = {**ADDR, "cp-1": ADDR["cp-2"]}
    assert status.vip_holders("10.0.0.10", both) == ["cp-1", "cp-2"]


class FakeProbe:
    """Answers commands from a table: {host: {text in the command: Output}}; down: unreachable."""

    def __init__(self, inv: Any, answers: dict[str, dict[str, Output]], down=()) -> None:
        self.inventory = inv
        self.answers = answers
        self.errors = {h: "connection refused" for h in down}

    def reachable(self, host: str) -> bool:
        return host not in self.errors

    def run(self, host: str, command: str, sudo: bool = False) -> Output | None:
        if host in self.errors:
            return None
        for prefix, out in self.answers.get(host, {}).items():
            if prefix in command:
                return out
        return Output(1, "", "not found")

    def close(self) -> None:
        pass


FACT = Output(0, json.dumps({"in_container": True}), "")
ACTIVE = Output(0, "active\n", "")


def _inv(repo: Path) -> Any:
    return inventory.load(repo / "inventories/sample/hosts.yml")


def _node_answers(hosts: list[str]) -> dict[str, dict[str, Output]]:
    return {h: {"cat /etc/ansible": FACT, "systemctl is-active": ACTIVE} for h in hosts}


def test_nodes_healthy_degraded_failed(repo: Path) -> None:
    inv = _inv(repo)
    col = [c for c in status.COLLECTORS if c.name == "nodes"]
    answers = _node_answers(inv.hosts)
    healthy, _ = status.collect(inv, col, lambda i: FakeProbe(i, answers))
    assert healthy.state == "healthy"
    degraded, errors = status.collect(inv, col, lambda i: FakeProbe(i, answers, down=["cp-2"]))
    assert degraded.state == "degraded"
    assert errors == {"cp-2": "connection refused"}
    assert degraded.component("nodes").details["cp-2"]["reachable"] is False
    failed, _ = status.collect(inv, col, lambda i: FakeProbe(i, answers, down=inv.hosts))
    assert failed.state == "failed"


@pytest.mark.parametrize(
    ("holders", "state"), [(["cp-2"], "healthy"), ([], "failed"), (["cp-1", "cp-2"], "failed")]
)
def test_vip_collector(repo: Path, holders: list[str], state: str) -> None:
    inv = _inv(repo)
    vip = inv.model.cluster_var("hactl_api_vip")
    answers = {
        h: {"ip -o addr": Output(0, f"2: eth0 inet {vip}/32 scope global eth0\n", "")}
        for h in holders
    }
    result = status._vip_collect(inv, FakeProbe(inv, answers))
    assert result.state == state
    assert result.details["holders"] == sorted(holders)


def test_lb_collector(repo: Path) -> None:
    inv = _inv(repo)
    up_only = SHOW_STAT.replace("DOWN", "UP")
    answers = {h: {"python3 -c": Output(0, up_only, "")} for h in inv.group("control_plane")}
    assert status._lb_collect(inv, FakeProbe(inv, answers)).state == "healthy"
    answers["cp-1"] = {"python3 -c": Output(0, SHOW_STAT, "")}
    assert status._lb_collect(inv, FakeProbe(inv, answers)).state == "degraded"
    none_up = SHOW_STAT.replace("UP 1/3", "DOWN").replace(",UP,1", ",DOWN,1")
    answers["cp-1"] = {"python3 -c": Output(0, none_up, "")}
    assert status._lb_collect(inv, FakeProbe(inv, answers)).state == "failed"


def test_absent_components_are_skipped_with_a_reason(repo: Path, tmp_path: Path) -> None:
    path = tmp_path / "hosts.yml"
    path.write_text("all:\n  children:\n    control_plane:\n      hosts:\n        a:\n        b:\n"
                    "        c:\n  vars:\n    hactl_kubernetes_enabled: false\n")  # fmt: skip
    inv = inventory.load(path)
    answers = _node_answers(inv.hosts)
    result, _ = status.collect(inv, probe_factory=lambda i: FakeProbe(i, answers))
    assert result.component("kubernetes").state == "skipped"
    assert "hactl_kubernetes_enabled is false" in result.component("kubernetes").summary
    for name in ("etcd", "storage", "monitoring", "gpu"):
        assert result.component(name).state == "skipped", name
    assert result.component("vip").state == "skipped"
    assert "hactl_api_vip is not set" in result.component("vip").summary
    assert result.component("lb").state == "skipped"
    assert result.state == "healthy"


def test_a_broken_collector_does_not_hide_the_others(repo: Path) -> None:
    def boom(inv: Any, probe: Any) -> status.ComponentStatus:
        raise RuntimeError("parse error")

    cols = [status.Collector("x", lambda i: None, boom), *status.COLLECTORS[:1]]
    inv = _inv(repo)
    result, _ = status.collect(inv, cols, lambda i: FakeProbe(i, _node_answers(inv.hosts)))
    assert result.component("x").state == "failed"
    assert result.component("nodes").state == "healthy"


def test_api_status_exit_codes(repo: Path) -> None:
    inv_path = repo / "inventories/sample/hosts.yml"
    inv = _inv(repo)
    result = api.status(inv_path, lambda i: FakeProbe(i, _node_answers(inv.hosts), down=["w"]))
    assert result.exit_code in (0, 6, 7)
    with pytest.raises(HostsUnreachable) as info:
        api.status(inv_path, lambda i: FakeProbe(i, {}, down=inv.hosts))
    assert info.value.exit_code == 4


def test_lb_collector_ignores_api_servers_when_kubernetes_is_off(
    repo: Path, tmp_path: Path
) -> None:
    path = tmp_path / "hosts.yml"
    path.write_text(
        "all:\n  children:\n    control_plane:\n      hosts:\n"
        "        cp-1: {ansible_host: 10.0.0.11}\n        cp-2: {ansible_host: 10.0.0.12}\n"
        "        cp-3: {ansible_host: 10.0.0.13}\n"
        "  vars:\n    hactl_api_vip: 10.0.0.10\n    hactl_network_cidr: 10.0.0.0/24\n"
        "    hactl_kubernetes_enabled: false\n"
    )
    inv = inventory.load(path)
    down = SHOW_STAT.replace("apiservers", status.API_BACKEND).replace(",UP,1", ",DOWN,1")
    down = down.replace("UP 1/3", "DOWN")
    answers = {h: {"python3 -c": Output(0, down, "")} for h in inv.group("control_plane")}
    result = status._lb_collect(inv, FakeProbe(inv, answers))
    assert result.state == "healthy"
    assert "hactl_kubernetes_enabled is false" in result.summary
    # With Kubernetes on, the same all-down API backend is a failure.
    path.write_text(path.read_text().replace("hactl_kubernetes_enabled: false", "hactl_x: 1"))
    path.write_text(path.read_text().replace("    hactl_x: 1\n", ""))
    inv = inventory.load(path)
    assert status._lb_collect(inv, FakeProbe(inv, answers)).state == "failed"


ETCD_STATUS = [
    {"Endpoint": "https://10.0.0.11:2379",
     "Status": {"header": {"member_id": 1}, "leader": 2, "dbSize": 20480, "raft_term": 3}},
    {"Endpoint": "https://10.0.0.12:2379",
     "Status": {"header": {"member_id": 2}, "leader": 2, "dbSize": 20480, "raft_term": 3}},
]  # fmt: skip
ETCD_HEALTH = [
    {"endpoint": "https://10.0.0.11:2379", "health": True},
    {"endpoint": "https://10.0.0.12:2379", "health": True},
    {"endpoint": "https://10.0.0.13:2379", "health": False, "error": "context deadline exceeded"},
]


def test_etcd_summary_names_leader_and_unhealthy_member() -> None:
    summary = status.etcd_summary(ETCD_STATUS, ETCD_HEALTH)
    assert summary["leader"] == "https://10.0.0.12:2379"
    assert summary["members"]["https://10.0.0.13:2379"] == {"healthy": False, "leader": False}
    assert summary["members"]["https://10.0.0.11:2379"]["healthy"] is True


@pytest.mark.parametrize(
    ("health", "statuses", "state"),
    [
        ([True, True, True], ETCD_STATUS, "healthy"),
        ([True, True, False], ETCD_STATUS, "degraded"),
        ([True, False, False], ETCD_STATUS, "failed"),
        ([True, True, True], [], "failed"),  # no leader known
    ],
)
def test_etcd_collector(tmp_path: Path, health: list[bool], statuses: list, state: str) -> None:
    path = tmp_path / "hosts.yml"
    path.write_text(
        "all:\n  children:\n    etcd:\n      hosts:\n        e1: {ansible_host: 10.0.0.11}\n"
        "        e2: {ansible_host: 10.0.0.12}\n        e3: {ansible_host: 10.0.0.13}\n"
    )
    inv = inventory.load(path)
    health_doc = [
        {"endpoint": f"https://10.0.0.1{i + 1}:2379", "health": ok} for i, ok in enumerate(health)
    ]
    answers = {
        h: {
            "endpoint health": Output(1, json.dumps(health_doc), ""),
            "endpoint status": Output(0, json.dumps(statuses), ""),
        }
        for h in inv.hosts
    }
    result = status._etcd_collect(inv, FakeProbe(inv, answers))
    assert result.state == state


def _prom_doc(down: bool = False, peers: int = 2, firing: bool = False) -> str:
    targets = [
        {"labels": {"job": "node", "instance": "m1"}, "health": "up"},
        {"labels": {"job": "node", "instance": "m2"}, "health": "down" if down else "up"},
    ]
    alerts = [{"labels": {"alertname": "HactlNodeDown"}, "state": "firing"}] if firing else []
    return json.dumps(
        {
            "targets": {"data": {"activeTargets": targets}},
            "alerts": {"data": {"alerts": alerts}},
            "alertmanager": {"cluster": {"peers": [{}] * peers}},
        }
    )


@pytest.mark.parametrize(
    ("m1", "m2", "state"),
    [
        (_prom_doc(), _prom_doc(), "healthy"),
        (_prom_doc(down=True, firing=True), _prom_doc(), "degraded"),
        (_prom_doc(peers=1), _prom_doc(), "degraded"),
        (_prom_doc(), json.dumps({"targets": {"error": "connection refused"}}), "degraded"),
        (json.dumps({"targets": {"error": "refused"}}), "", "failed"),
    ],
)
def test_monitoring_collector(tmp_path: Path, m1: str, m2: str, state: str) -> None:
    path = tmp_path / "hosts.yml"
    path.write_text("all:\n  children:\n    monitoring:\n      hosts:\n        m1:\n        m2:\n")
    inv = inventory.load(path)
    answers = {"m1": {"python3 -c": Output(0, m1, "")}, "m2": {"python3 -c": Output(0, m2, "")}}
    result = status._monitoring_collect(inv, FakeProbe(inv, answers))
    assert result.state == state
    if "firing" in m1:
        assert "HactlNodeDown" in result.summary


def _storage_inventory(tmp_path: Path) -> Any:
    path = tmp_path / "hosts.yml"
    path.write_text(
        "all:\n  children:\n    storage:\n      hosts:\n        s1: {ansible_host: 172.30.7.11}\n"
        "        s2: {ansible_host: 172.30.7.12}\n        s3: {ansible_host: 172.30.7.13}\n"
    )
    return inventory.load(path)


@pytest.mark.parametrize(
    ("status_xml", "heal_xml", "state"),
    [
        ("status_started", "heal_summary", "healthy"),
        ("status_brick_down", "heal_summary_pending", "degraded"),
        ("status_created", "heal_summary", "failed"),  # bricks not running: not started
    ],
)
def test_storage_collector_on_captured_gluster_output(
    tmp_path: Path, status_xml: str, heal_xml: str, state: str
) -> None:
    from tests.unit.gluster_xml import XML

    inv = _storage_inventory(tmp_path)
    info = XML["info_created"] if status_xml == "status_created" else XML["info_started"]
    answers = {
        "s1": {
            "volume info": Output(0, info, ""),
            "volume status": Output(0, XML[status_xml], ""),
            "info summary": Output(0, XML[heal_xml], ""),
        }
    }
    result = status._storage_collect(inv, FakeProbe(inv, answers))
    assert result.state == state, result
    volume = result.details["data"]
    assert volume["bricks_total"] == 3
    if state == "degraded":
        assert volume["bricks_online"] == 2
        assert len(volume["offline_bricks"]) == 1


@pytest.mark.parametrize(
    ("offline", "heal", "state"),
    [
        ([], {"entries": 0, "split_brain": 0}, "healthy"),
        (["h3:/b"], {"entries": 0}, "degraded"),
        ([], {"entries": 4}, "degraded"),
        (["h2:/b", "h3:/b"], {}, "failed"),  # 2 of 3: client quorum lost
        ([], {"split_brain": 1}, "failed"),
    ],
)
def test_volume_state(offline: list[str], heal: dict, state: str) -> None:
    info = {
        "status": "Started",
        "replica": 3,
        "bricks": [{"name": f"h{i}:/b"} for i in (1, 2, 3)],
    }
    assert status.volume_state(info, offline, heal) == state


def test_kubernetes_nodes_ready() -> None:
    doc = {
        "items": [
            {"metadata": {"name": "cp-1"}, "status": {"conditions": [
                {"type": "Ready", "status": "True"}]}},
            {"metadata": {"name": "cp-2"}, "status": {"conditions": [
                {"type": "MemoryPressure", "status": "False"},
                {"type": "Ready", "status": "False"}]}},
        ]
    }  # fmt: skip
    assert status.kubernetes_nodes(doc) == {"cp-1": True, "cp-2": False}


@pytest.mark.parametrize(
    ("verdicts", "state"),
    [
        ({"g1": "healthy", "g2": "healthy"}, "healthy"),
        ({"g1": "healthy", "g2": "degraded"}, "degraded"),
        ({"g1": "failed", "g2": "healthy"}, "failed"),
        ({"g1": None, "g2": "healthy"}, "failed"),  # no answer from the node's probe
    ],
)
def test_gpu_collector(tmp_path: Path, verdicts: dict, state: str) -> None:
    path = tmp_path / "hosts.yml"
    path.write_text(
        "all:\n  children:\n    gpu_workers:\n      hosts:\n"
        "        g1: {hactl_gpu_expected_count: 8}\n        g2:\n"
    )
    inv = inventory.load(path)
    answers = {
        h: {"python3 -c": Output(0, json.dumps({"status": v, "action": "reboot"}), "")}
        for h, v in verdicts.items()
        if v is not None
    }
    result = status._gpu_collect(inv, FakeProbe(inv, answers))
    assert result.state == state
    assert result.summary.startswith(f"{list(verdicts.values()).count('healthy')}/2 GPU nodes")


@pytest.mark.parametrize(
    ("group_vars", "etcd", "storage"),
    [
        pytest.param("", ["e1"], ["s1"], id="role-defaults"),
        pytest.param(
            "    etcd_group: kv\n    glusterfs_server_group: gluster\n",
            ["k1"],
            ["g1"],
            id="renamed-groups",
        ),
        pytest.param(
            "    etcd_group: \"{{ 'kv' }}\"\n    glusterfs_server_group: ''\n",
            ["e1"],
            ["s1"],
            id="unresolvable-falls-back",
        ),
    ],
)
def test_etcd_and_storage_honour_the_role_group_variables(
    tmp_path: Path, group_vars: str, etcd: list[str], storage: list[str]
) -> None:
    path = tmp_path / "hosts.yml"
    path.write_text(
        "all:\n  children:\n"
        "    etcd:\n      hosts:\n        e1:\n"
        "    kv:\n      hosts:\n        k1:\n"
        "    storage:\n      hosts:\n        s1:\n"
        "    gluster:\n      hosts:\n        g1:\n"
        + ("  vars:\n" + group_vars if group_vars else "")
    )
    inv = inventory.load(path)
    assert status.etcd_members(inv) == etcd
    assert status.storage_servers(inv) == storage


def test_a_renamed_group_that_is_missing_is_named_in_the_skip_reason(tmp_path: Path) -> None:
    path = tmp_path / "hosts.yml"
    path.write_text(
        "all:\n  children:\n    etcd:\n      hosts:\n        e1:\n    storage:\n      hosts:\n"
        "        s1:\n  vars:\n    etcd_group: kv\n    glusterfs_server_group: gluster\n"
    )
    inv = inventory.load(path)
    assert status._etcd_applies(inv) == "no kv group in the inventory"
    assert status._storage_applies(inv) == "no gluster group in the inventory"
