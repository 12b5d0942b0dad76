"""tests/gpu/check_real_gpu.py: its nvidia-smi -q parser and comparison, and its honest SKIP on a
host without NVIDIA GPUs (this machine)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests/gpu"))
sys.path.insert(0, str(REPO / "plugins/module_utils"))

import _gpu  # noqa: E402  after the path insert
import check_real_gpu  # noqa: E402  after the path insert

SMI_Q = """
==============NVSMI LOG==============

Timestamp                                 : Thu Dec  3 17:00:00 2026
Driver Version                            : 535.161.08
CUDA Version                              : 12.2

Attached GPUs                             : 2
GPU 00000000:18:00.0
    Product Name                          : NVIDIA H100 80GB HBM3
    Persistence Mode                      : Enabled
    ECC Mode
        Current                           : Enabled
        Pending                           : Enabled
    ECC Errors
        Volatile
            SRAM Correctable              : 0
            SRAM Uncorrectable            : 0
            DRAM Correctable              : 0
            DRAM Uncorrectable            : 0
    Remapped Rows
        Correctable Error                 : 0
        Uncorrectable Error               : 0
        Pending                           : No
        Remapping Failure Occurred        : No
    Temperature
        GPU Current Temp                  : 34 C
GPU 00000000:2A:00.0
    Product Name                          : NVIDIA H100 80GB HBM3
    Persistence Mode                      : Enabled
    ECC Mode
        Current                           : Enabled
        Pending                           : Enabled
    ECC Errors
        Volatile
            SRAM Correctable              : 0
            SRAM Uncorrectable            : 0
            DRAM Correctable              : 0
            DRAM Uncorrectable            : 2
    Remapped Rows
        Pending                           : Yes
        Remapping Failure Occurred        : No
    Temperature
        GPU Current Temp                  : 36 C
"""


def test_parse_smi_text() -> None:
    smi = check_real_gpu.parse_smi_text(SMI_Q)
    assert smi["Driver Version"] == "535.161.08"
    assert smi["Attached GPUs"] == "2"
    assert list(smi["gpus"]) == ["0000:18:00.0", "0000:2a:00.0"]
    second = smi["gpus"]["0000:2a:00.0"]
    assert second["ECC Mode"]["Current"] == "Enabled"
    assert second["ECC Errors"]["Volatile"]["DRAM Uncorrectable"] == "2"
    assert second["Temperature"]["GPU Current Temp"] == "36 C"


def _facts_and_health(unc: int, pending: bool) -> tuple[dict, dict]:
    gpus = [
        {
            "pci_address": "0000:18:00.0",
            "model": "H100 SXM5 80GB",
            "family": "H100",
            "form_factor": "SXM",
        },
        {
            "pci_address": "0000:2a:00.0",
            "model": "H100 SXM5 80GB",
            "family": "H100",
            "form_factor": "SXM",
        },
    ]
    smi = [
        {
            "index": 0,
            "pci_bus_id": "0000:18:00.0",
            "persistence_mode": True,
            "ecc_mode": "Enabled",
            "temperature_c": 34.0,
            "ecc_uncorrectable_volatile": 0,
        },
        {
            "index": 1,
            "pci_bus_id": "0000:2a:00.0",
            "persistence_mode": True,
            "ecc_mode": "Enabled",
            "temperature_c": 37.0,
            "ecc_uncorrectable_volatile": unc,
        },
    ]
    facts = {"count": 2, "driver_version": "535.161.08", "gpus": gpus, "smi": smi}
    reasons = []
    if unc:
        reasons.append({"check": "ecc", "gpu": "1"})
    if pending:
        reasons.append({"check": "row_remap", "gpu": "1"})
    return facts, {"gpu_count": 2, "reasons": reasons}


def test_compare_agrees() -> None:
    facts, health = _facts_and_health(unc=2, pending=True)
    checks = check_real_gpu.compare(facts, health, check_real_gpu.parse_smi_text(SMI_Q))
    assert all(ok for ok, _ in checks), [m for ok, m in checks if not ok]


def test_compare_finds_disagreement() -> None:
    facts, health = _facts_and_health(unc=0, pending=False)
    bad = [
        m
        for ok, m in check_real_gpu.compare(facts, health, check_real_gpu.parse_smi_text(SMI_Q))
        if not ok
    ]
    assert any("uncorrectable ECC" in m for m in bad)
    assert any("row-remap" in m for m in bad)


def test_skips_honestly_without_gpus() -> None:
    if _gpu.classify_pci(_gpu.read_pci_devices("/sys"))["gpus"]:
        return  # a GPU host: the real check is the script itself
    proc = subprocess.run(
        [sys.executable, str(REPO / "tests/gpu/check_real_gpu.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert proc.stdout.strip().splitlines()[-1].startswith("SKIP")
    assert "PASS" not in proc.stdout
