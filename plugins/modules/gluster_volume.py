#!/usr/bin/python
# Copyright: hactl contributors
# Apache License 2.0

from ansible.module_utils._gluster import (
    GlusterError,
    parse_volume_info,
    plan_volume,
    predicted_view,
    volume_view,
)
from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
---
module: gluster_volume
short_description: Manage a GlusterFS volume (create, start, stop, delete, options, bricks)
description:
  - Creates, starts, stops and deletes a GlusterFS volume, sets its options and adds bricks.
  - Reads the volume with C(gluster volume info --xml), plans the commands that take it to the
    wanted state and runs them; nothing runs when the volume already matches, so the module is
    idempotent and its check mode is the computed plan.
  - Never removes bricks or changes the replica layout of an existing volume (both can lose
    data); it fails and says so instead.
  - Runs on one member of the trusted storage pool (use C(run_once)).
version_added: "0.1.0"
author: hactl contributors
options:
  name:
    description: Volume name.
    type: str
    required: true
  state:
    description:
      - C(started) creates the volume if needed and starts it; C(present) creates it but leaves
        it as it is; C(stopped) stops it; C(absent) stops and deletes it (the data stays on the
        bricks).
    type: str
    choices: [present, started, stopped, absent]
    default: started
  bricks:
    description:
      - Bricks as C(host:/path), in replica-set order (for an arbiter volume every third brick
        is the arbiter). Needed to create a volume; bricks not yet in the volume are added.
    type: list
    elements: str
    default: []
  replica:
    description: Replica count (1 for a distribute volume).
    type: int
    default: 3
  arbiter:
    description:
      - Arbiter count (0 or 1); with replica 3 and arbiter 1 the third brick of each replica
        set holds only metadata.
    type: int
    default: 0
  options:
    description: Volume options to set (C(gluster volume set)); booleans become on/off.
    type: dict
    default: {}
  force:
    description: Pass C(force) to create and add-brick (needed for bricks on the root file system).
    type: bool
    default: false
notes:
  - Supports check mode and diff mode.
  - The gluster CLI runs with C(--mode=script) and C(LC_ALL=C).
requirements:
  - glusterfs-server (the gluster CLI) on the node the module runs on
"""

EXAMPLES = r"""
- name: Create and start a replica-3 volume with quorum on
  gluster_volume:
    name: data
    replica: 3
    bricks:
      - 10.0.0.11:/srv/gluster/data/brick
      - 10.0.0.12:/srv/gluster/data/brick
      - 10.0.0.13:/srv/gluster/data/brick
    options:
      cluster.quorum-type: auto
      cluster.server-quorum-type: server
      network.ping-timeout: 10
  run_once: true

- name: Create an arbiter volume (third brick holds metadata only)
  gluster_volume:
    name: models
    replica: 3
    arbiter: 1
    bricks: [10.0.0.11:/srv/b/models, 10.0.0.12:/srv/b/models, 10.0.0.13:/srv/b/models]
  run_once: true

- name: Delete a volume
  gluster_volume:
    name: scratch
    state: absent
  run_once: true
"""

RETURN = r"""
commands:
  description: The gluster commands run (or, in check mode, that would run).
  returned: always
  type: list
  elements: str
  sample: ["gluster --mode=script volume create data replica 3 a:/b b:/b c:/b force"]
volume:
  description:
    - The volume as gluster reports it after the change (empty when absent; in check mode, as
      it would be).
  returned: always
  type: dict
  sample:
    status: Started
    replica: 3
    arbiter: 0
    bricks: ["10.0.0.11:/srv/b", "10.0.0.12:/srv/b", "10.0.0.13:/srv/b"]
    options: {"cluster.quorum-type": "auto"}
"""


def build_module():
    return AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(
                type="str", default="started", choices=["present", "started", "stopped", "absent"]
            ),
            bricks=dict(type="list", elements="str", default=[]),
            replica=dict(type="int", default=3),
            arbiter=dict(type="int", default=0),
            options=dict(type="dict", default={}),
            force=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )


def _gluster(module, gluster, args, check_rc=True):
    rc, out, err = module.run_command(
        [gluster, "--mode=script", *args],
        environ_update={"LC_ALL": "C", "LANG": "C"},
    )
    if check_rc and rc != 0:
        module.fail_json(
            msg="gluster {} failed: {}".format(" ".join(args), (err or out).strip()),
            rc=rc,
            stdout=out,
            stderr=err,
        )
    return rc, out, err


def _read(module, gluster, name):
    _rc, out, err = _gluster(module, gluster, ["volume", "info", name, "--xml"], check_rc=False)
    try:
        return parse_volume_info(out).get(name)
    except GlusterError as exc:
        module.fail_json(msg=f"{exc} (stderr: {err.strip()})")


def main():
    module = build_module()
    params = module.params
    gluster = module.get_bin_path("gluster", required=True)
    name = params["name"]
    if params["arbiter"] not in (0, 1):
        module.fail_json(msg="arbiter must be 0 or 1")

    current = _read(module, gluster, name)
    try:
        steps = plan_volume(current, params)
    except ValueError as exc:
        module.fail_json(msg=str(exc), volume=volume_view(current))

    before = volume_view(current)
    commands = ["gluster --mode=script " + " ".join(s) for s in steps]
    if module.check_mode or not steps:
        after = predicted_view(current, params, steps) if steps else before
    else:
        for step in steps:
            _gluster(module, gluster, step)
        after = volume_view(_read(module, gluster, name))

    result = dict(changed=bool(steps), commands=commands, volume=after)
    if module._diff:
        result["diff"] = dict(before=before, after=after, before_header=name, after_header=name)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
