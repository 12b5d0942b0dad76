"""Preflight against a real sshd that the test starts on loopback (a high port, a temp config).

Needs the openssh-server package (/usr/sbin/sshd); CI installs it (see README, "Tests").
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hactl import inventory, preflight
from hactl.cli.main import main

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
pytestmark = pytest.mark.skipif(
    not Path(SSHD).exists(), reason="needs openssh-server (apt-get install openssh-server)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return Path(f"{path}.pub").read_text().split()[:2]


@dataclass
class Sshd:
    port: int
    dir: Path
    host_key_line: str
    client_key: Path


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    d = tmp_path_factory.mktemp("sshd")
    d.chmod(0o755)
    host_type, host_key = _keygen(d / "host_ed25519")
    _keygen(d / "client")
    (d / "authorized_keys").write_text(Path(f"{d}/client.pub").read_text())
    port = _free_port()
    (d / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_ed25519\n"
        f"PidFile {d}/sshd.pid\nAuthorizedKeysFile {d}/authorized_keys\n"
        "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
    )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation dir
    proc = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(d / "sshd_config")],
        stdout=subprocess.DEVNULL,
        stderr=open(d / "sshd.log", "w"),  # noqa: SIM115  closed with the process
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"sshd exited: {(d / 'sshd.log').read_text()}")
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("sshd did not start listening within 15 s")
    yield Sshd(port, d, f"[127.0.0.1]:{port} {host_type} {host_key}", d / "client")
    proc.terminate()
    proc.wait(timeout=10)


def _inventory(tmp: Path, sshd: Sshd, known_hosts: str) -> Path:
    kh = tmp / "known_hosts"
    kh.write_text(known_hosts)
    path = tmp / "hosts.yml"
    path.write_text(
        "all:\n  children:\n    control_plane:\n      hosts:\n        local:\n"
        f"          ansible_host: 127.0.0.1\n          ansible_port: {sshd.port}\n"
        "  vars:\n"
        "    hactl_allow_non_ha: true\n"
        f"    hactl_preflight_ports: [{sshd.port}]\n"
        f"    ansible_user: {getpass.getuser()}\n"
        f"    ansible_ssh_private_key_file: {sshd.client_key}\n"
        f"    ansible_ssh_common_args: -o UserKnownHostsFile={kh}\n"
    )
    return path


def _checks(report: preflight.PreflightReport) -> dict[str, preflight.Check]:
    (host,) = report.hosts
    return {c.name: c for c in host.checks}


@pytest.mark.skipif(os.geteuid() != 0, reason="the sudo check logs in as root here")
def test_preflight_passes_every_check_on_a_known_host(sshd: Sshd, tmp_path: Path) -> None:
    inv = inventory.load_valid(_inventory(tmp_path, sshd, sshd.host_key_line + "\n"))
    checks = _checks(preflight.run(inv, min_free_gib=0.01))
    for name in ("reachable", "host_key", "auth", "sudo", "python3", "clock", "disk"):
        assert checks[name].ok, checks[name]
    assert "Python 3" in checks["python3"].detail
    # The port this sshd listens on was required free: preflight names who holds it.
    assert not checks["ports"].ok
    assert f"{sshd.port} (held by sshd)" in checks["ports"].detail


def test_wrong_host_key_aborts(sshd: Sshd, tmp_path: Path, capsys) -> None:
    _, wrong = _keygen(tmp_path / "other")
    path = _inventory(tmp_path, sshd, f"[127.0.0.1]:{sshd.port} ssh-ed25519 {wrong}\n")
    checks = _checks(preflight.run(inventory.load_valid(path)))
    assert list(checks) == ["reachable", "host_key"]  # nothing runs after a bad key
    assert not checks["host_key"].ok
    assert "does NOT match" in checks["host_key"].detail
    assert main(["preflight", "-i", str(path), "--json"]) == 4
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is False


def test_unknown_host_key_is_never_accepted(sshd: Sshd, tmp_path: Path) -> None:
    path = _inventory(tmp_path, sshd, "")
    checks = _checks(preflight.run(inventory.load_valid(path)))
    assert not checks["host_key"].ok
    assert "not in" in checks["host_key"].detail
    assert (tmp_path / "known_hosts").read_text() == ""


def test_unreachable_port(tmp_path: Path, sshd: Sshd) -> None:
    dead = Sshd(_free_port(), sshd.dir, sshd.host_key_line, sshd.client_key)
    checks = _checks(preflight.run(inventory.load_valid(_inventory(tmp_path, dead, ""))))
    assert list(checks) == ["reachable"]
    assert not checks["reachable"].ok


def test_wrong_client_key_fails_auth(tmp_path: Path, sshd: Sshd) -> None:
    _keygen(tmp_path / "stranger")
    stranger = Sshd(sshd.port, sshd.dir, sshd.host_key_line, tmp_path / "stranger")
    path = _inventory(tmp_path, stranger, sshd.host_key_line + "\n")
    checks = _checks(preflight.run(inventory.load_valid(path)))
    assert [c for c in checks if not checks[c].ok] == ["auth"]
