"""The CLI renders api results and maps errors to exit codes."""

from __future__ import annotations

import json

import pytest

from hactl import api
from hactl.cli import main as cli
from hactl.errors import LabError


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("hactl ")


def test_lab_prepare_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = api.LabPrepared("20.10", True, "http://127.0.0.1:3142", {"bookworm": "t:1"}, ["t:1"])
    monkeypatch.setattr(api, "lab_prepare", lambda releases: result)
    assert cli.main(["lab", "prepare", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["images"] == {"bookworm": "t:1"}
    assert out["docker_started"] is True


def test_lab_errors_exit_with_their_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(releases):
        raise LabError("debootstrap missing")

    monkeypatch.setattr(api, "lab_prepare", fail)
    assert cli.main(["lab", "prepare"]) == LabError.exit_code
    assert "hactl: debootstrap missing" in capsys.readouterr().err


def test_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(release):
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "lab_image", interrupted)
    assert cli.main(["lab", "image", "--release", "trixie"]) == 130
