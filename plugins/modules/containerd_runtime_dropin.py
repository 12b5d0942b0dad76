#!/usr/bin/python
"""Ansible module: a containerd drop-in config that adds a runtime to the CRI plugin."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: containerd_runtime_dropin
short_description: Add a runtime (e.g. nvidia) to containerd's CRI plugin through a drop-in file
description:
  - Reads the main containerd config, takes its CRI plugin section, adds the runtime (and CDI when
    asked) and writes the result as a drop-in file that the main config imports.
  - The drop-in carries the main config's CRI section because containerd 1.x replaces whole plugin
    sections on import; rerun it after the main config changes.
  - Fails when the main config exists and does not import the drop-in's path.
  - Writes through a temporary file, validated with O(validate) when given, then moved into place;
    check mode and diff supported.
version_added: "0.1.0"
options:
  main_config:
    description: containerd's main config file.
    type: path
    default: /etc/containerd/config.toml
  dest:
    description: The drop-in file to write.
    type: path
    required: true
  name:
    description: Runtime name (the RuntimeClass handler).
    type: str
    required: true
  binary:
    description: The runtime's runc-compatible binary.
    type: path
    required: true
  systemd_cgroup:
    description: Use the systemd cgroup driver for the runtime.
    type: bool
    default: true
  default:
    description: Make it containerd's default runtime.
    type: bool
    default: false
  cdi:
    description: Enable CDI (Container Device Interface) in the CRI plugin.
    type: bool
    default: true
  cdi_spec_dirs:
    description: Where CDI specs are read from.
    type: list
    elements: path
    default: [/etc/cdi, /var/run/cdi]
  validate:
    description: Command that checks the new file before it is moved into place; %s is its path.
    type: str
author:
  - hactl
"""

EXAMPLES = r"""
- name: Add the nvidia runtime
  containerd_runtime_dropin:
    dest: /etc/containerd/conf.d/99-nvidia.toml
    name: nvidia
    binary: /usr/bin/nvidia-container-runtime
    validate: containerd --config %s config dump
"""

RETURN = r"""
content:
  description: The drop-in's text.
  returned: always
  type: str
"""

import os  # noqa: E402  after DOCUMENTATION, the Ansible module shape
import tempfile  # noqa: E402  after DOCUMENTATION, the Ansible module shape

from ansible.module_utils._containerd import dumps, imports_cover, loads, runtime_dropin  # noqa: E402  after DOCUMENTATION, the Ansible module shape
from ansible.module_utils.basic import AnsibleModule  # noqa: E402  after DOCUMENTATION, the Ansible module shape

HEADER = (
    "# Managed by hactl (nvidia_container_toolkit): the main config's CRI section plus a runtime.\n"
)


def build_module() -> AnsibleModule:
    return AnsibleModule(
        argument_spec={
            "main_config": {"type": "path", "default": "/etc/containerd/config.toml"},
            "dest": {"type": "path", "required": True},
            "name": {"type": "str", "required": True},
            "binary": {"type": "path", "required": True},
            "systemd_cgroup": {"type": "bool", "default": True},
            "default": {"type": "bool", "default": False},
            "cdi": {"type": "bool", "default": True},
            "cdi_spec_dirs": {
                "type": "list",
                "elements": "path",
                "default": ["/etc/cdi", "/var/run/cdi"],
            },
            "validate": {"type": "str"},
        },
        supports_check_mode=True,
    )


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def main() -> None:
    module = build_module()
    p = module.params
    main_text = _read(p["main_config"])
    try:
        main_cfg = loads(main_text) if main_text is not None else {}
    except Exception as exc:  # the TOML reader's own error type differs between tomllib and tomli
        module.fail_json(msg=f"cannot read {p['main_config']}: {exc}")
    if main_text is not None and not imports_cover(main_cfg, p["dest"]):
        module.fail_json(
            msg=f"{p['main_config']} does not import {p['dest']}: add its directory to the main"
            f' config\'s imports (imports = ["{os.path.dirname(p["dest"])}/*.toml"])'
        )
    try:
        data = runtime_dropin(
            main_cfg,
            p["name"],
            p["binary"],
            p["systemd_cgroup"],
            p["default"],
            p["cdi"],
            p["cdi_spec_dirs"],
        )
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    content = HEADER + dumps(data)
    before = _read(p["dest"])
    changed = before != content
    result = {
        "changed": changed,
        "content": content,
        "diff": {"before": before or "", "after": content},
    }
    if changed and not module.check_mode:
        directory = os.path.dirname(p["dest"])
        os.makedirs(directory, mode=0o755, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".hactl-dropin.", suffix=".toml")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.chmod(tmp, 0o644)
        if p["validate"]:
            rc, out, err = module.run_command(
                p["validate"] % tmp, use_unsafe_shell=False, environ_update={"LC_ALL": "C"}
            )
            if rc != 0:
                os.remove(tmp)
                module.fail_json(
                    msg=f"validation of the drop-in failed ({p['validate']}): {err or out}",
                    **result,
                )
        module.atomic_move(tmp, p["dest"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
