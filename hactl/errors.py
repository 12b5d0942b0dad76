"""One exception hierarchy for hactl, and the exit code each one maps to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class HactlError(Exception):
    """Base of every error hactl reports to a person; ``exit_code`` is what the CLI returns.

    ``problems`` carries the individual reasons (validation problems, failed hosts) so that the CLI
    can list every one of them, readable or as JSON.
    """

    exit_code = 1

    def __init__(self, message: str, problems: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class PlaybookFailed(HactlError):
    exit_code = 2


class InvalidConfig(HactlError):
    exit_code = 3


class HostsUnreachable(HactlError):
    exit_code = 4


class LabError(HactlError):
    """The local lab (Docker engine, node images, apt cache) could not be prepared."""

    exit_code = 5


class DrillRefused(HactlError):
    """A drill was not started: production without confirmation, cluster not healthy, ..."""

    exit_code = 8


class DrillFailed(HactlError):
    """A drill ran, and a trial failed: no failover, lost writes, redundancy not restored."""

    exit_code = 9


class Interrupted(HactlError):
    exit_code = 130


# `hactl status`: a cluster that answers but is not fully healthy is not an error of hactl's, so
# these are exit codes, not exceptions.
STATUS_EXIT_CODES: dict[str, int] = {"healthy": 0, "degraded": 6, "failed": 7}

EXIT_CODES: dict[str, int] = {
    "ok": 0,
    "error": HactlError.exit_code,
    "playbook_failed": PlaybookFailed.exit_code,
    "invalid_config": InvalidConfig.exit_code,
    "hosts_unreachable": HostsUnreachable.exit_code,
    "lab_error": LabError.exit_code,
    "cluster_degraded": STATUS_EXIT_CODES["degraded"],
    "cluster_failed": STATUS_EXIT_CODES["failed"],
    "drill_refused": DrillRefused.exit_code,
    "drill_failed": DrillFailed.exit_code,
    "interrupted": Interrupted.exit_code,
}
