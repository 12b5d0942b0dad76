"""The runner adapter: the only module that imports ansible_runner.

A playbook run is described by ``PlaybookRun`` and returns ``RunResult``; the API takes any
callable of that shape, so tests drive the CLI through a fake adapter with recorded events.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from hactl.events import Event, Stats, parse

REPO = Path(__file__).resolve().parents[1]
# The process environment a run inherits, beyond ANSIBLE_* and what the caller passes explicitly.
_BASE_ENV = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "TERM", "TMPDIR", "SSH_AUTH_SOCK", "TZ")


@dataclass(frozen=True)
class PlaybookRun:
    playbook: str  # relative to the repository root, e.g. playbooks/site.yml
    inventory: Path
    run_dir: Path  # ansible-runner's private data dir; artifacts/<ident>/ lands under it
    ident: str = ""
    limit: str | None = None
    tags: str | None = None
    check: bool = False
    diff: bool = False
    extravars: dict[str, Any] = field(default_factory=dict)
    envvars: dict[str, str] = field(default_factory=dict)
    keep_artifacts: int = 10


@dataclass(frozen=True)
class RunResult:
    status: str  # successful | failed | canceled | timeout
    rc: int
    stats: Stats
    artifacts: Path | None


class RunnerAdapter(Protocol):
    def __call__(
        self,
        run: PlaybookRun,
        on_event: Callable[[Event], None],
        cancelled: threading.Event,
    ) -> RunResult: ...


def run_environment(environ: Mapping[str, str], explicit: Mapping[str, str]) -> dict[str, str]:
    """ANSIBLE_* from this process, a few basics (PATH, HOME...), then the explicit ones."""
    env = {k: v for k, v in environ.items() if k.startswith("ANSIBLE_") or k in _BASE_ENV}
    env["ANSIBLE_CONFIG"] = str(REPO / "ansible.cfg")
    env.setdefault("ANSIBLE_FORCE_COLOR", "0")
    # ansible-runner turns host key checking off unless told otherwise: a host key must never be
    # accepted silently, so the run keeps it on (an operator may still set it explicitly).
    env.setdefault("ANSIBLE_HOST_KEY_CHECKING", "True")
    env.update(explicit)
    return env


def _cmdline(run: PlaybookRun) -> str | None:
    flags = [f for f, on in (("--check", run.check), ("--diff", run.diff)) if on]
    return " ".join(flags) or None


def ansible_runner_adapter(
    run: PlaybookRun, on_event: Callable[[Event], None], cancelled: threading.Event
) -> RunResult:
    """Run a playbook with ansible-runner; events go to ``on_event`` as typed views."""
    import ansible_runner  # the one import of ansible_runner in hactl
    from ansible_runner.interface import init_runner

    run.run_dir.mkdir(parents=True, exist_ok=True)
    final_stats: list[Stats] = []

    def handler(raw: dict[str, Any]) -> bool:
        event = parse(raw)
        if isinstance(event, Stats):
            final_stats.append(event)
        if event is not None:
            on_event(event)
        return True  # keep the event in the artifacts

    env = run_environment(os.environ, run.envvars)
    runner = init_runner(
        private_data_dir=str(run.run_dir),
        ident=run.ident or new_ident("run"),
        project_dir=str(REPO),
        playbook=str(REPO / run.playbook),
        inventory=str(run.inventory),
        limit=run.limit,
        tags=run.tags,
        cmdline=_cmdline(run),
        extravars=dict(run.extravars) or None,
        envvars=env,
        json_mode=True,
        quiet=True,
        suppress_env_files=True,
        rotate_artifacts=run.keep_artifacts,
        event_handler=handler,
        cancel_callback=cancelled.is_set,
    )
    # ansible-runner seeds a run's environment with this whole process's; keep only ours.
    runner.config.env = {
        k: v for k, v in runner.config.env.items() if k in env or k not in os.environ
    }
    assert isinstance(runner, ansible_runner.Runner)
    runner.run()
    stats = final_stats[-1] if final_stats else Stats.from_runner(runner.stats)
    artifacts = Path(runner.config.artifact_dir) if runner.config.artifact_dir else None
    return RunResult(status=runner.status, rc=runner.rc or 0, stats=stats, artifacts=artifacts)


def new_ident(label: str) -> str:
    """A name for one run's artifact directory: <label>-<UTC time>-<pid>."""
    return f"{label}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{os.getpid()}"
