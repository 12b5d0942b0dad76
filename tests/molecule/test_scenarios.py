"""Every molecule scenario of every role, one pytest test each (marker: molecule).

Scenarios are found on disk, so a role's new scenario joins the suite without touching this file.
Each runs molecule's full test sequence (create, converge, idempotence, check, verify, destroy).

A role that is only meaningful beside others (haproxy with keepalived, the Kubernetes roles with
kubeadm_control_plane, ...) has its `molecule/default` as a link to the scenario that converges
them together, so `molecule test` works inside every role; the suite runs each real scenario
once (tests/unit/test_molecule_layout.py checks that a linked scenario converges its role).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Rough minutes each scenario took on a 2-core CI machine: the longest start first.
EXPECTED_MIN = {"kubeadm_control_plane": 8, "monitoring": 5, "etcd": 4, "glusterfs_server": 3}
SCENARIOS = sorted(
    (p for p in REPO.glob("roles/*/molecule/*/molecule.yml") if not p.parent.is_symlink()),
    key=lambda p: (-EXPECTED_MIN.get(p.parents[2].name, 1), str(p)),
)
LOG_DIR = Path(os.environ.get("HACTL_TEST_LOG_DIR", REPO / ".cache/test-logs"))
TIMEOUT_S = int(os.environ.get("HACTL_MOLECULE_TIMEOUT", "1800"))


def _id(path: Path) -> str:
    return f"{path.parents[2].name}-{path.parent.name}"


@pytest.mark.molecule
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[_id(p) for p in SCENARIOS])
def test_molecule_scenario(scenario: Path, tool_env: dict[str, str]) -> None:
    role_dir = scenario.parents[2]
    name = scenario.parent.name
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / f"molecule-{_id(scenario)}.log"
    started = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.run(
            ["molecule", "test", "-s", name],
            cwd=role_dir,
            env=tool_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=TIMEOUT_S,
            check=False,
        )
    took = time.monotonic() - started
    print(f"molecule {_id(scenario)}: exit {proc.returncode} in {took:.0f} s (log: {log})")
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-80:])
        pytest.fail(f"molecule test -s {name} in {role_dir.name} failed; log {log}:\n{tail}")
