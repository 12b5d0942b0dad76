"""Table-driven tests for plugins/module_utils/_gpu.py: PCI detection, nvidia-smi and kernel-log
parsers, the XID catalog, health evaluation and the remediation planner."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins/module_utils"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _gpu
import gpu_fixtures as fx


def _facts(tmp_path: Path, builder, driver: str | None = "535.161.08") -> dict:
    sysfs = builder(tmp_path / "sys")
    proc = tmp_path / "proc"
    text = ""
    if driver:
        fx.proc_driver(proc, driver)
        text = (proc / "driver/nvidia/version").read_text()
    return _gpu.summarise(_gpu.classify_pci(_gpu.read_pci_devices(str(sysfs))), text)


# --- detection ----------------------------------------------------------------------------------


def test_no_gpu(tmp_path: Path) -> None:
    facts = _facts(tmp_path, fx.sysfs_no_gpu, driver=None)
    assert facts["count"] == 0
    assert facts["nvswitch_count"] == 0
    assert facts["fabric_manager_needed"] is False
    assert facts["driver_loaded"] is False
    assert facts["min_driver_branch"] == 0


def test_missing_sysfs_is_no_gpu(tmp_path: Path) -> None:
    assert _gpu.read_pci_devices(str(tmp_path / "absent")) == []


def test_hgx_h100(tmp_path: Path) -> None:
    facts = _facts(tmp_path, fx.sysfs_hgx_h100)
    assert facts["count"] == 8
    assert facts["nvswitch_count"] == 4
    assert facts["models"] == ["H100 SXM5 80GB"]
    assert {g["form_factor"] for g in facts["gpus"]} == {"SXM"}
    assert [g["numa_node"] for g in facts["gpus"]] == [0, 0, 0, 0, 1, 1, 1, 1]
    assert all(s["model"] == "NVSwitch (H100/H200 HGX)" for s in facts["nvswitches"])
    assert facts["fabric_manager_needed"] is True
    assert facts["min_driver_branch"] == 525
    assert facts["driver_version"] == "535.161.08"
    assert facts["driver_branch"] == 535


def test_mixed_pcie(tmp_path: Path) -> None:
    facts = _facts(tmp_path, fx.sysfs_mixed_pcie)
    assert facts["count"] == 4, "the HDMI audio function is not a GPU"
    assert facts["nvswitch_count"] == 0
    assert facts["fabric_manager_needed"] is False
    models = {g["pci_address"]: g["model"] for g in facts["gpus"]}
    assert models["0000:17:00.0"] == "L40S"
    assert models["0000:31:00.0"] == "L4"
    assert models["0000:4b:00.0"] == "A100 PCIe 80GB"
    assert models["0000:65:00.0"].startswith("unknown NVIDIA GPU 0x1fff")
    assert facts["min_driver_branch"] == 525


@pytest.mark.parametrize(
    ("device", "family", "branch"),
    [
        (fx.H100_SXM, "H100", 525),
        (fx.H100_PCIE, "H100", 525),
        (0x2321, "H100", 525),
        (fx.H200_SXM, "H200", 550),
        (0x233B, "H200", 550),
        (fx.B200, "B200", 570),
        (0x2342, "GH200", 535),
        (fx.L40S, "L40S", 525),
        (fx.L4, "L4", 525),
        (0x20B2, "A100", 450),
    ],
)
def test_model_map(device: int, family: str, branch: int) -> None:
    assert _gpu.GPU_MODELS[device][2] == family
    assert _gpu.MIN_DRIVER_BRANCH[family] == branch


def test_b200_needs_fabric_manager_and_open_modules(tmp_path: Path) -> None:
    root = fx.sysfs_no_gpu(tmp_path / "sys")
    for i in range(8):
        fx.pci_device(root, f"0000:{0x10 + i:02x}:00.0", fx.NVIDIA, fx.B200, fx.CLASS_3D)
    facts = _gpu.summarise(_gpu.classify_pci(_gpu.read_pci_devices(str(root))), "")
    assert facts["fabric_manager_needed"] is True
    assert facts["open_module_required"] is True
    assert facts["min_driver_branch"] == 570


@pytest.mark.parametrize(
    ("text", "version"),
    [
        (
            "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.161.08  Tue Mar  5 22:42:15 UTC"
            " 2024",
            "535.161.08",
        ),
        (
            "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.15  Release Build",
            "550.54.15",
        ),
        (
            "NVRM version: NVIDIA UNIX aarch64 Kernel Module  570.124.06  Wed Feb 26 2025",
            "570.124.06",
        ),
        ("", ""),
        ("garbage", ""),
    ],
)
def test_parse_driver_version(text: str, version: str) -> None:
    assert _gpu.parse_driver_version(text) == version


@pytest.mark.parametrize(
    ("bus", "want"),
    [
        ("00000000:18:00.0", "0000:18:00.0"),
        ("0000:2A:00.0", "0000:2a:00.0"),
        ("0000:18:00", "0000:18:00"),
    ],
)
def test_normalise_bus_id(bus: str, want: str) -> None:
    assert _gpu.normalise_bus_id(bus) == want


# --- nvidia-smi ---------------------------------------------------------------------------------


@pytest.mark.parametrize("legacy", [False, True], ids=["535+", "pre-535"])
def test_parse_smi_xml(legacy: bool) -> None:
    doc = fx.smi_xml(
        [
            fx.smi_gpu_xml(0, "18", legacy=legacy),
            fx.smi_gpu_xml(
                1,
                "2a",
                legacy=legacy,
                dram_unc=3,
                hw_slowdown="Active",
                temp=91,
                persistence="Disabled",
            ),
        ]
    )
    smi = _gpu.parse_smi_xml(doc)
    assert smi["driver_version"] == "535.161.08"
    first, second = smi["gpus"]
    assert first["pci_bus_id"] == "0000:18:00.0"
    assert first["ecc_mode"] == "Enabled" and first["persistence_mode"] is True
    assert first["ecc_uncorrectable_volatile"] == 0
    assert first["temperature_c"] == 34.0
    assert first["power_draw_w"] == pytest.approx(71.23) and first["power_limit_w"] == 700.0
    assert first["clock_event_reasons"] == ["gpu_idle"]
    assert first["fabric_state"] == "Completed"
    assert second["ecc_uncorrectable_volatile"] == 3
    assert second["persistence_mode"] is False
    assert "hw_slowdown" in second["clock_event_reasons"]


def test_parse_nvlink_status() -> None:
    status = _gpu.parse_nvlink_status(fx.nvlink_status(down={2: [3, 7]}))
    assert len(status) == 8
    assert status[0] == {"links": 18, "inactive": []}
    assert status[2]["inactive"] == [3, 7]


# --- XID catalog and kernel log -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "severity", "action"),
    [
        (13, "info", "ignore"),
        (31, "info", "ignore"),
        (43, "info", "ignore"),
        (48, "critical", "reset_gpu"),
        (63, "warning", "reset_gpu"),
        (74, "critical", "reset_gpu"),
        (79, "critical", "reboot"),
        (92, "warning", "ignore"),
        (94, "warning", "reset_gpu"),
        (95, "critical", "reset_gpu"),
        (119, "critical", "reset_gpu"),
        (143, "critical", "inspect"),
        (54, "critical", "inspect"),
        (99999, "warning", "ignore"),
    ],
)
def test_xid_catalog(code: int, severity: str, action: str) -> None:
    info = _gpu.xid_info(code)
    assert (info["severity"], info["action"]) == (severity, action)


def test_xid_catalog_is_well_formed() -> None:
    for code, (severity, action, meaning) in _gpu.XID_CATALOG.items():
        assert severity in _gpu.SEVERITIES, code
        assert action in _gpu.ACTIONS and action != "none", code
        assert meaning, code


@pytest.mark.parametrize(
    ("message", "severity", "action"),
    [
        (
            "GPU recovery action changed from 0x0 (None) to 0x1 (GPU Reset Required)",
            "critical",
            "reset_gpu",
        ),
        (
            "GPU recovery action changed from 0x0 (None) to 0x2 (Node Reboot Required)",
            "critical",
            "reboot",
        ),
        (
            "GPU recovery action changed from 0x1 (GPU Reset Required) to 0x0 (None)",
            "info",
            "ignore",
        ),
        ("something else", "warning", "ignore"),
    ],
)
def test_xid154_uses_the_drivers_verdict(message: str, severity: str, action: str) -> None:
    info = _gpu.xid_info(154, message)
    assert (info["severity"], info["action"]) == (severity, action)


def test_parse_kernel_log() -> None:
    events = _gpu.parse_kernel_log(fx.KERNEL_LOG_XIDS)
    assert [(e["kind"], e["code"]) for e in events] == [
        ("xid", 13),
        ("xid", 31),
        ("xid", 48),
        ("sxid", 12028),
    ]
    assert events[2]["pci"] == "0000:3a:00"
    assert events[2]["action"] == "reset_gpu"
    assert events[3]["severity"] == "info", "a non-fatal SXID is informational"
    assert _gpu.parse_kernel_log(fx.KERNEL_LOG_CLEAN) == []


def test_fatal_sxid() -> None:
    (event,) = _gpu.parse_kernel_log(fx.KERNEL_LOG_SXID_FATAL)
    assert (event["kind"], event["code"], event["severity"], event["action"]) == (
        "sxid",
        20034,
        "critical",
        "reboot",
    )


@pytest.mark.parametrize(
    ("actions", "worst"),
    [
        ([], "none"),
        (["ignore"], "ignore"),
        (["reboot", "reset_gpu"], "reboot"),
        (["inspect", "reboot"], "inspect"),
    ],
)
def test_worst_action(actions: list[str], worst: str) -> None:
    assert _gpu.worst_action(actions) == worst


# --- health -------------------------------------------------------------------------------------


def _hgx_health(
    tmp_path: Path,
    *,
    gpus: int = 8,
    smi: str | None = None,
    log: str = "",
    nvlink: str | None = None,
    fm: str = "active",
    expected: int | None = 8,
    driver: str | None = "535.161.08",
):
    facts = _facts(tmp_path, lambda root: fx.sysfs_hgx_h100(root, gpus=gpus), driver=driver)
    parsed_smi = (
        _gpu.parse_smi_xml(smi if smi is not None else fx.hgx_smi_xml()) if driver else None
    )
    if parsed_smi and gpus < 8:
        keep = {g["pci_address"] for g in facts["gpus"]}
        parsed_smi["gpus"] = [g for g in parsed_smi["gpus"] if g["pci_bus_id"] in keep]
    links = _gpu.parse_nvlink_status(nvlink if nvlink is not None else fx.nvlink_status())
    return _gpu.evaluate_health(
        facts,
        parsed_smi,
        _gpu.parse_kernel_log(log),
        nvlink=links,
        expected_count=expected,
        fabric_manager_state=fm,
    )


def test_health_clean_hgx(tmp_path: Path) -> None:
    health = _hgx_health(tmp_path, log=fx.KERNEL_LOG_CLEAN)
    assert health["status"] == "healthy", health["messages"]
    assert health["action"] == "none" and health["reasons"] == []


@pytest.mark.parametrize(
    ("case", "kwargs", "status", "action", "fault", "check"),
    [
        ("gpu missing", {"gpus": 7}, "failed", "reboot", "gpu_count", "gpu_count"),
        ("driver not loaded", {"driver": None}, "failed", "reboot", "driver", "driver"),
        ("xid 48 dbe", {"log": fx.KERNEL_LOG_XIDS}, "failed", "reset_gpu", "xid:48", "xid"),
        ("xid 79 off the bus", {"log": fx.KERNEL_LOG_FALLEN}, "failed", "reboot", "xid:79", "xid"),
        ("fatal sxid", {"log": fx.KERNEL_LOG_SXID_FATAL}, "failed", "reboot", "sxid:20034", "sxid"),
        ("xid 154 reboot", {"log": fx.KERNEL_LOG_XID154}, "failed", "reboot", "xid:154", "xid"),
        (
            "uncorrectable ecc",
            {"smi": fx.hgx_smi_xml(gpu3={"dram_unc": 2})},
            "failed",
            "reset_gpu",
            "ecc_uncorrectable",
            "ecc",
        ),
        (
            "row remap failure",
            {"smi": fx.hgx_smi_xml(gpu5={"remap_failure": "Yes"})},
            "failed",
            "inspect",
            "row_remap_failure",
            "row_remap",
        ),
        (
            "row remap pending",
            {"smi": fx.hgx_smi_xml(gpu5={"remap_pending": "Yes"})},
            "degraded",
            "reset_gpu",
            "",
            "row_remap",
        ),
        (
            "nvlink down",
            {"nvlink": fx.nvlink_status(down={4: [0, 1]})},
            "failed",
            "reset_gpu",
            "nvlink",
            "nvlink",
        ),
        (
            "hw slowdown",
            {"smi": fx.hgx_smi_xml(gpu0={"hw_slowdown": "Active"})},
            "degraded",
            "ignore",
            "",
            "throttle",
        ),
        (
            "too hot",
            {"smi": fx.hgx_smi_xml(gpu1={"temp": 92})},
            "degraded",
            "ignore",
            "",
            "thermal",
        ),
        (
            "ecc off",
            {"smi": fx.hgx_smi_xml(gpu2={"ecc": "Disabled"})},
            "degraded",
            "ignore",
            "",
            "ecc_mode",
        ),
        (
            "fabric manager down",
            {"fm": "failed"},
            "failed",
            "reboot",
            "fabric_manager",
            "fabric_manager",
        ),
        (
            "fabric manager missing",
            {"fm": ""},
            "failed",
            "reboot",
            "fabric_manager",
            "fabric_manager",
        ),
        (
            "fabric not registered",
            {"smi": fx.hgx_smi_xml(gpu6={"fabric_state": "In Progress", "fabric_status": "N/A"})},
            "failed",
            "reboot",
            "fabric_registration",
            "fabric",
        ),
    ],
)
def test_health_findings(
    tmp_path: Path, case: str, kwargs: dict, status: str, action: str, fault: str, check: str
) -> None:
    health = _hgx_health(tmp_path, **kwargs)
    assert health["status"] == status, (case, health["messages"])
    assert health["action"] == action, (case, health["messages"])
    assert health["fault"] == fault, case
    assert check in {r["check"] for r in health["reasons"]}, case


def test_health_ignores_application_xids(tmp_path: Path) -> None:
    log = fx.KERNEL_LOG_CLEAN + "\n".join(fx.KERNEL_LOG_XIDS.splitlines()[3:5]) + "\n"
    health = _hgx_health(tmp_path, log=log)
    assert health["status"] == "healthy", health["messages"]


def test_health_xid_names_the_gpu_index(tmp_path: Path) -> None:
    health = _hgx_health(tmp_path, log=fx.KERNEL_LOG_XIDS)
    (xid,) = [r for r in health["reasons"] if r["check"] == "xid"]
    assert xid["gpu"] == "0000:3a:00", (
        "a 3-part bus id from the log is kept when the driver has no match"
    )


def test_health_no_gpu_node_is_healthy(tmp_path: Path) -> None:
    facts = _facts(tmp_path, fx.sysfs_no_gpu, driver=None)
    health = _gpu.evaluate_health(facts, None, [], expected_count=0)
    assert health["status"] == "healthy"


def test_health_expected_gpus_on_a_gpu_less_node(tmp_path: Path) -> None:
    facts = _facts(tmp_path, fx.sysfs_no_gpu, driver=None)
    health = _gpu.evaluate_health(facts, None, [], expected_count=4)
    assert (health["status"], health["fault"]) == ("failed", "gpu_count")


def test_health_driver_sees_fewer_gpus(tmp_path: Path) -> None:
    smi = fx.smi_xml([fx.smi_gpu_xml(i, bus) for i, bus in enumerate(fx.HGX_GPU_BUSES[:6])])
    health = _hgx_health(tmp_path, smi=smi)
    assert health["status"] == "failed"
    assert any("0000:ba:00.0" in m for m in health["messages"])


def test_health_worst_critical_action_wins(tmp_path: Path) -> None:
    health = _hgx_health(
        tmp_path,
        log=fx.KERNEL_LOG_XIDS + fx.KERNEL_LOG_FALLEN,
        smi=fx.hgx_smi_xml(gpu5={"remap_failure": "Yes"}),
    )
    assert (health["action"], health["fault"]) == ("inspect", "row_remap_failure")


# --- remediation planner ------------------------------------------------------------------------

FAILED_RESET = {"status": "failed", "action": "reset_gpu", "fault": "xid:48", "messages": []}
FAILED_REBOOT = {"status": "failed", "action": "reboot", "fault": "xid:79", "messages": []}
FAILED_INSPECT = {
    "status": "failed",
    "action": "inspect",
    "fault": "row_remap_failure",
    "messages": [],
}
HEALTHY = {"status": "healthy", "action": "none", "fault": "", "messages": []}
DEGRADED = {
    "status": "degraded",
    "action": "ignore",
    "fault": "",
    "messages": ["warning: GPU 1: 92 C"],
}
ROOMY = {"node_gpus": 8, "cluster_usable_gpus": 64, "min_gpus": 32}


@pytest.mark.parametrize(
    ("case", "health", "history", "kwargs", "step", "history_after"),
    [
        ("healthy, untouched", HEALTHY, {}, {}, "none", {}),
        (
            "healthy after remediation",
            HEALTHY,
            {"fault": "xid:48", "resets": 1, "reboots": 0},
            {"cordoned": True},
            "uncordon",
            {},
        ),
        ("cordoned by someone else", HEALTHY, {}, {"cordoned": True}, "none", {}),
        ("degraded only observed", DEGRADED, {}, {}, "observe", {}),
        (
            "first reset",
            FAILED_RESET,
            {},
            {},
            "reset_gpu",
            {"fault": "xid:48", "resets": 1, "reboots": 0},
        ),
        (
            "reset failed: reboot",
            FAILED_RESET,
            {"fault": "xid:48", "resets": 1, "reboots": 0},
            {"cordoned": True},
            "reboot",
            {"fault": "xid:48", "resets": 1, "reboots": 1},
        ),
        (
            "second reboot",
            FAILED_RESET,
            {"fault": "xid:48", "resets": 1, "reboots": 1},
            {"cordoned": True},
            "reboot",
            {"fault": "xid:48", "resets": 1, "reboots": 2},
        ),
        (
            "two reboots: inspect",
            FAILED_RESET,
            {"fault": "xid:48", "resets": 1, "reboots": 2},
            {"cordoned": True},
            "inspect",
            {"fault": "xid:48", "resets": 1, "reboots": 2, "inspection": True},
        ),
        (
            "waiting for inspection",
            FAILED_RESET,
            {"fault": "xid:48", "resets": 1, "reboots": 2, "inspection": True},
            {"cordoned": True},
            "hold",
            {"fault": "xid:48", "resets": 1, "reboots": 2, "inspection": True},
        ),
        (
            "new fault restarts the count",
            FAILED_REBOOT,
            {"fault": "xid:48", "resets": 1, "reboots": 2},
            {"cordoned": True},
            "reboot",
            {"fault": "xid:79", "resets": 0, "reboots": 1},
        ),
        (
            "reboot action",
            FAILED_REBOOT,
            {},
            {},
            "reboot",
            {"fault": "xid:79", "resets": 0, "reboots": 1},
        ),
        (
            "hardware fault",
            FAILED_INSPECT,
            {},
            {},
            "inspect",
            {"fault": "row_remap_failure", "resets": 0, "reboots": 0, "inspection": True},
        ),
        (
            "reset not allowed",
            FAILED_RESET,
            {},
            {"allow_reset": False},
            "reboot",
            {"fault": "xid:48", "resets": 0, "reboots": 1},
        ),
        (
            "reboot not allowed",
            FAILED_REBOOT,
            {},
            {"allow_reboot": False},
            "refuse",
            {},
        ),
    ],
)
def test_planner(
    case: str, health: dict, history: dict, kwargs: dict, step: str, history_after: dict
) -> None:
    args = dict(ROOMY, cordoned=False)
    args.update(kwargs)
    plan = _gpu.plan_remediation(health, history, **args)
    assert plan["step"] == step, (case, plan["reason"])
    assert plan["history"] == history_after, case
    if step in ("reset_gpu", "reboot"):
        assert plan["cordon"] and plan["drain"], case
    if step == "inspect":
        assert plan["cordon"] and plan["label_inspection"] and not plan["drain"], case


@pytest.mark.parametrize(
    ("usable", "cordoned", "min_gpus", "step"),
    [
        (64, False, 56, "reset_gpu"),  # 64 - 8 = 56: exactly the floor is allowed
        (64, False, 57, "refuse"),  # 56 < 57
        (8, False, 1, "refuse"),  # the only GPU node
        (56, True, 56, "reset_gpu"),  # already cordoned: its GPUs are not counted twice
        (48, True, 56, "refuse"),
    ],
)
def test_planner_capacity(usable: int, cordoned: bool, min_gpus: int, step: str) -> None:
    plan = _gpu.plan_remediation(
        FAILED_RESET,
        {},
        node_gpus=8,
        cluster_usable_gpus=usable,
        min_gpus=min_gpus,
        cordoned=cordoned,
    )
    assert plan["step"] == step, plan["reason"]
    if step == "refuse":
        assert plan["history"] == {}, "a refusal records nothing"
        assert "capacity" in plan["reason"]


def test_planner_one_node_at_a_time() -> None:
    plan = _gpu.plan_remediation(
        FAILED_REBOOT, {}, cordoned=False, others_in_remediation=1, **ROOMY
    )
    assert plan["step"] == "refuse"
    assert "one node at a time" in plan["reason"]
    assert not plan["drain"]


def test_planner_inspection_needs_no_capacity() -> None:
    """Labelling a broken node for inspection takes nothing away that is not already lost."""
    plan = _gpu.plan_remediation(
        FAILED_INSPECT, {}, node_gpus=8, cluster_usable_gpus=8, min_gpus=8, cordoned=False
    )
    assert plan["step"] == "inspect"


def test_planner_escalation_sequence() -> None:
    """Reset, reboot, reboot, then hardware inspection for a fault that never clears."""
    history: dict = {}
    steps = []
    cordoned = False
    for _ in range(5):
        plan = _gpu.plan_remediation(FAILED_RESET, history, cordoned=cordoned, **ROOMY)
        steps.append(plan["step"])
        history, cordoned = plan["history"], cordoned or plan["cordon"]
    assert steps == ["reset_gpu", "reboot", "reboot", "inspect", "hold"]
