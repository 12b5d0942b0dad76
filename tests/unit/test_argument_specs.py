"""Every role's meta/argument_specs.yml agrees with its defaults and follows the prefix rule."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ROLES = sorted(p for p in (REPO / "roles").iterdir() if (p / "tasks/main.yml").exists())


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {} if path.exists() else {}


def test_roles_exist() -> None:
    assert ROLES, "no roles found under roles/"


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_role_has_argument_specs(role: Path) -> None:
    specs = _load(role / "meta/argument_specs.yml")
    assert "main" in specs.get("argument_specs", {}), f"{role.name}: no argument_specs.main"


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_specs_match_defaults(role: Path) -> None:
    defaults = _load(role / "defaults/main.yml")
    options = _load(role / "meta/argument_specs.yml")["argument_specs"]["main"].get("options", {})
    assert set(defaults) - set(options) == set(), f"{role.name}: defaults without a spec"
    optional = {k for k, v in options.items() if not v.get("required")}
    assert optional - set(defaults) == set(), f"{role.name}: optional specs without a default"
    for key, value in defaults.items():
        assert options[key].get("default") == value, f"{role.name}: {key} default differs"


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_public_variables_carry_role_prefix(role: Path) -> None:
    options = _load(role / "meta/argument_specs.yml")["argument_specs"]["main"].get("options", {})
    names = set(options) | set(_load(role / "defaults/main.yml"))
    bad = sorted(n for n in names if not n.startswith(f"{role.name}_"))
    assert not bad, f"{role.name}: variables without the '{role.name}_' prefix: {bad}"


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_internal_variables_carry_private_prefix(role: Path) -> None:
    bad = []
    for path in sorted((role / "vars").glob("*.yml")):
        bad += [f"{path.name}:{k}" for k in _load(path) if not k.startswith(f"__{role.name}_")]
    assert not bad, f"{role.name}: vars without the '__{role.name}_' prefix: {bad}"
