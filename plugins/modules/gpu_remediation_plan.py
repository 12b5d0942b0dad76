#!/usr/bin/python
"""Ansible module: the next remediation step for a GPU node, with its history kept on the node."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: gpu_remediation_plan
short_description: Decide the next remediation step for a GPU node and record it
description:
  - Thin wrapper over hactl's remediation planner (module_utils/_gpu.py plan_remediation). From
    the node's gpu_health result, what earlier steps did for the same fault (kept in O(state_file)
    on the node, so it survives reboots), and the cluster's GPU capacity, it decides one step -
    none, observe, uncordon, reset_gpu, reboot, inspect, refuse or hold.
  - Escalates from a GPU reset to a reboot, and after O(max_reboots) reboots for the same fault to
    hardware inspection. Refuses to take the node out when another GPU node is in remediation or
    when the schedulable GPUs left would drop below O(min_gpus).
  - Changes only its own state file (check mode reports the change and writes nothing).
version_added: "0.1.0"
options:
  health:
    description: The registered result of gpu_health for this node.
    type: dict
    required: true
  node_gpus:
    description: GPUs this node contributes when schedulable.
    type: int
    required: true
  cluster_usable_gpus:
    description: GPUs on every schedulable GPU node, this one included when schedulable.
    type: int
    required: true
  min_gpus:
    description: Never take nodes out below this many schedulable GPUs.
    type: int
    default: 0
  cordoned:
    description: Whether the node is cordoned now.
    type: bool
    default: false
  others_in_remediation:
    description: Other GPU nodes in remediation now.
    type: int
    default: 0
  max_reboots:
    description: Reboots for one fault before the node is handed to hardware inspection.
    type: int
    default: 2
  max_resets:
    description: GPU resets for one fault before escalating to a reboot.
    type: int
    default: 1
  allow_reboot:
    description: Whether rebooting the node is allowed.
    type: bool
    default: true
  allow_reset:
    description: Whether resetting GPUs is allowed.
    type: bool
    default: true
  state_file:
    description: Where the node keeps its remediation history.
    type: path
    default: /var/lib/hactl/gpu-remediation.json
author:
  - hactl
"""

EXAMPLES = r"""
- name: Plan the next step
  gpu_remediation_plan:
    health: "{{ gpu_health }}"
    node_gpus: 8
    cluster_usable_gpus: 64
    min_gpus: 48
  register: plan
"""

RETURN = r"""
step:
  description: none, observe, uncordon, reset_gpu, reboot, inspect, refuse or hold.
  returned: always
  type: str
reason:
  description: Why.
  returned: always
  type: str
cordon:
  description: Whether the node must be (or stay) cordoned.
  returned: always
  type: bool
drain:
  description: Whether workloads must be drained before the step.
  returned: always
  type: bool
label_inspection:
  description: Whether to label the node for hardware inspection.
  returned: always
  type: bool
history:
  description: The history recorded for this node after the step.
  returned: always
  type: dict
"""

import json  # noqa: E402  after DOCUMENTATION, the Ansible module shape
import os  # noqa: E402  after DOCUMENTATION, the Ansible module shape
import tempfile  # noqa: E402  after DOCUMENTATION, the Ansible module shape

from ansible.module_utils._gpu import plan_remediation  # noqa: E402  after DOCUMENTATION, the Ansible module shape
from ansible.module_utils.basic import AnsibleModule  # noqa: E402  after DOCUMENTATION, the Ansible module shape


def build_module() -> AnsibleModule:
    return AnsibleModule(
        argument_spec={
            "health": {"type": "dict", "required": True},
            "node_gpus": {"type": "int", "required": True},
            "cluster_usable_gpus": {"type": "int", "required": True},
            "min_gpus": {"type": "int", "default": 0},
            "cordoned": {"type": "bool", "default": False},
            "others_in_remediation": {"type": "int", "default": 0},
            "max_reboots": {"type": "int", "default": 2},
            "max_resets": {"type": "int", "default": 1},
            "allow_reboot": {"type": "bool", "default": True},
            "allow_reset": {"type": "bool", "default": True},
            "state_file": {"type": "path", "default": "/var/lib/hactl/gpu-remediation.json"},
        },
        supports_check_mode=True,
    )


def load_history(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_history(module: AnsibleModule, path: str, history: dict) -> None:
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o755, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".gpu-remediation.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(history, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.chmod(tmp, 0o644)
    module.atomic_move(tmp, path)


def main() -> None:
    module = build_module()
    p = module.params
    before = load_history(p["state_file"])
    plan = plan_remediation(
        p["health"],
        before,
        node_gpus=p["node_gpus"],
        cluster_usable_gpus=p["cluster_usable_gpus"],
        min_gpus=p["min_gpus"],
        cordoned=p["cordoned"],
        others_in_remediation=p["others_in_remediation"],
        max_reboots=p["max_reboots"],
        max_resets=p["max_resets"],
        allow_reboot=p["allow_reboot"],
        allow_reset=p["allow_reset"],
    )
    after = plan["history"]
    changed = after != before and (bool(after) or os.path.exists(p["state_file"]))
    if changed and not module.check_mode:
        if after:
            save_history(module, p["state_file"], after)
        else:
            os.remove(p["state_file"])
    module.exit_json(changed=changed, diff={"before": before, "after": after}, **plan)


if __name__ == "__main__":
    main()
