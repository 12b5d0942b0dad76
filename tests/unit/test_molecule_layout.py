"""`molecule test` works inside every role: each has a scenario of its own, or a link to the
scenario that converges it beside the roles it works with."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ROLES = sorted(p.parents[1] for p in REPO.glob("roles/*/tasks/main.yml"))


def _converge_text(scenario: Path) -> str:
    """The scenario's converge playbook plus every playbook it imports (one level)."""
    converge = scenario / "converge.yml"
    text = converge.read_text()
    for imported in re.findall(r"import_playbook:\s*(\S+)", text):
        path = (converge.parent / imported).resolve()
        if path.is_file():
            text += path.read_text()
    return text


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_every_role_has_a_molecule_scenario(role: Path) -> None:
    scenario = role / "molecule/default"
    assert (scenario / "molecule.yml").is_file(), f"{role.name}: no molecule/default scenario"
    doc = yaml.safe_load((scenario / "molecule.yml").read_text())
    assert doc.get("platforms"), f"{role.name}: the scenario defines no platforms"


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_a_linked_scenario_converges_its_role(role: Path) -> None:
    scenario = role / "molecule/default"
    if not scenario.is_symlink():
        pytest.skip(f"{role.name} has a scenario of its own")
    target = scenario.resolve()
    assert target.is_relative_to(REPO / "roles"), f"{role.name}: link leaves roles/"
    assert not target.is_symlink()
    text = _converge_text(target)
    assert re.search(rf"(name|role):\s*{role.name}\b", text), (
        f"{role.name}: its scenario ({target.relative_to(REPO)}) never converges the role"
    )
