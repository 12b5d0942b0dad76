"""The runner adapter's environment and command line (no playbook is run here)."""

from __future__ import annotations

import ast
from pathlib import Path

from hactl.runner import REPO, PlaybookRun, _cmdline, run_environment


def test_only_ansible_and_basic_variables_pass() -> None:
    env = run_environment(
        {"PATH": "/bin", "HOME": "/root", "ANSIBLE_FORKS": "5", "AWS_SECRET": "x", "FOO": "1"},
        {"EXPLICIT": "yes"},
    )
    assert env["PATH"] == "/bin"
    assert env["ANSIBLE_FORKS"] == "5"
    assert env["EXPLICIT"] == "yes"
    assert env["ANSIBLE_CONFIG"] == str(REPO / "ansible.cfg")
    assert "AWS_SECRET" not in env
    assert "FOO" not in env
    assert env["ANSIBLE_HOST_KEY_CHECKING"] == "True"  # ansible-runner would default it off


def test_check_and_diff_flags() -> None:
    base = PlaybookRun("playbooks/site.yml", Path("i"), Path("r"))
    assert _cmdline(base) is None
    run = PlaybookRun("playbooks/site.yml", Path("i"), Path("r"), check=True, diff=True)
    assert _cmdline(run) == "--check --diff"


def test_runner_is_the_only_module_importing_ansible_runner() -> None:
    importers = []
    for path in (REPO / "hactl").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] == "ansible_runner" for n in names):
                importers.append(path.relative_to(REPO).as_posix())
    assert sorted(set(importers)) == ["hactl/runner.py"]


def test_api_and_cli_layers_do_not_print_or_exit() -> None:
    for rel in ("hactl/api.py", "hactl/inventory.py", "hactl/status.py", "hactl/preflight.py"):
        tree = ast.parse((REPO / rel).read_text())
        calls = {
            n.func.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        assert not calls & {"print", "exit"}, rel
