# ruff: noqa: E501  kernel log lines and XML stay as the tools print them
"""Fixture builders for the GPU tests: sysfs PCI trees, nvidia-smi -q -x documents, kernel logs.

Everything is written by the tests into tmp_path; nothing here reads the real host.
"""

from __future__ import annotations

from pathlib import Path

NVIDIA = 0x10DE
H100_SXM, H100_PCIE, L40S, L4, A100_PCIE, H200_SXM, B200 = (
    0x2330,
    0x2331,
    0x26B9,
    0x27B8,
    0x20B5,
    0x2335,
    0x2901,
)
NVSWITCH_H100 = 0x22A3
# PCI classes as sysfs writes them (class, subclass, prog-if).
CLASS_3D, CLASS_VGA, CLASS_BRIDGE_OTHER, CLASS_ETHERNET, CLASS_HOST_BRIDGE = (
    0x030200,
    0x030000,
    0x068000,
    0x020000,
    0x060000,
)
INTEL, MELLANOX = 0x8086, 0x15B3

# Bus addresses of an 8-GPU HGX H100 board, as on real systems.
HGX_GPU_BUSES = ["18", "2a", "3a", "5d", "9a", "ab", "ba", "db"]
HGX_SWITCH_BUSES = ["05", "06", "07", "08"]


def pci_device(
    root: Path, address: str, vendor: int, device: int, pci_class: int, numa: int = 0
) -> None:
    path = root / "bus/pci/devices" / address
    path.mkdir(parents=True)
    (path / "vendor").write_text(f"0x{vendor:04x}\n")
    (path / "device").write_text(f"0x{device:04x}\n")
    (path / "class").write_text(f"0x{pci_class:06x}\n")
    (path / "numa_node").write_text(f"{numa}\n")


def sysfs_no_gpu(root: Path) -> Path:
    pci_device(root, "0000:00:00.0", INTEL, 0x09A2, CLASS_HOST_BRIDGE)
    pci_device(root, "0000:00:1f.6", INTEL, 0x15B7, CLASS_ETHERNET)
    return root


def sysfs_hgx_h100(root: Path, gpus: int = 8) -> Path:
    """8 x H100 SXM5 and 4 NVSwitches, plus a NIC and a host bridge (drop GPUs with gpus < 8)."""
    sysfs_no_gpu(root)
    for i, bus in enumerate(HGX_GPU_BUSES[:gpus]):
        pci_device(root, f"0000:{bus}:00.0", NVIDIA, H100_SXM, CLASS_3D, numa=i // 4)
    for bus in HGX_SWITCH_BUSES:
        pci_device(root, f"0000:{bus}:00.0", NVIDIA, NVSWITCH_H100, CLASS_BRIDGE_OTHER)
    pci_device(root, "0000:19:00.0", MELLANOX, 0x1021, CLASS_ETHERNET)
    return root


def sysfs_mixed_pcie(root: Path) -> Path:
    """Mixed PCIe cards: an L40S, an L4, an A100 PCIe, a VGA-class card of unknown ID, and an
    NVIDIA HDMI audio function that must not count."""
    sysfs_no_gpu(root)
    pci_device(root, "0000:17:00.0", NVIDIA, L40S, CLASS_3D)
    pci_device(root, "0000:31:00.0", NVIDIA, L4, CLASS_3D)
    pci_device(root, "0000:4b:00.0", NVIDIA, A100_PCIE, CLASS_3D, numa=1)
    pci_device(root, "0000:65:00.0", NVIDIA, 0x1FFF, CLASS_VGA, numa=1)
    pci_device(root, "0000:65:00.1", NVIDIA, 0x10FA, 0x040300, numa=1)
    return root


def proc_driver(root: Path, version: str = "535.161.08", open_module: bool = False) -> Path:
    path = root / "driver/nvidia"
    path.mkdir(parents=True, exist_ok=True)
    kind = "Open Kernel Module for x86_64" if open_module else "Kernel Module"
    (path / "version").write_text(
        f"NVRM version: NVIDIA UNIX x86_64 {kind}  {version}  Tue Mar  5 22:42:15 UTC 2024\n"
        "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n"
    )
    return root


def smi_gpu_xml(
    index: int,
    bus: str,
    *,
    name: str = "NVIDIA H100 80GB HBM3",
    dram_unc: int = 0,
    remap_pending: str = "No",
    remap_failure: str = "No",
    ecc: str = "Enabled",
    temp: int = 34,
    hw_slowdown: str = "Not Active",
    fabric_state: str = "Completed",
    fabric_status: str = "Success",
    persistence: str = "Enabled",
    legacy: bool = False,
) -> str:
    """One <gpu> element as nvidia-smi 535+ writes it (legacy=True: the pre-535 tag names)."""
    if legacy:
        ecc_block = (
            "<volatile><single_bit><total>0</total></single_bit>"
            f"<double_bit><total>{dram_unc}</total></double_bit></volatile>"
            "<aggregate><single_bit><total>3</total></single_bit><double_bit><total>0</total></double_bit></aggregate>"
        )
        reasons_tag, prefix, power_tag, limit_tag = (
            "clocks_throttle_reasons",
            "clocks_throttle_reason_",
            "power_readings",
            "power_limit",
        )
    else:
        ecc_block = (
            "<volatile><sram_correctable>0</sram_correctable><sram_uncorrectable>0</sram_uncorrectable>"
            f"<dram_correctable>2</dram_correctable><dram_uncorrectable>{dram_unc}</dram_uncorrectable></volatile>"
            "<aggregate><sram_correctable>0</sram_correctable><sram_uncorrectable>0</sram_uncorrectable>"
            f"<dram_correctable>9</dram_correctable><dram_uncorrectable>{dram_unc}</dram_uncorrectable></aggregate>"
        )
        reasons_tag, prefix, power_tag, limit_tag = (
            "clocks_event_reasons",
            "clocks_event_reason_",
            "gpu_power_readings",
            "current_power_limit",
        )
    return f"""
  <gpu id="00000000:{bus.upper()}:00.0">
    <product_name>{name}</product_name>
    <persistence_mode>{persistence}</persistence_mode>
    <serial>165422{index:07d}</serial>
    <uuid>GPU-0000000{index}-aaaa-bbbb-cccc-dddddddddddd</uuid>
    <minor_number>{index}</minor_number>
    <fabric><state>{fabric_state}</state><status>{fabric_status}</status></fabric>
    <pci><pci_bus_id>00000000:{bus.upper()}:00.0</pci_bus_id><pci_device_id>233010DE</pci_device_id></pci>
    <{reasons_tag}>
      <{prefix}gpu_idle>Active</{prefix}gpu_idle>
      <{prefix}sw_power_cap>Not Active</{prefix}sw_power_cap>
      <{prefix}hw_slowdown>{hw_slowdown}</{prefix}hw_slowdown>
      <{prefix}hw_thermal_slowdown>Not Active</{prefix}hw_thermal_slowdown>
      <{prefix}sw_thermal_slowdown>Not Active</{prefix}sw_thermal_slowdown>
    </{reasons_tag}>
    <ecc_mode><current_ecc>{ecc}</current_ecc><pending_ecc>{ecc}</pending_ecc></ecc_mode>
    <ecc_errors>{ecc_block}</ecc_errors>
    <retired_pages><pending_retirement>N/A</pending_retirement></retired_pages>
    <remapped_rows>
      <remapped_row_corr>0</remapped_row_corr><remapped_row_unc>0</remapped_row_unc>
      <remapped_row_pending>{remap_pending}</remapped_row_pending>
      <remapped_row_failure>{remap_failure}</remapped_row_failure>
    </remapped_rows>
    <temperature><gpu_temp>{temp} C</gpu_temp><gpu_temp_slow_threshold>87 C</gpu_temp_slow_threshold></temperature>
    <{power_tag}><power_draw>71.23 W</power_draw><{limit_tag}>700.00 W</{limit_tag}></{power_tag}>
  </gpu>"""


def smi_xml(gpus: list[str], driver: str = "535.161.08") -> str:
    return (
        '<?xml version="1.0" ?>\n<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v12.dtd">\n<nvidia_smi_log>\n'
        f"  <timestamp>Thu Dec  3 17:00:00 2026</timestamp>\n  <driver_version>{driver}</driver_version>\n"
        f"  <cuda_version>12.2</cuda_version>\n  <attached_gpus>{len(gpus)}</attached_gpus>"
        + "".join(gpus)
        + "\n</nvidia_smi_log>\n"
    )


def hgx_smi_xml(**per_gpu: dict) -> str:
    """nvidia-smi -q -x for the 8-GPU HGX tree; per_gpu maps 'gpu3' to smi_gpu_xml overrides."""
    return smi_xml(
        [smi_gpu_xml(i, bus, **per_gpu.get(f"gpu{i}", {})) for i, bus in enumerate(HGX_GPU_BUSES)]
    )


def nvlink_status(gpus: int = 8, links: int = 18, down: dict[int, list[int]] | None = None) -> str:
    down = down or {}
    lines = []
    for g in range(gpus):
        lines.append(
            f"GPU {g}: NVIDIA H100 80GB HBM3 (UUID: GPU-0000000{g}-aaaa-bbbb-cccc-dddddddddddd)"
        )
        for link in range(links):
            state = "<inactive>" if link in down.get(g, []) else "26.562 GB/s"
            lines.append(f"\t Link {link}: {state}")
    return "\n".join(lines) + "\n"


KERNEL_LOG_CLEAN = """\
2026-12-03T10:00:01+0000 gpu-1 kernel: Linux version 6.1.0-27-amd64
2026-12-03T10:00:09+0000 gpu-1 kernel: nvidia: loading out-of-tree module taints kernel.
2026-12-03T10:00:10+0000 gpu-1 kernel: NVRM: loading NVIDIA UNIX x86_64 Kernel Module  535.161.08
"""

KERNEL_LOG_XIDS = (
    KERNEL_LOG_CLEAN
    + """\
2026-12-03T11:00:00+0000 gpu-1 kernel: NVRM: Xid (PCI:0000:18:00): 13, pid=4242, name=python, Graphics SM Warp Exception on (GPC 0, TPC 1, SM 0)
2026-12-03T11:00:05+0000 gpu-1 kernel: NVRM: Xid (PCI:0000:2a:00): 31, pid=4242, name=python, Ch 00000008, intr 00000000. MMU Fault
2026-12-03T12:00:00+0000 gpu-1 kernel: NVRM: Xid (PCI:0000:3a:00): 48, pid='<unknown>', name=<unknown>, An uncorrectable double bit error (DBE) has been detected on GPU
2026-12-03T12:30:00+0000 gpu-1 kernel: nvidia-nvswitch2: SXid (PCI:0000:07:00.0): 12028, Non-fatal, Link 32 egress non-posted PRIV error (First)
"""
)

KERNEL_LOG_FALLEN = (
    KERNEL_LOG_CLEAN
    + """\
2026-12-03T13:00:00+0000 gpu-1 kernel: NVRM: Xid (PCI:0000:9a:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.
"""
)

KERNEL_LOG_SXID_FATAL = (
    KERNEL_LOG_CLEAN
    + """\
[ 1234.567890] nvidia-nvswitch0: SXid (PCI:0000:05:00.0): 20034, Fatal, Link 12 LTSSM Fault Up
"""
)

KERNEL_LOG_XID154 = (
    KERNEL_LOG_CLEAN
    + """\
2026-12-03T14:00:00+0000 gpu-1 kernel: NVRM: Xid (PCI:0000:ab:00): 154, GPU recovery action changed from 0x0 (None) to 0x2 (Node Reboot Required)
"""
)


def fake_smi(directory: Path, xml: str, nvlink: str = "") -> str:
    """An executable nvidia-smi that answers -q -x and nvlink -s from fixture text."""
    (directory / "smi.xml").write_text(xml)
    (directory / "nvlink.txt").write_text(nvlink)
    script = directory / "nvidia-smi"
    script.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = nvlink ]; then cat {directory}/nvlink.txt; exit 0; fi\n'
        f'if [ "$1 $2" = "-q -x" ]; then cat {directory}/smi.xml; exit 0; fi\n'
        "exit 2\n"
    )
    script.chmod(0o755)
    return str(script)


MIXED_BUSES = ["17", "31", "4b", "65"]


def mixed_smi_xml(**per_gpu: dict) -> str:
    """nvidia-smi -q -x for the mixed PCIe tree (4 GPUs); per_gpu maps 'gpu1' to overrides."""
    return smi_xml(
        [smi_gpu_xml(i, bus, **per_gpu.get(f"gpu{i}", {})) for i, bus in enumerate(MIXED_BUSES)]
    )
