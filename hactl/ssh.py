"""SSH to inventory hosts with paramiko, the way Ansible would: same user, key and known_hosts.

A host key is checked against the known_hosts file Ansible uses for that host (the
``UserKnownHostsFile`` in ``ansible_ssh_common_args``/``ansible_ssh_extra_args``, else
~/.ssh/known_hosts); an unknown or different key is refused, never added.
"""

from __future__ import annotations

import getpass
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko

CONNECT_TIMEOUT_S = 10.0
COMMAND_TIMEOUT_S = 30.0


class SshFailure(Exception):
    """Why a host could not be reached; ``stage`` is reachable, host_key or auth."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(message)
        self.stage = stage


@dataclass(frozen=True)
class Target:
    name: str
    host: str
    port: int
    user: str
    key_file: str | None
    known_hosts: Path

    def describe(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"


def _known_hosts_from_args(hostvars: Mapping[str, Any]) -> Path | None:
    for key in ("ansible_ssh_common_args", "ansible_ssh_extra_args"):
        args = shlex.split(str(hostvars.get(key) or ""))
        for i, arg in enumerate(args):
            opt = arg
            if arg == "-o" and i + 1 < len(args):
                opt = args[i + 1]
            elif arg.startswith("-o"):
                opt = arg[2:]
            name, _, value = opt.partition("=")
            if name.strip().lower() == "userknownhostsfile" and value:
                return Path(value.split()[0]).expanduser()
    return None


def target(name: str, hostvars: Mapping[str, Any]) -> Target:
    """Connection settings of one inventory host, from its Ansible variables."""
    key = hostvars.get("ansible_ssh_private_key_file") or hostvars.get("ansible_private_key_file")
    return Target(
        name=name,
        host=str(hostvars.get("ansible_host") or name),
        port=int(hostvars.get("ansible_port") or 22),
        user=str(hostvars.get("ansible_user") or getpass.getuser()),
        key_file=str(Path(str(key)).expanduser()) if key else None,
        known_hosts=_known_hosts_from_args(hostvars) or Path("~/.ssh/known_hosts").expanduser(),
    )


@dataclass(frozen=True)
class Output:
    rc: int
    stdout: str
    stderr: str


class Session:
    """One open SSH connection; use as a context manager."""

    def __init__(self, tgt: Target, timeout: float = CONNECT_TIMEOUT_S) -> None:
        self.target = tgt
        self.client = paramiko.SSHClient()
        if tgt.known_hosts.exists():
            self.client.load_host_keys(str(tgt.known_hosts))
        self.client.set_missing_host_key_policy(paramiko.RejectPolicy())
        try:
            self.client.connect(
                tgt.host,
                port=tgt.port,
                username=tgt.user,
                key_filename=tgt.key_file,
                timeout=timeout,
                banner_timeout=timeout,
                auth_timeout=timeout,
                allow_agent=tgt.key_file is None,
                look_for_keys=tgt.key_file is None,
            )
        except paramiko.BadHostKeyException as exc:
            self.client.close()
            raise SshFailure(
                "host_key",
                f"host key of {tgt.host}:{tgt.port} does NOT match {tgt.known_hosts} "
                f"(got {exc.key.get_name()} {exc.key.fingerprint}); refusing to connect",
            ) from exc
        except paramiko.AuthenticationException as exc:
            self.client.close()
            raise SshFailure("auth", f"authentication as {tgt.user} failed: {exc}") from exc
        except paramiko.SSHException as exc:
            self.client.close()
            if "known_hosts" in str(exc):
                raise SshFailure(
                    "host_key",
                    f"host key of {tgt.host}:{tgt.port} is not in {tgt.known_hosts}; "
                    "add it after checking its fingerprint (hactl never accepts it silently)",
                ) from exc
            raise SshFailure("reachable", f"SSH handshake failed: {exc}") from exc
        except (TimeoutError, OSError) as exc:
            self.client.close()
            raise SshFailure(
                "reachable", f"cannot connect to {tgt.host}:{tgt.port}: {exc}"
            ) from exc

    def run(self, command: str, timeout: float = COMMAND_TIMEOUT_S) -> Output:
        _, stdout, stderr = self.client.exec_command(command, timeout=timeout)
        out = stdout.read().decode(errors="replace")
        err = stderr.read().decode(errors="replace")
        return Output(stdout.channel.recv_exit_status(), out, err)

    def sudo(self, command: str, timeout: float = COMMAND_TIMEOUT_S) -> Output:
        if self.target.user == "root":
            return self.run(command, timeout)
        return self.run(f"sudo -n -- sh -c {shlex.quote(command)}", timeout)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
