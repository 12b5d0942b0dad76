"""The kubeadm/kubelet/kubectl TEST DOUBLE (tests/doubles): its bundle and its argument checks."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.unit.loading import load_source

REPO = Path(__file__).resolve().parents[2]


double = load_source("k8s_double", REPO / "tests/doubles/k8s_double.py")
bundle = load_source("build_bundle", REPO / "tests/doubles/build_bundle.py")


def test_bundle_embeds_version_and_schema_with_checksums(tmp_path: Path) -> None:
    sums = bundle.build(tmp_path, "1.30.6")
    assert set(sums) == {"kubeadm", "kubelet", "kubectl"}
    listed = dict(
        reversed(line.split("  ")) for line in (tmp_path / "SHA256SUMS").read_text().splitlines()
    )
    for name, digest in sums.items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest == listed[name]
    built = load_source("built_double", tmp_path / "kubeadm")
    assert built.VERSION == "v1.30.6"
    schema = json.loads(built.SCHEMA_JSON)
    assert "kubeadm.k8s.io/v1beta4" in schema and "kubeadm.k8s.io/v1beta3" in schema


def test_bundle_refuses_a_bad_version(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        bundle.build(tmp_path, "1.31")


@pytest.mark.parametrize(
    ("argv", "positional", "flags"),
    [
        (["join", "--config", "/f"], ["join"], {"--config": ["/f"]}),
        (["init", "--config=/f", "--upload-certs"], ["init"],
         {"--config": ["/f"], "--upload-certs": [""]}),
        (["token", "list", "-o", "json"], ["token", "list"], {"-o": ["json"]}),
        (["drain", "n1", "--ignore-daemonsets", "--timeout=5s"], ["drain", "n1"],
         {"--ignore-daemonsets": [""], "--timeout": ["5s"]}),
    ],
)  # fmt: skip
def test_flag_parsing(argv: list[str], positional: list[str], flags: dict) -> None:
    assert double._flags(argv) == (positional, flags)


@pytest.mark.parametrize(
    ("flags", "ok"),
    [
        ({"--config": ["/f"], "--upload-certs": [""]}, True),
        ({"--config": ["/f"], "--skip-phases": ["addon/kube-proxy"]}, True),
        ({"--config": ["/f"], "--token": ["x"]}, False),
        ({"--config": ["/f"], "--certificate-key": ["x"]}, False),
        ({"--token": ["x"], "--control-plane": [""]}, True),
    ],
)
def test_config_mixing_rule(flags: dict, ok: bool) -> None:
    if ok:
        double._check_mix(flags)
    else:
        with pytest.raises(double.DoubleError, match="can not mix '--config'"):
            double._check_mix(flags)


def test_ttl_parsing() -> None:
    assert double._parse_ttl("1h30m").total_seconds() == 5400
    assert double._parse_ttl("15m").total_seconds() == 900
