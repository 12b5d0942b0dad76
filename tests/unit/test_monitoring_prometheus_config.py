"""roles/monitoring/templates/prometheus.yml.j2: the scrape jobs it renders, and promtool's verdict.

Rendered with plain Jinja plus Ansible's core filters and hactl's, from what the template task
sees: the role's defaults and vars, an inventory's groups and hostvars.
"""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from ansible.plugins.filter.core import FilterModule as CoreFilters
from jinja2.nativetypes import NativeEnvironment

from hactl.lab.tools import ensure_promtool

REPO = Path(__file__).resolve().parents[2]
ROLE = REPO / "roles/monitoring"

_spec = importlib.util.spec_from_file_location(
    "hactl_filters", REPO / "plugins/filter/hactl_filters.py"
)
assert _spec and _spec.loader
_hactl_filters = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_hactl_filters)
# Ansible's versions of Jinja's own filters (default, map, ...) need its templar: keep Jinja's.
FILTERS = {
    **{k: v for k, v in CoreFilters().filters().items() if k not in jinja2.Environment().filters},
    **_hactl_filters.FilterModule().filters(),
}

GROUPS = {
    "monitoring": ["mon-1", "mon-2"],
    "lb": ["mon-1", "mon-2"],
    "etcd": ["etcd-1", "etcd-2", "etcd-3"],
}
ADDRESSES = {
    "mon-1": "10.0.0.11",
    "mon-2": "10.0.0.12",
    "etcd-1": "10.0.0.21",
    "etcd-2": "10.0.0.22",
    "etcd-3": "10.0.0.23",
    "gpu-1": "10.0.0.31",
    "gpu-2": "10.0.0.32",
}


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text()) or {}


def render(groups: dict[str, list[str]], **overrides: Any) -> str:
    """prometheus.yml.j2 as mon-1 gets it, for an inventory with these groups."""
    all_hosts = sorted({h for hosts in groups.values() for h in hosts})
    context: dict[str, Any] = {
        "inventory_hostname": "mon-1",
        "ansible_managed": "Ansible managed",
        "groups": {"all": all_hosts, **groups},
        "hostvars": {h: {"ansible_host": ADDRESSES[h]} for h in all_hosts},
        **_load(ROLE / "defaults/main.yml"),
        **overrides,
    }
    native = NativeEnvironment()
    native.filters.update(FILTERS)
    for path in (ROLE / "vars/main.yml", ROLE / "vars/Debian.yml"):
        for key, value in _load(path).items():
            if key in overrides:
                continue
            if isinstance(value, str) and "{{" in value:
                value = native.from_string(value).render(context)
            context[key] = value
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(ROLE / "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
    )
    env.filters.update(FILTERS)
    return env.get_template("prometheus.yml.j2").render(context)


def _jobs(text: str) -> dict[str, list[tuple[str, str]]]:
    """Each scrape job's (target, instance label) pairs."""
    config = yaml.safe_load(text)
    return {
        job["job_name"]: [
            (target, static["labels"]["instance"])
            for static in job["static_configs"]
            for target in static["targets"]
        ]
        for job in config["scrape_configs"]
    }


def test_no_gpu_hosts_no_dcgm_job() -> None:
    jobs = _jobs(render(GROUPS))
    assert "dcgm" not in jobs
    assert set(jobs) == {"node", "prometheus", "alertmanager", "haproxy", "etcd"}


def test_gpu_hosts_get_a_dcgm_job() -> None:
    jobs = _jobs(render({**GROUPS, "gpu_workers": ["gpu-1", "gpu-2"]}))
    assert jobs["dcgm"] == [("10.0.0.31:9400", "gpu-1"), ("10.0.0.32:9400", "gpu-2")]
    # The nvidia-smi fallback keeps coming through node_exporter's textfile collector.
    assert ("10.0.0.31:9100", "gpu-1") in jobs["node"]


def test_dcgm_job_follows_group_and_port() -> None:
    text = render(
        {**GROUPS, "gpus": ["gpu-2"]},
        monitoring_gpu_group="gpus",
        monitoring_dcgm_exporter_port=19400,
    )
    assert _jobs(text)["dcgm"] == [("10.0.0.32:19400", "gpu-2")]


def test_dcgm_job_can_be_turned_off() -> None:
    text = render({**GROUPS, "gpu_workers": ["gpu-1"]}, monitoring_dcgm_exporter_enabled=False)
    assert "dcgm" not in _jobs(text)


@pytest.fixture(scope="module")
def promtool() -> Path:
    return ensure_promtool()


@pytest.mark.parametrize(
    "groups",
    [GROUPS, {**GROUPS, "gpu_workers": ["gpu-1", "gpu-2"]}],
    ids=["without-gpu", "with-gpu"],
)
def test_promtool_accepts_the_rendered_config(
    promtool: Path, tmp_path: Path, groups: dict[str, list[str]]
) -> None:
    """The role's own check (--syntax-only), then a full one with the files the config names."""
    tls = {}
    for key, name in (("ca", "ca.crt"), ("cert", "client.crt"), ("key", "client.key")):
        (tmp_path / name).write_text("placeholder\n")
        tls[f"monitoring_etcd_{key}_file"] = str(tmp_path / name)
    config = tmp_path / "prometheus.yml"
    config.write_text(render(groups, __monitoring_rules_dir=str(ROLE / "files"), **tls))
    for args in (["--syntax-only"], []):
        proc = subprocess.run(
            [str(promtool), "check", "config", *args, str(config)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "SUCCESS" in proc.stdout + proc.stderr
