"""A shared apt cache (apt-cacher-ng) on the lab host, used by every node container.

Node images carry a Proxy-Auto-Detect script that uses the cache at the container's default
gateway when it answers, so every scenario downloads each Debian package once per machine.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path

from hactl.errors import LabError
from hactl.lab._proc import apt_install, require_root, run

PORT = 3142


def answers(host: str = "127.0.0.1", port: int = PORT, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def proxy_url() -> str | None:
    """The cache's URL as seen from this host, or None when it is not running."""
    return f"http://127.0.0.1:{PORT}" if answers() else None


def _pin_debian_backend(archive: str, conf_dir: Path) -> bool:
    """Point the cache's Debian remap at the host's own mirror; True when the file changed.

    apt-cacher-ng maps every known Debian mirror name onto one backend list; left empty, it
    answers "503 Host not found" on machines whose mirror name resolves only through /etc/hosts.
    """
    backends = conf_dir / "backends_debian"
    want = f"{archive.rstrip('/')}/\n"
    if backends.exists() and backends.read_text() == want:
        return False
    backends.write_text(want)
    return True


def ensure_apt_cache(wait_s: float = 30.0) -> str:
    """Install and start apt-cacher-ng when it is not answering; return its local URL."""
    from hactl.lab.images import host_mirrors  # images imports this module

    conf_dir = Path("/etc/apt-cacher-ng")
    running = answers()
    if running and not os.access(conf_dir, os.W_OK):
        return f"http://127.0.0.1:{PORT}"
    require_root("starting the apt cache")
    if shutil.which("apt-cacher-ng") is None and not Path("/usr/sbin/apt-cacher-ng").exists():
        apt_install(["apt-cacher-ng"])
    changed = _pin_debian_backend(host_mirrors().archive, conf_dir)
    if running and not changed:
        return f"http://127.0.0.1:{PORT}"
    init = Path("/etc/init.d/apt-cacher-ng")
    if init.exists():
        run([str(init), "restart" if running else "start"], timeout=60)
    else:
        run(["/usr/sbin/apt-cacher-ng", "-c", "/etc/apt-cacher-ng", "ForeGround=0"], timeout=60)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if answers():
            return f"http://127.0.0.1:{PORT}"
        time.sleep(0.5)
    raise LabError(f"apt-cacher-ng started but does not answer on port {PORT}")
