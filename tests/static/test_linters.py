"""The tree passes its linters: yamllint, ansible-lint (production profile), ruff."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _run(argv: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{' '.join(argv)}:\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}"


@pytest.mark.static
def test_yamllint(tool_env: dict[str, str]) -> None:
    _run(["yamllint", "--strict", "."], tool_env)


@pytest.mark.static
def test_ansible_lint_production(tool_env: dict[str, str]) -> None:
    _run(["ansible-lint", "--profile", "production", "--offline", "-q"], tool_env)


@pytest.mark.static
def test_ruff(tool_env: dict[str, str]) -> None:
    _run(["ruff", "check", "."], tool_env)
    _run(["ruff", "format", "--check", "."], tool_env)
