"""plugins/module_utils/_containerd.py: the TOML writer and the runtime drop-in."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins/module_utils"))

import _containerd

MAIN_V2 = """
version = 2
imports = ["/etc/containerd/conf.d/*.toml"]
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.9"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      SystemdCgroup = true
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
    endpoint = ["https://mirror.internal:5000"]
"""


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"version": 2},
        {"a": {"b": {"c": 1}}, "x": [1, 2], "s": 'quote " and \\ back'},
        {
            "plugins": {
                "io.containerd.grpc.v1.cri": {
                    "enable_cdi": True,
                    "containerd": {
                        "runtimes": {"nvidia": {"options": {"BinaryName": "/usr/bin/x"}}}
                    },
                }
            }
        },
        {"t": {"inline": [{"a": 1}], "f": 1.5, "neg": -3, "b": False}},
    ],
)
def test_dumps_round_trips(data: dict) -> None:
    assert tomllib.loads(_containerd.dumps(data)) == data


def test_dumps_is_stable() -> None:
    data = {"b": 1, "a": {"z": 1, "y": {"k": "v"}}}
    assert _containerd.dumps(data) == _containerd.dumps(dict(reversed(list(data.items()))))


def test_dropin_keeps_the_main_cri_section() -> None:
    main = tomllib.loads(MAIN_V2)
    dropin = _containerd.runtime_dropin(main, "nvidia", "/usr/bin/nvidia-container-runtime")
    cri = tomllib.loads(_containerd.dumps(dropin))["plugins"]["io.containerd.grpc.v1.cri"]
    assert dropin["version"] == 2
    assert cri["sandbox_image"] == "registry.k8s.io/pause:3.9"
    assert cri["registry"]["mirrors"]["docker.io"]["endpoint"] == ["https://mirror.internal:5000"]
    assert cri["containerd"]["runtimes"]["runc"]["options"]["SystemdCgroup"] is True
    nvidia = cri["containerd"]["runtimes"]["nvidia"]
    assert nvidia == {
        "runtime_type": "io.containerd.runc.v2",
        "options": {"BinaryName": "/usr/bin/nvidia-container-runtime", "SystemdCgroup": True},
    }
    assert cri["enable_cdi"] is True and cri["cdi_spec_dirs"] == ["/etc/cdi", "/var/run/cdi"]
    assert "default_runtime_name" not in cri["containerd"]


def test_dropin_default_runtime_and_no_cdi() -> None:
    dropin = _containerd.runtime_dropin({}, "nvidia", "/x", default=True, cdi=False)
    cri = dropin["plugins"]["io.containerd.grpc.v1.cri"]
    assert cri["containerd"]["default_runtime_name"] == "nvidia"
    assert "enable_cdi" not in cri


def test_dropin_containerd2() -> None:
    dropin = _containerd.runtime_dropin({"version": 3}, "nvidia", "/x")
    assert list(dropin["plugins"]) == ["io.containerd.cri.v1.runtime"]


def test_dropin_unknown_version() -> None:
    with pytest.raises(ValueError, match="version 1"):
        _containerd.runtime_dropin({"version": 1}, "nvidia", "/x")


@pytest.mark.parametrize(
    ("imports", "covered"),
    [
        ([], False),
        (["/etc/containerd/conf.d/*.toml"], True),
        (["/etc/containerd/other/*.toml"], False),
        (["/etc/containerd/conf.d/99-nvidia.toml"], True),
    ],
)
def test_imports_cover(imports: list, covered: bool) -> None:
    assert (
        _containerd.imports_cover({"imports": imports}, "/etc/containerd/conf.d/99-nvidia.toml")
        is covered
    )
