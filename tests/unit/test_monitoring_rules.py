"""hactl's alert rules: promtool checks them and runs their unit tests (firing and not firing)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

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


def test_every_alert_has_a_rule_test(promtool: Path) -> None:
    import yaml

    rules = yaml.safe_load(RULES.read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    tested: set[str] = set()
    for path in TESTS.glob("*.yml"):
        for case in yaml.safe_load(path.read_text())["tests"]:
            for t in case.get("alert_rule_test", []):
                if t["exp_alerts"]:
                    tested.add(t["alertname"])
    assert alerts - tested == set(), "alerts without a firing test case"
    for alert in alerts:
        assert rules_have_runbook(rules, alert), f"{alert}: no runbook annotation"


def rules_have_runbook(rules: dict, alert: str) -> bool:
    for group in rules["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == alert:
                return bool(rule.get("annotations", {}).get("runbook"))
    return False


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
