# Copyright: hactl contributors
# Apache License 2.0
"""Pure helpers for etcd: parse ``etcdctl -w json`` output and plan membership changes.

No Ansible imports: the etcd_member module and the unit tests both use these functions. Runs on
the managed node, so it keeps to Python 3.9.
"""

from __future__ import annotations

import json
import re

__all__ = [
    "EtcdParseError",
    "format_id",
    "initial_cluster",
    "parse_endpoint_health",
    "parse_endpoint_status",
    "parse_member_list",
    "parse_sha256sums",
    "plan_member",
]


class EtcdParseError(ValueError):
    """etcdctl printed something that is not the JSON this parser expects."""


def format_id(member_id):
    """etcdctl takes member IDs in hex on its command line and prints them in decimal in JSON."""
    return f"{int(member_id):x}"


def _load(text, what):
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise EtcdParseError(f"{what}: not JSON ({exc})") from exc
    return data


def parse_member_list(text):
    """Members from ``etcdctl member list -w json`` (or ``member add -w json``).

    Returns a list of dicts sorted by name then ID: ``id`` (hex string, what etcdctl takes back),
    ``name`` ('' for a member that was added but has not started yet), ``peer_urls``,
    ``client_urls``, ``is_learner`` and ``started``.
    """
    data = _load(text, "member list")
    if not isinstance(data, dict) or not isinstance(data.get("members", []), list):
        raise EtcdParseError("member list: expected an object with a 'members' list")
    members = []
    for raw in data.get("members") or []:
        if not isinstance(raw, dict) or "ID" not in raw:
            raise EtcdParseError(f"member list: a member without an ID: {raw!r}")
        client_urls = sorted(raw.get("clientURLs") or [])
        members.append(
            {
                "id": format_id(raw["ID"]),
                "name": raw.get("name") or "",
                "peer_urls": sorted(raw.get("peerURLs") or []),
                "client_urls": client_urls,
                "is_learner": bool(raw.get("isLearner", False)),
                # etcd publishes a member's name and client URLs once it has started.
                "started": bool(raw.get("name")) and bool(client_urls),
            }
        )
    return sorted(members, key=lambda m: (m["name"], m["id"]))


def parse_endpoint_health(text):
    """``etcdctl endpoint health -w json``: a list of {endpoint, health, error}."""
    data = _load(text, "endpoint health")
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise EtcdParseError("endpoint health: expected a list")
    out = []
    for raw in data:
        out.append(
            {
                "endpoint": raw.get("endpoint", ""),
                "health": bool(raw.get("health", False)),
                "error": raw.get("error", ""),
            }
        )
    return sorted(out, key=lambda e: e["endpoint"])


def parse_endpoint_status(text):
    """``etcdctl endpoint status -w json``: per endpoint its member ID, the leader's, term, size."""
    data = _load(text, "endpoint status")
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise EtcdParseError("endpoint status: expected a list")
    out = []
    for raw in data:
        status = raw.get("Status") or {}
        header = status.get("header") or {}
        out.append(
            {
                "endpoint": raw.get("Endpoint", ""),
                "member_id": format_id(header.get("member_id", 0)),
                "leader": format_id(status.get("leader", 0)),
                "is_leader": header.get("member_id") is not None
                and header.get("member_id") == status.get("leader"),
                "raft_term": int(status.get("raftTerm", header.get("raft_term", 0))),
                "version": status.get("version", ""),
                "db_size": int(status.get("dbSize", 0)),
                "is_learner": bool(status.get("isLearner", False)),
            }
        )
    return sorted(out, key=lambda e: e["endpoint"])


def initial_cluster(members, extra=None):
    """The ``--initial-cluster`` value a joining member needs: name=peer_url for every member.

    ``extra`` (name, peer_urls) names the member being added, whose entry in the list has no name
    yet; other unnamed (unstarted) members cannot be named and are left out.
    """
    pairs = []
    seen = set()
    extra_name, extra_urls = extra if extra else ("", [])
    for member in members:
        name = member["name"]
        if not name and extra and set(member["peer_urls"]) == set(extra_urls):
            name = extra_name
        if not name:
            continue
        for url in member["peer_urls"]:
            pairs.append(f"{name}={url}")
        seen.add(name)
    if extra and extra_name not in seen:
        pairs.extend(f"{extra_name}={url}" for url in extra_urls)
    return ",".join(sorted(pairs))


def _find(members, name, peer_urls):
    """The member meant: same name, or same peer URLs (an unstarted one has no name)."""
    wanted = set(peer_urls or [])
    by_name = [m for m in members if name and m["name"] == name]
    if by_name:
        return by_name[0]
    by_urls = [m for m in members if wanted and wanted & set(m["peer_urls"])]
    return by_urls[0] if by_urls else None


def plan_member(members, name, peer_urls=None, state="present", learner=True, promote=False):
    """Actions that bring one member to the wanted state, in order; [] when it already is.

    Each action is a dict with ``action`` (add, update, promote, remove) and its arguments.
    ``present``: add it (as a learner when ``learner``) unless a member with that name or those
    peer URLs exists; fix its peer URLs if they differ; promote it when ``promote`` and it is a
    learner. ``absent``: remove the member with that name or those peer URLs. Raises ValueError
    for a request that cannot be met safely.
    """
    if state not in ("present", "absent"):
        raise ValueError(f"state must be present or absent, not {state!r}")
    if not name and not peer_urls:
        raise ValueError("name or peer_urls is required")
    current = _find(members, name, peer_urls)
    if state == "absent":
        if current is None:
            return []
        if len(members) == 1:
            raise ValueError(
                "refusing to remove %s: it is the only member" % (name or current["id"])
            )
        return [{"action": "remove", "id": current["id"], "name": current["name"]}]

    if not peer_urls:
        raise ValueError("peer_urls is required for state=present")
    wanted = sorted(peer_urls)
    if current is None:
        actions = [{"action": "add", "name": name, "peer_urls": wanted, "learner": bool(learner)}]
        if learner and promote:
            actions.append({"action": "promote", "id": None, "name": name})
        return actions
    if current["name"] and name and current["name"] != name:
        raise ValueError(
            "peer URLs {} already belong to member {} ({}), not {}".format(
                ", ".join(wanted), current["name"], current["id"], name
            )
        )
    actions = []
    if current["peer_urls"] != wanted:
        actions.append({"action": "update", "id": current["id"], "name": name, "peer_urls": wanted})
    if promote and current["is_learner"]:
        actions.append({"action": "promote", "id": current["id"], "name": name})
    return actions


_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def parse_sha256sums(text, filename=None):
    """The sha256 hex digest for ``filename`` from a checksum spec or a SHA256SUMS file.

    Accepts ``sha256:<hex>``, a bare ``<hex>``, or sha256sum's output (``<hex>  name`` or
    ``<hex> *name`` lines; the line for ``filename`` by its base name). Returns the digest in
    lower case; raises ValueError when there is none.
    """
    text = (text or "").strip()
    if text.lower().startswith("sha256:"):
        text = text[len("sha256:") :].strip()
    if _SHA256.match(text):
        return text.lower()
    base = filename.rsplit("/", 1)[-1] if filename else None
    found = []
    for line in text.splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) != 2 or not _SHA256.match(parts[0]):
            continue
        entry = parts[1].strip().lstrip("*").rsplit("/", 1)[-1]
        if base is None or entry == base:
            found.append(parts[0].lower())
    if len(set(found)) == 1:
        return found[0]
    if not found:
        raise ValueError("no sha256 digest for %s" % (base or "the file"))
    raise ValueError("several sha256 digests for %s; name the file" % (base or "the file"))
