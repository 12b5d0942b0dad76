# Copyright: hactl contributors
# Apache License 2.0
"""Pure helpers for GlusterFS: parse the CLI's ``--xml`` output and plan volume changes.

No I/O here: the modules run ``gluster ... --xml`` and hand the text in, so every function is
unit-tested table-driven against output captured from glusterfs 10.3 (Debian bookworm).
Runs on the managed node, so it keeps to Python 3.9.
"""

import xml.etree.ElementTree as ET

# opErrstr texts that mean "nothing there" rather than a failure.
_ABSENT_ERRORS = ("does not exist",)
_NOT_STARTED = "is not started"

# What `gluster volume info` prints as statusStr.
STARTED = "Started"
STOPPED = "Stopped"
CREATED = "Created"


class GlusterError(Exception):
    """The gluster CLI reported a failure, or printed something that is not its XML."""


def _root(text):
    try:
        return ET.fromstring(text.strip())
    except ET.ParseError as exc:
        raise GlusterError(f"gluster printed no XML: {exc}: {text[:200]!r}") from exc


def _op(root):
    """Return (opRet, opErrstr) of a cliOutput document; missing opRet counts as success."""
    ret = root.findtext("opRet")
    return (int(ret) if ret not in (None, "") else 0), (root.findtext("opErrstr") or "")


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def split_brick(brick):
    """Split ``host:/path`` at the last ``:/`` (hosts may be IPv6 addresses with colons)."""
    idx = brick.rfind(":/")
    if idx <= 0:
        raise ValueError(f"brick {brick!r} is not host:/absolute/path")
    return brick[:idx], brick[idx + 1 :]


def parse_volume_info(text):
    """Parse ``gluster volume info [NAME] --xml`` into {name: volume dict}.

    A volume that does not exist gives an empty dict; any other failure raises GlusterError.
    """
    root = _root(text)
    ret, err = _op(root)
    if ret != 0:
        if any(marker in err for marker in _ABSENT_ERRORS):
            return {}
        raise GlusterError(f"volume info failed: {err or f'opRet {ret}'}")
    volumes = {}
    for vol in root.iter("volume"):
        name = vol.findtext("name")
        if not name:
            continue
        bricks = []
        for brick in vol.findall("bricks/brick"):
            brick_name = brick.findtext("name") or (brick.text or "").strip()
            host, path = split_brick(brick_name)
            bricks.append(
                {
                    "name": brick_name,
                    "host": host,
                    "path": path,
                    "arbiter": brick.findtext("isArbiter") == "1",
                }
            )
        options = {}
        for opt in vol.findall("options/option"):
            options[opt.findtext("name")] = opt.findtext("value") or ""
        volumes[name] = {
            "name": name,
            "id": vol.findtext("id") or "",
            "status": vol.findtext("statusStr") or "",
            "type": vol.findtext("typeStr") or "",
            "brick_count": _int(vol.findtext("brickCount")),
            "replica": _int(vol.findtext("replicaCount"), 1),
            "arbiter": _int(vol.findtext("arbiterCount")),
            "disperse": _int(vol.findtext("disperseCount")),
            "bricks": bricks,
            "options": options,
        }
    return volumes


def parse_volume_status(text):
    """Parse ``gluster volume status [NAME] --xml`` into {name: status dict}.

    Each status dict has ``bricks`` ({"host:/path": {online, pid, port}}) and ``self_heal``
    ({host: online}). A volume that is not started gives an empty dict (no processes to report).
    A brick whose node is down is simply missing from gluster's output: compare against the
    brick list from volume info (see bricks_offline).
    """
    root = _root(text)
    ret, err = _op(root)
    if ret != 0:
        if _NOT_STARTED in err or any(marker in err for marker in _ABSENT_ERRORS):
            return {}
        raise GlusterError(f"volume status failed: {err or f'opRet {ret}'}")
    result = {}
    for vol in root.iter("volume"):
        name = vol.findtext("volName")
        if not name:
            continue
        bricks = {}
        self_heal = {}
        for node in vol.findall("node"):
            hostname = node.findtext("hostname") or ""
            path = node.findtext("path") or ""
            online = node.findtext("status") == "1"
            if hostname == "Self-heal Daemon":
                self_heal[path] = online
            elif path.startswith("/"):
                bricks[f"{hostname}:{path}"] = {
                    "online": online,
                    "pid": _int(node.findtext("pid"), None),
                    "port": _int(node.findtext("port"), None),
                }
        result[name] = {"bricks": bricks, "self_heal": self_heal}
    return result


def bricks_offline(info, status):
    """Bricks of ``info`` (a volume from parse_volume_info) that ``status`` does not show online."""
    online = status.get("bricks", {}) if status else {}
    return [b["name"] for b in info["bricks"] if not online.get(b["name"], {}).get("online")]


def parse_peer_status(text):
    """Parse ``gluster peer status --xml`` / ``pool list --xml`` into a list of peers.

    Each peer: uuid, hostname, hostnames (every name gluster knows it by), connected, state.
    """
    root = _root(text)
    ret, err = _op(root)
    if ret != 0:
        raise GlusterError(f"peer status failed: {err or f'opRet {ret}'}")
    peers = []
    for peer in root.iter("peer"):
        hostname = peer.findtext("hostname") or ""
        names = [h.text for h in peer.findall("hostnames/hostname") if h.text]
        if hostname and hostname not in names:
            names.insert(0, hostname)
        peers.append(
            {
                "uuid": peer.findtext("uuid") or "",
                "hostname": hostname,
                "hostnames": names,
                "connected": peer.findtext("connected") == "1",
                "state": peer.findtext("stateStr") or "",
            }
        )
    return peers


def peers_to_probe(peers, wanted, own=()):
    """Addresses in ``wanted`` that are neither this node (``own``) nor known peers, in order."""
    known = set(own)
    for peer in peers:
        known.update(peer["hostnames"])
    missing = []
    for addr in wanted:
        if addr not in known and addr not in missing:
            missing.append(addr)
    return missing


def parse_heal_info(text):
    """Parse ``gluster volume heal NAME info [summary|split-brain] --xml``.

    Returns {bricks: [{name, connected, entries, split_brain}], entries, split_brain,
    unreachable}: ``entries`` sums the entries pending heal on reachable bricks; a brick that is
    not connected has ``entries`` None and counts in ``unreachable`` (its count is unknown, so
    the heal is not finished).
    """
    root = _root(text)
    ret, err = _op(root)
    if ret != 0:
        raise GlusterError(f"heal info failed: {err or f'opRet {ret}'}")
    bricks = []
    for brick in root.iter("brick"):
        status = brick.findtext("status") or ""
        connected = status == "Connected"
        total = brick.findtext("totalNumberOfEntries")
        if total is None:
            total = brick.findtext("numberOfEntries")
        split = brick.findtext("numberOfEntriesInSplitBrain")
        entries = _int(total, None) if connected else None
        bricks.append(
            {
                "name": brick.findtext("name") or "",
                "connected": connected,
                "status": status,
                "entries": entries,
                "split_brain": _int(split, 0) if connected else None,
            }
        )
    return {
        "bricks": bricks,
        "entries": sum(b["entries"] or 0 for b in bricks),
        "split_brain": sum(b["split_brain"] or 0 for b in bricks),
        "unreachable": sum(1 for b in bricks if not b["connected"]),
    }


def _norm(value):
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value).strip()


def options_to_set(current, wanted):
    """Options in ``wanted`` whose value differs from ``current`` (as gluster shows them).

    Values compare as strings, case-insensitively for on/off words; booleans become on/off.
    """
    changes = {}
    for key in sorted(wanted):
        want = _norm(wanted[key])
        have = current.get(key)
        if have is None or have.strip().lower() != want.lower():
            changes[key] = want
    return changes


def plan_volume(current, desired):
    """Plan the gluster commands that take a volume from ``current`` to ``desired``.

    ``current``: one volume from parse_volume_info, or None when absent. ``desired``: dict with
    name, state (present|started|stopped|absent), replica, arbiter, bricks (host:/path list),
    options (dict), force (bool). Returns a list of argv lists (without the leading
    ``gluster --mode=script``), in order. Raises ValueError for changes gluster cannot make
    safely here (changing the replica layout or removing bricks).
    """
    name = desired["name"]
    state = desired.get("state", "started")
    force = ["force"] if desired.get("force") else []
    steps = []
    if state == "absent":
        if current is None:
            return []
        if current["status"] == STARTED:
            steps.append(["volume", "stop", name])
        steps.append(["volume", "delete", name])
        return steps

    bricks = list(desired.get("bricks") or [])
    replica = int(desired.get("replica") or 1)
    arbiter = int(desired.get("arbiter") or 0)
    if current is None:
        if not bricks:
            raise ValueError(f"volume {name} does not exist and no bricks are given")
        layout = []
        if replica > 1:
            layout = ["replica", str(replica)]
            if arbiter:
                layout += ["arbiter", str(arbiter)]
        steps.append(["volume", "create", name, *layout, *bricks, *force])
        current_options = {}
        current_status = CREATED
    else:
        if bricks:
            have = [b["name"] for b in current["bricks"]]
            gone = [b for b in have if b not in bricks]
            if gone:
                raise ValueError(
                    "volume {} has bricks not in the wanted list ({}); removing bricks is not "
                    "done automatically".format(name, ", ".join(gone))
                )
            if current["replica"] != replica or current["arbiter"] != arbiter:
                raise ValueError(
                    f"volume {name} is replica {current['replica']} arbiter {current['arbiter']}, "
                    f"wanted replica {replica} arbiter {arbiter}; changing the layout is not "
                    "done automatically"
                )
            new = [b for b in bricks if b not in have]
            if new:
                if len(new) % replica:
                    raise ValueError(
                        f"volume {name}: {len(new)} new bricks is not a multiple of "
                        f"replica {replica}"
                    )
                steps.append(["volume", "add-brick", name, "replica", str(replica), *new, *force])
        current_options = current["options"]
        current_status = current["status"]

    for key, value in options_to_set(current_options, desired.get("options") or {}).items():
        steps.append(["volume", "set", name, key, value])

    if state == "started" and current_status != STARTED:
        steps.append(["volume", "start", name])
    elif state == "stopped" and current_status == STARTED:
        steps.append(["volume", "stop", name])
    return steps


def volume_view(volume):
    """The parts of a volume shown in a diff: status, layout, bricks, options."""
    if volume is None:
        return {}
    return {
        "status": volume["status"],
        "replica": volume["replica"],
        "arbiter": volume["arbiter"],
        "bricks": [b["name"] for b in volume["bricks"]],
        "options": dict(sorted(volume["options"].items())),
    }


def predicted_view(current, desired, steps):
    """What volume_view will show once ``steps`` have run (for diff in check mode)."""
    if desired.get("state") == "absent":
        return {}
    view = volume_view(current) or {
        "status": CREATED,
        "replica": int(desired.get("replica") or 1),
        "arbiter": int(desired.get("arbiter") or 0),
        "bricks": [],
        "options": {},
    }
    view = dict(view, options=dict(view["options"]), bricks=list(view["bricks"]))
    for step in steps:
        verb = step[1]
        if verb == "create":
            view["bricks"] = list(desired.get("bricks") or [])
        elif verb == "add-brick":
            view["bricks"] += step[5:]
            if view["bricks"] and view["bricks"][-1] == "force":
                view["bricks"].pop()
        elif verb == "set":
            view["options"][step[3]] = step[4]
        elif verb == "start":
            view["status"] = STARTED
        elif verb == "stop":
            view["status"] = STOPPED
    view["options"] = dict(sorted(view["options"].items()))
    return view
