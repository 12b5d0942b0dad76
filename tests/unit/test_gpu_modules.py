"""gpu_facts, gpu_health and gpu_remediation_plan run end to end on fixture trees: sysfs and
procfs written by the tests, a fake nvidia-smi that prints fixture XML, kernel logs in files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args

from tests.unit.loading import load_source

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "plugins/module_utils"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _gpu  # noqa: E402  after the path insert
import gpu_fixtures as fx  # noqa: E402  after the path insert

sys.modules.setdefault("ansible.module_utils._gpu", _gpu)


gpu_facts = load_source("hactl_test_gpu_facts", REPO / "plugins/modules/gpu_facts.py")
gpu_health = load_source("hactl_test_gpu_health", REPO / "plugins/modules/gpu_health.py")
gpu_remediation_plan = load_source(
    "hactl_test_gpu_remediation_plan", REPO / "plugins/modules/gpu_remediation_plan.py"
)


def _run(module, args: dict, capsys) -> dict:
    with patch_module_args(args), pytest.raises(SystemExit):
        module.main()
    return json.loads(capsys.readouterr().out)


def _fake_smi(tmp_path: Path, xml: str, nvlink: str = "") -> str:
    (tmp_path / "smi.xml").write_text(xml)
    (tmp_path / "nvlink.txt").write_text(nvlink)
    script = tmp_path / "nvidia-smi"
    script.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = nvlink ]; then cat {tmp_path}/nvlink.txt; exit 0; fi\n'
        f'if [ "$1 $2" = "-q -x" ]; then cat {tmp_path}/smi.xml; exit 0; fi\n'
        "exit 2\n"
    )
    script.chmod(0o755)
    return str(script)


def test_facts_no_gpu(tmp_path: Path, capsys) -> None:
    sysfs = fx.sysfs_no_gpu(tmp_path / "sys")
    out = _run(gpu_facts, {"sysfs_root": str(sysfs), "proc_root": str(tmp_path / "proc")}, capsys)
    gpu = out["ansible_facts"]["hactl_gpu"]
    assert out["changed"] is False
    assert (gpu["count"], gpu["driver_loaded"], gpu["smi_available"]) == (0, False, False)


def test_facts_hgx_with_smi(tmp_path: Path, capsys) -> None:
    sysfs = fx.sysfs_hgx_h100(tmp_path / "sys")
    proc = fx.proc_driver(tmp_path / "proc")
    smi = _fake_smi(tmp_path, fx.hgx_smi_xml(gpu2={"persistence": "Disabled"}))
    out = _run(
        gpu_facts, {"sysfs_root": str(sysfs), "proc_root": str(proc), "nvidia_smi": smi}, capsys
    )
    gpu = out["ansible_facts"]["hactl_gpu"]
    assert (gpu["count"], gpu["nvswitch_count"], gpu["fabric_manager_needed"]) == (8, 4, True)
    assert gpu["driver_version"] == "535.161.08"
    assert gpu["smi_available"] is True
    assert len(gpu["smi"]) == 8
    assert [g["persistence_mode"] for g in gpu["smi"]].count(False) == 1
    assert all(g["ecc_mode"] == "Enabled" for g in gpu["smi"])


def test_facts_smi_that_cannot_reach_the_driver(tmp_path: Path, capsys) -> None:
    sysfs = fx.sysfs_hgx_h100(tmp_path / "sys")
    proc = fx.proc_driver(tmp_path / "proc")
    broken = tmp_path / "nvidia-smi"
    broken.write_text("#!/bin/sh\necho 'NVIDIA-SMI has failed' >&2\nexit 9\n")
    broken.chmod(0o755)
    out = _run(
        gpu_facts,
        {"sysfs_root": str(sysfs), "proc_root": str(proc), "nvidia_smi": str(broken)},
        capsys,
    )
    gpu = out["ansible_facts"]["hactl_gpu"]
    assert gpu["count"] == 8 and gpu["smi_available"] is False


def _health_args(
    tmp_path: Path, log: str, xml: str | None = None, nvlink: str | None = None, **extra
) -> dict:
    sysfs = fx.sysfs_hgx_h100(tmp_path / "sys")
    proc = fx.proc_driver(tmp_path / "proc")
    (tmp_path / "kern.log").write_text(log)
    args = {
        "sysfs_root": str(sysfs),
        "proc_root": str(proc),
        "nvidia_smi": _fake_smi(
            tmp_path, xml or fx.hgx_smi_xml(), nvlink if nvlink is not None else fx.nvlink_status()
        ),
        "kernel_log": str(tmp_path / "kern.log"),
        "expected_count": 8,
    }
    args.update(extra)
    return args


@pytest.fixture
def fm_active(monkeypatch):
    monkeypatch.setattr(gpu_health, "unit_state", lambda module, unit: "active")


def test_health_healthy(tmp_path: Path, capsys, fm_active) -> None:
    out = _run(gpu_health, _health_args(tmp_path, fx.KERNEL_LOG_CLEAN), capsys)
    assert out["status"] == "healthy", out["messages"]
    assert out["changed"] is False
    assert (out["gpu_count"], out["expected_count"], out["fabric_manager_state"]) == (
        8,
        8,
        "active",
    )


def test_health_xid_and_nvlink(tmp_path: Path, capsys, fm_active) -> None:
    args = _health_args(tmp_path, fx.KERNEL_LOG_XIDS, nvlink=fx.nvlink_status(down={1: [5]}))
    out = _run(gpu_health, args, capsys)
    assert out["status"] == "failed"
    assert out["action"] == "reset_gpu"
    assert {r["check"] for r in out["reasons"]} == {"xid", "nvlink"}
    assert [e["code"] for e in out["events"]] == [48], (
        "application XIDs and non-fatal SXIDs are not events"
    )


def test_health_fail_on_gate(tmp_path: Path, capsys, fm_active) -> None:
    args = _health_args(
        tmp_path,
        fx.KERNEL_LOG_CLEAN,
        xml=fx.hgx_smi_xml(gpu0={"hw_slowdown": "Active"}),
        fail_on="degraded",
    )
    out = _run(gpu_health, args, capsys)
    assert out["failed"] is True
    assert out["status"] == "degraded"
    assert "clocks throttled" in out["msg"]


def test_health_fabric_manager_not_installed(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(gpu_health, "unit_state", lambda module, unit: "")
    out = _run(gpu_health, _health_args(tmp_path, fx.KERNEL_LOG_CLEAN), capsys)
    assert (out["status"], out["fault"]) == ("failed", "fabric_manager")


def test_health_gpu_less_node(tmp_path: Path, capsys) -> None:
    sysfs = fx.sysfs_no_gpu(tmp_path / "sys")
    out = _run(
        gpu_health,
        {"sysfs_root": str(sysfs), "proc_root": str(tmp_path / "proc"), "expected_count": 0},
        capsys,
    )
    assert out["status"] == "healthy" and out["gpu_count"] == 0


def test_remediation_plan_records_history(tmp_path: Path, capsys) -> None:
    state = tmp_path / "state/gpu-remediation.json"
    health = {"status": "failed", "action": "reset_gpu", "fault": "xid:48", "messages": []}
    args = {
        "health": health,
        "node_gpus": 8,
        "cluster_usable_gpus": 64,
        "min_gpus": 8,
        "state_file": str(state),
    }
    first = _run(gpu_remediation_plan, args, capsys)
    assert (first["step"], first["changed"]) == ("reset_gpu", True)
    assert json.loads(state.read_text()) == {"fault": "xid:48", "resets": 1, "reboots": 0}
    second = _run(gpu_remediation_plan, dict(args, cordoned=True), capsys)
    assert second["step"] == "reboot"
    healed = _run(
        gpu_remediation_plan,
        dict(args, cordoned=True, health={"status": "healthy", "action": "none", "fault": ""}),
        capsys,
    )
    assert (healed["step"], healed["changed"]) == ("uncordon", True)
    assert not state.exists()
    idle = _run(
        gpu_remediation_plan,
        dict(args, health={"status": "healthy", "action": "none", "fault": ""}),
        capsys,
    )
    assert (idle["step"], idle["changed"]) == ("none", False)


def test_remediation_plan_check_mode_writes_nothing(tmp_path: Path, capsys) -> None:
    state = tmp_path / "gpu-remediation.json"
    health = {"status": "failed", "action": "reboot", "fault": "xid:79", "messages": []}
    args = {
        "health": health,
        "node_gpus": 8,
        "cluster_usable_gpus": 64,
        "state_file": str(state),
        "_ansible_check_mode": True,
    }
    out = _run(gpu_remediation_plan, args, capsys)
    assert (out["step"], out["changed"]) == ("reboot", True)
    assert not state.exists()


def test_standalone_probe_on_this_host() -> None:
    """The path hactl status takes over SSH: the source passed to python3 -c, JSON out."""
    import subprocess

    source = (REPO / "plugins/module_utils/_gpu.py").read_text()
    proc = subprocess.run(
        [sys.executable, "-c", source, "--expected-count", "0"],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(proc.stdout)
    assert set(report) >= {"status", "action", "reasons", "messages", "gpu_count", "expected_count"}
    if report["gpu_count"] == 0:
        assert report["status"] == "healthy"


def test_standalone_probe_on_fixtures(tmp_path: Path) -> None:
    sysfs = fx.sysfs_mixed_pcie(tmp_path / "sys")
    proc = fx.proc_driver(tmp_path / "proc")
    smi = fx.fake_smi(tmp_path, fx.mixed_smi_xml(gpu1={"dram_unc": 4}))
    report = _gpu.probe_node(4, sysfs_root=str(sysfs), proc_root=str(proc), nvidia_smi=smi)
    assert (report["status"], report["fault"], report["gpu_count"]) == (
        "failed",
        "ecc_uncorrectable",
        4,
    )
