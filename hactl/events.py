"""Typed views over ansible-runner's events and stats, and the progress model built from them.

Events are the dicts ansible-runner hands to an ``event_handler``; nothing here imports
ansible_runner, so recorded events (tests/unit/data/) drive the same code as a live run.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_RESULT_STATUS = {
    "runner_on_ok": "ok",
    "runner_on_failed": "failed",
    "runner_on_unreachable": "unreachable",
    "runner_on_skipped": "skipped",
    "runner_item_on_failed": "failed",
}


@dataclass(frozen=True)
class PlayStart:
    play: str


@dataclass(frozen=True)
class TaskStart:
    play: str
    task: str
    hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class HostResult:
    host: str
    task: str
    status: str  # ok | failed | unreachable | skipped
    changed: bool
    message: str = ""
    ignore_errors: bool = False
    diff: str = ""


@dataclass(frozen=True)
class Stats:
    """The play recap, per host: read from the ``playbook_on_stats`` event (runner stats)."""

    ok: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    unreachable: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    rescued: dict[str, int] = field(default_factory=dict)
    ignored: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_runner(cls, stats: Mapping[str, Any] | None) -> Stats:
        stats = stats or {}

        def part(key: str) -> dict[str, int]:
            return {str(h): int(n) for h, n in (stats.get(key) or {}).items()}

        return cls(
            ok=part("ok"),
            changed=part("changed"),
            failures=part("failures"),
            unreachable=part("dark"),
            skipped=part("skipped"),
            rescued=part("rescued"),
            ignored=part("ignored"),
        )

    @property
    def hosts(self) -> list[str]:
        names: set[str] = set()
        for part in (self.ok, self.changed, self.failures, self.unreachable, self.skipped):
            names.update(part)
        return sorted(names)

    @property
    def total_changed(self) -> int:
        return sum(self.changed.values())

    def failed_hosts(self) -> list[str]:
        return sorted(h for h in self.hosts if self.failures.get(h) or self.unreachable.get(h))


Event = PlayStart | TaskStart | HostResult | Stats


def _message(res: Mapping[str, Any]) -> str:
    msg = res.get("msg") or res.get("stderr") or res.get("reason") or ""
    if not msg and isinstance(res.get("results"), list):
        for item in res["results"]:
            if isinstance(item, Mapping) and item.get("failed"):
                return _message(item)
    if isinstance(msg, list):
        msg = "; ".join(str(m) for m in msg)
    return str(msg).strip()


def diff_text(res: Mapping[str, Any]) -> str:
    """A task result's ``diff`` (what --diff asks modules for) as unified diff text."""
    entries = res.get("diff") or []
    if isinstance(entries, Mapping):
        entries = [entries]
    chunks = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        if entry.get("prepared"):
            chunks.append(str(entry["prepared"]).rstrip("\n"))
            continue
        before, after = entry.get("before", ""), entry.get("after", "")
        if not isinstance(before, str) or not isinstance(after, str) or before == after:
            continue
        lines = difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=str(entry.get("before_header", "before")),
            tofile=str(entry.get("after_header", "after")),
        )
        chunks.append("".join(lines).rstrip("\n"))
    return "\n".join(c for c in chunks if c)


def parse(event: Mapping[str, Any]) -> Event | None:
    """One runner event as a typed view, or None for events the progress view ignores."""
    kind = event.get("event", "")
    data = event.get("event_data") or {}
    if kind == "playbook_on_play_start":
        return PlayStart(play=str(data.get("play", "")))
    if kind in ("playbook_on_task_start", "playbook_on_handler_task_start"):
        return TaskStart(play=str(data.get("play", "")), task=str(data.get("task", "")))
    if kind in _RESULT_STATUS:
        res = data.get("res") or {}
        status = _RESULT_STATUS[kind]
        return HostResult(
            host=str(data.get("host", "")),
            task=str(data.get("task", "")),
            status=status,
            changed=bool(res.get("changed", False)),
            message=_message(res) if status in ("failed", "unreachable") else "",
            ignore_errors=bool(data.get("ignore_errors")),
            diff=diff_text(res) if status == "ok" and res.get("changed") else "",
        )
    if kind == "playbook_on_stats":
        return Stats.from_runner(data)
    return None


@dataclass
class HostProgress:
    host: str
    task: str = ""
    ok: int = 0
    changed: int = 0
    failed: int = 0
    skipped: int = 0
    unreachable: bool = False


@dataclass(frozen=True)
class Failure:
    host: str
    task: str
    message: str
    unreachable: bool = False


@dataclass(frozen=True)
class Diff:
    host: str
    task: str
    text: str


@dataclass
class Progress:
    """What a person watching a run wants to see: per host, the current task and counts."""

    play: str = ""
    task: str = ""
    hosts: dict[str, HostProgress] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    diffs: list[Diff] = field(default_factory=list)
    stats: Stats | None = None

    def host(self, name: str) -> HostProgress:
        return self.hosts.setdefault(name, HostProgress(name))

    def feed(self, event: Event | None) -> None:
        if isinstance(event, PlayStart):
            self.play = event.play
        elif isinstance(event, TaskStart):
            self.task = event.task
            for hp in self.hosts.values():
                if not hp.unreachable:
                    hp.task = event.task
        elif isinstance(event, HostResult):
            hp = self.host(event.host)
            hp.task = event.task
            if event.status == "ok":
                hp.ok += 1
                hp.changed += int(event.changed)
                if event.diff:
                    self.diffs.append(Diff(event.host, event.task, event.diff))
            elif event.status == "skipped":
                hp.skipped += 1
            elif event.status == "unreachable":
                hp.unreachable = True
                self.failures.append(Failure(event.host, event.task, event.message, True))
            elif event.status == "failed" and not event.ignore_errors:
                hp.failed += 1
                self.failures.append(Failure(event.host, event.task, event.message))
        elif isinstance(event, Stats):
            self.stats = event


def replay(events: Iterable[Mapping[str, Any]]) -> Progress:
    progress = Progress()
    for raw in events:
        progress.feed(parse(raw))
    return progress
