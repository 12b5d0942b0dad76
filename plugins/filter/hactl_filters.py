"""Jinja filters shared by hactl's roles.

Pure functions first (unit-tested directly), then the FilterModule adapter, which turns a
ValueError into an AnsibleFilterError that names the filter.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Any

try:
    from ansible.errors import AnsibleFilterError
except ImportError:  # unit tests without ansible
    AnsibleFilterError = ValueError  # type: ignore[misc,assignment]


def _is_ip(value: Any) -> bool:
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        return False
    return True


def node_address(hostvars: Mapping[str, Any], host: str = "") -> str:
    """The address other nodes use for ``host``.

    ``hactl_node_address`` when set, else ``ansible_host`` when it is an IP address, else the
    node's default IPv4 address from its facts.
    """
    explicit = hostvars.get("hactl_node_address")
    if explicit:
        if not _is_ip(explicit):
            raise ValueError(f"host {host}: hactl_node_address {explicit!r} is not an IP address")
        return str(explicit)
    ansible_host = hostvars.get("ansible_host")
    if ansible_host and _is_ip(ansible_host):
        return str(ansible_host)
    facts_addr = (hostvars.get("ansible_default_ipv4") or {}).get("address")
    if facts_addr:
        return str(facts_addr)
    raise ValueError(
        f"host {host}: no address known; set hactl_node_address or an IP as ansible_host, "
        "or gather its facts in the same play"
    )


def sysctl_plan(
    sysctls: Mapping[str, Any], in_container: bool = False, has_bridge_nf: bool = True
) -> dict[str, Any]:
    """Split wanted sysctls into those to apply here and those skipped, with the reason.

    ``net.*`` keys live in the network namespace, so a container may own them; every other key
    (kernel.*, vm.*, fs.*) is host-global and is left to the host when this node is a container.
    ``net.bridge.*`` exist only where the bridge netfilter is present.
    """
    apply: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for key in sorted(sysctls):
        value = sysctls[key]
        if isinstance(value, bool):
            value = int(value)
        if key.startswith("net.bridge.") and not has_bridge_nf:
            skipped[key] = "no bridge netfilter in this kernel"
        elif in_container and not key.startswith("net."):
            skipped[key] = "host-global: left to the container host"
        else:
            apply[key] = str(value)
    return {"apply": apply, "skipped": skipped}


def _adapt(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ValueError, TypeError, AttributeError) as exc:
            raise AnsibleFilterError(f"{name}: {exc}") from exc

    return wrapper


class FilterModule:
    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "hactl_node_address": _adapt("hactl_node_address", node_address),
            "hactl_sysctl_plan": _adapt("hactl_sysctl_plan", sysctl_plan),
        }
