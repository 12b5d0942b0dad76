"""The hactl cluster model: every rule an inventory must pass before any host is touched.

Standard library only, and kept to Python 3.9, because the same code runs in two places:
``hactl validate`` / ``hactl provision`` (hactl/inventory.py loads this file) and the
``hactl_validate_cluster`` action in the first play of every playbook, so plain
``ansible-playbook`` gets the same protection.

The model is plain data: ``hosts`` maps each inventory host name to its merged variables, and
``groups`` maps each group name to its host names. Each rule is a pure function of the model that
returns a list of ``Problem``; ``validate()`` runs them all and returns every problem found.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

# Every hactl_* variable the toolkit reads, with a one-line description. Adding a cluster-wide
# variable means adding it here (and documenting it in inventories/sample/group_vars/all/).
KNOWN_VARIABLES: dict[str, str] = {
    "hactl_cluster_name": "name of the cluster (RFC 1123 label)",
    "hactl_allow_non_ha": "true allows fewer than 3 control-plane/etcd nodes (labs only)",
    "hactl_api_vip": "virtual IP of the Kubernetes API, held by keepalived on an lb node",
    "hactl_api_port": "TCP port of the API on the VIP (haproxy frontend)",
    "hactl_api_vrrp_router_id": "VRRP virtual router id of the API VIP (1-255)",
    "hactl_vrrp_instances": "VRRP instances after the API VIP's: [{name, vip, virtual_router_id}]",
    "hactl_network_cidr": "the nodes' network (CIDR); the VIP lies inside it",
    "hactl_lb_group": "group running haproxy + keepalived (lb if it has hosts, else control_plane)",
    "hactl_node_address": "a node's address on the cluster network (else ansible_host)",
    "hactl_etcd_topology": "stacked (etcd on control-plane nodes) or external (etcd group)",
    "hactl_kubernetes_version": "Kubernetes version, MAJOR.MINOR[.PATCH]",
    "hactl_kubernetes_enabled": "false skips the container runtime, packages and kubeadm plays",
    "hactl_pod_cidr": "Kubernetes pod network (CIDR)",
    "hactl_service_cidr": "Kubernetes service network (CIDR)",
    "hactl_k8s_control_plane_group": "group kubeadm runs the control plane on (control_plane)",
    "hactl_k8s_hosts": "host pattern that gets the container runtime and Kubernetes packages",
    "hactl_k8s_worker_hosts": "host pattern of the nodes that join as workers",
    "hactl_nodes": "add-node.yml: the nodes to join (-e, comma-separated)",
    "hactl_node": "remove-node.yml / recover-control-plane.yml: the node (-e)",
    "hactl_node_lost": "recover-control-plane.yml: the node is gone, skip its drain (-e)",
    "hactl_certs_renew": "certs-check.yml: renew certificates (-e)",
    "hactl_certs_warn_days": "certs-check.yml: warn when a certificate expires within N days",
    "hactl_confirm_reset": "reset.yml: the cluster name, to confirm (-e)",
    "hactl_storage_volumes": "GlusterFS volumes: [{name, replica, arbiter}]",
    "hactl_storage_provider": "glusterfs (default), or none to skip replicated storage",
    "hactl_storage_heal_strict": "storage-heal-check.yml also fails on pending heals",
    "hactl_gpu_model": "GPU model expected on gpu_workers (e.g. H100)",
    "hactl_gpu_driver_branch": "NVIDIA driver branch to install (e.g. 550)",
    "hactl_gpu_group": "inventory group of the GPU nodes (default gpu_workers)",
    "hactl_gpu_expected_count": "GPUs a GPU node must show (per node)",
    "hactl_gpu_probe": "tests only: point gpu_health at fixture files instead of the host",
    "hactl_k8s_node_name": "a node's Kubernetes node name when not its inventory name",
    "hactl_preflight_ports": "extra TCP ports preflight requires free on every node",
    "hactl_environment": "lab, staging or production (default); drills refuse production",
    "hactl_lab_network": "the Docker network of a hactl lab (set by hactl lab up)",
    "hactl_drill_lb_backend": "frontend the lb-backend-down drill uses: {port, unit, ...}",
}

GROUPS = ("control_plane", "etcd", "lb", "workers", "gpu_workers", "storage")
ETCD_TOPOLOGIES = ("stacked", "external")
# Kubernetes minors hactl provisions (upstream's supported window plus the one before it).
KUBERNETES_MINORS = ((1, 31), (1, 32), (1, 33), (1, 34), (1, 35))
# The oldest NVIDIA driver branch that supports each GPU model (NVIDIA's release notes).
GPU_MIN_DRIVER: dict[str, int] = {
    "T4": 418,
    "V100": 418,
    "A10": 460,
    "A30": 460,
    "A40": 460,
    "A100": 450,
    "L4": 525,
    "L40": 525,
    "L40S": 535,
    "H100": 525,
    "H200": 550,
    "GH200": 550,
    "B200": 570,
    "GB200": 570,
}
_HOSTNAME_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_K8S_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?$")


class Problem:
    """One reason the inventory is rejected, naming where to look."""

    def __init__(
        self,
        message: str,
        host: str | None = None,
        variable: str | None = None,
        file: str | None = None,
        line: int | None = None,
        rule: str = "",
    ) -> None:
        self.message = message
        self.host = host
        self.variable = variable
        self.file = file
        self.line = line
        self.rule = rule

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        if self.host:
            parts.append(f"host {self.host}")
        if self.variable:
            parts.append(self.variable)
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def __repr__(self) -> str:
        return f"Problem({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and self.as_dict() == other.as_dict()

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "message": self.message,
            "host": self.host,
            "variable": self.variable,
            "file": self.file,
            "line": self.line,
        }


class Model:
    """An inventory seen as hactl sees it: hosts with merged variables, and groups."""

    def __init__(
        self,
        hosts: Mapping[str, Mapping[str, Any]],
        groups: Mapping[str, Sequence[str]],
        origins: Mapping[str, str] | None = None,
    ) -> None:
        self.hosts = {h: dict(v) for h, v in hosts.items()}
        self.groups = {g: list(m) for g, m in groups.items()}
        # "host/variable" -> file the value came from (for messages); optional.
        self.origins = dict(origins or {})

    def group(self, name: str) -> list[str]:
        return [h for h in self.groups.get(name, []) if h in self.hosts]

    def first_host(self) -> str | None:
        return next(iter(self.hosts), None)

    def cluster_var(self, name: str, default: Any = None) -> Any:
        """A cluster-wide variable, read from the first host (consistency is its own rule)."""
        first = self.first_host()
        if first is None:
            return default
        return self.hosts[first].get(name, default)

    def origin(self, host: str | None, variable: str) -> str | None:
        return self.origins.get(f"{host}/{variable}") if host else None


def _problem(model: Model, rule: str, message: str, host=None, variable=None) -> Problem:
    file = model.origin(host or model.first_host(), variable) if variable else None
    return Problem(message, host=host, variable=variable, file=file, rule=rule)


def is_templated(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def node_address(hostvars: Mapping[str, Any]) -> str | None:
    """A node's address from the inventory alone: hactl_node_address, else ansible_host."""
    for key in ("hactl_node_address", "ansible_host"):
        value = hostvars.get(key)
        if value is None or is_templated(value):
            continue
        try:
            return str(ipaddress.ip_address(str(value)))
        except ValueError:
            continue
    return None


def allow_non_ha(model: Model) -> bool:
    return model.cluster_var("hactl_allow_non_ha", False) is True


# --- rules -----------------------------------------------------------------------------------


def rule_booleans(model: Model) -> list[Problem]:
    out = []
    for host, hv in model.hosts.items():
        value = hv.get("hactl_allow_non_ha")
        if value is not None and not isinstance(value, bool) and not is_templated(value):
            out.append(
                _problem(
                    model,
                    "booleans",
                    f"must be a boolean (true/false), not {value!r}",
                    host,
                    "hactl_allow_non_ha",
                )
            )
    return out


def rule_unknown_variables(model: Model) -> list[Problem]:
    out = []
    seen = set()
    for host, hv in model.hosts.items():
        for key in sorted(hv):
            if not key.startswith("hactl_") or key in KNOWN_VARIABLES or key in seen:
                continue
            seen.add(key)
            close = difflib.get_close_matches(key, list(KNOWN_VARIABLES), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else ""
            out.append(
                _problem(model, "unknown_variable", f"unknown hactl variable{hint}", host, key)
            )
    return out


def rule_consistent_cluster_vars(model: Model) -> list[Problem]:
    """Cluster-wide variables must hold one value across all hosts."""
    per_host = (
        "hactl_node_address",
        "hactl_gpu_model",
        "hactl_gpu_driver_branch",
        "hactl_gpu_expected_count",
        "hactl_gpu_probe",
        "hactl_k8s_node_name",
    )
    out = []
    first = model.first_host()
    if first is None:
        return out
    for key in sorted(KNOWN_VARIABLES):
        if key in per_host:
            continue
        ref = model.hosts[first].get(key)
        for host, hv in model.hosts.items():
            if hv.get(key) != ref:
                out.append(
                    _problem(
                        model,
                        "cluster_var_differs",
                        f"is cluster-wide but differs from host {first} "
                        f"({hv.get(key)!r} vs {ref!r}); set it in group_vars/all",
                        host,
                        key,
                    )
                )
                break
    return out


def _quorum_problems(model: Model, group: str, rule: str) -> list[Problem]:
    members = model.group(group)
    n = len(members)
    if n == 0:
        return [Problem(f"group {group} has no hosts; it needs at least one", rule=rule)]
    if allow_non_ha(model):
        return []
    if n < 3 or n % 2 == 0:
        return [
            Problem(
                f"group {group} has {n} host(s); HA needs an odd number, at least 3 "
                "(set hactl_allow_non_ha: true for a single-node lab)",
                rule=rule,
            )
        ]
    return []


def rule_control_plane_quorum(model: Model) -> list[Problem]:
    return _quorum_problems(model, "control_plane", "control_plane_quorum")


def rule_etcd_topology(model: Model) -> list[Problem]:
    topology = model.cluster_var("hactl_etcd_topology", "stacked")
    if is_templated(topology):
        return []
    if topology not in ETCD_TOPOLOGIES:
        return [
            _problem(
                model,
                "etcd_topology",
                f"must be one of {', '.join(ETCD_TOPOLOGIES)}, not {topology!r}",
                None,
                "hactl_etcd_topology",
            )
        ]
    if topology == "external":
        return _quorum_problems(model, "etcd", "etcd_quorum")
    if model.group("etcd"):
        return [
            Problem(
                "group etcd has hosts but hactl_etcd_topology is stacked (etcd runs on the "
                "control-plane nodes); empty the group or set hactl_etcd_topology: external",
                variable="hactl_etcd_topology",
                rule="etcd_topology",
            )
        ]
    return []


def rule_hostnames(model: Model) -> list[Problem]:
    out = []
    seen: dict[str, str] = {}
    for host in model.hosts:
        labels = host.split(".")
        if len(host) > 253 or not all(_HOSTNAME_LABEL.match(label) for label in labels):
            out.append(
                Problem(
                    "is not a valid host name (RFC 1123: letters, digits and '-', "
                    "labels of 1-63 characters, not starting or ending with '-')",
                    host=host,
                    rule="hostname",
                )
            )
        key = host.lower()
        if key in seen:
            out.append(
                Problem(
                    f"has the same name as host {seen[key]} (host names are case-insensitive)",
                    host=host,
                    rule="hostname_unique",
                )
            )
        seen.setdefault(key, host)
    return out


def rule_unique_addresses(model: Model) -> list[Problem]:
    out = []
    seen: dict[str, str] = {}
    for host, hv in model.hosts.items():
        addr = node_address(hv)
        if addr is None:
            continue
        if addr in seen:
            out.append(
                Problem(
                    f"has address {addr}, already used by host {seen[addr]}",
                    host=host,
                    rule="address_unique",
                )
            )
        else:
            seen[addr] = host
    return out


def _vip_problems(
    model: Model, vip: Any, variable: str, network: ipaddress.IPv4Network | None
) -> list[Problem]:
    rule = "vip"
    try:
        addr = ipaddress.ip_address(str(vip))
    except ValueError:
        return [_problem(model, rule, f"{vip!r} is not an IP address", None, variable)]
    out = []
    if network is not None:
        if addr.version != network.version or addr not in network:
            out.append(
                _problem(
                    model, rule, f"{addr} is outside hactl_network_cidr {network}", None, variable
                )
            )
        elif network.num_addresses > 2 and addr in (
            network.network_address,
            network.broadcast_address,
        ):
            kind = "network" if addr == network.network_address else "broadcast"
            out.append(
                _problem(model, rule, f"{addr} is the {kind} address of {network}", None, variable)
            )
    for host, hv in model.hosts.items():
        if node_address(hv) == str(addr):
            out.append(
                _problem(model, rule, f"{addr} is the address of host {host}", None, variable)
            )
    return out


def _network(model: Model, out: list[Problem]) -> Any | None:
    cidr = model.cluster_var("hactl_network_cidr")
    if cidr is None or is_templated(cidr):
        return None
    try:
        return ipaddress.ip_network(str(cidr), strict=True)
    except ValueError as exc:
        out.append(
            _problem(
                model, "network", f"{cidr!r} is not a network: {exc}", None, "hactl_network_cidr"
            )
        )
        return None


def rule_vips(model: Model) -> list[Problem]:
    out: list[Problem] = []
    network = _network(model, out)
    vip = model.cluster_var("hactl_api_vip")
    vips = []
    if vip is not None and not is_templated(vip):
        vips.append((vip, "hactl_api_vip"))
    for i, inst in enumerate(_vrrp_instances(model)):
        vip_i = inst.get("vip") if isinstance(inst, Mapping) else None
        if vip_i is not None and not is_templated(vip_i):
            vips.append((vip_i, f"hactl_vrrp_instances[{i}].vip"))
    if vips and network is None and model.cluster_var("hactl_network_cidr") is None:
        out.append(
            _problem(
                model,
                "vip",
                "is required when a VIP is set (the VIP must lie inside it)",
                None,
                "hactl_network_cidr",
            )
        )
    for value, variable in vips:
        out.extend(_vip_problems(model, value, variable, network))
    for node in model.hosts:
        addr = node_address(model.hosts[node])
        if network is not None and addr and ipaddress.ip_address(addr) not in network:
            out.append(
                Problem(
                    f"address {addr} is outside hactl_network_cidr {network}",
                    host=node,
                    rule="address_in_network",
                )
            )
    return out


def _vrrp_instances(model: Model) -> list[Any]:
    value = model.cluster_var("hactl_vrrp_instances") or []
    return value if isinstance(value, list) else []


# keepalived's vrrp_instance names: no spaces or braces in its config syntax.
_VRRP_NAME = re.compile(r"^[A-Za-z0-9_]{1,32}$")
_VRRP_SHAPE = "must be a list of {name, vip, virtual_router_id}"


def rule_vrrp_instances(model: Model) -> list[Problem]:
    """hactl_vrrp_instances: the keepalived instances after the API's (name ``api``).

    Each entry becomes one keepalived_instances entry (roles/keepalived), so it takes the same
    keys; the VIP and router id rules (rule_vips, rule_vrrp_router_ids) apply to every entry.
    """
    rule = "vrrp_instance"
    raw = model.cluster_var("hactl_vrrp_instances")
    if raw is None or is_templated(raw):
        return []
    if not isinstance(raw, list):
        return [_problem(model, rule, _VRRP_SHAPE, None, "hactl_vrrp_instances")]
    out = []
    names: dict[str, str] = {"api": "the API VIP (hactl_api_vip)"}
    api_vip = model.cluster_var("hactl_api_vip")
    vips: dict[str, str] = {}
    if api_vip and not is_templated(api_vip):
        vips[str(api_vip)] = "hactl_api_vip"
    if raw and not api_vip:
        # playbooks/site.yml runs haproxy and keepalived only where the API VIP is set.
        out.append(
            _problem(
                model,
                rule,
                "needs hactl_api_vip: keepalived runs only on clusters with an API VIP, so these "
                "virtual IPs would never be configured",
                None,
                "hactl_vrrp_instances",
            )
        )
    for i, inst in enumerate(raw):
        variable = f"hactl_vrrp_instances[{i}]"
        if not isinstance(inst, Mapping):
            out.append(_problem(model, rule, f"entry {i} {_VRRP_SHAPE}", None, variable))
            continue
        if "router_id" in inst:
            out.append(
                _problem(
                    model,
                    rule,
                    "router_id is spelled virtual_router_id (keepalived's own keyword)",
                    None,
                    f"{variable}.router_id",
                )
            )
        for key in ("name", "vip", "virtual_router_id"):
            if inst.get(key) is None and not (key == "virtual_router_id" and "router_id" in inst):
                out.append(_problem(model, rule, f"needs a {key}", None, variable))
        name = inst.get("name")
        if name is not None and not is_templated(name):
            if not _VRRP_NAME.match(str(name)):
                out.append(
                    _problem(
                        model,
                        rule,
                        f"{name!r} is not a VRRP instance name (letters, digits, underscore)",
                        None,
                        f"{variable}.name",
                    )
                )
            elif str(name) in names:
                out.append(
                    _problem(
                        model,
                        rule,
                        f"name {name!r} is already used by {names[str(name)]}",
                        None,
                        f"{variable}.name",
                    )
                )
            names.setdefault(str(name), variable)
        vip = inst.get("vip")
        if vip is not None and not is_templated(vip):
            if str(vip) in vips:
                out.append(
                    _problem(
                        model,
                        rule,
                        f"VIP {vip} is already used by {vips[str(vip)]}",
                        None,
                        f"{variable}.vip",
                    )
                )
            vips.setdefault(str(vip), f"{variable}.vip")
    return out


def rule_vrrp_router_ids(model: Model) -> list[Problem]:
    """Every VRRP router id (the API's, then each hactl_vrrp_instances entry's) 1-255, unique."""
    rule = "vrrp_router_id"
    ids = []
    api_id = model.cluster_var("hactl_api_vrrp_router_id")
    if api_id is not None and not is_templated(api_id):
        ids.append((api_id, "hactl_api_vrrp_router_id"))
    elif api_id is None and model.cluster_var("hactl_api_vip"):
        # roles/keepalived's default for the API instance.
        ids.append((51, "hactl_api_vrrp_router_id (default 51)"))
    # A missing or misspelt virtual_router_id is rule_vrrp_instances' to report.
    for i, inst in enumerate(_vrrp_instances(model)):
        if isinstance(inst, Mapping) and inst.get("virtual_router_id") is not None:
            value = inst["virtual_router_id"]
            if not is_templated(value):
                ids.append((value, f"hactl_vrrp_instances[{i}].virtual_router_id"))
    out = []
    seen: dict[int, str] = {}
    for value, variable in ids:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 255:
            out.append(
                _problem(model, rule, f"must be an integer 1-255, not {value!r}", None, variable)
            )
            continue
        if value in seen:
            out.append(
                _problem(
                    model,
                    rule,
                    f"router id {value} is already used by {seen[value]}",
                    None,
                    variable,
                )
            )
        seen.setdefault(value, variable)
    return out


def arbiter_layout_error(replica: int) -> str:
    """Why ``replica N arbiter 1`` is refused for N != 3; the filter hactl_storage says the same.

    hactl has one meaning for an arbiter volume: ``replica: 3, arbiter: 1``, every replica set
    being two data bricks and one metadata-only arbiter (GlusterFS's documented
    ``replica 3 arbiter 1``, reported back by ``gluster volume info`` as replica 3, arbiter 1).
    Newer gluster CLIs take ``replica 2 arbiter 1`` as another spelling of that same 2 + 1
    layout, but a volume made so still reads back as replica 3, so an inventory saying 2 would
    never match the volume; it is refused with the spelling to use instead.
    """
    if replica == 2:
        return (
            "replica 2 arbiter 1 is written replica 3 arbiter 1 here (the same 2 data bricks"
            " + 1 arbiter per replica set, as gluster volume info reports it)"
        )
    return f"an arbiter needs replica 3 (replica 3 arbiter 1), not replica {replica}"


def rule_storage_layout(model: Model) -> list[Problem]:
    rule = "storage_layout"
    volumes = model.cluster_var("hactl_storage_volumes")
    if volumes is None or is_templated(volumes):
        return []
    if not isinstance(volumes, list):
        return [
            _problem(
                model,
                rule,
                "must be a list of {name, replica, arbiter}",
                None,
                "hactl_storage_volumes",
            )
        ]
    nodes = len(model.group("storage"))
    out = []
    names = set()
    for i, vol in enumerate(volumes):
        var = f"hactl_storage_volumes[{i}]"
        if not isinstance(vol, Mapping) or not vol.get("name"):
            out.append(_problem(model, rule, "needs a name", None, var))
            continue
        name = str(vol["name"])
        if name in names:
            out.append(_problem(model, rule, f"volume name {name} is used twice", None, var))
        names.add(name)
        replica, arbiter = vol.get("replica", 3), vol.get("arbiter", 0)
        if not isinstance(replica, int) or isinstance(replica, bool) or replica < 1:
            out.append(
                _problem(model, rule, f"volume {name}: replica must be an integer >= 1", None, var)
            )
            continue
        if arbiter not in (0, 1):
            out.append(_problem(model, rule, f"volume {name}: arbiter must be 0 or 1", None, var))
            continue
        if arbiter == 1 and replica != 3:
            out.append(
                _problem(model, rule, f"volume {name}: {arbiter_layout_error(replica)}", None, var)
            )
            continue
        bricks = replica
        if nodes < bricks:
            out.append(
                _problem(
                    model,
                    rule,
                    f"volume {name}: replica {replica}"
                    f"{' arbiter 1' if arbiter else ''} needs {bricks} storage nodes,"
                    f" group storage has {nodes}",
                    None,
                    var,
                )
            )
        elif replica == 2 and not arbiter and not allow_non_ha(model):
            out.append(
                _problem(
                    model,
                    rule,
                    f"volume {name}: replica 2 without an arbiter splits brain; use replica 3 or"
                    " arbiter 1",
                    None,
                    var,
                )
            )
    return out


def rule_gpu_driver(model: Model) -> list[Problem]:
    rule = "gpu_driver"
    out = []
    for host in model.group("gpu_workers"):
        hv = model.hosts[host]
        gpu, branch = hv.get("hactl_gpu_model"), hv.get("hactl_gpu_driver_branch")
        if gpu is None or is_templated(gpu):
            continue
        key = str(gpu).upper().replace("NVIDIA", "").strip()
        if key not in GPU_MIN_DRIVER:
            known = ", ".join(sorted(GPU_MIN_DRIVER))
            close = difflib.get_close_matches(key, list(GPU_MIN_DRIVER), n=1)
            hint = f"; did you mean {close[0]}?" if close else f" (known: {known})"
            out.append(
                _problem(model, rule, f"unknown GPU model {gpu!r}{hint}", host, "hactl_gpu_model")
            )
            continue
        if branch is None or is_templated(branch):
            continue
        try:
            major = int(str(branch).split(".")[0])
        except ValueError:
            out.append(
                _problem(
                    model,
                    rule,
                    f"{branch!r} is not a driver branch like 550",
                    host,
                    "hactl_gpu_driver_branch",
                )
            )
            continue
        need = GPU_MIN_DRIVER[key]
        if major < need:
            out.append(
                _problem(
                    model,
                    rule,
                    f"driver branch {major} is too old for {key}: it needs {need} or newer",
                    host,
                    "hactl_gpu_driver_branch",
                )
            )
    return out


def parse_kubernetes_version(value: Any) -> tuple | None:
    match = _K8S_VERSION.match(str(value).strip())
    if not match:
        return None
    return tuple(int(x) for x in match.groups() if x is not None)


def rule_kubernetes_version(model: Model) -> list[Problem]:
    rule = "kubernetes_version"
    value = model.cluster_var("hactl_kubernetes_version")
    if value is None or is_templated(value):
        return []
    if isinstance(value, float):
        # YAML reads 1.30 as the float 1.3: the version must be quoted.
        return [
            _problem(
                model,
                rule,
                f'{value!r} was read as a number: quote it, e.g. "1.31"',
                None,
                "hactl_kubernetes_version",
            )
        ]
    parsed = parse_kubernetes_version(value)
    if parsed is None:
        return [
            _problem(
                model,
                rule,
                f"{value!r} is not MAJOR.MINOR[.PATCH] (e.g. 1.31.4)",
                None,
                "hactl_kubernetes_version",
            )
        ]
    if tuple(parsed[:2]) not in KUBERNETES_MINORS:
        supported = ", ".join(f"{a}.{b}" for a, b in KUBERNETES_MINORS)
        return [
            _problem(
                model,
                rule,
                f"{value} is not supported; choose one of {supported}",
                None,
                "hactl_kubernetes_version",
            )
        ]
    return []


def rule_cluster_name(model: Model) -> list[Problem]:
    name = model.cluster_var("hactl_cluster_name")
    if name is None or is_templated(name):
        return []
    if not isinstance(name, str) or not _HOSTNAME_LABEL.match(name):
        return [
            _problem(
                model,
                "cluster_name",
                f"{name!r} is not an RFC 1123 label",
                None,
                "hactl_cluster_name",
            )
        ]
    return []


def rule_api_port(model: Model) -> list[Problem]:
    port = model.cluster_var("hactl_api_port")
    if port is None or is_templated(port):
        return []
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        return [
            _problem(
                model,
                "api_port",
                f"must be a TCP port 1-65535, not {port!r}",
                None,
                "hactl_api_port",
            )
        ]
    return []


RULES: Sequence[Callable[[Model], list[Problem]]] = (
    rule_unknown_variables,
    rule_booleans,
    rule_consistent_cluster_vars,
    rule_cluster_name,
    rule_control_plane_quorum,
    rule_etcd_topology,
    rule_hostnames,
    rule_unique_addresses,
    rule_vips,
    rule_api_port,
    rule_vrrp_instances,
    rule_vrrp_router_ids,
    rule_storage_layout,
    rule_gpu_driver,
    rule_kubernetes_version,
)


def validate(model: Model) -> list[Problem]:
    """Every problem with the model, from every rule."""
    if not model.hosts:
        return [Problem("the inventory has no hosts", rule="hosts")]
    problems: list[Problem] = []
    for rule in RULES:
        problems.extend(rule(model))
    return problems
