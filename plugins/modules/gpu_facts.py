#!/usr/bin/python
"""Ansible module: detect NVIDIA GPUs and NVSwitches on a node (read-only)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: gpu_facts
short_description: Detect NVIDIA GPUs and NVSwitches and report driver state
description:
  - Finds NVIDIA GPUs (PCI display and 3D controller classes, vendor 0x10de) and NVSwitches
    (NVIDIA functions of PCI class "other bridge") in sysfs, and names the model of each from
    its device ID.
  - Reports the loaded kernel driver's version from /proc/driver/nvidia/version, the oldest
    driver branch the detected GPUs support, whether they need nvidia-fabricmanager, and, when
    nvidia-smi can talk to the driver, per-GPU ECC mode, persistence mode, temperature and power.
  - Read-only; runs the same in check mode. Works on nodes without GPUs (count 0).
version_added: "0.1.0"
options:
  sysfs_root:
    description: Root of sysfs; tests point it at a fixture tree.
    type: path
    default: /sys
  proc_root:
    description: Root of procfs.
    type: path
    default: /proc
  nvidia_smi:
    description: nvidia-smi command (name or path).
    type: str
    default: nvidia-smi
  query_smi:
    description: Ask nvidia-smi for per-GPU state when the driver is loaded.
    type: bool
    default: true
author:
  - hactl
"""

EXAMPLES = r"""
- name: Detect GPUs
  gpu_facts:

- name: Show how many GPUs this node has
  ansible.builtin.debug:
    msg: "{{ ansible_facts.hactl_gpu.count }} x {{ ansible_facts.hactl_gpu.models | join(', ') }}"
"""

RETURN = r"""
ansible_facts:
  description: Facts added to the host.
  returned: always
  type: dict
  contains:
    hactl_gpu:
      description: >-
        count, gpus (pci_address, device_id, model, form_factor, family, numa_node,
        kernel_driver), nvswitch_count, nvswitches, models, families, driver_loaded,
        driver_version, driver_branch, min_driver_branch, open_module_required,
        fabric_manager_needed, smi_available, smi (per GPU, from nvidia-smi -q -x).
      type: dict
"""

import os  # noqa: E402  after DOCUMENTATION, the Ansible module shape

from ansible.module_utils._gpu import classify_pci, parse_smi_xml, read_pci_devices, summarise  # noqa: E402  after DOCUMENTATION, the Ansible module shape
from ansible.module_utils.basic import AnsibleModule  # noqa: E402  after DOCUMENTATION, the Ansible module shape


def build_module() -> AnsibleModule:
    return AnsibleModule(
        argument_spec={
            "sysfs_root": {"type": "path", "default": "/sys"},
            "proc_root": {"type": "path", "default": "/proc"},
            "nvidia_smi": {"type": "str", "default": "nvidia-smi"},
            "query_smi": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )


def read_driver_version(proc_root: str) -> str:
    try:
        with open(
            os.path.join(proc_root, "driver", "nvidia", "version"),
            encoding="ascii",
            errors="replace",
        ) as f:
            return f.read()
    except OSError:
        return ""


def query_smi(module: AnsibleModule, command: str) -> dict | None:
    """nvidia-smi's per-GPU view, or None when it is missing or cannot reach the driver."""
    path = module.get_bin_path(command) if "/" not in command else command
    if not path or not os.access(path, os.X_OK):
        return None
    rc, out, _err = module.run_command(
        [path, "-q", "-x"], environ_update={"LC_ALL": "C", "LANG": "C"}
    )
    if rc != 0 or not out.strip():
        return None
    try:
        return parse_smi_xml(out)
    except Exception as exc:  # a malformed answer must not hide the PCI facts
        module.warn(f"could not parse nvidia-smi -q -x: {exc}")
        return None


def gather(module: AnsibleModule) -> dict:
    params = module.params
    facts = summarise(
        classify_pci(read_pci_devices(params["sysfs_root"])),
        read_driver_version(params["proc_root"]),
    )
    smi = None
    if params["query_smi"] and facts["count"] and facts["driver_loaded"]:
        smi = query_smi(module, params["nvidia_smi"])
    facts["smi_available"] = smi is not None
    facts["smi"] = smi["gpus"] if smi else []
    if smi and not facts["driver_version"]:
        facts["driver_version"] = smi["driver_version"]
    return facts


def main() -> None:
    module = build_module()
    module.exit_json(changed=False, ansible_facts={"hactl_gpu": gather(module)})


if __name__ == "__main__":
    main()
