"""playbooks/validate.yml rejects bad load balancer and VIP inventories, naming host and variable.

One ansible-playbook run per inventory (no hosts are contacted: the validation reads no facts).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]

GOOD = {
    "all": {
        "children": {
            "control_plane": {
                "hosts": {f"cp-{i}": {"ansible_host": f"10.0.0.1{i}"} for i in (1, 2, 3)}
            },
        },
        "vars": {
            "hactl_api_vip": "10.0.0.100",
            "hactl_network_cidr": "10.0.0.0/24",
            "node_prep_chrony_pools": ["pool.invalid"],
        },
    }
}


def _bad() -> dict:
    inv = yaml.safe_load(yaml.safe_dump(GOOD))
    inv["all"]["children"]["lb"] = {
        "hosts": {
            "lb-1": {"ansible_host": "10.0.0.100", "keepalived_state": "MASTER"},
        }
    }
    inv["all"]["vars"].update(
        {
            "hactl_lb_group": "lb",
            "keepalived_nopreempt": True,
            "keepalived_instances": [
                {"name": "api", "vip": "10.0.0.100", "virtual_router_id": 51},
                {"name": "gw", "vip": "10.1.0.5", "virtual_router_id": 51, "auth_pass": "x" * 9},
            ],
        }
    )
    return inv


def _further(*instances: dict) -> dict:
    """GOOD plus further VIPs (hactl_vrrp_instances), which keepalived_instances' default adds."""
    inv = yaml.safe_load(yaml.safe_dump(GOOD))
    inv["all"]["vars"]["hactl_vrrp_instances"] = list(instances)
    return inv


CASES = {
    "good": (GOOD, []),
    "further_vip_good": (
        _further({"name": "inference", "vip": "10.0.0.101", "virtual_router_id": 52}),
        [],
    ),
    "further_vip_bad": (
        _further(
            {"name": "inference", "vip": "10.1.0.101", "virtual_router_id": 51},
            {"name": "gw", "vip": "10.0.0.12", "virtual_router_id": 53},
        ),
        [
            "keepalived_instances[inference].vip 10.1.0.101 is not in hactl_network_cidr",
            "keepalived_instances[inference].virtual_router_id 51 is already used by "
            "keepalived_instances[api]",
            "host cp-2: its address 10.0.0.12 equals keepalived_instances[gw].vip",
        ],
    ),
    "further_vip_old_key": (
        _further({"name": "inference", "vip": "10.0.0.101", "router_id": 52}),
        ["hactl_vrrp_instances[0].router_id is spelled virtual_router_id"],
    ),
    "bad": (
        _bad(),
        [
            "keepalived_group 'lb' has 1 host(s)",
            "host lb-1: keepalived_state is MASTER but keepalived_nopreempt is true",
            "host lb-1: its address 10.0.0.100 equals keepalived_instances[api].vip",
            "keepalived_instances[gw].vip 10.1.0.5 is not in hactl_network_cidr 10.0.0.0/24",
            "keepalived_instances[gw].virtual_router_id 51 is already used",
            "keepalived_instances[gw].auth_pass is 9 characters",
        ],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_validate_playbook(case: str, tmp_path: Path, tool_env: dict[str, str]) -> None:
    inventory, expected = CASES[case]
    path = tmp_path / "hosts.yml"
    path.write_text(yaml.safe_dump(inventory))
    proc = subprocess.run(
        # The cluster-model step (tested on its own) would stop at the first of these problems;
        # skipping it shows that the roles' own checks catch them too.
        [
            "ansible-playbook",
            "-i",
            str(path),
            "playbooks/validate.yml",
            "--skip-tags",
            "hactl_model",
        ],
        cwd=REPO,
        env=tool_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = proc.stdout + proc.stderr
    if not expected:
        assert proc.returncode == 0, out[-4000:]
        return
    assert proc.returncode != 0, out[-4000:]
    flat = " ".join(out.split())
    for fragment in expected:
        assert fragment in flat, (fragment, out[-4000:])
