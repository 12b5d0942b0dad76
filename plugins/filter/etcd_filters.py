"""Jinja filters for the etcd role: the member list and the inventory checks.

Pure functions first (unit-tested directly), then the FilterModule adapter.
"""

from __future__ import annotations

import importlib.util
import ipaddress
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

try:
    from ansible.errors import AnsibleFilterError
except ImportError:  # unit tests without ansible
    AnsibleFilterError = ValueError  # type: ignore[misc,assignment]


def _load_hactl_filters() -> Any:
    # Filter files are loaded by path, not as a package: reuse the shared address rule this way
    # rather than copying it.
    spec = importlib.util.spec_from_file_location(
        "_hactl_filters_for_etcd", Path(__file__).with_name("hactl_filters.py")
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load_etcd_utils() -> Any:
    # The same parser the etcd_member module uses on the node, loaded by path on the controller.
    path = Path(__file__).resolve().parents[1] / "module_utils" / "_etcd.py"
    spec = importlib.util.spec_from_file_location("_hactl_etcd_utils", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_node_address = _load_hactl_filters().node_address
etcd_sha256 = _load_etcd_utils().parse_sha256sums


def _address(hostvars: Mapping[str, Any], host: str) -> str | None:
    explicit = hostvars.get("etcd_address")
    if explicit:
        return str(explicit)
    try:
        return _node_address(hostvars, host)
    except ValueError:
        return None


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _url_host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def etcd_members(
    hosts: Sequence[str],
    hostvars: Mapping[str, Mapping[str, Any]],
    peer_port: int = 2380,
    client_port: int = 2379,
    extra_sans: Sequence[str] = (),
    auto_sans: bool = True,
) -> list[dict[str, Any]]:
    """One entry per etcd member: host, name, address, URLs and certificate SANs.

    A member's name is ``etcd_member_name`` (else the inventory name); its address
    ``etcd_address`` (else the hactl node address rule). ``address`` is None when it cannot be
    known yet (no facts); callers that need it fail on that. ``sans`` are split into
    ``san_ips`` and ``san_dns``: the member's address and name plus localhost when
    ``etcd_cert_auto_sans`` (per host, else ``auto_sans``), and its ``etcd_cert_sans`` (per host,
    else ``extra_sans``).
    """
    members = []
    for host in hosts:
        hv = hostvars.get(host, {})
        name = str(hv.get("etcd_member_name") or host)
        address = _address(hv, host)
        sans = [str(s) for s in (hv.get("etcd_cert_sans") or extra_sans or [])]
        if hv.get("etcd_cert_auto_sans", auto_sans):
            sans = [*([address] if address else []), name, "localhost", "127.0.0.1", *sans]
        sans = list(dict.fromkeys(sans))
        url = _url_host(address) if address else None
        members.append(
            {
                "host": host,
                "name": name,
                "address": address,
                "peer_url": f"https://{url}:{peer_port}" if url else None,
                "client_url": f"https://{url}:{client_port}" if url else None,
                "san_ips": [s for s in sans if _is_ip(s)],
                "san_dns": [s for s in sans if not _is_ip(s)],
            }
        )
    return members


def etcd_member_problems(
    members: Sequence[Mapping[str, Any]], allow_single: bool = False
) -> list[str]:
    """Why this member list cannot form a safe cluster; [] when it can."""
    problems = []
    count = len(members)
    if count == 1 and not allow_single:
        problems.append(
            "1 etcd member is no HA cluster: use 3, 5 or 7, or set etcd_allow_single_member "
            "for a lab"
        )
    elif count == 0:
        problems.append("the etcd group has no hosts")
    elif count != 1 and (count < 3 or count % 2 == 0):
        problems.append(
            f"{count} etcd members: use an odd number of at least 3 (3, 5 or 7); an even count "
            "adds a failure without adding tolerance"
        )
    names: dict[str, list[str]] = {}
    for member in members:
        names.setdefault(member["name"], []).append(member["host"])
    for name, hosts in sorted(names.items()):
        if len(hosts) > 1:
            problems.append(f"duplicate etcd member name {name!r} on hosts {', '.join(hosts)}")
    for member in members:
        address = member.get("address")
        sans = list(member.get("san_ips", [])) + list(member.get("san_dns", []))
        if address and address not in sans:
            problems.append(
                f"{member['host']}: its certificate SANs ({', '.join(sans)}) miss its address "
                f"{address}; add it to etcd_cert_sans"
            )
    return problems


def beyond(items: Sequence[Any], keep: int) -> list[Any]:
    """The items after the first ``keep`` (the ones a retention count removes)."""
    keep = int(keep)
    if keep < 0:
        raise ValueError(f"keep must be 0 or more, not {keep}")
    return list(items)[keep:]


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
            "hactl_etcd_members": _adapt("hactl_etcd_members", etcd_members),
            "hactl_etcd_member_problems": _adapt(
                "hactl_etcd_member_problems", etcd_member_problems
            ),
            "hactl_etcd_sha256": _adapt("hactl_etcd_sha256", etcd_sha256),
            "hactl_etcd_beyond": _adapt("hactl_etcd_beyond", beyond),
        }
