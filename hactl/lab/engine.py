"""Make sure a Docker engine answers: install Debian's docker.io and start dockerd if needed.

These machines have no systemd as PID 1, so the daemon is started in the background by hand.
Idempotent: when ``docker info`` already answers, nothing is touched.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from hactl.errors import LabError
from hactl.lab._proc import apt_install, require_root, run

DOCKERD_LOG = Path("/var/log/hactl-dockerd.log")


@dataclass(frozen=True)
class EngineState:
    server_version: str
    started: bool  # True when this call started the daemon


def _server_version() -> str | None:
    if shutil.which("docker") is None:
        return None
    try:
        proc = run(["docker", "info", "--format", "{{.ServerVersion}}"], check=False, timeout=20)
    except LabError:
        return None
    out = proc.stdout.strip()
    return out if proc.returncode == 0 and out else None


def ensure_engine(wait_s: float = 90.0) -> EngineState:
    """Return the running engine's version, installing and starting it when none answers."""
    version = _server_version()
    if version:
        return EngineState(server_version=version, started=False)
    require_root("starting the Docker engine")
    if shutil.which("dockerd") is None:
        apt_install(["docker.io"])
    if shutil.which("dockerd") is None:
        raise LabError("docker.io installed, but dockerd is still not on PATH")
    DOCKERD_LOG.parent.mkdir(parents=True, exist_ok=True)
    with DOCKERD_LOG.open("ab") as log:
        subprocess.Popen(
            ["dockerd"],
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # outlives this process, like a service would
        )
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        version = _server_version()
        if version:
            return EngineState(server_version=version, started=True)
        time.sleep(1)
    tail = DOCKERD_LOG.read_text(errors="replace")[-1500:] if DOCKERD_LOG.exists() else ""
    raise LabError(
        f"dockerd started but `docker info` did not answer within {wait_s:.0f} s:\n{tail}"
    )
