"""Pure logic for NVIDIA GPU nodes: PCI detection, nvidia-smi and kernel-log parsing, the XID
catalog, health evaluation and the remediation planner.

Module code: runs on the managed node, so it keeps to Python 3.9 and the standard library, and
touches no host state except through the small readers at the top (sysfs, /proc), which take a
root directory so that tests can point them at fixture trees.
"""

from __future__ import annotations

import contextlib
import os
import re
import xml.etree.ElementTree as ET

NVIDIA_VENDOR = 0x10DE
# PCI class codes (class + subclass): VGA, 3D controller and "other display" are GPUs; an NVIDIA
# function of class "other bridge" is an NVSwitch.
GPU_CLASSES = (0x0300, 0x0302, 0x0380)
NVSWITCH_CLASS = 0x0680

# Device ID -> (model, form factor, family). From the PCI ID database (pci.ids); the family
# decides the minimum driver branch below.
GPU_MODELS = {
    0x1DB1: ("V100", "SXM2", "V100"),
    0x1DB4: ("V100", "PCIe", "V100"),
    0x1DB5: ("V100", "SXM2", "V100"),
    0x1EB8: ("T4", "PCIe", "T4"),
    0x20B0: ("A100 SXM4 40GB", "SXM", "A100"),
    0x20B2: ("A100 SXM4 80GB", "SXM", "A100"),
    0x20B5: ("A100 PCIe 80GB", "PCIe", "A100"),
    0x20F1: ("A100 PCIe 40GB", "PCIe", "A100"),
    0x20B7: ("A30", "PCIe", "A30"),
    0x2236: ("A10", "PCIe", "A10"),
    0x2330: ("H100 SXM5 80GB", "SXM", "H100"),
    0x2331: ("H100 PCIe", "PCIe", "H100"),
    0x2321: ("H100 NVL", "PCIe", "H100"),
    0x2324: ("H800", "SXM", "H100"),
    0x2322: ("H800 PCIe", "PCIe", "H100"),
    0x2335: ("H200 SXM 141GB", "SXM", "H200"),
    0x233B: ("H200 NVL", "PCIe", "H200"),
    0x2342: ("GH200 120GB/480GB", "Superchip", "GH200"),
    0x2348: ("GH200 144GB HBM3e", "Superchip", "GH200"),
    0x26B5: ("L40", "PCIe", "L40"),
    0x26B9: ("L40S", "PCIe", "L40S"),
    0x27B8: ("L4", "PCIe", "L4"),
    0x2901: ("B200", "SXM", "B200"),
    0x2941: ("GB200", "Superchip", "GB200"),
}
NVSWITCH_MODELS = {
    0x1AC0: "NVSwitch (V100 HGX)",
    0x1AC1: "NVSwitch (V100 HGX)",
    0x1AF1: "NVSwitch (A100 HGX)",
    0x22A3: "NVSwitch (H100/H200 HGX)",
}
# Oldest driver branch that supports each family (NVIDIA's release notes).
MIN_DRIVER_BRANCH = {
    "V100": 410,
    "T4": 418,
    "A100": 450,
    "A30": 450,
    "A10": 460,
    "H100": 525,
    "L40": 525,
    "L40S": 525,
    "L4": 525,
    "GH200": 535,
    "H200": 550,
    "B200": 570,
    "GB200": 570,
}
# Families whose NVLink switches are not PCI functions of the host but still need fabric
# manager when more than one GPU shares the baseboard (HGX B200).
FABRIC_WITHOUT_PCI_SWITCH = ("B200",)
# Families that need NVIDIA's open kernel modules (the proprietary module does not drive them).
OPEN_MODULE_ONLY = ("B200", "GB200")

_DRIVER_VERSION_RE = re.compile(r"Kernel Module(?:\s+for\s+\S+)?\s+(\d+\.\d+(?:\.\d+)?)")


def _read(path: str) -> str:
    with open(path, encoding="ascii", errors="replace") as handle:
        return handle.read().strip()


def _hex(text: str) -> int | None:
    try:
        return int(text, 16)
    except ValueError:
        return None


def read_pci_devices(sysfs_root: str = "/sys") -> list[dict]:
    """Every PCI function under <sysfs_root>/bus/pci/devices with vendor, device and class."""
    base = os.path.join(sysfs_root, "bus", "pci", "devices")
    if not os.path.isdir(base):
        return []
    devices = []
    for address in sorted(os.listdir(base)):
        path = os.path.join(base, address)
        try:
            vendor = _hex(_read(os.path.join(path, "vendor")))
            device = _hex(_read(os.path.join(path, "device")))
            pci_class = _hex(_read(os.path.join(path, "class")))
        except OSError:
            continue
        numa = -1
        with contextlib.suppress(OSError, ValueError):
            numa = int(_read(os.path.join(path, "numa_node")))
        driver = ""
        link = os.path.join(path, "driver")
        if os.path.islink(link):
            driver = os.path.basename(os.readlink(link))
        devices.append(
            {
                "address": address,
                "vendor": vendor,
                "device": device,
                "class": pci_class,
                "numa_node": numa,
                "driver": driver,
            }
        )
    return devices


def classify_pci(devices: list[dict]) -> dict:
    """Sort NVIDIA functions into GPUs and NVSwitches, with model names."""
    gpus, switches = [], []
    for dev in devices:
        if dev.get("vendor") != NVIDIA_VENDOR or dev.get("class") is None:
            continue
        cls = dev["class"] >> 8
        device_id = dev.get("device") or 0
        entry = {
            "pci_address": dev["address"],
            "device_id": f"0x{device_id:04x}",
            "numa_node": dev.get("numa_node", -1),
            "kernel_driver": dev.get("driver", ""),
        }
        if cls in GPU_CLASSES:
            model, form, family = GPU_MODELS.get(
                device_id, (f"unknown NVIDIA GPU {device_id:#06x}", "", "")
            )
            entry.update({"model": model, "form_factor": form, "family": family})
            gpus.append(entry)
        elif cls == NVSWITCH_CLASS:
            entry["model"] = NVSWITCH_MODELS.get(device_id, "NVSwitch")
            switches.append(entry)
    return {"gpus": gpus, "nvswitches": switches}


def parse_driver_version(text: str) -> str:
    """The driver version from /proc/driver/nvidia/version ('' when not loaded)."""
    match = _DRIVER_VERSION_RE.search(text or "")
    return match.group(1) if match else ""


def driver_branch(version: str) -> int:
    """535 for '535.161.08'; 0 when unknown."""
    head = str(version or "").split(".")[0]
    return int(head) if head.isdigit() else 0


def fabric_manager_needed(classified: dict) -> bool:
    """NVSwitch systems (HGX/DGX) need nvidia-fabricmanager before CUDA can use the GPUs."""
    if classified["nvswitches"]:
        return True
    families = [g["family"] for g in classified["gpus"] if g["form_factor"] == "SXM"]
    return len(families) > 1 and any(f in FABRIC_WITHOUT_PCI_SWITCH for f in families)


def min_driver_branch(classified: dict) -> int:
    """The oldest driver branch every detected GPU supports (0 when no known GPU)."""
    return max((MIN_DRIVER_BRANCH.get(g["family"], 0) for g in classified["gpus"]), default=0)


def summarise(classified: dict, driver_version_text: str) -> dict:
    """The facts gpu_facts reports, without the nvidia-smi part."""
    version = parse_driver_version(driver_version_text)
    families = sorted({g["family"] for g in classified["gpus"] if g["family"]})
    return {
        "count": len(classified["gpus"]),
        "gpus": classified["gpus"],
        "nvswitch_count": len(classified["nvswitches"]),
        "nvswitches": classified["nvswitches"],
        "models": sorted({g["model"] for g in classified["gpus"]}),
        "families": families,
        "driver_loaded": bool(version),
        "driver_version": version,
        "driver_branch": driver_branch(version),
        "min_driver_branch": min_driver_branch(classified),
        "open_module_required": any(f in OPEN_MODULE_ONLY for f in families),
        "fabric_manager_needed": fabric_manager_needed(classified),
    }


# --- nvidia-smi -q -x ---------------------------------------------------------------------------


def _text(node, path: str, default: str = "") -> str:
    found = node.find(path) if node is not None else None
    return found.text.strip() if found is not None and found.text else default


def _number(text: str) -> float | None:
    match = re.match(r"\s*(-?\d+(?:\.\d+)?)", text or "")
    return float(match.group(1)) if match else None


def _count(text: str) -> int:
    value = _number(text)
    return int(value) if value is not None else 0


def _uncorrectable(ecc_node) -> int:
    """Uncorrectable ECC errors in an <ecc_errors>/<volatile|aggregate> element, any driver."""
    if ecc_node is None:
        return 0
    total = 0
    for child in ecc_node:
        if child.tag == "double_bit":
            total += _count(_text(child, "total"))
        elif "uncorrectable" in child.tag and len(child) == 0:
            total += _count(child.text or "")
    return total


def _active_reasons(gpu) -> list[str]:
    reasons_node = gpu.find("clocks_event_reasons")
    if reasons_node is None:
        reasons_node = gpu.find("clocks_throttle_reasons")
    active = []
    for child in reasons_node if reasons_node is not None else []:
        if (child.text or "").strip() == "Active":
            active.append(re.sub(r"^clocks_(event|throttle)_reason_", "", child.tag))
    return active


def parse_smi_xml(text: str) -> dict:
    """The per-GPU view from `nvidia-smi -q -x`."""
    root = ET.fromstring(text)
    gpus = []
    for gpu in root.findall("gpu"):
        power = gpu.find("gpu_power_readings")
        if power is None:
            power = gpu.find("power_readings")
        limit = _text(power, "current_power_limit") or _text(power, "power_limit")
        fabric_state = _text(gpu, "fabric/state")
        gpus.append(
            {
                "index": _count(_text(gpu, "minor_number")),
                "pci_bus_id": normalise_bus_id(gpu.get("id") or _text(gpu, "pci/pci_bus_id")),
                "name": _text(gpu, "product_name"),
                "uuid": _text(gpu, "uuid"),
                "serial": _text(gpu, "serial"),
                "persistence_mode": _text(gpu, "persistence_mode") == "Enabled",
                "ecc_mode": _text(gpu, "ecc_mode/current_ecc"),
                "ecc_pending": _text(gpu, "ecc_mode/pending_ecc"),
                "ecc_uncorrectable_volatile": _uncorrectable(gpu.find("ecc_errors/volatile")),
                "ecc_uncorrectable_aggregate": _uncorrectable(gpu.find("ecc_errors/aggregate")),
                "remapped_rows_pending": _text(gpu, "remapped_rows/remapped_row_pending") == "Yes",
                "remapped_rows_failure": _text(gpu, "remapped_rows/remapped_row_failure") == "Yes",
                "retired_pages_pending": (
                    _text(gpu, "retired_pages/pending_retirement") == "Yes"
                    or _text(gpu, "retired_pages/pending_blacklist") == "Yes"
                ),
                "temperature_c": _number(_text(gpu, "temperature/gpu_temp")),
                "temperature_slowdown_c": _number(
                    _text(gpu, "temperature/gpu_temp_slow_threshold")
                ),
                "power_draw_w": _number(
                    _text(power, "power_draw") or _text(power, "instant_power_draw")
                ),
                "power_limit_w": _number(limit),
                "clock_event_reasons": _active_reasons(gpu),
                "fabric_state": fabric_state,
                "fabric_status": _text(gpu, "fabric/status"),
            }
        )
    return {
        "driver_version": _text(root, "driver_version"),
        "cuda_version": _text(root, "cuda_version"),
        "gpus": gpus,
    }


def normalise_bus_id(bus_id: str) -> str:
    """'00000000:18:00.0' and '0000:18:00.0' both become '0000:18:00.0' (sysfs form), lower case."""
    bus_id = (bus_id or "").strip().lower()
    match = re.match(r"^([0-9a-f]+):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$", bus_id)
    if not match:
        return bus_id
    domain, bus, dev, fn = match.groups()
    return f"{int(domain, 16):04x}:{bus}:{dev}.{fn}"


def parse_nvlink_status(text: str) -> dict:
    """`nvidia-smi nvlink -s`: per GPU index, its links and which are inactive."""
    result: dict = {}
    current = None
    for line in (text or "").splitlines():
        gpu = re.match(r"^GPU (\d+):", line)
        if gpu:
            current = int(gpu.group(1))
            result[current] = {"links": 0, "inactive": []}
            continue
        link = re.match(r"^\s+Link (\d+):\s*(.*)$", line)
        if link and current is not None:
            result[current]["links"] += 1
            if "inactive" in link.group(2).lower():
                result[current]["inactive"].append(int(link.group(1)))
    return result


# --- XID / SXID catalog -------------------------------------------------------------------------

ACTIONS = ("none", "ignore", "reset_gpu", "reboot", "inspect")
SEVERITIES = ("info", "warning", "critical")

# XID -> (severity, action, meaning). After NVIDIA's "XID Errors" guide: application faults are
# ignored (the job fails, the GPU is fine); ECC/firmware faults need a GPU reset; a GPU off the bus
# needs a reboot; initialisation and power faults need hands on the hardware.
XID_CATALOG = {
    8: ("warning", "reset_gpu", "GPU stopped processing"),
    13: ("info", "ignore", "graphics engine exception (application fault)"),
    31: ("info", "ignore", "GPU memory page fault (application fault)"),
    32: ("info", "ignore", "invalid or corrupted push buffer stream"),
    38: ("critical", "reset_gpu", "driver firmware error"),
    43: ("info", "ignore", "GPU stopped processing (application fault)"),
    44: ("critical", "reset_gpu", "graphics engine fault during context switch"),
    45: ("info", "ignore", "preemptive cleanup after an earlier error"),
    48: ("critical", "reset_gpu", "double-bit ECC error"),
    54: ("critical", "inspect", "auxiliary power not connected"),
    61: ("critical", "reset_gpu", "internal micro-controller breakpoint"),
    62: ("critical", "reset_gpu", "internal micro-controller halt"),
    63: ("warning", "reset_gpu", "ECC page retirement or row remap recorded (reset to apply)"),
    64: ("critical", "reset_gpu", "ECC page retirement or row remap recording failure"),
    68: ("warning", "ignore", "video processor exception"),
    69: ("info", "ignore", "graphics engine class error (application fault)"),
    74: ("critical", "reset_gpu", "NVLink error"),
    79: ("critical", "reboot", "GPU has fallen off the bus"),
    92: ("warning", "ignore", "high single-bit ECC error rate"),
    94: ("warning", "reset_gpu", "contained ECC error"),
    95: ("critical", "reset_gpu", "uncontained ECC error"),
    109: ("info", "ignore", "context switch timeout (application fault)"),
    119: ("critical", "reset_gpu", "GSP RPC timeout"),
    120: ("critical", "reset_gpu", "GSP error"),
    121: ("info", "ignore", "C2C link corrected error"),
    140: ("critical", "reset_gpu", "unrecovered ECC error"),
    143: ("critical", "inspect", "GPU initialisation failure"),
}
UNKNOWN_XID = ("warning", "ignore", "XID not in hactl's catalog")
# XID 154 reports the driver's own recovery verdict; it overrides the catalog's action.
_XID154_ACTIONS = {
    "none": ("info", "ignore"),
    "gpu reset required": ("critical", "reset_gpu"),
    "node reboot required": ("critical", "reboot"),
    "drain p2p": ("warning", "ignore"),
    "drain and reset": ("critical", "reset_gpu"),
}
# SXIDs (NVSwitch): the message says Fatal or Non-fatal; a fatal SXID needs the whole baseboard
# (every GPU and NVSwitch) reset, which on a node means a reboot.
SXID_FATAL = ("critical", "reboot", "fatal NVSwitch error")
SXID_NONFATAL = ("info", "ignore", "non-fatal NVSwitch error")

_XID_RE = re.compile(r"NVRM: Xid \(PCI:([0-9a-fA-F:.]+)\): (\d+),\s*(.*)$")
_SXID_RE = re.compile(r"SXid \(PCI:([0-9a-fA-F:.]+)\): (\d+),\s*(.*)$")


def xid_info(code: int, message: str = "") -> dict:
    """Severity, action and meaning of one XID."""
    severity, action, meaning = XID_CATALOG.get(code, UNKNOWN_XID)
    if code == 154:
        verdict = re.search(r"to 0x[0-9a-f]+ \(([^)]+)\)", message, re.IGNORECASE)
        if verdict:
            severity, action = _XID154_ACTIONS.get(
                verdict.group(1).strip().lower(), ("warning", "ignore")
            )
            meaning = f"driver recovery action: {verdict.group(1)}"
        else:
            severity, action, meaning = "warning", "ignore", "GPU recovery action changed"
    return {"severity": severity, "action": action, "meaning": meaning}


def sxid_info(code: int, message: str = "") -> dict:
    nonfatal = re.match(r"\s*non-fatal", message, re.IGNORECASE)
    fatal = re.match(r"\s*fatal", message, re.IGNORECASE)
    severity, action, meaning = SXID_FATAL if fatal and not nonfatal else SXID_NONFATAL
    return {"severity": severity, "action": action, "meaning": meaning}


def parse_kernel_log(text: str) -> list[dict]:
    """XID and SXID events in kernel log text (dmesg or journalctl -k), oldest first."""
    events = []
    for line in (text or "").splitlines():
        for kind, regex, info in (("xid", _XID_RE, xid_info), ("sxid", _SXID_RE, sxid_info)):
            match = regex.search(line)
            if match:
                code, message = int(match.group(2)), match.group(3).strip()
                event = {
                    "kind": kind,
                    "pci": normalise_bus_id(match.group(1)),
                    "code": code,
                    "message": message,
                }
                event.update(info(code, message))
                events.append(event)
                break
    return events


def worst_action(actions) -> str:
    return max(actions, key=ACTIONS.index, default="none")


# --- health -------------------------------------------------------------------------------------

THROTTLE_REASONS = (
    "hw_slowdown",
    "hw_thermal_slowdown",
    "hw_power_brake_slowdown",
    "sw_thermal_slowdown",
)


def _reason(
    check: str, severity: str, action: str, message: str, gpu: str = "", fault: str = ""
) -> dict:
    return {
        "check": check,
        "severity": severity,
        "action": action,
        "gpu": gpu,
        "message": message,
        "fault": fault or check,
    }


def evaluate_health(
    facts: dict,
    smi: dict | None,
    events: list[dict],
    nvlink: dict | None = None,
    expected_count: int | None = None,
    fabric_manager_state: str = "",
    max_temperature_c: float = 87.0,
    require_ecc: bool = True,
) -> dict:
    """Judge one node: healthy / degraded / failed, with the reasons and the action they call for.

    ``facts`` is summarise()'s output, ``smi`` parse_smi_xml()'s (None: no nvidia-smi),
    ``events`` parse_kernel_log()'s, ``nvlink`` parse_nvlink_status()'s (None: not checked),
    ``fabric_manager_state`` systemd's ActiveState of the fabric manager unit ('' unknown).
    """
    reasons = []
    seen = facts["count"]
    expected = seen if expected_count is None else expected_count
    if seen < expected:
        reasons.append(
            _reason(
                "gpu_count",
                "critical",
                "reboot",
                f"{seen} of {expected} expected GPUs on the PCI bus",
                fault="gpu_count",
            )
        )
    elif seen > expected:
        reasons.append(
            _reason(
                "gpu_count", "warning", "ignore", f"{seen} GPUs on the PCI bus, {expected} expected"
            )
        )
    if seen and not facts["driver_loaded"]:
        reasons.append(_reason("driver", "critical", "reboot", "NVIDIA kernel driver not loaded"))
    if seen and facts["driver_loaded"] and smi is None:
        reasons.append(
            _reason(
                "nvidia_smi", "warning", "ignore", "nvidia-smi not available; GPU state unchecked"
            )
        )
    by_bus = {}
    if smi is not None:
        by_bus = {g["pci_bus_id"]: g for g in smi["gpus"]}
        if len(smi["gpus"]) < seen:
            missing = sorted({g["pci_address"] for g in facts["gpus"]} - set(by_bus))
            reasons.append(
                _reason(
                    "driver_gpus",
                    "critical",
                    "reboot",
                    f"the driver sees {len(smi['gpus'])} of {seen} GPUs"
                    f" (missing: {', '.join(missing)})",
                )
            )
        for gpu in smi["gpus"]:
            reasons += _gpu_reasons(gpu, max_temperature_c, require_ecc)
    for index, links in sorted((nvlink or {}).items()):
        if links["inactive"]:
            reasons.append(
                _reason(
                    "nvlink",
                    "critical",
                    "reset_gpu",
                    f"GPU {index}: NVLink links down: "
                    + ", ".join(str(n) for n in links["inactive"]),
                    gpu=str(index),
                )
            )
    if facts.get("fabric_manager_needed") and seen and fabric_manager_state != "active":
        reasons.append(
            _reason(
                "fabric_manager",
                "critical",
                "reboot",
                f"nvidia-fabricmanager is {fabric_manager_state or 'not installed'};"
                " NVSwitch GPUs cannot run CUDA",
            )
        )
    for event in events:
        if event["severity"] == "info":
            continue
        gpu = by_bus.get(event["pci"], {}).get("index", "")
        reasons.append(
            _reason(
                event["kind"],
                event["severity"],
                event["action"],
                f"{event['kind'].upper()} {event['code']} on {event['pci']}: {event['meaning']}"
                f" ({event['message'][:120]})",
                gpu=str(gpu) if gpu != "" else event["pci"],
                fault=f"{event['kind']}:{event['code']}",
            )
        )
    return _verdict(reasons)


def _gpu_reasons(gpu: dict, max_temperature_c: float, require_ecc: bool) -> list[dict]:
    reasons = []
    idx = str(gpu["index"])
    if gpu["remapped_rows_failure"]:
        reasons.append(
            _reason(
                "row_remap",
                "critical",
                "inspect",
                f"GPU {idx}: row remapping failed",
                idx,
                "row_remap_failure",
            )
        )
    if gpu["ecc_uncorrectable_volatile"] > 0:
        reasons.append(
            _reason(
                "ecc",
                "critical",
                "reset_gpu",
                f"GPU {idx}: {gpu['ecc_uncorrectable_volatile']} uncorrectable ECC errors"
                " since the last reset",
                idx,
                "ecc_uncorrectable",
            )
        )
    if gpu["remapped_rows_pending"] or gpu["retired_pages_pending"]:
        reasons.append(
            _reason(
                "row_remap",
                "warning",
                "reset_gpu",
                f"GPU {idx}: row remap / page retirement pending a reset",
                idx,
                "row_remap_pending",
            )
        )
    if require_ecc and gpu["ecc_mode"] == "Disabled":
        reasons.append(_reason("ecc_mode", "warning", "ignore", f"GPU {idx}: ECC is disabled", idx))
    throttled = [r for r in gpu["clock_event_reasons"] if r in THROTTLE_REASONS]
    if throttled:
        reasons.append(
            _reason(
                "throttle",
                "warning",
                "ignore",
                f"GPU {idx}: clocks throttled ({', '.join(throttled)})",
                idx,
            )
        )
    temp = gpu["temperature_c"]
    if temp is not None and temp >= max_temperature_c:
        reasons.append(
            _reason(
                "thermal",
                "warning",
                "ignore",
                f"GPU {idx}: {temp:.0f} C (limit {max_temperature_c:.0f} C)",
                idx,
            )
        )
    if gpu["fabric_state"] and (
        gpu["fabric_state"] != "Completed" or gpu["fabric_status"] not in ("Success", "")
    ):
        reasons.append(
            _reason(
                "fabric",
                "critical",
                "reboot",
                f"GPU {idx}: NVLink fabric {gpu['fabric_state']} / {gpu['fabric_status'] or '?'}",
                idx,
                "fabric_registration",
            )
        )
    return reasons


def _verdict(reasons: list[dict]) -> dict:
    if any(r["severity"] == "critical" for r in reasons):
        status = "failed"
    elif any(r["severity"] == "warning" for r in reasons):
        status = "degraded"
    else:
        status = "healthy"
    critical = [r for r in reasons if r["severity"] == "critical"]
    relevant = critical or reasons
    action = worst_action(r["action"] for r in relevant) if relevant else "none"
    fault = ""
    if critical:
        fault = max(critical, key=lambda r: ACTIONS.index(r["action"]))["fault"]
    return {
        "status": status,
        "action": action,
        "fault": fault,
        "reasons": reasons,
        "messages": [f"{r['severity']}: {r['message']}" for r in reasons],
    }


# --- remediation planner ------------------------------------------------------------------------


def plan_remediation(
    health: dict,
    history: dict | None,
    node_gpus: int,
    cluster_usable_gpus: int,
    min_gpus: int,
    cordoned: bool,
    others_in_remediation: int = 0,
    max_reboots: int = 2,
    max_resets: int = 1,
    allow_reboot: bool = True,
    allow_reset: bool = True,
) -> dict:
    """Decide the next remediation step for one node.

    ``history`` is what earlier steps recorded for this node ({fault, resets, reboots}).
    ``cluster_usable_gpus`` counts the GPUs of every schedulable node in the cluster, this one
    included when it is schedulable; taking it out must leave at least ``min_gpus``.

    Returns {step, reason, cordon, drain, label_inspection, history}; step is one of
    none, observe, uncordon, reset_gpu, reboot, inspect, refuse, hold.
    """
    history = dict(history or {})
    # A refusal records nothing: the node is not in remediation, so it must not block others.
    untouched = dict(history)
    status, fault, action = health["status"], health.get("fault", ""), health.get("action", "none")

    def result(step: str, reason: str, **extra) -> dict:
        out = {
            "step": step,
            "reason": reason,
            "cordon": False,
            "drain": False,
            "label_inspection": False,
        }
        out.update(extra)
        out.setdefault("history", history)
        return out

    if status == "healthy":
        if cordoned and history:
            return result("uncordon", "healthy again after remediation", history={})
        return result("none", "healthy", history={} if not cordoned else history)
    if status == "degraded":
        return result("observe", "degraded: " + "; ".join(health.get("messages", [])[:3]))

    if history.get("fault") != fault:
        history = {"fault": fault, "resets": 0, "reboots": 0}
    if history.get("inspection"):
        return result("hold", f"already waiting for hardware inspection ({fault})", cordon=True)
    if action == "inspect" or history["reboots"] >= max_reboots:
        why = (
            "the fault needs hands on the hardware"
            if action == "inspect"
            else f"{history['reboots']} reboots did not clear {fault}"
        )
        history = dict(history, inspection=True)
        return result("inspect", why, cordon=True, label_inspection=True, history=history)
    if others_in_remediation > 0:
        return result(
            "refuse",
            f"{others_in_remediation} other GPU node(s) in remediation; one node at a time",
        )
    remaining = cluster_usable_gpus - (0 if cordoned else node_gpus)
    if remaining < min_gpus:
        return result(
            "refuse",
            f"taking {node_gpus} GPUs out would leave {remaining},"
            f" below the configured capacity of {min_gpus}",
            history=untouched,
        )
    if action == "reset_gpu" and allow_reset and history["resets"] < max_resets:
        history = dict(history, resets=history["resets"] + 1)
        return result(
            "reset_gpu", f"{fault}: reset the GPU(s)", cordon=True, drain=True, history=history
        )
    if action in ("reset_gpu", "reboot") and allow_reboot:
        history = dict(history, reboots=history["reboots"] + 1)
        return result(
            "reboot",
            f"{fault}: reboot {history['reboots']} of {max_reboots}",
            cordon=True,
            drain=True,
            history=history,
        )
    return result(
        "refuse",
        f"{fault} needs a {action.replace('_', ' ')}, which is not allowed here",
        history=untouched,
    )


# --- standalone probe (hactl status) ------------------------------------------------------------


def probe_node(
    expected_count: int | None = None,
    sysfs_root: str = "/sys",
    proc_root: str = "/proc",
    nvidia_smi: str = "nvidia-smi",
    fabric_manager_unit: str = "nvidia-fabricmanager",
) -> dict:
    """gpu_health's verdict without Ansible, for `hactl status` over plain SSH:
    ``python3 -c "$(cat _gpu.py)" --expected-count 8`` prints it as JSON."""
    import shutil
    import subprocess

    env = dict(os.environ, LC_ALL="C", LANG="C")

    def run(argv: list) -> tuple:
        try:
            proc = subprocess.run(
                argv, capture_output=True, text=True, env=env, timeout=60, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return 127, ""
        return proc.returncode, proc.stdout

    try:
        with open(
            os.path.join(proc_root, "driver", "nvidia", "version"), encoding="ascii"
        ) as handle:
            version_text = handle.read()
    except OSError:
        version_text = ""
    facts = summarise(classify_pci(read_pci_devices(sysfs_root)), version_text)
    smi, nvlink, events, fm_state = None, None, [], ""
    smi_bin = shutil.which(nvidia_smi)
    if facts["count"] and facts["driver_loaded"] and smi_bin:
        rc, out = run([smi_bin, "-q", "-x"])
        smi = parse_smi_xml(out) if rc == 0 and out.strip() else None
        rc, out = run([smi_bin, "nvlink", "-s"])
        nvlink = parse_nvlink_status(out) if rc == 0 else None
    if facts["count"]:
        rc, out = run(["journalctl", "-k", "-b", "--no-pager", "-q", "-o", "short-iso"])
        if rc != 0:
            rc, out = run(["dmesg"])
        events = parse_kernel_log(out if rc == 0 else "")
    if facts["fabric_manager_needed"]:
        rc, out = run(
            ["systemctl", "show", "--property=LoadState,ActiveState", fabric_manager_unit]
        )
        props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        fm_state = (
            props.get("ActiveState", "")
            if props.get("LoadState") not in (None, "not-found")
            else ""
        )
    verdict = evaluate_health(facts, smi, events, nvlink, expected_count, fm_state)
    verdict.update(
        {
            "gpu_count": facts["count"],
            "expected_count": facts["count"] if expected_count is None else expected_count,
            "models": facts["models"],
            "driver_version": facts["driver_version"],
            "fabric_manager_state": fm_state,
        }
    )
    return verdict


if __name__ == "__main__":
    import argparse
    import json
    import sys

    _parser = argparse.ArgumentParser(description="Print this node's GPU health as JSON.")
    _parser.add_argument("--expected-count", type=int)
    _args = _parser.parse_args()
    print(json.dumps(probe_node(_args.expected_count), sort_keys=True))
    sys.exit(0)
