"""kubeadm configuration and join planning for hactl's Kubernetes roles.

Pure functions first (unit-tested directly in tests/unit/test_kubeadm_filters.py), then the
FilterModule adapter, which turns a ValueError into an AnsibleFilterError that names the filter.

The documents rendered here follow kubeadm's own API types:
- kubeadm.k8s.io/v1beta4 (Kubernetes 1.31+): extraArgs are lists of {name, value};
- kubeadm.k8s.io/v1beta3 (1.22 to 1.30): extraArgs are maps;
- kubelet.config.k8s.io/v1beta1 KubeletConfiguration for the kubelet (systemd cgroup driver).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import yaml

try:
    from ansible.errors import AnsibleFilterError
except ImportError:  # unit tests without ansible
    AnsibleFilterError = ValueError  # type: ignore[misc,assignment]

# Oldest and newest minor release hactl renders configuration for. v1beta4 arrived in 1.31;
# 1.28-1.30 get v1beta3 (kubeadm 1.31+ still reads v1beta3, but hactl writes the newest).
MIN_MINOR = 28
MAX_MINOR = 33
V1BETA4_FROM_MINOR = 31
KUBELET_API = "kubelet.config.k8s.io/v1beta1"
TOPOLOGIES = ("stacked", "external")
_VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")
_TOKEN_RE = re.compile(r"^[a-z0-9]{6}\.[a-z0-9]{16}$")
_CERT_KEY_RE = re.compile(r"^[a-f0-9]{64}$")
_DNS_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$"
)


def parse_version(version: Any) -> tuple[int, int, int]:
    """``1.31.4`` or ``v1.31.4`` as a tuple; anything else is a ValueError."""
    match = _VERSION_RE.match(str(version).strip())
    if not match:
        raise ValueError(f"Kubernetes version {version!r} is not of the form 1.MINOR.PATCH")
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


def version_problems(version: Any) -> list[str]:
    """Why hactl cannot deploy ``version`` (empty when it can)."""
    try:
        major, minor, _ = parse_version(version)
    except ValueError as exc:
        return [str(exc)]
    if major != 1 or not MIN_MINOR <= minor <= MAX_MINOR:
        return [
            f"Kubernetes version {version} is not supported: hactl deploys 1.{MIN_MINOR} to "
            f"1.{MAX_MINOR}"
        ]
    return []


def minor_version(version: Any) -> str:
    """``1.31.4`` -> ``1.31`` (the package repository of pkgs.k8s.io is per minor)."""
    major, minor, _ = parse_version(version)
    return f"{major}.{minor}"


def api_version(version: Any) -> str:
    """The kubeadm config API version hactl writes for a Kubernetes version."""
    _, minor, _ = parse_version(version)
    return "kubeadm.k8s.io/v1beta4" if minor >= V1BETA4_FROM_MINOR else "kubeadm.k8s.io/v1beta3"


def _host_port(host: str, port: int) -> str:
    try:
        if ipaddress.ip_address(host).version == 6:
            return f"[{host}]:{port}"
    except ValueError:
        pass
    return f"{host}:{port}"


def _args(version: Any, args: Mapping[str, Any] | None) -> Any:
    """Component extra args in the shape the API version wants (v1beta4 list, v1beta3 map)."""
    args = dict(args or {})
    if api_version(version).endswith("v1beta4"):
        return [{"name": str(k), "value": str(v)} for k, v in sorted(args.items())]
    return {str(k): str(v) for k, v in sorted(args.items())}


def _unique(items: Iterable[Any]) -> list[str]:
    seen: list[str] = []
    for item in items:
        text = str(item)
        if text and text not in seen:
            seen.append(text)
    return seen


def _etcd(p: Mapping[str, Any]) -> dict[str, Any]:
    if p.get("etcd_topology", "stacked") == "external":
        return {
            "external": {
                "endpoints": list(p["etcd_endpoints"]),
                "caFile": p["etcd_ca_file"],
                "certFile": p["etcd_cert_file"],
                "keyFile": p["etcd_key_file"],
            }
        }
    local: dict[str, Any] = {"dataDir": p.get("etcd_data_dir") or "/var/lib/etcd"}
    if p.get("etcd_extra_args"):
        local["extraArgs"] = _args(p["version"], p["etcd_extra_args"])
    sans = _unique(p.get("etcd_cert_sans") or [])
    if sans:
        local["serverCertSANs"] = sans
        local["peerCertSANs"] = sans
    return {"local": local}


def cluster_configuration(p: Mapping[str, Any]) -> dict[str, Any]:
    """The ClusterConfiguration: shared by every control plane, uploaded by ``kubeadm init``."""
    version = p["version"]
    endpoint = _host_port(str(p["endpoint_host"]), int(p["endpoint_port"]))
    api_server: dict[str, Any] = {
        "certSANs": _unique([p["endpoint_host"], *(p.get("cert_sans") or [])]),
    }
    if p.get("apiserver_extra_args"):
        api_server["extraArgs"] = _args(version, p["apiserver_extra_args"])
    doc: dict[str, Any] = {
        "apiVersion": api_version(version),
        "kind": "ClusterConfiguration",
        "clusterName": p.get("cluster_name") or "kubernetes",
        "kubernetesVersion": "v" + ".".join(str(n) for n in parse_version(version)),
        "controlPlaneEndpoint": endpoint,
        "certificatesDir": p.get("certificates_dir") or "/etc/kubernetes/pki",
        "imageRepository": p.get("image_repository") or "registry.k8s.io",
        "networking": {
            "podSubnet": p["pod_subnet"],
            "serviceSubnet": p["service_subnet"],
            "dnsDomain": p.get("dns_domain") or "cluster.local",
        },
        "etcd": _etcd(p),
        "apiServer": api_server,
    }
    for key, name in (
        ("controller_manager_extra_args", "controllerManager"),
        ("scheduler_extra_args", "scheduler"),
    ):
        if p.get(key):
            doc[name] = {"extraArgs": _args(version, p[key])}
    return doc


def _node_registration(p: Mapping[str, Any]) -> dict[str, Any]:
    reg: dict[str, Any] = {
        "name": p["node_name"],
        "criSocket": p.get("cri_socket") or "unix:///run/containerd/containerd.sock",
    }
    kubelet_args = dict(p.get("kubelet_extra_args") or {})
    if p.get("node_ip"):
        kubelet_args.setdefault("node-ip", p["node_ip"])
    if kubelet_args:
        reg["kubeletExtraArgs"] = _args(p["version"], kubelet_args)
    if p.get("taints") is not None:
        reg["taints"] = list(p["taints"])
    if p.get("ignore_preflight_errors"):
        reg["ignorePreflightErrors"] = list(p["ignore_preflight_errors"])
    return reg


def init_configuration(p: Mapping[str, Any]) -> dict[str, Any]:
    """The first control plane's InitConfiguration (``kubeadm init --upload-certs``)."""
    doc: dict[str, Any] = {
        "apiVersion": api_version(p["version"]),
        "kind": "InitConfiguration",
        "localAPIEndpoint": {
            "advertiseAddress": p["advertise_address"],
            "bindPort": int(p.get("bind_port") or 6443),
        },
        "nodeRegistration": _node_registration(p),
    }
    if p.get("certificate_key"):
        doc["certificateKey"] = p["certificate_key"]
    if p.get("skip_phases"):
        doc["skipPhases"] = list(p["skip_phases"])
    return doc


def join_configuration(p: Mapping[str, Any]) -> dict[str, Any]:
    """A joining node's JoinConfiguration; a control plane also gets controlPlane.certificateKey."""
    join = p["join"]
    doc: dict[str, Any] = {
        "apiVersion": api_version(p["version"]),
        "kind": "JoinConfiguration",
        "discovery": {
            "bootstrapToken": {
                "apiServerEndpoint": _host_port(str(p["endpoint_host"]), int(p["endpoint_port"])),
                "token": join["token"],
                "caCertHashes": list(join["ca_cert_hashes"]),
            }
        },
        "nodeRegistration": _node_registration(p),
    }
    if p.get("control_plane"):
        doc["controlPlane"] = {
            "localAPIEndpoint": {
                "advertiseAddress": p["advertise_address"],
                "bindPort": int(p.get("bind_port") or 6443),
            },
            "certificateKey": join["certificate_key"],
        }
    return doc


def kubelet_configuration(p: Mapping[str, Any]) -> dict[str, Any]:
    """Cluster-wide KubeletConfiguration: systemd cgroups (as containerd is configured)."""
    doc: dict[str, Any] = {
        "apiVersion": KUBELET_API,
        "kind": "KubeletConfiguration",
        "cgroupDriver": "systemd",
        "containerRuntimeEndpoint": p.get("cri_socket") or "unix:///run/containerd/containerd.sock",
        "rotateCertificates": True,
        "serverTLSBootstrap": bool(p.get("kubelet_server_tls_bootstrap", False)),
    }
    doc.update(dict(p.get("kubelet_config_extra") or {}))
    return doc


def _plain(value: Any) -> Any:
    """Plain Python types (Ansible hands filters its own str/dict subclasses, which YAML and
    JSON dumpers refuse)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def config_documents(p: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    """The documents of one kubeadm config file: ``init`` or ``join``."""
    p = _plain(p)
    problems = config_problems(p, kind)
    if problems:
        raise ValueError("; ".join(problems))
    if kind == "init":
        return [init_configuration(p), cluster_configuration(p), kubelet_configuration(p)]
    if kind == "join":
        return [join_configuration(p)]
    raise ValueError(f"unknown kubeadm config kind {kind!r}: want init or join")


def config_yaml(p: Mapping[str, Any], kind: str) -> str:
    """A kubeadm config file: its documents as multi-document YAML."""
    docs = _plain(config_documents(p, kind))
    return yaml.safe_dump_all(docs, sort_keys=False, default_flow_style=False, explicit_start=True)


def _is_cidr(value: Any) -> bool:
    try:
        ipaddress.ip_network(str(value), strict=True)
    except ValueError:
        return False
    return True


def _is_host(value: Any) -> bool:
    text = str(value)
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return bool(_DNS_RE.match(text.lower()))


def config_problems(p: Mapping[str, Any], kind: str = "init") -> list[str]:
    """What is wrong with a set of kubeadm config parameters (empty when nothing is).

    A worker's ``join`` config carries no cluster-wide settings, so only the release and the
    endpoint are checked for it.
    """
    problems = version_problems(p.get("version"))
    if not p.get("endpoint_host") or not _is_host(p.get("endpoint_host")):
        problems.append(
            f"control-plane endpoint host {p.get('endpoint_host')!r} is not an IP address or DNS "
            "name (set hactl_api_vip)"
        )
    port = p.get("endpoint_port")
    if not str(port).isdigit() or not 0 < int(port) < 65536:
        problems.append(f"control-plane endpoint port {port!r} is not a TCP port (hactl_api_port)")
    if kind == "join" and not p.get("control_plane"):
        return problems
    topology = p.get("etcd_topology", "stacked")
    if topology not in TOPOLOGIES:
        problems.append(f"etcd topology {topology!r} is not one of {', '.join(TOPOLOGIES)}")
    if topology == "external":
        if not p.get("etcd_endpoints"):
            problems.append("external etcd needs at least one endpoint")
        for ep in p.get("etcd_endpoints") or []:
            if not str(ep).startswith("https://"):
                problems.append(f"external etcd endpoint {ep!r} is not an https:// URL")
        for key in ("etcd_ca_file", "etcd_cert_file", "etcd_key_file"):
            if not str(p.get(key) or "").startswith("/"):
                problems.append(f"external etcd needs {key} as an absolute path")
    subnets = {}
    for key in ("pod_subnet", "service_subnet"):
        if not _is_cidr(p.get(key)):
            problems.append(f"{key} {p.get(key)!r} is not a network in CIDR notation")
        else:
            subnets[key] = ipaddress.ip_network(str(p[key]))
    if len(subnets) == 2 and subnets["pod_subnet"].overlaps(subnets["service_subnet"]):
        problems.append(
            f"pod_subnet {p['pod_subnet']} overlaps service_subnet {p['service_subnet']}"
        )
    for san in p.get("cert_sans") or []:
        if not _is_host(san):
            problems.append(f"certSAN {san!r} is not an IP address or DNS name")
    return problems


def cluster_problems(
    control_plane_hosts: list[str],
    allow_non_ha: bool = False,
    etcd_topology: str = "stacked",
    etcd_hosts: list[str] | None = None,
) -> list[str]:
    """Topology rules: an odd number (>= 3) of control planes; odd external etcd members."""
    problems = []
    count = len(control_plane_hosts)
    if count == 0:
        problems.append("no control-plane hosts in the inventory")
    elif not allow_non_ha and (count < 3 or count % 2 == 0):
        problems.append(
            f"{count} control-plane node(s): HA needs an odd number, at least 3 "
            "(stacked etcd keeps quorum only with a majority; set hactl_allow_non_ha for a lab)"
        )
    if etcd_topology == "external" and etcd_hosts is not None:
        members = len(etcd_hosts)
        if not allow_non_ha and (members < 3 or members % 2 == 0):
            problems.append(f"{members} external etcd member(s): HA needs an odd number >= 3")
    return problems


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse_token_list(output: str) -> list[dict[str, Any]]:
    """``kubeadm token list -o json``: one JSON object per token, concatenated."""
    decoder = json.JSONDecoder()
    tokens, pos, text = [], 0, output.strip()
    while pos < len(text):
        obj, end = decoder.raw_decode(text, pos)
        if isinstance(obj, dict) and obj.get("token"):
            tokens.append(obj)
        pos = end
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


def pick_token(output: str, description: str, now: str, min_valid_s: int = 600) -> str:
    """A bootstrap token with ``description`` valid for another ``min_valid_s``; '' if none.

    An expired token, one about to expire, or one without authentication usage is not reused:
    the caller creates a fresh one.
    """
    moment = _parse_time(now)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    best, best_left = "", -1.0
    for token in parse_token_list(output):
        if token.get("description") != description:
            continue
        if "authentication" not in (token.get("usages") or ["authentication"]):
            continue
        if not _TOKEN_RE.match(str(token["token"])):
            continue
        expires = token.get("expires")
        left = float("inf") if not expires else (_parse_time(expires) - moment).total_seconds()
        if left >= min_valid_s and left > best_left:
            best, best_left = str(token["token"]), left
    return best


def ca_cert_hash(pem: str) -> str:
    """kubeadm's discovery pin: sha256 of the CA certificate's DER SubjectPublicKeyInfo."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert = x509.load_pem_x509_certificate(pem.encode() if isinstance(pem, str) else pem)
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "sha256:" + hashlib.sha256(spki).hexdigest()


def certificate_key_from_output(output: str) -> str:
    """The certificate key ``kubeadm init phase upload-certs --upload-certs`` prints last."""
    for line in reversed(output.strip().splitlines()):
        if _CERT_KEY_RE.match(line.strip()):
            return line.strip()
    raise ValueError("no certificate key (64 hex characters) in the upload-certs output")


def join_plan(states: Mapping[str, Mapping[str, Any]], order: list[str], init_host: str) -> dict:
    """Who initialises, who joins, who is a member already, and who hands out join credentials.

    ``states`` maps each control-plane host to ``{"joined": bool, "admin": bool}`` (kubelet.conf
    and admin.conf present). The cluster's leader is the first host (in ``order``) holding
    admin.conf; with none, ``init_host`` initialises the cluster and leads.
    """
    leaders = [h for h in order if states.get(h, {}).get("admin")]
    members = [h for h in order if states.get(h, {}).get("joined")]
    if leaders:
        leader, init = leaders[0], ""
    else:
        if members:
            raise ValueError(
                f"nodes {', '.join(members)} have joined a cluster but none holds "
                "/etc/kubernetes/admin.conf: recover a control plane first"
            )
        leader, init = init_host, init_host
    joiners = [h for h in order if h not in members and h != init]
    return {"leader": leader, "init": init, "members": members, "join": joiners}


def parse_sha256sums(text: str) -> dict[str, str]:
    """A SHA256SUMS file (``<hex>  <name>`` or ``<hex> *<name>`` lines) as {name: hex}."""
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"^([0-9a-fA-F]{64})\s+\*?(\S+)$", line)
        if not match:
            raise ValueError(f"SHA256SUMS line {number} is not '<sha256>  <name>': {line!r}")
        sums[match.group(2).split("/")[-1]] = match.group(1).lower()
    return sums


def member_states(results: list[Mapping[str, Any]]) -> dict[str, dict[str, bool]]:
    """Per host, which of kubelet.conf / admin.conf exist, from a looped, delegated ``stat``.

    Each result's ``item`` is ``[host, file name]``; an unreachable host counts as holding
    nothing (a lost node is not a leader).
    """
    states: dict[str, dict[str, bool]] = {}
    for res in results:
        host, name = res["item"]
        exists = bool(not res.get("unreachable") and (res.get("stat") or {}).get("exists"))
        entry = states.setdefault(host, {"joined": False, "admin": False})
        if name == "kubelet.conf":
            entry["joined"] = exists
        elif name == "admin.conf":
            entry["admin"] = exists
    return states


CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"


def _ready(node: Mapping[str, Any]) -> bool:
    conditions = (node.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def disruption_problems(nodes: Any, target: str = "", etcd_topology: str = "stacked") -> list[str]:
    """Why taking ``target`` down now would hurt the cluster (empty when it would not).

    ``nodes`` is ``kubectl get nodes -o json`` (text or parsed). Every other control plane must
    be Ready, and with stacked etcd (one member per control plane) the members left healthy while
    ``target`` is down must still be a majority of all members.
    """
    data = json.loads(nodes) if isinstance(nodes, str) else nodes
    items = data.get("items", [])
    cps = [n for n in items if CONTROL_PLANE_LABEL in (n["metadata"].get("labels") or {})]
    others = [n for n in cps if n["metadata"]["name"] != target]
    not_ready = sorted(n["metadata"]["name"] for n in others if not _ready(n))
    problems = []
    if not cps:
        problems.append("no control-plane node is registered in the cluster")
    if not_ready:
        problems.append(f"control plane(s) not Ready: {', '.join(not_ready)}")
    target_is_cp = any(n["metadata"]["name"] == target for n in cps)
    if etcd_topology == "stacked" and target_is_cp:
        members, healthy = len(cps), len(others) - len(not_ready)
        quorum = members // 2 + 1
        if healthy < quorum:
            problems.append(
                f"stacked etcd would lose quorum: with {target} down {healthy} of {members} "
                f"members stay healthy, {quorum} are needed"
            )
    return problems


def _adapt(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise AnsibleFilterError(f"{name}: {exc}") from exc

    return wrapper


class FilterModule:
    def filters(self) -> dict[str, Callable[..., Any]]:
        table: dict[str, Callable[..., Any]] = {
            "kubeadm_config_yaml": config_yaml,
            "kubeadm_config_problems": config_problems,
            "kubeadm_cluster_problems": cluster_problems,
            "kubeadm_version_problems": version_problems,
            "kubeadm_api_version": api_version,
            "kubeadm_minor_version": minor_version,
            "kubeadm_pick_token": pick_token,
            "kubeadm_ca_cert_hash": ca_cert_hash,
            "kubeadm_certificate_key": certificate_key_from_output,
            "kubeadm_join_plan": join_plan,
            "kubeadm_parse_sha256sums": parse_sha256sums,
            "kubeadm_member_states": member_states,
            "kubeadm_disruption_problems": disruption_problems,
        }
        return {name: _adapt(name, func) for name, func in table.items()}
