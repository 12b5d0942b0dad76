"""Load a hactl inventory (plain Ansible YAML inventory) and validate its cluster model.

The rules live in plugins/module_utils/_cluster_model.py, shared with the ``hactl_validate_cluster``
action that the first play of every playbook runs; this module only turns files into the model
(hosts with merged variables, groups) and keeps where each value came from for the messages.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hactl.errors import InvalidConfig

REPO = Path(__file__).resolve().parents[1]


def load_module_util(stem: str) -> Any:
    """A pure plugins/module_utils module (stdlib only), shared with the roles' modules."""
    name = f"hactl.{stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, REPO / "plugins/module_utils" / f"{stem}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


cluster_model = load_module_util("_cluster_model")
Problem = cluster_model.Problem
Model = cluster_model.Model

_VAR_SUFFIXES = ("", ".yml", ".yaml", ".json")


class _Loader(yaml.SafeLoader):
    """Safe YAML plus Ansible's tags; a vaulted or unsafe value is opaque to the rules."""


def _opaque(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return "{{ opaque }}"


_Loader.add_constructor("!vault", _opaque)
_Loader.add_constructor("!unsafe", _opaque)


class YamlError(Exception):
    def __init__(self, problem: Any) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; a syntax error becomes a Problem naming the file and line."""
    try:
        return yaml.load(path.read_text(), Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = f", column {mark.column + 1}" if mark else ""
        what = exc.problem or exc.context or "invalid YAML"
        raise YamlError(
            Problem(f"YAML error{column}: {what}", file=str(path), line=line, rule="yaml")
        ) from exc
    except yaml.YAMLError as exc:
        raise YamlError(Problem(f"YAML error: {exc}", file=str(path), rule="yaml")) from exc


@dataclass
class Inventory:
    """An inventory as files on disk and as the cluster model."""

    path: Path
    model: Any
    files: list[Path] = field(default_factory=list)

    @property
    def hosts(self) -> list[str]:
        return list(self.model.hosts)

    def hostvars(self, host: str) -> dict[str, Any]:
        return self.model.hosts[host]

    def group(self, name: str) -> list[str]:
        return self.model.group(name)


@dataclass
class _Group:
    name: str
    vars: dict[str, Any] = field(default_factory=dict)
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)
    children: set[str] = field(default_factory=set)
    source: str = ""


def _parse_group(
    name: str, body: Any, groups: dict[str, _Group], source: Path, problems: list[Any]
) -> None:
    group = groups.setdefault(name, _Group(name, source=str(source)))
    if body is None:
        return
    if not isinstance(body, dict):
        problems.append(
            Problem(f"group {name} must be a mapping", file=str(source), rule="inventory")
        )
        return
    unknown = set(body) - {"hosts", "vars", "children"}
    if unknown:
        problems.append(
            Problem(
                f"group {name} has unknown keys {sorted(unknown)} (expected hosts, vars, children)",
                file=str(source),
                rule="inventory",
            )
        )
    for host, hv in (body.get("hosts") or {}).items():
        group.hosts.setdefault(str(host), {}).update(hv or {})
    group.vars.update(body.get("vars") or {})
    for child, child_body in (body.get("children") or {}).items():
        group.children.add(str(child))
        _parse_group(str(child), child_body, groups, source, problems)


def _vars_files(base: Path, name: str) -> list[Path]:
    found = [base / f"{name}{s}" for s in _VAR_SUFFIXES if (base / f"{name}{s}").is_file()]
    folder = base / name
    if folder.is_dir():
        found += sorted(
            p for p in folder.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml", ".json")
        )
    return found


def _depths(groups: dict[str, _Group]) -> dict[str, int]:
    depth = {"all": 0}
    frontier = ["all"]
    while frontier:
        nxt = []
        for g in frontier:
            for child in sorted(groups[g].children):
                if child not in depth:
                    depth[child] = depth[g] + 1
                    nxt.append(child)
        frontier = nxt
    return depth


def _members(groups: dict[str, _Group], name: str, seen: set[str] | None = None) -> list[str]:
    seen = seen if seen is not None else set()
    if name in seen:
        return []
    seen.add(name)
    out = list(groups[name].hosts)
    for child in sorted(groups[name].children):
        out += [h for h in _members(groups, child, seen) if h not in out]
    return out


def _sources(path: Path) -> tuple[Path, list[Path]]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in (".yml", ".yaml"))
        return path, files
    return path.parent, [path]


def load(path: str | Path) -> Inventory:
    """Read an inventory file or directory; raise InvalidConfig listing every load problem."""
    path = Path(path).expanduser()
    if not path.exists():
        raise InvalidConfig(f"inventory {path} does not exist")
    base, sources = _sources(path)
    problems: list[Any] = []
    groups: dict[str, _Group] = {"all": _Group("all", source=str(path))}
    files = list(sources)
    for source in sources:
        try:
            data = read_yaml(source)
        except YamlError as exc:
            problems.append(exc.problem)
            continue
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.append(
                Problem("an inventory file must be a mapping of groups", file=str(source))
            )
            continue
        for name, body in data.items():
            _parse_group(str(name), body, groups, source, problems)
    for name in list(groups):
        if name != "all":
            groups["all"].children.add(name)
    depth = _depths(groups)
    hosts_order = _members(groups, "all")
    hostvars: dict[str, dict[str, Any]] = {h: {} for h in hosts_order}
    origins: dict[str, str] = {}

    def merge(host: str, values: dict[str, Any], origin: str) -> None:
        if not isinstance(values, dict):
            problems.append(Problem("variables must be a mapping", file=origin, host=host))
            return
        for key, value in values.items():
            hostvars[host][key] = value
            origins[f"{host}/{key}"] = origin

    group_files: dict[str, list[tuple[Path, Any]]] = {}
    for name in groups:
        group_files[name] = []
        for vf in _vars_files(base / "group_vars", name):
            files.append(vf)
            try:
                group_files[name].append((vf, read_yaml(vf) or {}))
            except YamlError as exc:
                problems.append(exc.problem)
    for host in hosts_order:
        member_of = [g for g in groups if host in _members(groups, g)]
        for g in sorted(member_of, key=lambda g: (depth.get(g, 99), g)):
            merge(host, groups[g].vars, groups[g].source)
            for vf, values in group_files[g]:
                merge(host, values, str(vf))
        for g in groups.values():
            if host in g.hosts:
                merge(host, g.hosts[host], g.source)
        for vf in _vars_files(base / "host_vars", host):
            files.append(vf)
            try:
                merge(host, read_yaml(vf) or {}, str(vf))
            except YamlError as exc:
                problems.append(exc.problem)
    if problems:
        raise InvalidConfig(f"inventory {path} cannot be read", problems=problems)
    membership = {g: _members(groups, g) for g in groups}
    return Inventory(path=path, model=Model(hostvars, membership, origins), files=files)


def validate(inventory: Inventory) -> list[Any]:
    """Every cluster-model problem of a loaded inventory (empty when it is valid)."""
    return cluster_model.validate(inventory.model)


def load_valid(path: str | Path) -> Inventory:
    """Load and validate; raise InvalidConfig with every problem when the model is wrong."""
    inventory = load(path)
    problems = validate(inventory)
    if problems:
        raise InvalidConfig(f"inventory {inventory.path} is not a valid cluster", problems=problems)
    return inventory
