"""The argument-spec checker itself catches drift (so a green run above means something)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit import test_argument_specs as checker


def _role(tmp_path: Path, defaults: str, specs: str, name: str = "demo") -> Path:
    role = tmp_path / name
    (role / "defaults").mkdir(parents=True)
    (role / "meta").mkdir()
    (role / "defaults/main.yml").write_text(defaults)
    (role / "meta/argument_specs.yml").write_text(specs)
    return role


SPEC = "argument_specs:\n  main:\n    options:\n{opts}"


def test_detects_default_without_spec(tmp_path: Path) -> None:
    role = _role(
        tmp_path, "demo_a: 1\ndemo_b: 2\n", SPEC.format(opts="      demo_a: {default: 1}\n")
    )
    with pytest.raises(AssertionError, match="defaults without a spec"):
        checker.test_specs_match_defaults(role)


def test_detects_differing_default(tmp_path: Path) -> None:
    role = _role(tmp_path, "demo_a: 1\n", SPEC.format(opts="      demo_a: {default: 2}\n"))
    with pytest.raises(AssertionError, match="default differs"):
        checker.test_specs_match_defaults(role)


def test_detects_missing_prefix(tmp_path: Path) -> None:
    role = _role(tmp_path, "other_a: 1\n", SPEC.format(opts="      other_a: {default: 1}\n"))
    with pytest.raises(AssertionError, match="prefix"):
        checker.test_public_variables_carry_role_prefix(role)
