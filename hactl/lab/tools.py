"""Command-line tools the test suite needs on the control host, taken from Debian's archive.

``promtool`` (for ``promtool test rules``) comes from the same Debian package the nodes run, so the
rules are tested by the Prometheus version that will evaluate them. It is unpacked with
``dpkg -x`` into a cache directory rather than installed, which would start a Prometheus server.
"""

from __future__ import annotations

import fcntl
import shutil
import tempfile
from pathlib import Path

from hactl.errors import LabError
from hactl.lab._proc import require_root, run

CACHE = Path.home() / ".cache/hactl/tools"


def ensure_promtool(cache: Path = CACHE) -> Path:
    """Path to a promtool binary: one on PATH, or Debian's, unpacked into ``cache``."""
    found = shutil.which("promtool")
    if found:
        return Path(found)
    binary = cache / "prometheus/usr/bin/promtool"
    if binary.exists():
        return binary
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if binary.exists():
            return binary
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            download = ["apt-get", "download", "prometheus"]
            proc = run(download, check=False, timeout=600, cwd=tmp)
            if proc.returncode:  # stale or missing package lists
                require_root("refreshing the apt lists to fetch promtool")
                run(["apt-get", "update", "-q"], timeout=600)
                proc = run(download, check=False, timeout=600, cwd=tmp)
            debs = sorted(Path(tmp).glob("prometheus_*.deb"))
            if proc.returncode or not debs:
                raise LabError(f"apt-get download prometheus failed: {proc.stderr.strip()}")
            run(["dpkg", "-x", str(debs[0]), str(cache / "prometheus")], timeout=300)
    if not binary.exists():
        raise LabError(f"Debian's prometheus package has no {binary.relative_to(cache)}")
    return binary
