"""Rendering shared by the commands: JSON for machines, rich text for people."""

from __future__ import annotations

import dataclasses
import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from hactl.events import Event, Progress, Stats

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
STATE_STYLE = {
    "healthy": "green",
    "degraded": "yellow",
    "failed": "red",
    "skipped": "dim",
    True: "green",
    False: "red",
}


def plain(value: Any) -> Any:
    """Dataclasses, paths and problems as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "as_dict"):
        return value.as_dict()
    return value


def print_json(value: Any, **extra: Any) -> None:
    data = plain(value)
    if isinstance(data, dict):
        data.update(plain(extra))
    print(json.dumps(data, indent=2, sort_keys=False))


def problem_text(problem: Any) -> str:
    return str(problem)


def stats_table(stats: Stats) -> Table:
    table = Table(title="recap", show_edge=False)
    for col in ("host", "ok", "changed", "failed", "unreachable", "skipped"):
        table.add_column(col, justify="left" if col == "host" else "right")
    for host in stats.hosts:
        failed = stats.failures.get(host, 0)
        dark = stats.unreachable.get(host, 0)
        style = "red" if failed or dark else ("yellow" if stats.changed.get(host) else "green")
        table.add_row(
            f"[{style}]{host}[/]",
            str(stats.ok.get(host, 0)),
            str(stats.changed.get(host, 0)),
            str(failed),
            str(dark),
            str(stats.skipped.get(host, 0)),
        )
    return table


def progress_table(progress: Progress) -> Table:
    table = Table(title=f"[bold]{progress.play}[/]", show_edge=False)
    for col in ("host", "task", "ok", "changed", "failed", "skipped"):
        table.add_column(col, justify="right" if col not in ("host", "task") else "left")
    for hp in sorted(progress.hosts.values(), key=lambda h: h.host):
        task = "[red]UNREACHABLE[/]" if hp.unreachable else hp.task
        table.add_row(hp.host, task, str(hp.ok), str(hp.changed), str(hp.failed), str(hp.skipped))
    return table


class LiveProgress:
    """Per host: current task and counts, redrawn on each event (plain lines off a terminal)."""

    def __init__(self, enabled: bool = True) -> None:
        self.progress = Progress()
        self.enabled = enabled
        self.live: Live | None = None

    def __enter__(self) -> LiveProgress:
        if self.enabled and err.is_terminal:
            self.live = Live(progress_table(self.progress), console=err, refresh_per_second=4)
            self.live.__enter__()
        return self

    def __call__(self, event: Event) -> None:
        before = (self.progress.play, self.progress.task, len(self.progress.failures))
        self.progress.feed(event)
        if self.live is not None:
            self.live.update(progress_table(self.progress))
        elif self.enabled:
            if self.progress.play != before[0]:
                err.print(f"play: {self.progress.play}")
            if self.progress.task != before[1]:
                err.print(f"  task: {self.progress.task}", markup=False)
            for failure in self.progress.failures[before[2] :]:
                err.print(f"[red]failed[/] {failure.host}: {failure.task}")

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)


@contextmanager
def cancel_on_ctrl_c() -> Iterator[threading.Event]:
    """First Ctrl-C asks the runner to stop Ansible cleanly; a second one interrupts hactl."""
    cancelled = threading.Event()

    def handler(signum: int, frame: Any) -> None:
        if cancelled.is_set():
            raise KeyboardInterrupt
        cancelled.set()
        err.print("[yellow]stopping the run (Ctrl-C again to abort at once)[/]")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield cancelled
    finally:
        signal.signal(signal.SIGINT, previous)


def print_recap(result: Any) -> None:
    """The end of a provision run: diffs (--diff), per-host stats, each failed task and host."""
    for diff in result.diffs:
        err.print(f"[bold]--- {diff.host} | {diff.task}[/]")
        err.print(diff.text, markup=False)
    err.print(stats_table(result.stats))
    for failure in result.failures:
        kind = "UNREACHABLE" if failure.unreachable else "FAILED"
        err.print(f"[red]{kind}[/] {failure.host} | {failure.task}: {failure.message}")
    verdict = {
        "successful": "[green]ok[/]",
        "canceled": "[yellow]interrupted[/]",
    }.get(result.status, "[red]failed[/]")
    mode = " (check mode)" if result.check else ""
    err.print(f"provision {verdict}{mode}: changed={result.changed}; artifacts {result.artifacts}")


def print_status(result: Any) -> None:
    table = Table(show_edge=False)
    table.add_column("component")
    table.add_column("state")
    table.add_column("summary")
    for comp in result.components:
        style = STATE_STYLE.get(comp.state, "")
        table.add_row(comp.name, f"[{style}]{comp.state}[/]", comp.summary)
    out.print(table)
    for host, why in sorted(result.unreachable.items()):
        out.print(f"[red]unreachable[/] {host}: {why}")
    out.print(f"cluster: [{STATE_STYLE[result.state]}]{result.state}[/]")
