"""The GPU roles' input checks in playbooks/validate.yml reject bad inventories before any host is
touched (the validation play connects to nothing: it runs against the sample inventory here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _validate(*extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["ANSIBLE_CACHE_PLUGIN"] = "memory"
    env["ANSIBLE_FORCE_COLOR"] = "0"
    argv = ["ansible-playbook", "-i", "inventories/sample/hosts.yml", "playbooks/validate.yml"]
    for item in extra:
        argv += ["-e", item]
    return subprocess.run(
        argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.slow
def test_sample_inventory_passes() -> None:
    proc = _validate()
    assert proc.returncode == 0, proc.stdout[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["nvidia_driver_gpu_family=H100", "nvidia_driver_branch=520"], "needs driver branch 525"),
        (["nvidia_driver_gpu_family=H200"], "needs driver branch 550"),
        (["nvidia_driver_gpu_family=B200", "nvidia_driver_branch=565"], "needs driver branch 570"),
        (["nvidia_driver_gpu_family=B200", "nvidia_driver_branch=570"], "open kernel modules"),
        (
            ["nvidia_driver_version=535.261.03", "nvidia_driver_fabricmanager_version=535.247.01"],
            "exactly the driver's version",
        ),
        (["nvidia_driver_fabricmanager_version=535.261.03"], "not pinned"),
        (["nvidia_driver_version=550.54.15"], "is not on branch 535"),
        (['{"nvidia_driver_fabricmanager": true}'], "does not package nvidia-fabricmanager"),
        (["nvidia_driver_source=rpmfusion"], "nvidia_driver_source"),
        (["nvidia_container_toolkit_runtime_name=Nvidia_Runtime"], "not a DNS label"),
        (["hactl_gpu_expected_count=eight"], "not a whole number"),
    ],
)
def test_bad_gpu_input_is_rejected(extra: list[str], message: str) -> None:
    proc = _validate(*extra)
    assert proc.returncode != 0
    assert message in proc.stdout.replace("\n", " "), proc.stdout[-3000:]
