"""Jinja filters for the GPU roles.

Pure functions first (unit-tested directly), then the FilterModule adapter, which turns a
ValueError into an AnsibleFilterError that names the filter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

try:
    from ansible.errors import AnsibleFilterError
except ImportError:  # unit tests without ansible
    AnsibleFilterError = ValueError  # type: ignore[misc,assignment]


def _deb822_stanzas(text: str) -> list[dict[str, str]]:
    stanzas, current = [], {}
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if current:
                stanzas.append(current)
            current = {}
            continue
        if line.lstrip().startswith("#") or line[0] in " \t":
            continue
        key, _, value = line.partition(":")
        current[key.strip().lower()] = value.strip()
    return stanzas


def apt_mirror(sources: str, release: str) -> str:
    """The archive URI a node uses for ``release`` (not -security/-updates), from the text of its
    deb822 .sources file or of a one-line sources.list."""
    for stanza in _deb822_stanzas(sources):
        if "deb" in stanza.get("types", "").split() and release in stanza.get("suites", "").split():
            if stanza.get("enabled", "yes").lower() == "no":
                continue
            uris = stanza.get("uris", "").split()
            if uris:
                return uris[0]
    for line in sources.splitlines():
        words = re.sub(r"\[[^\]]*\]", " ", line).split()
        if len(words) >= 3 and words[0] == "deb" and words[2] == release:
            return words[1]
    raise ValueError(f"no apt source for release {release!r} found")


def usable_gpus(hostvars: Mapping[str, Any], hosts: list[str], this: str = "") -> int:
    """GPUs the cluster can schedule on: every host that is not cordoned and not failed, plus
    ``this`` host when it is not cordoned (the planner decides whether it may leave).

    Reads per host ``__gpu_remediate_node_gpus``, ``__gpu_remediate_cordoned`` and
    ``__gpu_remediate_status``, which the remediation playbook's judging play sets.
    """
    total = 0
    for host in hosts:
        view = hostvars.get(host, {})
        if "__gpu_remediate_node_gpus" not in view:
            raise ValueError(f"host {host}: not judged yet (no __gpu_remediate_node_gpus)")
        if _truthy(view.get("__gpu_remediate_cordoned")):
            continue
        if host != this and view.get("__gpu_remediate_status") == "failed":
            continue
        total += int(view["__gpu_remediate_node_gpus"])
    return total


def in_remediation(hostvars: Mapping[str, Any], hosts: list[str], this: str = "") -> int:
    """Other hosts whose remediation is under way (a history, and not parked for inspection)."""
    count = 0
    for host in hosts:
        history = hostvars.get(host, {}).get("__gpu_remediate_history") or {}
        if host != this and history and not history.get("inspection"):
            count += 1
    return count


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "yes", "1")


class FilterModule:
    """hactl GPU filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "gpu_apt_mirror": _named("gpu_apt_mirror", apt_mirror),
            "gpu_usable_gpus": _named("gpu_usable_gpus", usable_gpus),
            "gpu_in_remediation": _named("gpu_in_remediation", in_remediation),
        }


def _named(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValueError as exc:
            raise AnsibleFilterError(f"{name}: {exc}") from exc

    return wrapper
