#!/usr/bin/python
# Copyright: hactl contributors
# Apache License 2.0

from ansible.module_utils._gluster import (
    STARTED,
    GlusterError,
    bricks_offline,
    parse_heal_info,
    parse_volume_info,
    parse_volume_status,
)
from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
---
module: gluster_info
short_description: Report GlusterFS volume health (bricks, self-heal, heal backlog, split brain)
description:
  - Reads C(gluster volume info), C(volume status) and, optionally, C(volume heal info summary)
    (all with C(--xml)) and returns one health record per volume. Changes nothing.
version_added: "0.1.0"
author: hactl contributors
options:
  volumes:
    description: Volumes to report; empty for all.
    type: list
    elements: str
    default: []
  heal:
    description: Also read the heal backlog and split-brain count of started volumes (slower).
    type: bool
    default: true
notes:
  - Supports check mode (it only reads).
requirements:
  - glusterfs-server (the gluster CLI) with glusterd running on this node
"""

EXAMPLES = r"""
- name: Read volume health
  gluster_info:
    volumes: [data]
  register: storage

- name: Fail on split brain
  ansible.builtin.assert:
    that: storage.volumes.data.heal.split_brain == 0
"""

RETURN = r"""
volumes:
  description: Health per volume name.
  returned: always
  type: dict
  sample:
    data:
      status: Started
      type: Replicate
      replica: 3
      arbiter: 0
      bricks: ["10.0.0.11:/srv/glusterfs/data/brick"]
      arbiter_bricks: []
      offline_bricks: []
      self_heal_online: 3
      heal: {entries: 0, split_brain: 0, unreachable: 0}
      healthy: true
"""


def build_module():
    return AnsibleModule(
        argument_spec=dict(
            volumes=dict(type="list", elements="str", default=[]),
            heal=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )


def _xml(module, gluster, args):
    _rc, out, err = module.run_command(
        [gluster, "--mode=script", *args, "--xml"], environ_update={"LC_ALL": "C", "LANG": "C"}
    )
    return out, err


def _volume_health(module, gluster, vol, heal):
    status = {}
    heal_info = None
    if vol["status"] == STARTED:
        out, _err = _xml(module, gluster, ["volume", "status", vol["name"]])
        status = parse_volume_status(out).get(vol["name"], {})
        if heal:
            out, _err = _xml(module, gluster, ["volume", "heal", vol["name"], "info", "summary"])
            heal_info = parse_heal_info(out)
    offline = bricks_offline(vol, status) if vol["status"] == STARTED else []
    summary = None
    if heal_info is not None:
        summary = {k: heal_info[k] for k in ("entries", "split_brain", "unreachable")}
    healthy = (
        vol["status"] == STARTED
        and not offline
        and (summary is None or (summary["entries"] == 0 and summary["unreachable"] == 0))
        and (summary is None or summary["split_brain"] == 0)
    )
    return {
        "status": vol["status"],
        "type": vol["type"],
        "replica": vol["replica"],
        "arbiter": vol["arbiter"],
        "bricks": [b["name"] for b in vol["bricks"]],
        "arbiter_bricks": [b["name"] for b in vol["bricks"] if b["arbiter"]],
        "offline_bricks": offline,
        "self_heal_online": sum(1 for v in status.get("self_heal", {}).values() if v),
        "options": vol["options"],
        "heal": summary,
        "healthy": healthy,
    }


def main():
    module = build_module()
    gluster = module.get_bin_path("gluster", required=True)
    out, err = _xml(module, gluster, ["volume", "info"])
    try:
        volumes = parse_volume_info(out)
        wanted = module.params["volumes"] or sorted(volumes)
        missing = [v for v in wanted if v not in volumes]
        if missing:
            module.fail_json(msg="no such volume: {}".format(", ".join(missing)))
        result = {
            name: _volume_health(module, gluster, volumes[name], module.params["heal"])
            for name in wanted
        }
    except GlusterError as exc:
        module.fail_json(msg=f"{exc} (stderr: {err.strip()})")
    module.exit_json(changed=False, volumes=result)


if __name__ == "__main__":
    main()
