"""plugins/filter/gpu_filters.py, and the role tables that must agree with module_utils/_gpu.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "plugins/filter"))
sys.path.insert(0, str(REPO / "plugins/module_utils"))

import _gpu  # noqa: E402  after the path insert
import gpu_filters  # noqa: E402  after the path insert

DEB822 = """\
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main
"""

ONE_LINE = """\
# comment
deb [signed-by=/usr/share/keyrings/debian.gpg] http://mirror.example/debian bookworm main
deb http://security.example/debian-security bookworm-security main
"""


@pytest.mark.parametrize(
    ("text", "release", "uri"),
    [
        (DEB822, "bookworm", "http://mirror.example/debian"),
        (DEB822, "bookworm-security", "http://security.example/debian-security"),
        (ONE_LINE, "bookworm", "http://mirror.example/debian"),
        ("deb http://m.example/debian trixie main\n", "trixie", "http://m.example/debian"),
    ],
)
def test_apt_mirror(text: str, release: str, uri: str) -> None:
    assert gpu_filters.apt_mirror(text, release) == uri


def test_apt_mirror_missing() -> None:
    with pytest.raises(ValueError, match="trixie"):
        gpu_filters.apt_mirror(DEB822, "trixie")


def test_filter_error_names_the_filter() -> None:
    flt = gpu_filters.FilterModule().filters()["gpu_apt_mirror"]
    with pytest.raises(Exception, match="gpu_apt_mirror"):
        flt(DEB822, "sid")


def test_role_branch_table_matches_module_utils() -> None:
    table = yaml.safe_load((REPO / "roles/nvidia_driver/vars/main.yml").read_text())
    assert table["__nvidia_driver_min_branch"] == _gpu.MIN_DRIVER_BRANCH
    assert table["__nvidia_driver_open_only"] == list(_gpu.OPEN_MODULE_ONLY)


def _view(
    gpus: int, cordoned: bool = False, status: str = "healthy", history: dict | None = None
) -> dict:
    return {
        "__gpu_remediate_node_gpus": gpus,
        "__gpu_remediate_cordoned": cordoned,
        "__gpu_remediate_status": status,
        "__gpu_remediate_history": history or {},
    }


CLUSTER = {
    "g1": _view(8),
    "g2": _view(8, status="failed"),
    "g3": _view(8, cordoned=True, history={"fault": "xid:79", "reboots": 2, "inspection": True}),
    "g4": _view(4, status="degraded"),
    "g5": _view(8, cordoned=True, status="failed", history={"fault": "xid:48", "resets": 1}),
}


@pytest.mark.parametrize(
    ("this", "usable"),
    [
        ("", 12),  # g1 + g4: failed and cordoned nodes do not count
        ("g2", 20),  # the node being judged counts while it is schedulable
        ("g5", 12),  # a cordoned node never counts
    ],
)
def test_usable_gpus(this: str, usable: int) -> None:
    assert gpu_filters.usable_gpus(CLUSTER, list(CLUSTER), this) == usable


def test_usable_gpus_needs_judged_hosts() -> None:
    with pytest.raises(ValueError, match="g9"):
        gpu_filters.usable_gpus({"g9": {}}, ["g9"])


@pytest.mark.parametrize(("this", "count"), [("g1", 1), ("g5", 0)])
def test_in_remediation(this: str, count: int) -> None:
    assert gpu_filters.in_remediation(CLUSTER, list(CLUSTER), this) == count
