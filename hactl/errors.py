"""One exception hierarchy for hactl, and the exit code each one maps to."""

from __future__ import annotations


class HactlError(Exception):
    """Base of every error hactl reports to a person; ``exit_code`` is what the CLI returns."""

    exit_code = 1


class PlaybookFailed(HactlError):
    exit_code = 2


class InvalidConfig(HactlError):
    exit_code = 3


class HostsUnreachable(HactlError):
    exit_code = 4


class LabError(HactlError):
    """The local lab (Docker engine, node images, apt cache) could not be prepared."""

    exit_code = 5


class Interrupted(HactlError):
    exit_code = 130


EXIT_CODES: dict[str, int] = {
    "ok": 0,
    "error": HactlError.exit_code,
    "playbook_failed": PlaybookFailed.exit_code,
    "invalid_config": InvalidConfig.exit_code,
    "hosts_unreachable": HostsUnreachable.exit_code,
    "lab_error": LabError.exit_code,
    "interrupted": Interrupted.exit_code,
}
