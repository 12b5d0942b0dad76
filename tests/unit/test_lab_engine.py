"""Docker engine bootstrap decisions, without touching the real engine."""

from __future__ import annotations

import pytest

from hactl.errors import LabError
from hactl.lab import aptcache, engine


def test_running_engine_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_server_version", lambda: "20.10.24")
    monkeypatch.setattr(engine.subprocess, "Popen", lambda *a, **k: pytest.fail("started dockerd"))
    state = engine.ensure_engine()
    assert state == engine.EngineState(server_version="20.10.24", started=False)


def test_not_root_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_server_version", lambda: None)
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    with pytest.raises(LabError, match="needs root"):
        engine.ensure_engine()


def test_engine_that_never_answers_times_out(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(engine, "_server_version", lambda: None)
    monkeypatch.setattr("os.geteuid", lambda: 0)
    monkeypatch.setattr(engine.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(engine, "DOCKERD_LOG", tmp_path / "dockerd.log")
    started: list[list[str]] = []
    monkeypatch.setattr(engine.subprocess, "Popen", lambda argv, **k: started.append(argv))
    with pytest.raises(LabError, match="did not answer within 0 s"):
        engine.ensure_engine(wait_s=0)
    assert started == [["dockerd"]]


def test_apt_cache_backend_is_pinned_to_the_host_mirror(tmp_path) -> None:
    assert aptcache._pin_debian_backend("http://m.example/debian", tmp_path) is True
    assert (tmp_path / "backends_debian").read_text() == "http://m.example/debian/\n"
    assert aptcache._pin_debian_backend("http://m.example/debian/", tmp_path) is False
