#!/usr/bin/python
"""Ansible module: judge an NVIDIA GPU node's health (read-only)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: gpu_health
short_description: Judge a GPU node healthy, degraded or failed, with reasons and an action
description:
  - Read-only checks of an NVIDIA GPU node. GPUs on the PCI bus against the expected count; the
    kernel driver loaded and seeing every GPU; XID and SXID events in the kernel log (this boot,
    or since a given time) looked up in a catalog of severity and action; uncorrectable ECC
    errors, pending and failed row remapping; NVLink links down; thermal and power throttling;
    the NVLink fabric state and nvidia-fabricmanager on NVSwitch systems.
  - Each finding has a severity (warning makes the node degraded, critical makes it failed) and
    an action, one of ignore, reset_gpu, reboot, inspect (hardware inspection). The node's action
    is the strongest among its critical findings.
  - Never changes the node. By default it never fails either; set O(fail_on) to use it as a gate.
version_added: "0.1.0"
options:
  expected_count:
    description: GPUs this node should have; default the number found on the PCI bus.
    type: int
  sysfs_root:
    description: Root of sysfs.
    type: path
    default: /sys
  proc_root:
    description: Root of procfs.
    type: path
    default: /proc
  nvidia_smi:
    description: nvidia-smi command.
    type: str
    default: nvidia-smi
  kernel_log:
    description: Read kernel messages from this file instead of the journal (or dmesg).
    type: path
  since:
    description: Only kernel messages after this time (journalctl --since, e.g. "@1733240000").
    type: str
  fabric_manager_unit:
    description: systemd unit of the fabric manager.
    type: str
    default: nvidia-fabricmanager
  fabric_manager_needed:
    description: Whether fabric manager must run; auto decides from the NVSwitches and GPUs seen.
    type: str
    choices: [auto, "yes", "no"]
    default: auto
  check_nvlink:
    description: Report NVLink links that are down (nvidia-smi nvlink -s).
    type: bool
    default: true
  max_temperature_c:
    description: GPU temperature at or above which the node is degraded.
    type: float
    default: 87.0
  require_ecc:
    description: A GPU with ECC disabled makes the node degraded.
    type: bool
    default: true
  fail_on:
    description: Fail the task when the node is this bad or worse (never, degraded, failed).
    type: str
    choices: [never, degraded, failed]
    default: never
author:
  - hactl
"""

EXAMPLES = r"""
- name: Check this node's GPUs
  gpu_health:
    expected_count: 8
  register: gpu_health

- name: Admit the node only when healthy
  gpu_health:
    expected_count: 8
    fail_on: degraded
"""

RETURN = r"""
status:
  description: healthy, degraded or failed.
  returned: always
  type: str
action:
  description: The remediation the findings call for (none, ignore, reset_gpu, reboot, inspect).
  returned: always
  type: str
fault:
  description: Key of the fault that decides the action (e.g. xid:79, ecc_uncorrectable).
  returned: always
  type: str
reasons:
  description: Findings, each with check, severity, action, gpu, message, fault.
  returned: always
  type: list
  elements: dict
messages:
  description: One line per finding.
  returned: always
  type: list
  elements: str
gpu_count:
  description: GPUs on the PCI bus.
  returned: always
  type: int
expected_count:
  description: GPUs expected.
  returned: always
  type: int
events:
  description: XID/SXID events found (at most the last 50), with severity and action.
  returned: always
  type: list
  elements: dict
driver_version:
  description: Loaded driver version ('' when not loaded).
  returned: always
  type: str
fabric_manager_needed:
  description: Whether this node needs nvidia-fabricmanager.
  returned: always
  type: bool
fabric_manager_state:
  description: systemd ActiveState of the fabric manager unit ('' when not installed).
  returned: always
  type: str
"""

import os  # noqa: E402  after DOCUMENTATION, the Ansible module shape

from ansible.module_utils._gpu import (  # noqa: E402  after DOCUMENTATION, the Ansible module shape
    classify_pci,
    evaluate_health,
    parse_kernel_log,
    parse_nvlink_status,
    parse_smi_xml,
    read_pci_devices,
    summarise,
)
from ansible.module_utils.basic import AnsibleModule  # noqa: E402  after DOCUMENTATION, the Ansible module shape

_C_LOCALE = {"LC_ALL": "C", "LANG": "C"}
_RANK = {"healthy": 0, "degraded": 1, "failed": 2}


def build_module() -> AnsibleModule:
    return AnsibleModule(
        argument_spec={
            "expected_count": {"type": "int"},
            "sysfs_root": {"type": "path", "default": "/sys"},
            "proc_root": {"type": "path", "default": "/proc"},
            "nvidia_smi": {"type": "str", "default": "nvidia-smi"},
            "kernel_log": {"type": "path"},
            "since": {"type": "str"},
            "fabric_manager_unit": {"type": "str", "default": "nvidia-fabricmanager"},
            "fabric_manager_needed": {
                "type": "str",
                "choices": ["auto", "yes", "no"],
                "default": "auto",
            },
            "check_nvlink": {"type": "bool", "default": True},
            "max_temperature_c": {"type": "float", "default": 87.0},
            "require_ecc": {"type": "bool", "default": True},
            "fail_on": {
                "type": "str",
                "choices": ["never", "degraded", "failed"],
                "default": "never",
            },
        },
        supports_check_mode=True,
    )


def _run(module: AnsibleModule, argv: list[str]) -> tuple[int, str]:
    rc, out, _err = module.run_command(argv, environ_update=_C_LOCALE)
    return rc, out


def read_kernel_log(module: AnsibleModule) -> str:
    params = module.params
    if params["kernel_log"]:
        with open(params["kernel_log"], encoding="utf-8", errors="replace") as handle:
            return handle.read()
    journalctl = module.get_bin_path("journalctl")
    if journalctl:
        argv = [journalctl, "-k", "-b", "--no-pager", "-q", "-o", "short-iso"]
        if params["since"]:
            argv += ["--since", params["since"]]
        rc, out = _run(module, argv)
        if rc == 0:
            return out
    dmesg = module.get_bin_path("dmesg")
    if dmesg:
        rc, out = _run(module, [dmesg])
        if rc == 0:
            return out
    module.warn("no kernel log readable (journalctl -k, dmesg); XID checks skipped")
    return ""


def unit_state(module: AnsibleModule, unit: str) -> str:
    systemctl = module.get_bin_path("systemctl")
    if not systemctl:
        return ""
    rc, out = _run(module, [systemctl, "show", "--property=LoadState,ActiveState", unit])
    props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    if rc != 0 or props.get("LoadState") in (None, "not-found"):
        return ""
    return props.get("ActiveState", "")


def smi_path(module: AnsibleModule) -> str:
    command = module.params["nvidia_smi"]
    path = command if "/" in command else module.get_bin_path(command)
    return path if path and os.access(path, os.X_OK) else ""


def check(module: AnsibleModule) -> dict:
    params = module.params
    try:
        with open(
            os.path.join(params["proc_root"], "driver", "nvidia", "version"), encoding="ascii"
        ) as f:
            version_text = f.read()
    except OSError:
        version_text = ""
    facts = summarise(classify_pci(read_pci_devices(params["sysfs_root"])), version_text)
    if params["fabric_manager_needed"] != "auto":
        facts["fabric_manager_needed"] = params["fabric_manager_needed"] == "yes"
    smi, nvlink = None, None
    smi_cmd = smi_path(module) if facts["count"] and facts["driver_loaded"] else ""
    if smi_cmd:
        rc, out = _run(module, [smi_cmd, "-q", "-x"])
        if rc == 0 and out.strip():
            smi = parse_smi_xml(out)
        if params["check_nvlink"]:
            rc, out = _run(module, [smi_cmd, "nvlink", "-s"])
            nvlink = parse_nvlink_status(out) if rc == 0 else None
    events = (
        parse_kernel_log(read_kernel_log(module)) if facts["count"] or params["kernel_log"] else []
    )
    fm_state = (
        unit_state(module, params["fabric_manager_unit"]) if facts["fabric_manager_needed"] else ""
    )
    verdict = evaluate_health(
        facts,
        smi,
        events,
        nvlink=nvlink,
        expected_count=params["expected_count"],
        fabric_manager_state=fm_state,
        max_temperature_c=params["max_temperature_c"],
        require_ecc=params["require_ecc"],
    )
    expected = facts["count"] if params["expected_count"] is None else params["expected_count"]
    verdict.update(
        {
            "gpu_count": facts["count"],
            "expected_count": expected,
            "events": [e for e in events if e["severity"] != "info"][-50:],
            "driver_version": facts["driver_version"],
            "fabric_manager_needed": facts["fabric_manager_needed"],
            "fabric_manager_state": fm_state,
        }
    )
    return verdict


def main() -> None:
    module = build_module()
    result = check(module)
    fail_on = module.params["fail_on"]
    if fail_on != "never" and _RANK[result["status"]] >= _RANK[fail_on]:
        module.fail_json(
            msg=f"GPU node is {result['status']}: " + "; ".join(result["messages"]), **result
        )
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
