#!/usr/bin/env python3
"""Check hactl's GPU modules against a real GPU host: run gpu_facts and gpu_health read-only
through Ansible on this machine and compare what they report with `nvidia-smi -q`.

Run it on the GPU host itself, from a checkout of hactl, with ansible-core installed:

    python3 tests/gpu/check_real_gpu.py            # human-readable
    python3 tests/gpu/check_real_gpu.py --json     # machine-readable

Exit status: 0 all checks agree (PASS), or no NVIDIA GPU here (SKIP, nothing claimed);
1 a disagreement (FAIL); 2 GPUs present but nvidia-smi cannot talk to the driver (NOT CHECKED).
It changes nothing on the host: both modules are read-only, and nvidia-smi -q only queries.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "plugins/module_utils"))

import _gpu  # noqa: E402  after the path insert

EXIT_PASS, EXIT_FAIL, EXIT_NOT_CHECKED = 0, 1, 2


def parse_smi_text(text: str) -> dict:
    """`nvidia-smi -q` as nested dicts by indentation: 'Key : value' leaves, header sections."""
    root: dict = {"gpus": {}}
    stack: list[tuple[int, dict]] = [(-1, root)]
    for raw in text.splitlines():
        if not raw.strip() or raw.startswith("="):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        line = raw.strip()
        gpu = re.match(r"^GPU ([0-9A-Fa-f]+:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-7])$", line)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        if gpu:
            section: dict = {}
            root["gpus"][_gpu.normalise_bus_id(gpu.group(1))] = section
            stack.append((indent, section))
        elif ":" in line and not line.endswith(":"):
            key, _, value = line.partition(":")
            parent[key.strip()] = value.strip()
        else:
            section = {}
            parent[line.rstrip(":").strip()] = section
            stack.append((indent, section))
    return root


def run_module(name: str, args: dict) -> dict:
    """Run one of hactl's modules on localhost through ansible, return its result."""
    env = dict(os.environ)
    env.update(
        {
            "ANSIBLE_LIBRARY": str(REPO / "plugins/modules"),
            "ANSIBLE_MODULE_UTILS": str(REPO / "plugins/module_utils"),
            "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
            "ANSIBLE_STDOUT_CALLBACK": "json",
            "ANSIBLE_LOCALHOST_WARNING": "0",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        }
    )
    ansible = shutil.which("ansible") or str(Path(sys.executable).parent / "ansible")
    argv = [ansible, "localhost", "-c", "local", "-m", name, "-a", json.dumps(args)]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False, timeout=300)
    try:
        data = json.loads(proc.stdout)
        return data["plays"][0]["tasks"][0]["hosts"]["localhost"]
    except (ValueError, KeyError, IndexError) as exc:
        raise SystemExit(
            f"could not run {name} through ansible ({exc}):\n"
            f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        ) from exc


def _num(text: str) -> float | None:
    match = re.match(r"\s*(-?\d+(?:\.\d+)?)", text or "")
    return float(match.group(1)) if match else None


def compare(facts: dict, health: dict, smi: dict) -> list[tuple[bool, str]]:
    """(ok, message) per check."""
    checks: list[tuple[bool, str]] = []

    def check(ok: bool, message: str) -> None:
        checks.append((bool(ok), message))

    attached = int(smi.get("Attached GPUs", "0") or 0)
    check(
        facts["count"] == attached,
        f"GPU count: gpu_facts {facts['count']} (PCI), nvidia-smi {attached}",
    )
    check(
        facts["driver_version"] == smi.get("Driver Version", ""),
        f"driver version: gpu_facts {facts['driver_version']!r},"
        f" nvidia-smi {smi.get('Driver Version')!r}",
    )
    by_bus = {g["pci_bus_id"]: g for g in facts.get("smi", [])}
    pci = {g["pci_address"]: g for g in facts["gpus"]}
    ecc_gpus, remap_gpus = set(), set()
    for bus, section in sorted(smi["gpus"].items()):
        mine, mine_pci = by_bus.get(bus), pci.get(bus)
        check(
            mine is not None and mine_pci is not None,
            f"{bus}: found by gpu_facts (sysfs and nvidia-smi -q -x)",
        )
        if mine is None or mine_pci is None:
            continue
        name = section.get("Product Name", "")
        family = mine_pci["family"]
        check(
            not family or family in name.replace("-", " ").split() or family in name,
            f"{bus}: model {mine_pci['model']!r} vs product name {name!r}",
        )
        check(
            mine["persistence_mode"] == (section.get("Persistence Mode") == "Enabled"),
            f"{bus}: persistence mode {section.get('Persistence Mode')}",
        )
        ecc = section.get("ECC Mode", {}).get("Current", "")
        check(
            mine["ecc_mode"] == ecc,
            f"{bus}: ECC mode gpu_facts {mine['ecc_mode']!r}, nvidia-smi {ecc!r}",
        )
        temp = _num(section.get("Temperature", {}).get("GPU Current Temp", ""))
        if temp is not None and mine["temperature_c"] is not None:
            check(
                abs(temp - mine["temperature_c"]) <= 5,
                f"{bus}: temperature {mine['temperature_c']} C vs {temp} C (±5)",
            )
        volatile = section.get("ECC Errors", {}).get("Volatile", {})
        unc = sum(
            int(_num(v) or 0)
            for k, v in _leaves(volatile)
            if "Uncorrectable" in k or k == "Double Bit ECC"
        )
        check(
            mine["ecc_uncorrectable_volatile"] == unc,
            f"{bus}: volatile uncorrectable ECC {mine['ecc_uncorrectable_volatile']} vs {unc}",
        )
        if unc:
            ecc_gpus.add(str(mine["index"]))
        remap = section.get("Remapped Rows", {})
        if remap.get("Pending") == "Yes" or remap.get("Remapping Failure Occurred") == "Yes":
            remap_gpus.add(str(mine["index"]))
    reasons = health.get("reasons", [])
    seen_ecc = {r["gpu"] for r in reasons if r["check"] == "ecc"}
    seen_remap = {r["gpu"] for r in reasons if r["check"] == "row_remap"}
    check(
        seen_ecc == ecc_gpus,
        f"gpu_health ECC findings {sorted(seen_ecc)} vs nvidia-smi {sorted(ecc_gpus)}",
    )
    check(
        seen_remap == remap_gpus,
        f"gpu_health row-remap findings {sorted(seen_remap)} vs nvidia-smi {sorted(remap_gpus)}",
    )
    count_bad = any(r["check"] in ("gpu_count", "driver_gpus") for r in reasons)
    check(
        count_bad == (facts["count"] != attached),
        "gpu_health flags a GPU the driver does not see exactly when counts differ",
    )
    check(
        health["gpu_count"] == facts["count"],
        f"gpu_health counts {health['gpu_count']} GPUs, gpu_facts {facts['count']}",
    )
    return checks


def _leaves(tree: dict, prefix: str = ""):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _leaves(value, f"{prefix}{key} ")
        else:
            yield f"{prefix}{key}", value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print a JSON report")
    args = parser.parse_args(argv)

    pci = _gpu.classify_pci(_gpu.read_pci_devices("/sys"))
    smi_bin = shutil.which("nvidia-smi")
    report: dict = {
        "host": os.uname().nodename,
        "pci_gpus": len(pci["gpus"]),
        "nvswitches": len(pci["nvswitches"]),
    }
    if not pci["gpus"] and not smi_bin:
        report.update(
            result="SKIP",
            reason="no NVIDIA GPU on this host's PCI bus and no nvidia-smi: nothing checked",
        )
        return _finish(report, args.json, EXIT_PASS)
    facts = run_module("gpu_facts", {})["ansible_facts"]["hactl_gpu"]
    health = run_module("gpu_health", {})
    report.update(
        gpu_facts=facts,
        gpu_health={k: health.get(k) for k in ("status", "action", "fault", "messages")},
    )
    proc = subprocess.run(
        [smi_bin or "nvidia-smi", "-q"],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, LC_ALL="C"),
    )
    if proc.returncode != 0:
        report.update(
            result="NOT CHECKED",
            reason=f"nvidia-smi -q failed ({proc.returncode}): {proc.stdout.strip()[:300]}",
        )
        return _finish(report, args.json, EXIT_NOT_CHECKED)
    checks = compare(facts, health, parse_smi_text(proc.stdout))
    report["checks"] = [{"ok": ok, "check": msg} for ok, msg in checks]
    ok = all(ok for ok, _ in checks)
    report["result"] = "PASS" if ok else "FAIL"
    return _finish(report, args.json, EXIT_PASS if ok else EXIT_FAIL)


def _finish(report: dict, as_json: bool, code: int) -> int:
    if as_json:
        print(json.dumps(report, indent=2, default=str))
        return code
    print(
        f"host {report['host']}: {report['pci_gpus']} NVIDIA GPU(s),"
        f" {report['nvswitches']} NVSwitch(es) on the PCI bus"
    )
    for item in report.get("checks", []):
        print(f"  {'ok      ' if item['ok'] else 'MISMATCH'} {item['check']}")
    if "gpu_health" in report:
        health = report["gpu_health"]
        print(
            f"  gpu_health: {health['status']} (action {health['action']})"
            f" {'; '.join(health['messages'] or [])}"
        )
    print(f"{report['result']}{': ' + report['reason'] if 'reason' in report else ''}")
    return code


if __name__ == "__main__":
    sys.exit(main())
