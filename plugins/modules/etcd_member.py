#!/usr/bin/python
# Copyright: hactl contributors
# Apache License 2.0

from __future__ import annotations

DOCUMENTATION = r"""
---
module: etcd_member
short_description: Add, promote and remove etcd cluster members idempotently
description:
  - Lists the members of an etcd cluster with C(etcdctl member list -w json), plans the change
    that brings one member to the wanted state, and applies it with etcdctl.
  - A new member joins as a learner (non-voting) and is promoted once it has caught up with the
    leader, so adding a member never changes the quorum size before the member can vote.
  - Removes a member by name or peer URL. Refuses to remove the last member.
  - Runs on a node that reaches the cluster's client endpoints (usually a healthy member).
version_added: "0.1.0"
author: hactl contributors
options:
  name:
    description:
      - Member name (etcd's C(--name)). A member that was added but has not started yet has no
        name in etcd; it is found by I(peer_urls) instead.
    type: str
  peer_urls:
    description: The member's peer URLs. Required for I(state=present).
    type: list
    elements: str
    default: []
  state:
    description: Whether the member should be in the cluster.
    type: str
    choices: [present, absent]
    default: present
  learner:
    description: Add a new member as a learner (non-voting) rather than as a voting member.
    type: bool
    default: true
  promote:
    description:
      - Promote the member to a voting member if it is a learner. etcd refuses until the learner
        has caught up with the leader, so this retries for up to I(promote_timeout) seconds;
        the member must have been started with C(--initial-cluster-state=existing) first.
    type: bool
    default: false
  promote_timeout:
    description: Seconds to keep retrying the promotion.
    type: int
    default: 120
  endpoints:
    description: Client URLs of healthy members.
    type: list
    elements: str
    required: true
  cacert:
    description: CA certificate that signed the members' server certificates.
    type: path
  cert:
    description: Client certificate.
    type: path
  key:
    description: Client certificate's private key.
    type: path
  etcdctl:
    description: Path or name of the etcdctl binary.
    type: str
    default: etcdctl
  command_timeout:
    description: etcdctl's C(--command-timeout), in seconds.
    type: int
    default: 10
attributes:
  check_mode:
    support: full
    description: Lists the members and reports the planned actions without applying them.
  diff_mode:
    support: full
    description: Shows the member names and peer URLs before and after.
notes:
  - Needs etcdctl speaking the v3 API (etcd 3.4 or later, where learners exist).
requirements:
  - etcdctl 3.4 or later on the node the module runs on
"""

EXAMPLES = r"""
- name: Add etcd-4 as a learner (start it with initial-cluster-state=existing afterwards)
  etcd_member:
    name: etcd-4
    peer_urls: ["https://10.0.0.14:2380"]
    endpoints: ["https://10.0.0.11:2379"]
    cacert: /etc/etcd/pki/ca.crt
    cert: /etc/etcd/pki/client.crt
    key: /etc/etcd/pki/client.key
  register: added

- name: Promote etcd-4 once it has caught up
  etcd_member:
    name: etcd-4
    peer_urls: ["https://10.0.0.14:2380"]
    promote: true
    endpoints: ["https://10.0.0.11:2379"]
    cacert: /etc/etcd/pki/ca.crt
    cert: /etc/etcd/pki/client.crt
    key: /etc/etcd/pki/client.key

- name: Remove the dead member etcd-3
  etcd_member:
    name: etcd-3
    state: absent
    endpoints: ["https://10.0.0.11:2379"]
    cacert: /etc/etcd/pki/ca.crt
    cert: /etc/etcd/pki/client.crt
    key: /etc/etcd/pki/client.key
"""

RETURN = r"""
actions:
  description: The actions planned (and, outside check mode, applied), in order.
  returned: always
  type: list
  elements: dict
  sample: [{"action": "add", "name": "etcd-4", "peer_urls": ["https://10.0.0.14:2380"],
            "learner": true}]
members:
  description: The members after the change (before it, in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "8e9e05c52164694d", "name": "etcd-1", "peer_urls": ["https://10.0.0.11:2380"],
            "client_urls": ["https://10.0.0.11:2379"], "is_learner": false, "started": true}]
member:
  description: This member after the change; null when absent.
  returned: always
  type: dict
initial_cluster:
  description: The C(--initial-cluster) value a joining member must start with.
  returned: when state=present
  type: str
  sample: etcd-1=https://10.0.0.11:2380,etcd-4=https://10.0.0.14:2380
"""

import os  # noqa: E402  after DOCUMENTATION, the Ansible module shape
import time  # noqa: E402  after DOCUMENTATION, the Ansible module shape

from ansible.module_utils._etcd import (  # noqa: E402  after DOCUMENTATION, the Ansible module shape
    EtcdParseError,
    initial_cluster,
    parse_member_list,
    plan_member,
)
from ansible.module_utils.basic import AnsibleModule  # noqa: E402  after DOCUMENTATION, the Ansible module shape


def build_module():
    return AnsibleModule(
        argument_spec=dict(
            name=dict(type="str"),
            peer_urls=dict(type="list", elements="str", default=[]),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            learner=dict(type="bool", default=True),
            promote=dict(type="bool", default=False),
            promote_timeout=dict(type="int", default=120),
            endpoints=dict(type="list", elements="str", required=True),
            cacert=dict(type="path"),
            cert=dict(type="path"),
            key=dict(type="path", no_log=False),
            etcdctl=dict(type="str", default="etcdctl"),
            command_timeout=dict(type="int", default=10),
        ),
        required_one_of=[("name", "peer_urls")],
        required_if=[("state", "present", ("peer_urls",))],
        supports_check_mode=True,
    )


class Etcdctl:
    def __init__(self, module):
        self.module = module
        params = module.params
        binary = params["etcdctl"]
        if "/" not in binary:
            binary = module.get_bin_path(binary, required=True)
        self.base = [
            binary,
            "--endpoints={}".format(",".join(params["endpoints"])),
            f"--command-timeout={params['command_timeout']}s",
        ]
        for flag in ("cacert", "cert", "key"):
            if params[flag]:
                self.base.append(f"--{flag}={params[flag]}")
        # etcdctl 3.4 reads ETCDCTL_API; 3.5+ only speaks v3 anyway.
        self.env = {"ETCDCTL_API": "3", "LC_ALL": "C", "LANG": "C"}

    def run(self, *args, check=True):
        rc, out, err = self.module.run_command(
            self.base + list(args), environ_update=self.env, check_rc=False
        )
        if check and rc != 0:
            self.module.fail_json(
                msg="etcdctl {} failed: {}".format(" ".join(args[:2]), (err or out).strip()),
                rc=rc,
                stdout=out,
                stderr=err,
            )
        return rc, out, err

    def members(self):
        _, out, _ = self.run("member", "list", "-w", "json")
        try:
            return parse_member_list(out)
        except EtcdParseError as exc:
            self.module.fail_json(msg=str(exc), stdout=out)


def _view(members):
    return "".join(
        "{} {}{}\n".format(
            m["name"] or "(unstarted)",
            ",".join(m["peer_urls"]),
            " learner" if m["is_learner"] else "",
        )
        for m in members
    )


def _this(members, name, peer_urls):
    wanted = set(peer_urls or [])
    for member in members:
        if (name and member["name"] == name) or (wanted and wanted & set(member["peer_urls"])):
            return member
    return None


def _promote(ctl, module, member_id, deadline):
    while True:
        rc, out, err = ctl.run("member", "promote", member_id, check=False)
        if rc == 0:
            return
        text = (err or out).strip()
        # etcd answers "can only promote a learner member which is in sync with leader" until
        # the learner has caught up; anything else is a real error.
        if "in sync" not in text and "not ready" not in text.lower():
            module.fail_json(msg=f"etcdctl member promote {member_id} failed: {text}")
        if time.monotonic() > deadline:
            module.fail_json(
                msg=f"member {member_id} did not catch up with the leader within "
                f"{module.params['promote_timeout']}s: {text}"
            )
        time.sleep(1)


def _planned(before, actions, params):
    removed = {a["id"] for a in actions if a["action"] == "remove"}
    planned = [m for m in before if m["id"] not in removed]
    if any(a["action"] == "add" for a in actions):
        new = {
            "name": params["name"],
            "peer_urls": sorted(params["peer_urls"]),
            "is_learner": params["learner"] and not params["promote"],
        }
        planned = [*planned, new]
    return planned


def apply(ctl, module, actions):
    params = module.params
    deadline = time.monotonic() + params["promote_timeout"]
    added_id = None
    for action in actions:
        kind = action["action"]
        if kind == "add":
            args = [
                "member",
                "add",
                action["name"],
                "--peer-urls={}".format(",".join(action["peer_urls"])),
            ]
            if action["learner"]:
                args.append("--learner")
            ctl.run(*([*args, "-w", "json"]))
            found = _this(ctl.members(), action["name"], action["peer_urls"])
            added_id = found["id"] if found else None
        elif kind == "update":
            ctl.run(
                "member",
                "update",
                action["id"],
                "--peer-urls={}".format(",".join(action["peer_urls"])),
            )
        elif kind == "promote":
            _promote(ctl, module, action["id"] or added_id, deadline)
        elif kind == "remove":
            ctl.run("member", "remove", action["id"])


def main():
    module = build_module()
    params = module.params
    os.environ["LC_ALL"] = "C"
    module.run_command_environ_update = {"LC_ALL": "C", "LANG": "C", "LC_MESSAGES": "C"}
    ctl = Etcdctl(module)

    before = ctl.members()
    try:
        actions = plan_member(
            before,
            params["name"],
            params["peer_urls"],
            state=params["state"],
            learner=params["learner"],
            promote=params["promote"],
        )
    except ValueError as exc:
        module.fail_json(msg=str(exc), members=before)

    after = before
    if actions and not module.check_mode:
        apply(ctl, module, actions)
        after = ctl.members()

    result = dict(
        changed=bool(actions),
        actions=actions,
        members=after,
        member=_this(after, params["name"], params["peer_urls"]),
    )
    if params["state"] == "present":
        result["initial_cluster"] = initial_cluster(
            after, (params["name"], sorted(params["peer_urls"]))
        )
    if module._diff:
        planned = after
        if module.check_mode and actions:
            planned = _planned(before, actions, params)
        result["diff"] = dict(before=_view(before), after=_view(planned))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
