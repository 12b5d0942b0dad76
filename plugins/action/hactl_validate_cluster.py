"""Action plugin: validate the whole inventory against hactl's cluster model, on the controller.

It reads every host's variables (no facts, no connection) and applies the same rules as
``hactl validate`` (plugins/module_utils/_cluster_model.py), so a plain ``ansible-playbook`` run
is rejected before any host changes, with every problem listed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from ansible.plugins.action import ActionBase

_MODEL_FILE = Path(__file__).resolve().parents[1] / "module_utils" / "_cluster_model.py"
# Only these variables feed the rules; reading them all would template every hostvar.
_EXTRA_KEYS = ("ansible_host",)


def _cluster_model():
    name = "hactl._cluster_model"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _MODEL_FILE)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _plain(value):
    """Tagged/lazy Ansible containers as plain Python data."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        model_module = _cluster_model()
        groups = {g: list(m) for g, m in task_vars.get("groups", {}).items()}
        hostvars = task_vars.get("hostvars", {})
        hosts = {}
        problems = []
        for host in groups.get("all", []):
            hv = hostvars[host]
            hosts[host] = {}
            for key in [k for k in hv if k.startswith("hactl_") or k in _EXTRA_KEYS]:
                try:
                    hosts[host][key] = _plain(self._templar.template(hv[key]))
                except Exception as exc:  # an undefined variable inside a value, for one
                    problems.append(
                        model_module.Problem(
                            f"cannot be evaluated: {exc}", host=host, variable=key, rule="template"
                        )
                    )
        problems += model_module.validate(model_module.Model(hosts, groups))
        result["changed"] = False
        result["problems"] = [p.as_dict() for p in problems]
        if problems:
            result["failed"] = True
            lines = "\n".join(f"  - {p}" for p in problems)
            result["msg"] = f"the inventory is not a valid hactl cluster:\n{lines}"
        else:
            result["msg"] = f"cluster model valid ({len(hosts)} hosts)"
        return result
