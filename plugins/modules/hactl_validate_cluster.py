#!/usr/bin/python
"""Documentation for the hactl_validate_cluster action (the code is plugins/action/)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: hactl_validate_cluster
short_description: Validate the inventory against hactl's cluster model
description:
  - Runs on the controller and reads every host's C(hactl_*) variables and groups, without
    connecting to any host.
  - Applies the rules of C(hactl validate) (plugins/module_utils/_cluster_model.py), fails with
    every problem listed, each naming its host and variable.
  - Rules include odd quorum sizes, the VIP inside C(hactl_network_cidr), unique host names and
    addresses, unique VRRP router ids, storage layouts, GPU driver branches, the Kubernetes
    version, and unknown C(hactl_*) variables with a did-you-mean.
options: {}
author:
  - hactl
"""

EXAMPLES = r"""
- name: Validate the cluster model
  hactl_validate_cluster:
  run_once: true
"""

RETURN = r"""
problems:
  description: Every problem found, empty when the inventory is valid.
  returned: always
  type: list
  elements: dict
"""
