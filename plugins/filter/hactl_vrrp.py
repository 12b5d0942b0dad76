"""VRRP and load balancer planning and input checks for the keepalived and haproxy roles.

Pure functions first (unit-tested directly in tests/unit/test_vrrp.py), then the FilterModule
adapter, which turns a ValueError into an AnsibleFilterError that names the filter.

The checks read only inventory data (no facts), so the shared validation play can run them with
``gather_facts: false`` before any host changes.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from typing import Any

try:
    from ansible.errors import AnsibleFilterError
except ImportError:  # unit tests without ansible
    AnsibleFilterError = ValueError  # type: ignore[misc,assignment]

# keepalived sends only the first 8 characters of a PASS authentication secret.
AUTH_PASS_MAX = 8
STATES = ("auto", "MASTER", "BACKUP")


def _address(hostvars: Mapping[str, Any], host: str) -> str:
    """A node's address from inventory data only: hactl_node_address, else an IP ansible_host."""
    for key in ("hactl_node_address", "ansible_host"):
        value = hostvars.get(key)
        if value:
            try:
                return str(ipaddress.ip_address(str(value)))
            except ValueError:
                if key == "hactl_node_address":
                    raise ValueError(
                        f"host {host}: hactl_node_address {value!r} is not an IP address"
                    ) from None
    raise ValueError(
        f"host {host}: no address in the inventory; set hactl_node_address "
        "(or an IP address as ansible_host)"
    )


def default_instances(
    api_vip: Any, api_router_id: Any = 51, further: Any = None
) -> list[dict[str, Any]]:
    """``keepalived_instances``' default: the API VIP first, then every further instance.

    ``api_vip`` and ``api_router_id`` are hactl_api_vip and hactl_api_vrrp_router_id;
    ``further`` is hactl_vrrp_instances, entries with the same keys as keepalived_instances
    (name, vip, virtual_router_id, ...). The result is checked by ``vrrp_problems`` like any
    keepalived_instances; here only its shape is, so that a misspelt key fails by name.
    """
    if further is None:
        further = []
    if isinstance(further, (str, bytes, Mapping)) or not isinstance(further, Sequence):
        raise ValueError(
            f"hactl_vrrp_instances must be a list of {{name, vip, virtual_router_id}}, not "
            f"{type(further).__name__}"
        )
    instances = [{"name": "api", "vip": str(api_vip or ""), "virtual_router_id": api_router_id}]
    for index, entry in enumerate(further):
        where = f"hactl_vrrp_instances[{index}]"
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where} must be a mapping {{name, vip, virtual_router_id}}")
        if "router_id" in entry:
            raise ValueError(
                f"{where}.router_id is spelled virtual_router_id (keepalived's own keyword)"
            )
        instances.append(dict(entry))
    return instances


def vrrp_nodes(
    hosts: Sequence[str], hostvars: Mapping[str, Mapping[str, Any]], settings: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Each VRRP node with its address, priority (from inventory order) and initial state.

    ``settings``: priority_base, priority_step, nopreempt. A host's ``keepalived_state`` (auto,
    MASTER or BACKUP) is read from its own vars; auto means MASTER for the first host and BACKUP
    for the others, or BACKUP everywhere with nopreempt (which keepalived honours only then).
    """
    base = int(settings.get("priority_base", 150))
    step = int(settings.get("priority_step", 10))
    nopreempt = bool(settings.get("nopreempt", False))
    nodes = []
    for index, host in enumerate(hosts):
        hv = hostvars[host]
        state = str(hv.get("keepalived_state", "auto"))
        if state == "auto":
            state = "MASTER" if index == 0 and not nopreempt else "BACKUP"
        nodes.append(
            {
                "host": host,
                "address": _address(hv, host),
                "priority": base - index * step,
                "state": state,
            }
        )
    return nodes


def vrrp_plan(
    hosts: Sequence[str],
    hostvars: Mapping[str, Mapping[str, Any]],
    host: str,
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    """What ``host`` renders: its own node entry plus its unicast peers' addresses."""
    nodes = vrrp_nodes(hosts, hostvars, settings)
    me = next((n for n in nodes if n["host"] == host), None)
    if me is None:
        raise ValueError(f"host {host} is not one of the VRRP nodes {list(hosts)}")
    return dict(me, peers=[n["address"] for n in nodes if n["host"] != host])


def _problems_nodes(nodes: list[dict[str, Any]], settings: Mapping[str, Any]) -> list[str]:
    problems = []
    nopreempt = bool(settings.get("nopreempt", False))
    group = settings.get("group", "the VRRP group")
    if len(nodes) < 2:
        problems.append(
            f"keepalived_group '{group}' has {len(nodes)} host(s); a highly available virtual IP "
            "needs at least 2"
        )
    for node in nodes:
        if node["state"] not in STATES[1:]:
            problems.append(
                f"host {node['host']}: keepalived_state {node['state']!r} is not one of "
                f"{', '.join(STATES)}"
            )
        elif nopreempt and node["state"] == "MASTER":
            problems.append(
                f"host {node['host']}: keepalived_state is MASTER but keepalived_nopreempt is "
                "true; keepalived honours nopreempt only when every node starts as BACKUP"
            )
        if node["priority"] < 1:
            problems.append(
                f"host {node['host']}: priority {node['priority']} is below 1; raise "
                "keepalived_priority_base or lower keepalived_priority_step"
            )
    seen: dict[str, str] = {}
    for node in nodes:
        if node["address"] in seen:
            problems.append(
                f"hosts {seen[node['address']]} and {node['host']} share the address "
                f"{node['address']}"
            )
        seen.setdefault(node["address"], node["host"])
    spread = nodes[0]["priority"] - nodes[-1]["priority"] if nodes else 0
    weight = abs(int(settings.get("track_weight", 0)))
    if settings.get("tracking", True) and weight <= spread:
        problems.append(
            f"keepalived_track_weight {weight} must exceed the priority spread {spread} "
            "(keepalived_priority_step x (nodes - 1)), or a node whose load balancer died "
            "could keep the virtual IP"
        )
    return problems


def _problems_instance(
    inst: Mapping[str, Any], nodes: list[dict[str, Any]], settings: Mapping[str, Any]
) -> list[str]:
    name = inst.get("name") or "?"
    where = f"keepalived_instances[{name}]"
    problems = []
    vrid = inst.get("virtual_router_id")
    if not isinstance(vrid, int) or isinstance(vrid, bool) or not 1 <= vrid <= 255:
        problems.append(f"{where}.virtual_router_id {vrid!r} must be an integer 1-255")
    auth = inst.get("auth_pass")
    if auth and len(str(auth)) > AUTH_PASS_MAX:
        problems.append(
            f"{where}.auth_pass is {len(str(auth))} characters; keepalived uses only the first "
            f"{AUTH_PASS_MAX}, so a longer secret is rejected"
        )
    try:
        vip = ipaddress.ip_address(str(inst.get("vip") or ""))
    except ValueError:
        return [*problems, f"{where}.vip {inst.get('vip')!r} is not an IP address"]
    cidr = inst.get("network_cidr") or settings.get("network_cidr") or ""
    if cidr:
        try:
            net = ipaddress.ip_network(str(cidr), strict=False)
        except ValueError:
            return [*problems, f"hactl_network_cidr {cidr!r} is not a network (CIDR)"]
        if vip not in net:
            problems.append(f"{where}.vip {vip} is not in hactl_network_cidr {net}")
        for node in nodes:
            if ipaddress.ip_address(node["address"]) not in net:
                problems.append(
                    f"host {node['host']}: address {node['address']} is not in "
                    f"hactl_network_cidr {net}, so the virtual IP {vip} is not in its subnet"
                )
    else:
        problems.append(
            f"{where}: hactl_network_cidr (or the instance's network_cidr) is empty; it is needed "
            "to check that the virtual IP is in the subnet of the load balancer nodes"
        )
    for node in nodes:
        if ipaddress.ip_address(node["address"]) == vip:
            problems.append(f"host {node['host']}: its address {vip} equals {where}.vip")
    return problems


def vrrp_problems(
    instances: Sequence[Mapping[str, Any]],
    hosts: Sequence[str],
    hostvars: Mapping[str, Mapping[str, Any]],
    settings: Mapping[str, Any],
) -> list[str]:
    """Every problem with the VRRP inputs, each naming the variable and, where one, the host.

    ``settings``: group, priority_base, priority_step, nopreempt, track_weight, tracking,
    network_cidr, vrrp_version, advert_int. An empty list means the inputs are sound.
    """
    try:
        nodes = vrrp_nodes(hosts, hostvars, settings)
    except ValueError as exc:
        return [str(exc)]
    problems = _problems_nodes(nodes, settings)
    advert = float(settings.get("advert_int", 1))
    if int(settings.get("vrrp_version", 3)) == 2 and advert != int(advert):
        problems.append(
            f"keepalived_advert_int {advert} is fractional, which VRRPv2 rounds up to whole "
            "seconds; use keepalived_vrrp_version 3 for sub-second adverts"
        )
    if advert <= 0:
        problems.append(f"keepalived_advert_int {advert} must be above 0")
    if not instances:
        problems.append("keepalived_instances is empty; give at least one virtual IP")
    names: dict[str, int] = {}
    vrids: dict[Any, str] = {}
    vips: dict[str, str] = {}
    for inst in instances:
        name = str(inst.get("name") or "?")
        names[name] = names.get(name, 0) + 1
        problems += _problems_instance(inst, nodes, settings)
        vrid = inst.get("virtual_router_id")
        if vrid in vrids:
            problems.append(
                f"keepalived_instances[{name}].virtual_router_id {vrid} is already used by "
                f"keepalived_instances[{vrids[vrid]}]"
            )
        vrids.setdefault(vrid, name)
        vip = str(inst.get("vip"))
        if vip in vips:
            problems.append(
                f"keepalived_instances[{name}].vip {vip} is already used by "
                f"keepalived_instances[{vips[vip]}]"
            )
        vips.setdefault(vip, name)
    problems += [
        f"keepalived_instances: name {n!r} is used {c} times" for n, c in names.items() if c > 1
    ]
    return problems


def vrrp_interface(facts: Mapping[str, Any], address: str) -> str:
    """The interface that carries ``address``, from a node's gathered network facts."""
    for name in facts.get("interfaces", []):
        iface = facts.get(name.replace("-", "_")) or {}
        ipv4 = iface.get("ipv4") or {}
        secondaries = iface.get("ipv4_secondaries") or []
        if any(a.get("address") == address for a in [ipv4, *secondaries]):
            return str(name)
    raise ValueError(f"no interface carries the node address {address}; set keepalived_interface")


def lb_servers(
    frontend: Mapping[str, Any],
    groups: Mapping[str, Sequence[str]],
    hostvars: Mapping[str, Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """The servers behind a haproxy frontend: explicit ``servers``, else ``backend_group``."""
    if frontend.get("servers"):
        return [
            {"name": str(s["name"]), "address": str(s["address"]), "port": int(s["port"])}
            for s in frontend["servers"]
        ]
    group = frontend.get("backend_group")
    if not group:
        raise ValueError(
            f"haproxy_frontends[{frontend.get('name')}]: no servers and no backend_group"
        )
    if group not in groups:
        raise ValueError(
            f"haproxy_frontends[{frontend.get('name')}].backend_group '{group}' is not an "
            "inventory group"
        )
    port = int(frontend.get("backend_port") or 0)
    return [
        {"name": host, "address": _address(hostvars[host], host), "port": port}
        for host in groups[group]
    ]


def lb_problems(
    frontends: Sequence[Mapping[str, Any]],
    groups: Mapping[str, Sequence[str]],
    hostvars: Mapping[str, Mapping[str, Any]],
) -> list[str]:
    """Every problem with the haproxy frontends, each naming the variable (and host)."""
    problems = []
    if not frontends:
        problems.append("haproxy_frontends is empty")
    names: dict[str, int] = {}
    ports: dict[tuple[str, int], str] = {}
    for fe in frontends:
        name = str(fe.get("name") or "?")
        names[name] = names.get(name, 0) + 1
        where = f"haproxy_frontends[{name}]"
        try:
            port = int(fe.get("port") or 0)
        except (TypeError, ValueError):
            port = 0
        if not 1 <= port <= 65535:
            problems.append(f"{where}.port {fe.get('port')!r} must be a port number 1-65535")
        key = (str(fe.get("bind") or "*"), port)
        if key in ports:
            problems.append(
                f"{where}.port {port} is already used by haproxy_frontends[{ports[key]}]"
            )
        ports.setdefault(key, name)
        if fe.get("check", "https") not in ("https", "http", "tcp"):
            problems.append(f"{where}.check {fe.get('check')!r} is not one of https, http, tcp")
        try:
            servers = lb_servers(fe, groups, hostvars)
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(str(exc))
            continue
        if not servers:
            problems.append(f"{where}: backend_group '{fe.get('backend_group')}' has no hosts")
        for server in servers:
            if not 1 <= server["port"] <= 65535:
                problems.append(
                    f"{where}: server {server['name']} port {server['port']} must be 1-65535 "
                    "(set backend_port)"
                )
    problems += [
        f"haproxy_frontends: name {n!r} is used {c} times" for n, c in names.items() if c > 1
    ]
    return problems


def _adapt(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            raise AnsibleFilterError(f"{name}: {exc}") from exc

    return wrapper


class FilterModule:
    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "hactl_vrrp_default_instances": _adapt(
                "hactl_vrrp_default_instances", default_instances
            ),
            "hactl_vrrp_plan": _adapt("hactl_vrrp_plan", vrrp_plan),
            "hactl_vrrp_problems": _adapt("hactl_vrrp_problems", vrrp_problems),
            "hactl_vrrp_interface": _adapt("hactl_vrrp_interface", vrrp_interface),
            "hactl_lb_servers": _adapt("hactl_lb_servers", lb_servers),
            "hactl_lb_problems": _adapt("hactl_lb_problems", lb_problems),
        }
