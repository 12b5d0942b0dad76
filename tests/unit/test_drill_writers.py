"""The acknowledged-write probes' node scripts, run here with this Python, and how the controller
reads their lines (RemoteWriter._read)."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

from hactl.drill.probes import RemoteWriter
from hactl.drill.writers import FILE_WRITER


class _Channel:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def makefile(self, mode: str) -> io.BytesIO:
        return io.BytesIO(self._data)


def _run_file_writer(
    target: Path, interval: str, max_s: str, stop: Path
) -> tuple[RemoteWriter, str]:
    """FILE_WRITER run here to its bound, its output read as the controller reads it."""
    out = subprocess.run(
        [sys.executable, "-", str(target), interval, max_s, str(stop)],
        input=FILE_WRITER,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    writer = RemoteWriter(session=None, script=FILE_WRITER, args=[])  # type: ignore[arg-type]
    writer._read(_Channel(out.encode()))
    return writer, out


def test_file_writer_lines_carry_when_each_write_began(tmp_path: Path) -> None:
    target = tmp_path / "data" / "log"
    target.parent.mkdir()
    before = time.time()
    writer, _ = _run_file_writer(target, "0.01", "0.5", tmp_path / "stop")
    after = time.time()
    written = {int(line) for line in target.read_text().split()}
    assert writer.acked == written and len(written) > 5
    assert not writer.errors and not writer.failed
    starts = [p.started for p in writer.probes]
    assert all(s is not None and before <= s <= after for s in starts), starts
    assert starts == sorted(starts)


def test_a_failed_write_is_read_with_its_start_and_errno(tmp_path: Path) -> None:
    # The target's directory does not exist: every write fails with ENOENT, and stops at max_s.
    writer, out = _run_file_writer(tmp_path / "no" / "log", "0.05", "0.3", tmp_path / "stop")
    assert writer.failed and not writer.acked
    assert all(not p.ok and p.started is not None for p in writer.probes)
    assert out.split("\n")[0].split()[3] == "2"  # errno ENOENT after the start time


def test_a_line_without_a_start_time_still_counts() -> None:
    writer = RemoteWriter(session=None, script="", args=[])  # type: ignore[arg-type]
    writer._read(_Channel(b"A 1\nF 2\nnoise\n"))
    assert writer.acked == {1} and writer.failed == {2}
    assert [p.started for p in writer.probes] == [None, None]
    assert writer.errors == ["noise"]
