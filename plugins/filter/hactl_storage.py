"""Jinja filters for replicated storage: the brick layout of declared volumes and its checks.

Pure functions first (unit-tested directly), then the FilterModule adapter.
"""

from __future__ import annotations

import importlib.util
import posixpath
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

try:
    from ansible.errors import AnsibleFilterError
except ImportError:  # unit tests without ansible
    AnsibleFilterError = ValueError  # type: ignore[misc,assignment]

VAR = "glusterfs_server_volumes"


def _load_cluster_model() -> Any:
    # Filter files are loaded by path, not as a package. The validation play's cluster model
    # holds the arbiter rule; load it the same way so that both checks say one thing.
    path = Path(__file__).resolve().parents[1] / "module_utils" / "_cluster_model.py"
    spec = importlib.util.spec_from_file_location("_hactl_cluster_model_for_storage", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_arbiter_layout_error = _load_cluster_model().arbiter_layout_error


def brick_dir(volume: Mapping[str, Any], brick_root: str) -> str:
    """The brick directory of ``volume`` on each node: its ``brick_dir`` or <root>/<name>/brick.

    A subdirectory, not the mount point itself: if the brick file system is not mounted, the
    directory is missing and the brick refuses to start instead of filling the root file system.
    """
    explicit = volume.get("brick_dir")
    if explicit:
        return posixpath.normpath(str(explicit))
    return posixpath.join(posixpath.normpath(brick_root), str(volume["name"]), "brick")


def volume_hosts(volume: Mapping[str, Any], storage_hosts: Sequence[str]) -> list[str]:
    """Inventory hosts that carry a brick of ``volume``: its ``hosts`` or every storage host."""
    return list(volume.get("hosts") or storage_hosts)


def bricks(
    volume: Mapping[str, Any],
    addresses: Mapping[str, str],
    storage_hosts: Sequence[str],
    brick_root: str,
) -> list[str]:
    """``address:/dir`` for each brick of ``volume``, in host order (replica sets in order)."""
    path = brick_dir(volume, brick_root)
    return [f"{addresses[h]}:{path}" for h in volume_hosts(volume, storage_hosts)]


def _contains(outer: str, inner: str) -> bool:
    return inner == outer or inner.startswith(outer.rstrip("/") + "/")


def volume_errors(
    volumes: Sequence[Mapping[str, Any]], storage_hosts: Sequence[str], brick_root: str
) -> list[str]:
    """Every problem with the declared volumes, each naming the variable, volume and host."""
    errors: list[str] = []
    if not isinstance(volumes, Sequence) or isinstance(volumes, str):
        return [f"{VAR} must be a list of volumes"]
    names: list[str] = []
    used: dict[str, list[tuple[str, str]]] = {}  # host -> [(dir, volume)]
    for idx, vol in enumerate(volumes):
        where = f"{VAR}[{idx}]"
        if not isinstance(vol, Mapping) or not vol.get("name"):
            errors.append(f"{where}: each volume needs a name")
            continue
        name = str(vol["name"])
        where = f"{VAR}[{idx}] ({name})"
        if name in names:
            errors.append(f"{where}: volume name {name} is declared twice")
        names.append(name)
        try:
            replica = int(vol.get("replica", 3))
            arbiter = int(vol.get("arbiter", 0))
        except (TypeError, ValueError):
            errors.append(f"{where}: replica and arbiter must be integers")
            continue
        hosts = volume_hosts(vol, storage_hosts)
        unknown = [h for h in hosts if h not in storage_hosts]
        if unknown:
            errors.append(f"{where}: hosts {unknown} are not in the storage group")
        if arbiter not in (0, 1):
            errors.append(f"{where}: arbiter must be 0 or 1, not {arbiter}")
        # One meaning of an arbiter volume (see arbiter_layout_error): replica 3 arbiter 1.
        # When that is wrong, the brick-count checks would only restate it in replica-N terms.
        layout_ok = not (arbiter == 1 and replica != 3)
        if not layout_ok:
            errors.append(f"{where}: {_arbiter_layout_error(replica)}")
        if replica == 2 and not arbiter:
            errors.append(
                f"{where}: replica 2 without an arbiter can lose acknowledged writes or split "
                "brain when one node is down (client quorum cannot tell which copy is right); "
                "use replica 3, or replica 3 arbiter 1"
            )
        if replica < 1:
            errors.append(f"{where}: replica must be at least 1")
        elif layout_ok and replica > len(set(hosts)):
            errors.append(
                f"{where}: replica {replica} needs {replica} storage nodes, only "
                f"{len(set(hosts))} carry its bricks ({', '.join(hosts) or 'none'})"
            )
        elif layout_ok and len(hosts) % replica:
            errors.append(
                f"{where}: {len(hosts)} bricks ({', '.join(hosts)}) is not a multiple of "
                f"replica {replica}"
            )
        dupes = sorted({h for h in hosts if hosts.count(h) > 1})
        if dupes:
            errors.append(f"{where}: host {', '.join(dupes)} listed twice (duplicate brick)")
        path = brick_dir(vol, brick_root)
        if not path.startswith("/"):
            errors.append(f"{where}: brick_dir {path} is not an absolute path")
        for host in dict.fromkeys(hosts):
            for other_path, other in used.get(host, []):
                if _contains(other_path, path) or _contains(path, other_path):
                    errors.append(
                        f"{where}: brick {path} on host {host} is the same as, or nested in, "
                        f"brick {other_path} of volume {other} (duplicate brick path)"
                    )
            used.setdefault(host, []).append((path, name))
    return errors


def _adapt(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise AnsibleFilterError(f"{name}: {exc}") from exc

    return wrapper


class FilterModule:
    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "hactl_gluster_brick_dir": _adapt("hactl_gluster_brick_dir", brick_dir),
            "hactl_gluster_bricks": _adapt("hactl_gluster_bricks", bricks),
            "hactl_gluster_volume_hosts": _adapt("hactl_gluster_volume_hosts", volume_hosts),
            "hactl_gluster_volume_errors": _adapt("hactl_gluster_volume_errors", volume_errors),
        }
