"""The one-command lab: systemd node containers with sshd on a lab network, an SSH key, a
known_hosts file of the nodes' real host keys, and an inventory for them.

The container flags are the ones every molecule scenario uses, read from their single definition
in tests/molecule/platform.yml. Everything is idempotent: an existing container, key or network is
kept, so ``hactl lab up`` run twice converges instead of duplicating.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hactl.errors import LabError
from hactl.lab._proc import run

REPO = Path(__file__).resolve().parents[2]
PLATFORM_FILE = REPO / "tests/molecule/platform.yml"
DEFAULT_NAME = "lab"
DEFAULT_SUBNET = "172.30.100.0/24"
LAB_USER = "hactl"
LABEL = "hactl.lab"
FIRST_NODE_OFFSET = 11  # node 1 is .11; .10 is the API VIP
VIP_OFFSET = 10


@dataclass(frozen=True)
class Node:
    name: str
    address: str


@dataclass(frozen=True)
class Lab:
    name: str
    network: str
    subnet: str
    state_dir: Path
    nodes: tuple[Node, ...]

    @property
    def key_file(self) -> Path:
        return self.state_dir / "id_ed25519"

    @property
    def known_hosts(self) -> Path:
        return self.state_dir / "known_hosts"

    @property
    def inventory(self) -> Path:
        return self.state_dir / "inventory" / "hosts.yml"

    @property
    def vip(self) -> str:
        net = ipaddress.ip_network(self.subnet)
        return str(net.network_address + VIP_OFFSET)


def state_root() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local/share")
    return Path(base) / "hactl" / "labs"


def describe(name: str = DEFAULT_NAME, nodes: int = 3, subnet: str = DEFAULT_SUBNET) -> Lab:
    """The lab's names and addresses; pure, nothing is created."""
    net = ipaddress.ip_network(subnet)
    if nodes < 1 or nodes > 50:
        raise LabError(f"--nodes must be 1-50, not {nodes}")
    prefix = f"hactl-{name}"
    members = tuple(
        Node(f"{prefix}-{i}", str(net.network_address + FIRST_NODE_OFFSET + i - 1))
        for i in range(1, nodes + 1)
    )
    return Lab(name, prefix, str(net), state_root() / name, members)


# What lab nodes need beyond the shared molecule platform: FUSE for the GlusterFS client mounts.
LAB_DEVICES = ("/dev/fuse",)


def platform_defaults(path: Path = PLATFORM_FILE) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    platform = dict(data["hactl_molecule_platform_defaults"])
    platform["devices"] = [*(platform.get("devices") or []), *LAB_DEVICES]
    return {**platform, "boot_timeout": data["hactl_molecule_boot_timeout"]}


def docker_run_args(platform: dict[str, Any]) -> tuple[list[str], list[str]]:
    """``docker run`` options and the command, from a molecule platform definition."""
    opts: list[str] = []
    opts += [f"--cap-add={c}" for c in platform.get("capabilities") or []]
    opts += [f"--security-opt={s}" for s in platform.get("security_opts") or []]
    if platform.get("cgroupns_mode"):
        opts.append(f"--cgroupns={platform['cgroupns_mode']}")
    opts += [f"--volume={v}" for v in platform.get("volumes") or []]
    opts += [f"--tmpfs={t}" for t in platform.get("tmpfs") or []]
    opts += [f"--device={d}" for d in platform.get("devices") or []]
    opts += [f"--sysctl={k}={v}" for k, v in (platform.get("sysctls") or {}).items()]
    if platform.get("stop_signal"):
        opts.append(f"--stop-signal={platform['stop_signal']}")
    opts += [f"--env={k}={v}" for k, v in (platform.get("env") or {}).items()]
    command = str(platform.get("command") or "").split()
    return opts, command


def _docker(*args: str, check: bool = True, timeout: float = 120, stdin: bytes | None = None):
    return run(["docker", *args], check=check, timeout=timeout, input_bytes=stdin)


def _exists(kind: str, name: str) -> bool:
    return _docker(kind, "inspect", name, check=False).returncode == 0


def ensure_network(lab: Lab) -> bool:
    if _exists("network", lab.network):
        fmt = "{{range .IPAM.Config}}{{.Subnet}}{{end}}"
        subnet = str(_docker("network", "inspect", "-f", fmt, lab.network).stdout).strip()
        if subnet != lab.subnet:
            raise LabError(
                f"network {lab.network} exists with subnet {subnet}, not {lab.subnet}: "
                f"run `hactl lab down --name {lab.name}` first"
            )
        return False
    _docker(
        "network", "create", f"--subnet={lab.subnet}", f"--label={LABEL}={lab.name}", lab.network
    )
    return True


def _running(name: str) -> bool:
    proc = _docker("inspect", "-f", "{{.State.Running}}", name, check=False)
    return proc.returncode == 0 and str(proc.stdout).strip() == "true"


def ensure_node(lab: Lab, node: Node, image: str, platform: dict[str, Any]) -> bool:
    """Start the node's container; True when it was created now."""
    if _exists("container", node.name):
        if not _running(node.name):
            _docker("start", node.name)
        return False
    opts, command = docker_run_args(platform)
    _docker(
        "run", "--detach", f"--name={node.name}", f"--hostname={node.name}",
        f"--network={lab.network}", f"--ip={node.address}", f"--label={LABEL}={lab.name}",
        *opts, image, *command,
    )  # fmt: skip
    return True


def wait_booted(node: Node, timeout_s: int) -> None:
    """Wait, bounded, for systemd in the node to reach running (D-Bus may not answer at first)."""
    deadline = time.monotonic() + timeout_s
    state = ""
    while time.monotonic() < deadline:
        proc = _docker("exec", node.name, "systemctl", "is-system-running", check=False)
        state = str(proc.stdout).strip()
        if state in ("running", "degraded"):
            return
        time.sleep(1)
    raise LabError(f"{node.name}: systemd did not finish booting (state {state or 'unknown'})")


def ensure_key(lab: Lab) -> str:
    lab.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not lab.key_file.exists():
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"hactl-{lab.name}",
             "-f", str(lab.key_file)])  # fmt: skip
    lab.key_file.chmod(0o600)
    return Path(f"{lab.key_file}.pub").read_text().strip()


_SETUP_USER = f"""set -e
id -u {LAB_USER} >/dev/null 2>&1 || useradd --create-home --shell /bin/bash {LAB_USER}
install -d -m 0700 -o {LAB_USER} -g {LAB_USER} /home/{LAB_USER}/.ssh
cat > /home/{LAB_USER}/.ssh/authorized_keys
chown {LAB_USER}:{LAB_USER} /home/{LAB_USER}/.ssh/authorized_keys
chmod 0600 /home/{LAB_USER}/.ssh/authorized_keys
echo '{LAB_USER} ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/{LAB_USER}
chmod 0440 /etc/sudoers.d/{LAB_USER}
systemctl start ssh.service
"""


def authorize(node: Node, public_key: str) -> None:
    _docker("exec", "-i", node.name, "sh", "-c", _SETUP_USER, stdin=f"{public_key}\n".encode())


def host_keys(node: Node, timeout_s: float = 60) -> list[str]:
    """The node's public host keys, read from inside the container (not from the network)."""
    deadline = time.monotonic() + timeout_s
    while True:
        proc = _docker(
            "exec", node.name, "sh", "-c", "cat /etc/ssh/ssh_host_*_key.pub", check=False
        )
        keys = [" ".join(line.split()[:2]) for line in str(proc.stdout).splitlines() if line]
        if proc.returncode == 0 and keys:
            return keys
        if time.monotonic() > deadline:
            raise LabError(f"{node.name}: no SSH host keys after {timeout_s:.0f} s")
        time.sleep(1)


def write_known_hosts(lab: Lab, keys: dict[str, list[str]]) -> None:
    lines = [f"{node.address} {key}" for node in lab.nodes for key in keys[node.name]]
    lab.known_hosts.write_text("\n".join(lines) + "\n")
    lab.known_hosts.chmod(0o600)


LAB_PROMETHEUS_VIP_PORT = 9091


def inventory_data(lab: Lab) -> dict[str, Any]:
    """The lab's inventory: every node is control plane (and lb); node 1 is the NTP source."""
    first = lab.nodes[0]
    hosts: dict[str, Any] = {}
    for node in lab.nodes:
        hv: dict[str, Any] = {"ansible_host": node.address}
        # No external NTP: node 1 serves its clock to the lab, the others follow it.
        if node is first:
            hv.update(
                node_prep_chrony_pools=[],
                node_prep_chrony_servers=[],
                node_prep_chrony_local_stratum=8,
                node_prep_chrony_allow=[lab.subnet],
            )
        else:
            hv.update(node_prep_chrony_pools=[], node_prep_chrony_servers=[first.address])
        hosts[node.name] = hv
    ssh_args = f"-o UserKnownHostsFile={lab.known_hosts} -o StrictHostKeyChecking=yes"
    # etcd (external topology: hactl's etcd role, not kubeadm's) on an odd number of nodes and
    # GlusterFS (replica 3) on three, from 3 nodes up; Prometheus + Alertmanager as an HA pair.
    n = len(lab.nodes)
    etcd = [node.name for node in lab.nodes[: n if n % 2 else n - 1]] if n >= 3 else []
    storage = [node.name for node in lab.nodes[:3]] if n >= 3 else []
    children: dict[str, Any] = {"control_plane": {"hosts": hosts}}
    if etcd:
        children["etcd"] = {"hosts": dict.fromkeys(etcd)}
        children["storage"] = {"hosts": dict.fromkeys(storage)}
    children["monitoring"] = {"hosts": {node.name: None for node in lab.nodes[:2]}}
    component_vars: dict[str, Any] = {"hactl_etcd_topology": "external" if etcd else "stacked"}
    if storage:
        component_vars.update(
            hactl_storage_volumes=[{"name": "data", "replica": 3}],
            glusterfs_client_mounts=[{"volume": "data", "path": "/mnt/data"}],
            monitoring_etcd_tls_remote_src_dir="/etc/etcd/pki",
        )
    return {
        "all": {
            "children": children,
            "vars": {
                "ansible_user": LAB_USER,
                "ansible_ssh_private_key_file": str(lab.key_file),
                "ansible_ssh_common_args": ssh_args,
                "ansible_python_interpreter": "/usr/bin/python3",
                "hactl_cluster_name": lab.name,
                "hactl_environment": "lab",
                "hactl_lab_network": lab.network,
                "hactl_allow_non_ha": len(lab.nodes) < 3 or len(lab.nodes) % 2 == 0,
                "hactl_network_cidr": lab.subnet,
                "hactl_api_vip": lab.vip,
                "hactl_api_port": 8443,
                "hactl_api_vrrp_router_id": 51,
                **component_vars,
                # kubeadm, kubelet and Kubernetes images come from pkgs.k8s.io / registry.k8s.io,
                # which a lab machine may not reach: the lab runs everything else.
                "hactl_kubernetes_enabled": False,
                # Without API servers, the lab's VIP also fronts the Prometheus pair: a real HA
                # endpoint with real backends, for status and the lb-backend-down drill.
                "haproxy_extra_frontends": [
                    {
                        "name": "prometheus",
                        "port": LAB_PROMETHEUS_VIP_PORT,
                        "backend_group": "monitoring",
                        "backend_port": 9090,
                        "check": "http",
                        "check_path": "/-/ready",
                    }
                ],
                "hactl_drill_lb_backend": {
                    "port": LAB_PROMETHEUS_VIP_PORT,
                    "unit": "prometheus",
                    "backend_group": "monitoring",
                    "path": "/-/ready",
                },
                "monitoring_vips": [{"name": "api", "address": lab.vip}],
                "monitoring_vip_group": "control_plane",
                "monitoring_haproxy_group": "control_plane",
            },
        }
    }


def write_inventory(lab: Lab) -> Path:
    lab.inventory.parent.mkdir(parents=True, exist_ok=True)
    header = f"# Generated by `hactl lab up --name {lab.name}`; rewritten on every run.\n---\n"
    text = header + yaml.safe_dump(inventory_data(lab), sort_keys=False, width=100)
    if not lab.inventory.exists() or lab.inventory.read_text() != text:
        lab.inventory.write_text(text)
    return lab.inventory


def labelled(kind: str, lab_name: str) -> list[str]:
    """Names of the containers or networks that carry this lab's label."""
    if kind == "network":
        argv = ["network", "ls", "--format", "{{.Name}}"]
    else:
        argv = ["ps", "--all", "--format", "{{.Names}}"]
    proc = _docker(*argv, "--filter", f"label={LABEL}={lab_name}", check=False)
    return [n for n in str(proc.stdout).split() if n]


def remove_extra_nodes(lab: Lab) -> list[str]:
    """Containers of this lab beyond the nodes asked for (a lab shrunk with --nodes)."""
    wanted = {node.name for node in lab.nodes}
    extra = [name for name in labelled("container", lab.name) if name not in wanted]
    if extra:
        _docker("rm", "--force", "--volumes", *extra, timeout=180)
    return extra


def remove(lab_name: str) -> tuple[list[str], list[str]]:
    """Remove the lab's containers, network and state; return what was removed."""
    containers = labelled("container", lab_name)
    if containers:
        _docker("rm", "--force", "--volumes", *containers, timeout=180)
    networks = labelled("network", lab_name)
    for net in networks:
        _docker("network", "rm", net)
    state = state_root() / lab_name
    if state.exists():
        shutil.rmtree(state)
    return containers, networks
