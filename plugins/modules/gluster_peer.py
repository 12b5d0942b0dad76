#!/usr/bin/python
# Copyright: hactl contributors
# Apache License 2.0

import time

from ansible.module_utils._gluster import GlusterError, parse_peer_status, peers_to_probe
from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
---
module: gluster_peer
short_description: Add nodes to a GlusterFS trusted storage pool
description:
  - Probes the given nodes from the node the module runs on, skipping this node's own
    addresses and nodes the pool already knows (by any of their names), so it is idempotent.
  - Waits, bounded, until every wanted peer is connected and in the cluster.
  - Never detaches peers.
version_added: "0.1.0"
author: hactl contributors
options:
  nodes:
    description: Addresses or names of every pool member (this node may be among them).
    type: list
    elements: str
    required: true
  own:
    description: This node's own addresses and names, which are never probed.
    type: list
    elements: str
    default: []
  wait_timeout:
    description: Seconds to wait for probed peers to reach "Peer in Cluster" and connect.
    type: int
    default: 60
notes:
  - Supports check mode and diff mode.
requirements:
  - glusterfs-server running on this node
"""

EXAMPLES = r"""
- name: Peer the storage nodes
  gluster_peer:
    nodes: [10.0.0.11, 10.0.0.12, 10.0.0.13]
    own: [10.0.0.11]
  run_once: true
"""

RETURN = r"""
probed:
  description: Nodes probed (or, in check mode, that would be).
  returned: always
  type: list
  elements: str
peers:
  description: The pool's peers as seen from this node afterwards.
  returned: always
  type: list
  elements: dict
"""


def build_module():
    return AnsibleModule(
        argument_spec=dict(
            nodes=dict(type="list", elements="str", required=True),
            own=dict(type="list", elements="str", default=[]),
            wait_timeout=dict(type="int", default=60),
        ),
        supports_check_mode=True,
    )


def _run(module, argv):
    return module.run_command(argv, environ_update={"LC_ALL": "C", "LANG": "C"})


def _peers(module, gluster):
    rc, out, err = _run(module, [gluster, "--mode=script", "peer", "status", "--xml"])
    try:
        return parse_peer_status(out)
    except GlusterError as exc:
        module.fail_json(msg=f"{exc} (rc {rc}, stderr: {err.strip()})")


def _ready(peers, nodes):
    ready = set()
    for peer in peers:
        if peer["connected"] and peer["state"] == "Peer in Cluster":
            ready.update(peer["hostnames"])
    return all(n in ready for n in nodes)


def main():
    module = build_module()
    gluster = module.get_bin_path("gluster", required=True)
    nodes = module.params["nodes"]
    own = module.params["own"]
    peers = _peers(module, gluster)
    missing = peers_to_probe(peers, nodes, own)
    before = sorted(n for p in peers for n in p["hostnames"])
    if missing and not module.check_mode:
        for node in missing:
            rc, out, err = _run(module, [gluster, "--mode=script", "peer", "probe", node])
            if rc != 0:
                module.fail_json(msg=f"peer probe {node} failed: {(err or out).strip()}")
        others = [n for n in nodes if n not in own]
        deadline = time.monotonic() + module.params["wait_timeout"]
        peers = _peers(module, gluster)
        while not _ready(peers, others):
            if time.monotonic() > deadline:
                module.fail_json(msg="peers not in cluster after probe", peers=peers)
            time.sleep(1)
            peers = _peers(module, gluster)
    after = sorted(set(before) | set(missing))
    result = dict(changed=bool(missing), probed=missing, peers=peers)
    if module._diff:
        result["diff"] = dict(before={"peers": before}, after={"peers": after})
    module.exit_json(**result)


if __name__ == "__main__":
    main()
