"""Event views and the progress model, from events recorded from a real ansible-runner run.

tests/unit/data/runner_events.json: three hosts; n1 ok, n2 fails a task, n3 unreachable.
"""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from hactl.cli import _render
from hactl.events import HostResult, PlayStart, Stats, TaskStart, parse, replay

EVENTS = json.loads((Path(__file__).parent / "data/runner_events.json").read_text())


def test_parse_kinds() -> None:
    kinds = [type(parse(e)).__name__ for e in EVENTS if parse(e) is not None]
    assert kinds[0] == "PlayStart"
    assert kinds[-1] == "Stats"
    assert "TaskStart" in kinds
    assert "HostResult" in kinds


def test_unreachable_and_failed_results_carry_messages() -> None:
    results = [parse(e) for e in EVENTS]
    bad = [r for r in results if isinstance(r, HostResult) and r.status != "ok"]
    unreachable = next(r for r in bad if r.status == "unreachable")
    failed = next(r for r in bad if r.status == "failed")
    assert unreachable.host == "n3"
    assert "Connection refused" in unreachable.message
    assert (failed.host, failed.task, failed.message) == (
        "n2",
        "Fail on n2",
        "non-zero return code",
    )


def test_progress_counts_match_runner_stats() -> None:
    progress = replay(EVENTS)
    stats = progress.stats
    assert isinstance(stats, Stats)
    assert stats.changed == {"n1": 1, "n2": 1}
    assert stats.failures == {"n2": 1}
    assert stats.unreachable == {"n3": 1}
    assert stats.failed_hosts() == ["n2", "n3"]
    assert progress.hosts["n1"].ok == stats.ok["n1"]
    assert progress.hosts["n1"].changed == 1
    assert progress.hosts["n3"].unreachable
    assert progress.hosts["n1"].task == "After failure"
    assert [(f.host, f.task) for f in progress.failures] == [
        ("n3", "Say ok"),
        ("n2", "Fail on n2"),
    ]


def test_stats_total_changed_reads_runner_stats() -> None:
    stats = Stats.from_runner({"ok": {"a": 3}, "changed": {"a": 0, "b": 0}, "dark": {}})
    assert stats.total_changed == 0
    assert stats.hosts == ["a", "b"]


def test_ignored_failures_are_not_failures() -> None:
    progress = replay(
        [
            {"event": "playbook_on_play_start", "event_data": {"play": "p"}},
            {"event": "playbook_on_task_start", "event_data": {"play": "p", "task": "t"}},
            {
                "event": "runner_on_failed",
                "event_data": {"host": "h", "task": "t", "ignore_errors": True, "res": {}},
            },
        ]
    )
    assert progress.failures == []
    assert progress.play == "p"


def test_typed_views() -> None:
    assert parse({"event": "playbook_on_play_start", "event_data": {"play": "x"}}) == PlayStart("x")
    assert parse({"event": "playbook_on_task_start", "event_data": {"task": "t"}}) == TaskStart(
        "", "t"
    )
    assert parse({"event": "verbose"}) is None


def test_rendering_recap_and_progress(monkeypatch) -> None:
    console = Console(record=True, width=160, color_system=None)
    monkeypatch.setattr(_render, "err", console)
    progress = replay(EVENTS)

    class Result:
        stats = progress.stats
        failures = progress.failures
        diffs = progress.diffs
        status = "failed"
        changed = 2
        check = False
        artifacts = Path("/tmp/artifacts")

    _render.print_recap(Result())
    console.print(_render.progress_table(progress))
    text = console.export_text()
    assert "FAILED n2 | Fail on n2: non-zero return code" in text
    assert "UNREACHABLE n3 | Say ok" in text
    assert "provision failed: changed=2" in text
    assert "After failure" in text


def test_diffs_from_changed_results() -> None:
    event = {
        "event": "runner_on_ok",
        "event_data": {
            "host": "cp-1",
            "task": "time | Configure chrony",
            "res": {
                "changed": True,
                "diff": [
                    {
                        "before": "pool a iburst\n",
                        "after": "server 10.0.0.11 iburst\n",
                        "before_header": "/etc/chrony/chrony.conf",
                        "after_header": "/etc/chrony/chrony.conf",
                    }
                ],
            },
        },
    }
    result = parse(event)
    assert isinstance(result, HostResult)
    assert "-pool a iburst" in result.diff
    assert "+server 10.0.0.11 iburst" in result.diff
    progress = replay([event])
    assert [(d.host, d.task) for d in progress.diffs] == [("cp-1", "time | Configure chrony")]
