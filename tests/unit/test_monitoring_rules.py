"""hactl's alert rules: promtool checks them and runs their unit tests (firing and not firing)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from hactl.lab.tools import ensure_promtool

ROLE = Path(__file__).resolve().parents[2] / "roles/monitoring"
RULES = ROLE / "files/hactl-alerts.rules.yml"
TESTS = ROLE / "files/rule-tests"


@pytest.fixture(scope="module")
def promtool() -> Path:
    return ensure_promtool()


def _promtool(promtool: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(promtool), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_rules_are_valid(promtool: Path) -> None:
    proc = _promtool(promtool, "check", "rules", str(RULES), cwd=ROLE)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _rules() -> dict[str, dict[str, Any]]:
    """Every alert rule in hactl-alerts.rules.yml by its name."""
    doc = yaml.safe_load(RULES.read_text())
    return {r["alert"]: r for g in doc["groups"] for r in g["rules"] if "alert" in r}


def _test_docs() -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text()) for p in sorted(TESTS.glob("*.yml"))]


def coverage_gaps(
    alerts: Iterable[str], test_docs: Iterable[dict[str, Any]]
) -> dict[str, list[str]]:
    """Alerts that no promtool case expects firing, and those that none expects silent.

    A case with ``exp_alerts: []`` for an alert counts as not firing; any other as firing.
    """
    firing: set[str] = set()
    silent: set[str] = set()
    for doc in test_docs:
        for group in doc.get("tests") or []:
            for case in group.get("alert_rule_test") or []:
                (firing if case.get("exp_alerts") else silent).add(case["alertname"])
    wanted = set(alerts)
    return {"firing": sorted(wanted - firing), "not firing": sorted(wanted - silent)}


def test_every_alert_has_firing_and_not_firing_cases() -> None:
    gaps = coverage_gaps(_rules(), _test_docs())
    assert gaps == {"firing": [], "not firing": []}, f"alerts without promtool cases: {gaps}"


@pytest.mark.parametrize(
    ("cases", "expected"),
    [
        (
            [{"alertname": "A", "exp_alerts": [{}]}, {"alertname": "A", "exp_alerts": []}],
            {"firing": [], "not firing": []},
        ),
        ([{"alertname": "A", "exp_alerts": [{}]}], {"firing": [], "not firing": ["A"]}),
        ([{"alertname": "A", "exp_alerts": []}], {"firing": ["A"], "not firing": []}),
        ([{"alertname": "A"}], {"firing": ["A"], "not firing": []}),
        ([], {"firing": ["A"], "not firing": ["A"]}),
    ],
    ids=["both", "no-silent-case", "no-firing-case", "exp-alerts-omitted", "untested"],
)
def test_coverage_check_names_missing_cases(
    cases: list[dict[str, Any]], expected: dict[str, list[str]]
) -> None:
    assert coverage_gaps(["A"], [{"tests": [{"alert_rule_test": cases}]}]) == expected


@pytest.mark.parametrize("alert", sorted(_rules()))
def test_alert_has_a_runbook(alert: str) -> None:
    assert _rules()[alert].get("annotations", {}).get("runbook"), f"{alert}: no runbook annotation"


def test_rule_unit_tests_pass(promtool: Path) -> None:
    files = sorted(p.name for p in TESTS.glob("*.yml"))
    assert files
    proc = _promtool(promtool, "test", "rules", *files, cwd=TESTS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_rule_unit_tests_catch_a_broken_rule(promtool: Path, tmp_path: Path) -> None:
    """Mutate one rule: the same tests must now fail, so they really test the rules."""
    shutil.copytree(TESTS, tmp_path / "rule-tests")
    good = "expr: sum by (vip) (hactl_vrrp_vip_held) == 0"
    broken = RULES.read_text().replace(good, good.replace("== 0", "< 0"))
    assert broken != RULES.read_text()
    (tmp_path / "hactl-alerts.rules.yml").write_text(broken)
    files = sorted(p.name for p in (tmp_path / "rule-tests").glob("*.yml"))
    proc = _promtool(promtool, "test", "rules", *files, cwd=tmp_path / "rule-tests")
    assert proc.returncode != 0
    assert "HactlVipNotHeld" in proc.stdout + proc.stderr


def test_rule_unit_tests_check_every_for_window(promtool: Path, tmp_path: Path) -> None:
    """Drop every ``for:``: each alert that had one must now fail a case inside its window."""
    with_for = sorted(name for name, rule in _rules().items() if "for" in rule)
    assert with_for
    doc = yaml.safe_load(RULES.read_text())
    for group in doc["groups"]:
        for rule in group["rules"]:
            rule.pop("for", None)
    (tmp_path / "hactl-alerts.rules.yml").write_text(yaml.safe_dump(doc, sort_keys=False))
    shutil.copytree(TESTS, tmp_path / "rule-tests")
    files = sorted(p.name for p in (tmp_path / "rule-tests").glob("*.yml"))
    proc = _promtool(promtool, "test", "rules", *files, cwd=tmp_path / "rule-tests")
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    untested = [name for name in with_for if f"alertname: {name}," not in output]
    assert not untested, f"no promtool case inside the for: window of {untested}"
