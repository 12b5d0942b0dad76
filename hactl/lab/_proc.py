"""Small subprocess helpers shared by the lab modules."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from hactl.errors import LabError


def run(
    argv: Sequence[str],
    *,
    check: bool = True,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    input_bytes: bytes | None = None,
    cwd: str | Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command with the C locale; raise LabError naming the command when it fails."""
    full_env = {**os.environ, "LC_ALL": "C", **(env or {})}
    try:
        proc = subprocess.run(
            list(argv),
            capture_output=True,
            text=input_bytes is None,
            env=full_env,
            timeout=timeout,
            input=input_bytes,
            cwd=cwd,
            check=False,
        )
    except FileNotFoundError as exc:
        raise LabError(f"{argv[0]}: command not found") from exc
    except subprocess.TimeoutExpired as exc:
        raise LabError(f"{' '.join(argv)}: no answer within {timeout} s") from exc
    if check and proc.returncode != 0:
        err = proc.stderr if isinstance(proc.stderr, str) else proc.stderr.decode(errors="replace")
        out = proc.stdout if isinstance(proc.stdout, str) else proc.stdout.decode(errors="replace")
        detail = (err.strip() or out.strip())[-2000:]
        raise LabError(f"{' '.join(argv)} failed (exit {proc.returncode}): {detail}")
    return proc


def require_root(what: str) -> None:
    if os.geteuid() != 0:
        raise LabError(f"{what} needs root (run as root or with sudo)")


def apt_install(packages: Sequence[str]) -> None:
    """Install Debian packages; a clear error where there is no apt."""
    require_root(f"installing {', '.join(packages)}")
    if shutil.which("apt-get") is None:
        raise LabError(
            f"{', '.join(packages)} missing and this machine has no apt-get: install them by hand"
        )
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-q"], env=env, timeout=600)
    run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        env=env,
        timeout=1200,
    )
