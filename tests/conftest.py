"""Shared pytest fixtures and paths."""

from __future__ import annotations

import locale
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def tool_env() -> dict[str, str]:
    """Environment for the venv's tools (molecule shells out to ansible-config)."""
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("ANSIBLE_FORCE_COLOR", "0")
    env["PY_COLORS"] = "0"
    env["NO_COLOR"] = "1"
    return env


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The lab test (a module with RUNS_FOR_MINUTES) and the molecule tests first.

    Under xdist's worksteal scheduling (tests/run.sh) they then start at once side by side and the
    quick tests fill the gaps; left at the end of a worker's queue, they ran one after another.
    """

    def rank(item: pytest.Item) -> int:
        if getattr(getattr(item, "module", None), "RUNS_FOR_MINUTES", False):
            return 0
        if item.get_closest_marker("molecule"):
            return 1
        return 2

    items.sort(key=rank)  # stable: collection order within each rank


@pytest.fixture(autouse=True)
def _process_locale_unchanged():
    """Modules run in-process (AnsibleModule sets the locale from LANG/LC_ALL) must not leave this
    process in the C locale: every later open() would then decode as ASCII."""
    saved = locale.setlocale(locale.LC_ALL)
    yield
    now, encoding = locale.setlocale(locale.LC_ALL), locale.getpreferredencoding(False)
    locale.setlocale(locale.LC_ALL, saved)
    assert now == saved or encoding == "UTF-8", f"the test left the process locale at {now!r}"
