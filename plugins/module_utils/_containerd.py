"""containerd configuration for extra runtimes: a drop-in derived from the main config, and a
small TOML writer for it.

Why a derived drop-in: containerd 1.x replaces a whole plugin section when it imports a file
(config.go mergeConfig: "Replace entire sections instead of merging map's values"), so a drop-in
that only named the nvidia runtime would wipe the CRI settings of the main config (runc's
SystemdCgroup, the sandbox image, registry mirrors). The drop-in therefore carries the main
config's CRI section with the runtime added; containerd 2.x merges sections, where that is
harmless. Module code: Python 3.9+ on the node; tomllib (3.11+) or tomli to read.
"""

from __future__ import annotations

import copy
import re

try:
    import tomllib as _toml_reader
except ImportError:  # Python < 3.11
    try:
        import tomli as _toml_reader  # type: ignore[no-redef]
    except ImportError:
        _toml_reader = None

# The CRI plugin's ID by config version (2: containerd 1.x; 3: containerd 2.x).
CRI_PLUGIN = {2: "io.containerd.grpc.v1.cri", 3: "io.containerd.cri.v1.runtime"}
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def loads(text: str) -> dict:
    if _toml_reader is None:
        raise RuntimeError("reading TOML needs Python 3.11 (tomllib) or the tomli package")
    return _toml_reader.loads(text)


def _key(key: str) -> str:
    return (
        key if _BARE_KEY.match(key) else '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    )


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        escaped = (
            value.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\t", "\\t")
        )
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def dumps(data: dict, _path: tuple = ()) -> str:
    """TOML for nested tables of scalars and lists (what containerd's config holds), keys sorted so
    that the same data always gives the same text."""
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    lines = []
    if _path and (scalars or not tables):
        lines.append("[" + ".".join(_key(p) for p in _path) + "]")
    lines += [f"{_key(k)} = {_value(v)}" for k, v in sorted(scalars.items())]
    text = "\n".join(lines) + ("\n" if lines else "")
    for key, table in sorted(tables.items()):
        sub = dumps(table, (*_path, key))
        text += ("\n" if text else "") + sub
    return text


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def runtime_dropin(
    main: dict,
    name: str,
    binary: str,
    systemd_cgroup: bool = True,
    default: bool = False,
    cdi: bool = True,
    cdi_spec_dirs: list | None = None,
) -> dict:
    """The drop-in config: the main config's CRI section plus runtime ``name``."""
    version = int(main.get("version", 2) or 2)
    if version not in CRI_PLUGIN:
        raise ValueError(f"containerd config version {version} is not supported (2 or 3)")
    plugin = CRI_PLUGIN[version]
    cri = copy.deepcopy(main.get("plugins", {}).get(plugin, {}))
    runtime = {
        "runtime_type": "io.containerd.runc.v2",
        "options": {"BinaryName": binary, "SystemdCgroup": systemd_cgroup},
    }
    extra: dict = {"containerd": {"runtimes": {name: runtime}}}
    if default:
        extra["containerd"]["default_runtime_name"] = name
    if cdi:
        extra["enable_cdi"] = True
        extra["cdi_spec_dirs"] = list(cdi_spec_dirs or ["/etc/cdi", "/var/run/cdi"])
    return {"version": version, "plugins": {plugin: _merge(cri, extra)}}


def imports_cover(main: dict, path: str) -> bool:
    """Whether the main config's ``imports`` globs include ``path``."""
    import fnmatch

    return any(fnmatch.fnmatch(path, pattern) for pattern in main.get("imports", []))
