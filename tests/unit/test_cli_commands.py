"""The CLI end to end through a fake runner adapter that replays recorded runner events."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hactl import api
from hactl.cli.main import build_parser, main
from hactl.events import Event, Stats, parse
from hactl.runner import PlaybookRun, RunResult

EVENTS = json.loads((Path(__file__).parent / "data/runner_events.json").read_text())
SAMPLE = "inventories/sample/hosts.yml"


class FakeRunner:
    """Stands in for ansible-runner: feeds events, returns the stats of the last one."""

    def __init__(self, events: list[dict[str, Any]], status: str = "successful") -> None:
        self.events = events
        self.status = status
        self.runs: list[PlaybookRun] = []

    def __call__(
        self, run: PlaybookRun, on_event: Callable[[Event], None], cancelled: threading.Event
    ) -> RunResult:
        self.runs.append(run)
        stats = Stats()
        for raw in self.events:
            event = parse(raw)
            if event is not None:
                on_event(event)
            if isinstance(event, Stats):
                stats = event
        return RunResult(self.status, 0 if self.status == "successful" else 2, stats, None)


CLEAN = [
    {"event": "playbook_on_play_start", "event_data": {"play": "Prepare"}},
    {"event": "playbook_on_task_start", "event_data": {"play": "Prepare", "task": "t"}},
    {"event": "runner_on_ok", "event_data": {"host": "cp-1", "task": "t", "res": {}}},
    {"event": "playbook_on_stats", "event_data": {"ok": {"cp-1": 1}, "changed": {}}},
]
UNREACHABLE_ONLY = [
    {
        "event": "runner_on_unreachable",
        "event_data": {"host": "cp-1", "task": "t", "res": {"msg": "no route"}},
    },
    {"event": "playbook_on_stats", "event_data": {"dark": {"cp-1": 1}}},
]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., FakeRunner]:
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    monkeypatch.setattr(api, "RUNS_DIR", tmp_path / "runs")

    def install(events: list[dict[str, Any]], status: str = "successful") -> FakeRunner:
        runner = FakeRunner(events, status)
        monkeypatch.setattr(api, "DEFAULT_RUNNER", runner)
        return runner

    return install


def test_provision_clean_run(fake, capsys) -> None:
    runner = fake(CLEAN)
    assert main(["provision", "-i", SAMPLE, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "successful"
    assert doc["changed"] == 0
    assert doc["exit_code"] == 0
    (run,) = runner.runs
    assert run.playbook == "playbooks/site.yml"
    assert run.run_dir.name == "sample"
    assert run.ident.startswith("site-")


def test_provision_passes_limit_tags_check_diff(fake, capsys) -> None:
    runner = fake(CLEAN)
    args = ["provision", "-i", SAMPLE, "--limit", "cp-1", "--tags", "node_prep", "--check"]
    assert main([*args, "--diff"]) == 0
    (run,) = runner.runs
    assert (run.limit, run.tags, run.check, run.diff) == ("cp-1", "node_prep", True, True)
    assert "check mode" in capsys.readouterr().err


def test_provision_failure_names_failed_tasks_and_hosts(fake, capsys) -> None:
    fake(EVENTS, status="failed")
    assert main(["provision", "-i", SAMPLE]) == 2
    err = capsys.readouterr().err
    assert "FAILED n2 | Fail on n2: non-zero return code" in err
    assert "UNREACHABLE n3 | Say ok" in err


def test_provision_failure_json(fake, capsys) -> None:
    fake(EVENTS, status="failed")
    assert main(["provision", "-i", SAMPLE, "--json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["exit_code"] == 2
    assert {"host": "n2", "task": "Fail on n2", "message": "non-zero return code"}.items() <= (
        doc["failures"][1].items()
    )
    assert doc["stats"]["failures"] == {"n2": 1}


def test_provision_unreachable_only_exits_4(fake) -> None:
    fake(UNREACHABLE_ONLY, status="failed")
    assert main(["provision", "-i", SAMPLE, "--json"]) == 4


def test_provision_canceled_exits_130(fake) -> None:
    fake(CLEAN, status="canceled")
    assert main(["provision", "-i", SAMPLE, "--json"]) == 130


def test_invalid_inventory_never_reaches_the_runner(fake, tmp_path: Path, capsys) -> None:
    runner = fake(CLEAN)
    bad = tmp_path / "hosts.yml"
    bad.write_text("all:\n  children:\n    control_plane:\n      hosts:\n        a:\n        b:\n")
    assert main(["provision", "-i", str(bad), "--json"]) == 3
    doc = json.loads(capsys.readouterr().out)
    assert doc["exit_code"] == 3
    assert doc["problems"][0]["rule"] == "control_plane_quorum"
    assert runner.runs == []


def test_validate_ok_and_json(fake, capsys) -> None:
    assert main(["validate", "-i", SAMPLE, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["valid"] is True
    assert doc["groups"]["control_plane"] == ["cp-1", "cp-2", "cp-3"]


def test_validate_lists_every_problem(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "hosts.yml"
    bad.write_text(
        "all:\n  children:\n    control_plane:\n      hosts:\n        a:\n        b:\n"
        "  vars:\n    hactl_api_vipp: 1\n"
    )
    assert main(["validate", "-i", str(bad)]) == 3
    err = capsys.readouterr().err
    assert "group control_plane has 2 host(s)" in err
    assert "did you mean hactl_api_vip?" in err


def test_validate_yaml_error(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "hosts.yml"
    bad.write_text("all:\n  hosts:\n    a: [\n")
    assert main(["validate", "-i", str(bad)]) == 3
    assert f"{bad}:" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["validate"],
        ["preflight"],
        ["provision"],
        ["status"],
        ["lab"],
        ["lab", "up"],
        ["lab", "down"],
        ["lab", "inventory"],
    ],
)
def test_every_command_has_examples_and_json(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([*argv, "--help"])
    text = capsys.readouterr().out
    assert "examples:" in text
    if argv != ["lab"]:
        assert "--json" in text


def test_lab_inventory_missing(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["lab", "inventory", "--name", "nope"]) == 3
    assert "hactl lab up --name nope" in capsys.readouterr().err


def test_provision_diff_is_shown(fake, capsys) -> None:
    changed = {
        "event": "runner_on_ok",
        "event_data": {
            "host": "cp-1",
            "task": "Write config",
            "res": {"changed": True, "diff": {"before": "a\n", "after": "b\n"}},
        },
    }
    fake([changed, {"event": "playbook_on_stats", "event_data": {"changed": {"cp-1": 1}}}])
    assert main(["provision", "-i", SAMPLE, "--check", "--diff"]) == 0
    err = capsys.readouterr().err
    assert "--- cp-1 | Write config" in err
    assert "+b" in err
    assert "changed=1" in err


def test_backup_verb_runs_its_playbook_with_its_variables(fake) -> None:
    runner = fake(CLEAN)
    assert main(["backup", "-i", SAMPLE, "--fetch-dir", "/srv/backups"]) == 0
    (run,) = runner.runs
    assert run.playbook == "playbooks/etcd-backup.yml"
    assert run.extravars == {"etcd_backup_fetch_dir": "/srv/backups"}


def test_replace_node_needs_the_host(fake, capsys) -> None:
    runner = fake(CLEAN)
    with pytest.raises(SystemExit):
        main(["replace-node", "-i", SAMPLE])
    assert "--host" in capsys.readouterr().err
    assert runner.runs == []
    assert main(["replace-node", "-i", SAMPLE, "--host", "cp-3", "--check"]) == 0
    (run,) = runner.runs
    assert (run.playbook, run.extravars, run.check) == (
        "playbooks/etcd-replace-member.yml",
        {"etcd_replace_host": "cp-3"},
        True,
    )


def test_verbs_land_with_their_playbooks(tmp_path: Path) -> None:
    from hactl.cli import verbs

    assert {v.name for v in verbs.available()} >= {"backup", "restore", "heal-check"}
    assert verbs.available(tmp_path) == []  # no playbooks, no verbs


def test_switch_options_set_true_only_when_given(fake) -> None:
    runner = fake(CLEAN)
    assert main(["recover-control-plane", "-i", SAMPLE, "--node", "cp-2", "--lost"]) == 0
    assert main(["certs-check", "-i", SAMPLE]) == 0
    first, second = runner.runs
    assert first.extravars == {"hactl_node": "cp-2", "hactl_node_lost": True}
    assert second.extravars == {}
