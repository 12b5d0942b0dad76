"""gluster_volume and gluster_peer with a fake gluster CLI (run_command patched)."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest

pytest.importorskip("ansible")

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from tests.unit.gluster_xml import XML
from tests.unit.loading import load_source

REPO = Path(__file__).resolve().parents[2]


load_source(
    "ansible.module_utils._gluster", REPO / "plugins/module_utils/_gluster.py", register=True
)
gluster_volume = load_source(
    "gluster_volume", REPO / "plugins/modules/gluster_volume.py", register=True
)
gluster_peer = load_source("gluster_peer", REPO / "plugins/modules/gluster_peer.py", register=True)

B = [f"172.30.7.1{i}:/bricks/b1" for i in (1, 2, 3)]


class Exit(Exception):
    pass


def _run(module, args: dict, answers: dict[str, str], check_mode: bool = False):
    """Run ``module.main()`` with ``args``; ``answers`` maps a command's words to its stdout."""
    calls: list[list[str]] = []

    def run_command(self, argv, **kwargs):
        calls.append(list(argv))
        assert kwargs["environ_update"]["LC_ALL"] == "C"
        text = " ".join(argv[2:])
        for key, out in answers.items():
            if text.startswith(key):
                return 0, out, ""
        return 0, "", ""

    result = {}

    def exit_json(self, **kw):
        result.update(kw)
        raise Exit

    def fail_json(self, **kw):
        result.update(kw, failed=True)
        raise Exit

    full = dict(args, _ansible_check_mode=check_mode, _ansible_diff=True)
    with (
        patch_module_args(full),
        mock.patch.object(basic.AnsibleModule, "run_command", run_command),
        mock.patch.object(basic.AnsibleModule, "exit_json", exit_json),
        mock.patch.object(basic.AnsibleModule, "fail_json", fail_json),
        mock.patch.object(basic.AnsibleModule, "get_bin_path", lambda *a, **k: "/usr/sbin/gluster"),
        pytest.raises(Exit),
    ):
        module.main()
    json.dumps(result)  # what a module returns must serialise
    return result, [c[2:] for c in calls]


@pytest.mark.parametrize(
    ("info", "args", "check", "changed", "runs"),
    [
        pytest.param(
            "info_none",
            {"name": "data", "bricks": B, "force": True},
            False,
            True,
            [
                ["volume", "create", "data", "replica", "3", *B, "force"],
                ["volume", "start", "data"],
            ],
            id="create",
        ),
        pytest.param(
            "info_none",
            {"name": "data", "bricks": B, "force": True},
            True,
            True,
            [],
            id="create-check-mode-runs-nothing",
        ),
        pytest.param(
            "info_started",
            {"name": "data", "bricks": B, "options": {"cluster.quorum-type": "auto"}},
            False,
            False,
            [],
            id="converged",
        ),
        pytest.param(
            "info_started",
            {"name": "data", "bricks": B, "options": {"network.ping-timeout": 7}},
            False,
            True,
            [["volume", "set", "data", "network.ping-timeout", "7"]],
            id="set-option",
        ),
        pytest.param(
            "info_started",
            {"name": "data", "state": "absent"},
            False,
            True,
            [["volume", "stop", "data"], ["volume", "delete", "data"]],
            id="delete",
        ),
    ],
)
def test_gluster_volume(info, args, check, changed, runs):
    result, calls = _run(gluster_volume, args, {"volume info": XML[info]}, check_mode=check)
    assert not result.get("failed"), result
    assert result["changed"] is changed
    assert [c for c in calls if c[1] != "info"] == runs
    assert "diff" in result
    if check and changed:
        assert result["volume"]["status"] == "Started"
        assert result["commands"]


def test_gluster_volume_refuses_layout_change():
    result, calls = _run(
        gluster_volume,
        {"name": "data", "bricks": B, "arbiter": 1},
        {"volume info": XML["info_started"]},
    )
    assert result["failed"]
    assert "layout" in result["msg"]
    assert all(c[1] == "info" for c in calls)


@pytest.mark.parametrize(
    ("status", "nodes", "check", "probed"),
    [
        ("peer_status_empty", ["172.30.7.11", "172.30.7.12"], True, ["172.30.7.12"]),
        ("peer_status_2", ["172.30.7.11", "172.30.7.12", "172.30.7.13"], False, []),
    ],
)
def test_gluster_peer(status, nodes, check, probed):
    result, calls = _run(
        gluster_peer,
        {"nodes": nodes, "own": ["172.30.7.11"]},
        {"peer status": XML[status]},
        check_mode=check,
    )
    assert result["probed"] == probed
    assert result["changed"] is bool(probed)
    assert not [c for c in calls if c[1] == "probe"]
