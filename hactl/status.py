"""``hactl status``: each component's health, from small collectors over one SSH probe.

A collector is a name, an ``applies`` test (None when it applies, else why it is skipped) and a
``collect`` function that reads what it needs through the shared ``Probe``. A new component
(etcd, storage, gpu) adds one collector to ``COLLECTORS``; components absent from the inventory,
or whose role is not in this checkout, are reported as skipped with the reason.
"""

from __future__ import annotations

import csv
import io
import json
import shlex
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hactl.inventory import Inventory, load_module_util
from hactl.ssh import Output, Session, SshFailure, target

REPO = Path(__file__).resolve().parents[1]
HEALTHY, DEGRADED, FAILED, SKIPPED = "healthy", "degraded", "failed", "skipped"
_RANK = {HEALTHY: 0, DEGRADED: 1, FAILED: 2}
HAPROXY_SOCKET = "/run/haproxy/admin.sock"


@dataclass
class ComponentStatus:
    name: str
    state: str
    summary: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class ClusterStatus:
    components: list[ComponentStatus]

    @property
    def state(self) -> str:
        ranked = [c.state for c in self.components if c.state in _RANK]
        return max(ranked, key=_RANK.__getitem__) if ranked else HEALTHY

    def component(self, name: str) -> ComponentStatus:
        return next(c for c in self.components if c.name == name)


class Probe:
    """SSH sessions to every host, opened in parallel once and shared by all collectors."""

    def __init__(self, inventory: Inventory, hosts: Sequence[str] | None = None) -> None:
        self.inventory = inventory
        self.sessions: dict[str, Session] = {}
        self.errors: dict[str, str] = {}
        names = list(hosts) if hosts is not None else inventory.hosts

        def open_one(name: str) -> tuple[str, Session | str]:
            try:
                return name, Session(target(name, inventory.hostvars(name)))
            except SshFailure as exc:
                return name, str(exc)

        with ThreadPoolExecutor(max_workers=min(32, max(1, len(names)))) as pool:
            for name, result in pool.map(open_one, names):
                if isinstance(result, Session):
                    self.sessions[name] = result
                else:
                    self.errors[name] = result

    def reachable(self, host: str) -> bool:
        return host in self.sessions

    def run(self, host: str, command: str, sudo: bool = False) -> Output | None:
        session = self.sessions.get(host)
        if session is None:
            return None
        try:
            return session.sudo(command) if sudo else session.run(command)
        except Exception as exc:  # a dropped connection reads as an unreachable host
            self.errors[host] = f"command failed: {exc}"
            return None

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()


@dataclass(frozen=True)
class Collector:
    name: str
    applies: Callable[[Inventory], str | None]
    collect: Callable[[Inventory, Probe], ComponentStatus]


def _role_missing(role: str) -> str | None:
    if not (REPO / "roles" / role / "tasks").is_dir():
        return f"roles/{role} is not in this checkout, so it was not provisioned"
    return None


def role_group(inventory: Inventory, variable: str, default: str) -> str:
    """The group a role runs on: its ``<role>_group`` variable where the inventory sets it.

    A value that is still Jinja cannot be resolved here, so it falls back to the role's default.
    """
    value = inventory.model.cluster_var(variable)
    if isinstance(value, str) and value.strip() and "{" not in value:
        return value.strip()
    return default


def lb_hosts(inventory: Inventory) -> list[str]:
    return inventory.group("lb") or inventory.group("control_plane")


# --- nodes -------------------------------------------------------------------------------------


def _nodes_applies(inventory: Inventory) -> str | None:
    return None


def _nodes_collect(inventory: Inventory, probe: Probe) -> ComponentStatus:
    details: dict[str, Any] = {}
    good = 0
    for host in inventory.hosts:
        if not probe.reachable(host):
            details[host] = {"reachable": False, "error": probe.errors.get(host, "")}
            continue
        facts = probe.run(host, "cat /etc/ansible/facts.d/node_prep.fact")
        chrony = probe.run(host, "systemctl is-active chrony")
        node: dict[str, Any] = {"reachable": True}
        try:
            node["node_prep"] = json.loads(facts.stdout) if facts and facts.rc == 0 else None
        except ValueError:
            node["node_prep"] = None
        node["chrony"] = chrony.stdout.strip() if chrony else "unknown"
        node["ok"] = node["node_prep"] is not None and node["chrony"] == "active"
        good += int(node["ok"])
        details[host] = node
    total = len(inventory.hosts)
    state = HEALTHY if good == total else (FAILED if good == 0 else DEGRADED)
    return ComponentStatus("nodes", state, f"{good}/{total} nodes prepared and reachable", details)


# --- VIP (keepalived) --------------------------------------------------------------------------


def _vip_applies(inventory: Inventory) -> str | None:
    model = inventory.model
    if model.cluster_var("hactl_api_vip") is None:
        return "hactl_api_vip is not set"
    return _role_missing("keepalived")


def vip_holders(vip: str, addr_output: dict[str, str]) -> list[str]:
    """Hosts whose `ip -o addr show` lists the VIP on an interface."""
    holders = []
    for host, text in addr_output.items():
        for line in text.splitlines():
            parts = line.split()
            if "inet" in parts or "inet6" in parts:
                idx = parts.index("inet") if "inet" in parts else parts.index("inet6")
                if idx + 1 < len(parts) and parts[idx + 1].split("/")[0] == vip:
                    holders.append(host)
                    break
    return sorted(holders)


def _vip_collect(inventory: Inventory, probe: Probe) -> ComponentStatus:
    vip = str(inventory.model.cluster_var("hactl_api_vip"))
    outputs: dict[str, str] = {}
    unreachable = []
    for host in lb_hosts(inventory):
        out = probe.run(host, "ip -o addr show")
        if out is None:
            unreachable.append(host)
        else:
            outputs[host] = out.stdout
    holders = vip_holders(vip, outputs)
    details = {"vip": vip, "holders": holders, "unreachable": unreachable}
    if len(holders) == 1:
        state = DEGRADED if unreachable else HEALTHY
        return ComponentStatus("vip", state, f"{vip} held by {holders[0]}", details)
    if not holders:
        return ComponentStatus("vip", FAILED, f"{vip} is held by no lb node", details)
    return ComponentStatus(
        "vip", FAILED, f"{vip} held by {len(holders)} nodes (split brain)", details
    )


# --- load balancer (haproxy) -------------------------------------------------------------------


def _lb_applies(inventory: Inventory) -> str | None:
    if inventory.model.cluster_var("hactl_api_vip") is None:
        return "hactl_api_vip is not set, so no load balancer is provisioned"
    if not lb_hosts(inventory):
        return "no lb or control_plane hosts"
    return _role_missing("haproxy")


_SHOW_STAT = (
    "import socket,sys;s=socket.socket(socket.AF_UNIX);s.connect(sys.argv[1]);"
    "s.sendall(b'show stat\\n');b=b''\n"
    "while True:\n d=s.recv(65536)\n if not d: break\n b+=d\n"
    "sys.stdout.write(b.decode())"
)


def parse_show_stat(text: str) -> dict[str, dict[str, str]]:
    """haproxy `show stat` CSV as {backend: {server: status}} (frontends/aggregates dropped)."""
    lines = text.lstrip("# ").splitlines()
    backends: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        sv = row.get("svname", "")
        if sv in ("FRONTEND", "BACKEND") or not sv:
            continue
        backends.setdefault(row.get("pxname", ""), {})[sv] = row.get("status", "")
    return backends


def _server_up(status: str) -> bool:
    return status.startswith("UP") or status == "no check"


# The API frontend of roles/haproxy; its servers exist only once Kubernetes is deployed.
API_BACKEND = "kube_apiserver"


def _kubernetes_enabled(inventory: Inventory) -> bool:
    value = inventory.model.cluster_var("hactl_kubernetes_enabled")
    return value is None or str(value).lower() in ("true", "yes", "1")


def _lb_collect(inventory: Inventory, probe: Probe) -> ComponentStatus:
    cmd = f"python3 -c {shlex.quote(_SHOW_STAT)} {HAPROXY_SOCKET}"
    ignored = set() if _kubernetes_enabled(inventory) else {API_BACKEND}
    per_host: dict[str, Any] = {}
    answering = 0
    worst = HEALTHY
    for host in lb_hosts(inventory):
        out = probe.run(host, cmd, sudo=True)
        if out is None or out.rc != 0:
            per_host[host] = {"error": (out.stderr.strip()[-300:] if out else "unreachable")}
            worst = DEGRADED if worst == HEALTHY else worst
            continue
        answering += 1
        backends = parse_show_stat(out.stdout)
        per_host[host] = backends
        for name, servers in backends.items():
            if name in ignored:  # hactl_kubernetes_enabled: false, so no API server answers
                continue
            up = sum(_server_up(s) for s in servers.values())
            if up == 0:
                worst = FAILED
            elif up < len(servers) and worst == HEALTHY:
                worst = DEGRADED
    if answering == 0:
        worst = FAILED
    total = len(lb_hosts(inventory))
    summary = f"haproxy answering on {answering}/{total} nodes"
    if ignored:
        summary += f" ({API_BACKEND} not checked: hactl_kubernetes_enabled is false)"
    return ComponentStatus("lb", worst, summary, per_host)


# --- etcd --------------------------------------------------------------------------------------

ETCDCTL_ENV = "/etc/etcd/etcdctl.env"  # written by roles/etcd on every member


def etcd_members(inventory: Inventory) -> list[str]:
    return inventory.group(role_group(inventory, "etcd_group", "etcd"))


def _etcd_applies(inventory: Inventory) -> str | None:
    if not etcd_members(inventory):
        return f"no {role_group(inventory, 'etcd_group', 'etcd')} group in the inventory"
    return _role_missing("etcd")


def _etcdctl(args: str) -> str:
    script = f"set -a; . {ETCDCTL_ENV}; set +a; etcdctl --command-timeout=3s {args}"
    return f"bash -c {shlex.quote(script)}"


def etcd_summary(statuses: list[dict[str, Any]], health: list[dict[str, Any]]) -> dict[str, Any]:
    """Members, leader and per-endpoint health from `etcdctl endpoint status/health -w json`."""
    healthy = {h.get("endpoint"): bool(h.get("health")) for h in health}
    leader_id = next((s["Status"]["leader"] for s in statuses if s.get("Status")), None)
    members = {}
    leader = None
    for st_ in statuses:
        endpoint = st_.get("Endpoint")
        member_id = st_.get("Status", {}).get("header", {}).get("member_id")
        members[endpoint] = {
            "healthy": healthy.get(endpoint, False),
            "leader": member_id == leader_id,
            "db_size": st_.get("Status", {}).get("dbSize"),
            "raft_term": st_.get("Status", {}).get("raft_term"),
        }
        if member_id == leader_id:
            leader = endpoint
    for endpoint, ok in healthy.items():
        members.setdefault(endpoint, {"healthy": ok, "leader": False})
    return {"leader": leader, "members": members}


def _etcd_collect(inventory: Inventory, probe: Probe) -> ComponentStatus:
    members = etcd_members(inventory)
    via = next((m for m in members if probe.reachable(m)), None)
    if via is None:
        return ComponentStatus("etcd", FAILED, "no etcd member answers over SSH", {})
    # `endpoint health` exits non-zero when any member is unhealthy; its JSON still says which.
    health_out = probe.run(via, _etcdctl("endpoint health --cluster -w json"), sudo=True)
    status_out = probe.run(via, _etcdctl("endpoint status --cluster -w json"), sudo=True)
    try:
        health = json.loads(health_out.stdout) if health_out and health_out.stdout else []
        statuses = json.loads(status_out.stdout) if status_out and status_out.stdout else []
    except ValueError as exc:
        return ComponentStatus("etcd", FAILED, f"etcdctl answered no JSON: {exc}", {})
    details = etcd_summary(statuses, health)
    total = len(members)
    good = sum(1 for m in details["members"].values() if m["healthy"])
    if details["leader"] is None or good <= total // 2:
        state = FAILED
    else:
        state = HEALTHY if good == total else DEGRADED
    leader = details["leader"] or "no leader"
    return ComponentStatus(
        "etcd", state, f"{good}/{total} members healthy, leader {leader}", details
    )


# --- monitoring --------------------------------------------------------------------------------

_PROM_QUERY = (
    "import json,sys,urllib.request as u\n"
    "def get(url):\n"
    " try:\n  return json.load(u.urlopen(url, timeout=5))\n"
    " except Exception as e:\n  return {'error': str(e)}\n"
    "p, a = sys.argv[1], sys.argv[2]\n"
    "print(json.dumps({'targets': get(f'http://127.0.0.1:{p}/api/v1/targets?state=active'),"
    " 'alerts': get(f'http://127.0.0.1:{p}/api/v1/alerts'),"
    " 'alertmanager': get(f'http://127.0.0.1:{a}/api/v2/status')}))"
)


def monitoring_servers(inventory: Inventory) -> list[str]:
    return inventory.group("monitoring")


def _monitoring_applies(inventory: Inventory) -> str | None:
    if not monitoring_servers(inventory):
        return "no monitoring group in the inventory"
    return _role_missing("monitoring")


def monitoring_server_view(doc: dict[str, Any]) -> dict[str, Any]:
    """One Prometheus server's targets, firing alerts and Alertmanager peers, from its APIs."""
    targets = doc.get("targets", {}).get("data", {}).get("activeTargets")
    alerts = doc.get("alerts", {}).get("data", {}).get("alerts")
    peers = doc.get("alertmanager", {}).get("cluster", {}).get("peers")
    if targets is None:
        return {"ready": False, "error": doc.get("targets", {}).get("error", "no answer")}
    down = sorted(  # "unknown": not scraped yet, which is not a fault
        f"{t['labels'].get('job')}/{t['labels'].get('instance')}"
        for t in targets
        if t.get("health") == "down"
    )
    firing = sorted(
        a["labels"].get("alertname", "?") for a in alerts or [] if a.get("state") == "firing"
    )
    return {
        "ready": True,
        "targets": len(targets),
        "targets_down": down,
        "firing": firing,
        "alertmanager_peers": None if peers is None else len(peers),
    }


def _monitoring_collect(inventory: Inventory, probe: Probe) -> ComponentStatus:
    servers = monitoring_servers(inventory)
    first = inventory.hostvars(servers[0])
    prom = first.get("monitoring_prometheus_port", 9090)
    am = first.get("monitoring_alertmanager_port", 9093)
    cmd = f"python3 -c {shlex.quote(_PROM_QUERY)} {prom} {am}"
    views: dict[str, Any] = {}
    for host in servers:
        out = probe.run(host, cmd)
        try:
            views[host] = monitoring_server_view(json.loads(out.stdout) if out else {})
        except ValueError:
            views[host] = {"ready": False, "error": "no JSON from the Prometheus query"}
    ready = [h for h, v in views.items() if v["ready"]]
    if not ready:
        return ComponentStatus("monitoring", FAILED, "no Prometheus answers", views)
    problems = [
        h
        for h in ready
        if views[h]["targets_down"] or views[h]["alertmanager_peers"] != len(servers)
    ]
    state = HEALTHY if len(ready) == len(servers) and not problems else DEGRADED
    firing = sorted({a for h in ready for a in views[h]["firing"]})
    summary = f"Prometheus answering on {len(ready)}/{len(servers)} servers"
    summary += f", firing: {', '.join(firing)}" if firing else ", no alert firing"
    return ComponentStatus("monitoring", state, summary, views)


# --- storage (GlusterFS) -----------------------------------------------------------------------

_gluster = load_module_util("_gluster")  # the parsers the gluster modules use, one copy


def storage_servers(inventory: Inventory) -> list[str]:
    return inventory.group(role_group(inventory, "glusterfs_server_group", "storage"))


def _storage_applies(inventory: Inventory) -> str | None:
    if not storage_servers(inventory):
        group = role_group(inventory, "glusterfs_server_group", "storage")
        return f"no {group} group in the inventory"
    provider = inventory.model.cluster_var("hactl_storage_provider")
    if provider not in (None, "glusterfs"):
        return f"hactl_storage_provider is {provider}"
    return _role_missing("glusterfs_server")


def volume_state(info: dict[str, Any], bricks_offline: list[str], heal: dict[str, Any]) -> str:
    """healthy / degraded / failed for one volume (client quorum: most of each replica set)."""
    replica = max(int(info.get("replica") or 1), 1)
    if info.get("status") != "Started" or (heal.get("split_brain") or 0) > 0:
        return FAILED
    per_set: dict[int, int] = {}
    names = [b["name"] for b in info.get("bricks", [])]
    for index, name in enumerate(names):
        if name in bricks_offline:
            per_set[index // replica] = per_set.get(index // replica, 0) + 1
    if any(down * 2 >= replica for down in per_set.values()) and replica > 1:
        return FAILED
    if bricks_offline or heal.get("entries") or heal.get("unreachable"):
        return DEGRADED
    return HEALTHY


def _storage_collect(inventory: Inventory, probe: Probe) -> ComponentStatus:
    via = next((h for h in storage_servers(inventory) if probe.reachable(h)), None)
    if via is None:
        return ComponentStatus("storage", FAILED, "no storage node answers over SSH", {})
    gluster = "gluster --mode=script"
    info_out = probe.run(via, f"{gluster} volume info --xml", sudo=True)
    status_out = probe.run(via, f"{gluster} volume status all --xml", sudo=True)
    try:
        infos = _gluster.parse_volume_info(info_out.stdout if info_out else "")
        statuses = _gluster.parse_volume_status(status_out.stdout if status_out else "")
    except Exception as exc:  # GlusterError, or XML from a glusterd that is not answering
        return ComponentStatus("storage", FAILED, f"gluster on {via}: {exc}", {})
    if not infos:
        return ComponentStatus("storage", FAILED, f"no GlusterFS volume on {via}", {})
    volumes: dict[str, Any] = {}
    for name, info in sorted(infos.items()):
        offline = _gluster.bricks_offline(info, statuses.get(name))
        heal_out = probe.run(via, f"{gluster} volume heal {name} info summary --xml", sudo=True)
        try:
            heal = _gluster.parse_heal_info(heal_out.stdout if heal_out else "")
        except Exception as exc:
            heal = {"error": str(exc)}
        volumes[name] = {
            "status": info.get("status"),
            "bricks_online": len(info.get("bricks", [])) - len(offline),
            "bricks_total": len(info.get("bricks", [])),
            "offline_bricks": offline,
            "heal_pending": heal.get("entries"),
            "split_brain": heal.get("split_brain"),
            "state": volume_state(info, offline, heal),
        }
    worst = max((v["state"] for v in volumes.values()), key=_RANK.__getitem__)
    summary = ", ".join(
        f"{n} {v['status']} {v['bricks_online']}/{v['bricks_total']} bricks, "
        f"heal {v['heal_pending']}, split-brain {v['split_brain']}"
        for n, v in volumes.items()
    )
    return ComponentStatus("storage", worst, summary, volumes)


# --- Kubernetes ----------------------------------------------------------------------------------


def _kubernetes_applies(inventory: Inventory) -> str | None:
    if not _kubernetes_enabled(inventory):
        return "hactl_kubernetes_enabled is false"
    if not inventory.group("control_plane"):
        return "no control_plane group in the inventory"
    return _role_missing("kubeadm_control_plane")


def kubernetes_nodes(nodes_json: dict[str, Any]) -> dict[str, bool]:
    """{node: Ready} from `kubectl get nodes -o json`."""
    out = {}
    for item in nodes_json.get("items", []):
        conditions = item.get("status", {}).get("conditions", [])
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
        out[item.get("metadata", {}).get("name", "?")] = ready
    return out


def _kubernetes_collect(inventory: Inventory, probe: Probe) -> ComponentStatus:
    kubectl = "kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=10s"
    for host in inventory.group("control_plane"):
        out = probe.run(host, f"{kubectl} get nodes -o json", sudo=True)
        if out is None or out.rc != 0:
            continue
        try:
            ready = kubernetes_nodes(json.loads(out.stdout))
        except ValueError:
            continue
        good = sum(ready.values())
        state = HEALTHY if ready and good == len(ready) else (DEGRADED if good else FAILED)
        return ComponentStatus("kubernetes", state, f"{good}/{len(ready)} nodes Ready", ready)
    return ComponentStatus("kubernetes", FAILED, "no control-plane node answers kubectl", {})


# --- GPU nodes -----------------------------------------------------------------------------------

_GPU_PROBE = REPO / "plugins/module_utils/_gpu.py"  # runs on the node: `python3 -c <it> --expected`


def _gpu_applies(inventory: Inventory) -> str | None:
    if not inventory.group("gpu_workers"):
        return "no gpu_workers group in the inventory"
    return _role_missing("nvidia_driver")


def _gpu_collect(inventory: Inventory, probe: Probe) -> ComponentStatus:
    script = shlex.quote(_GPU_PROBE.read_text())
    per_node: dict[str, Any] = {}
    for host in inventory.group("gpu_workers"):
        expected = inventory.hostvars(host).get("hactl_gpu_expected_count")
        flag = f" --expected-count {int(expected)}" if expected is not None else ""
        out = probe.run(host, f"python3 -c {script}{flag}", sudo=True)
        try:
            per_node[host] = json.loads(out.stdout) if out and out.rc == 0 else None
        except ValueError:
            per_node[host] = None
        if per_node[host] is None:
            per_node[host] = {"status": FAILED, "messages": ["no answer from the GPU probe"]}
    states = [v.get("status", FAILED) for v in per_node.values()]
    worst = max((x if x in _RANK else FAILED for x in states), key=_RANK.__getitem__)
    good = states.count(HEALTHY)
    bad = [f"{h}: {v.get('status')} ({v.get('action', '-')})" for h, v in per_node.items()
           if v.get("status") != HEALTHY]  # fmt: skip
    summary = f"{good}/{len(per_node)} GPU nodes healthy" + (f"; {'; '.join(bad)}" if bad else "")
    return ComponentStatus("gpu", worst, summary, per_node)


COLLECTORS: list[Collector] = [
    Collector("nodes", _nodes_applies, _nodes_collect),
    Collector("vip", _vip_applies, _vip_collect),
    Collector("lb", _lb_applies, _lb_collect),
    Collector("etcd", _etcd_applies, _etcd_collect),
    Collector("storage", _storage_applies, _storage_collect),
    Collector("kubernetes", _kubernetes_applies, _kubernetes_collect),
    Collector("gpu", _gpu_applies, _gpu_collect),
    Collector("monitoring", _monitoring_applies, _monitoring_collect),
]


def collect(
    inventory: Inventory,
    collectors: Sequence[Collector] | None = None,
    probe_factory: Callable[[Inventory], Probe] = Probe,
) -> tuple[ClusterStatus, dict[str, str]]:
    """Every component's status, and the hosts that could not be reached (with why)."""
    collectors = COLLECTORS if collectors is None else collectors
    probe = probe_factory(inventory)
    try:
        out = []
        for col in collectors:
            reason = col.applies(inventory)
            if reason is not None:
                out.append(ComponentStatus(col.name, SKIPPED, reason))
                continue
            try:
                out.append(col.collect(inventory, probe))
            except Exception as exc:  # one broken collector must not hide the others
                out.append(ComponentStatus(col.name, FAILED, f"collector error: {exc}"))
        return ClusterStatus(out), dict(probe.errors)
    finally:
        probe.close()
