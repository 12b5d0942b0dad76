"""etcd_member with a fake etcdctl (run_command patched): what it runs, returns and reports."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

pytest.importorskip("ansible")

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from tests.unit.loading import load_source

REPO = Path(__file__).resolve().parents[2]


load_source("ansible.module_utils._etcd", REPO / "plugins/module_utils/_etcd.py", register=True)
etcd_member = load_source("etcd_member", REPO / "plugins/modules/etcd_member.py", register=True)

ETCDCTL = "/usr/bin/etcdctl"
PKI = {"cacert": "/etc/etcd/pki/ca.crt", "cert": "/etc/etcd/pki/client.crt",
       "key": "/etc/etcd/pki/client.key"}  # fmt: skip
ENDPOINTS = ["https://10.0.0.11:2379"]
# etcdctl prints member IDs in decimal in its JSON and takes them back in hex.
ID1, ID2, ID3, ID4 = 0x8E9E05C52164694D, 0x1A2B3C4D5E6F7081, 0x2B3C4D5E6F708192, 0x3C4D5E6F708192A3


def _peer(n: int) -> str:
    return f"https://10.0.0.1{n}:2380"


def _voter(member_id: int, n: int) -> dict[str, Any]:
    return {"ID": member_id, "name": f"etcd-{n}", "peerURLs": [_peer(n)],
            "clientURLs": [f"https://10.0.0.1{n}:2379"]}  # fmt: skip


THREE = [_voter(ID1, 1), _voter(ID2, 2), _voter(ID3, 3)]
LEARNER_4 = {**_voter(ID4, 4), "isLearner": True}


class FakeEtcdctl:
    """A cluster's member list that the etcdctl member subcommands read and change.

    ``fail`` maps a subcommand ("list", "add", ...) to (rc, stderr) answers used in turn (the
    last one repeats); a subcommand without one succeeds and changes the members.
    """

    def __init__(self, members, fail=None):
        self.members = [dict(m) for m in members]
        self.fail = {k: list(v) for k, v in (fail or {}).items()}
        self.calls: list[list[str]] = []
        self.env: list[dict[str, str]] = []

    def doc(self, members=None) -> str:
        return json.dumps({"header": {"cluster_id": 1, "member_id": ID1, "raft_term": 2},
                           "members": self.members if members is None else members})  # fmt: skip

    def _by_hex(self, hex_id: str) -> dict[str, Any]:
        return next(m for m in self.members if f"{m['ID']:x}" == hex_id)

    def __call__(self, module, argv, **kwargs):
        assert argv[0] == ETCDCTL
        assert f"--endpoints={','.join(ENDPOINTS)}" in argv
        for flag, path in PKI.items():
            assert f"--{flag}={path}" in argv
        self.env.append(kwargs["environ_update"])
        words = argv[argv.index("member") :]
        self.calls.append(words)
        sub = words[1]
        if self.fail.get(sub):
            answers = self.fail[sub]
            rc, err = answers.pop(0) if len(answers) > 1 else answers[0]
            if rc:
                return rc, "", err
        if sub == "list":
            return 0, self.doc(), ""
        if sub == "add":
            urls = next(w for w in words if w.startswith("--peer-urls=")).split("=", 1)[1]
            # etcd names a member only once it has started: an added one has no name yet.
            new = {"ID": ID4, "peerURLs": urls.split(","), "isLearner": "--learner" in words}
            self.members.append(new)
            return 0, self.doc(), ""
        if sub == "promote":
            self._by_hex(words[2])["isLearner"] = False
            return 0, "", ""
        if sub == "remove":
            self.members.remove(self._by_hex(words[2]))
            return 0, "", ""
        if sub == "update":
            self._by_hex(words[2])["peerURLs"] = words[3].split("=", 1)[1].split(",")
            return 0, "", ""
        raise AssertionError(f"unexpected etcdctl {words}")


class Exit(Exception):
    pass


class Clock:
    """time for the promote loop: every sleep moves the clock on, none waits."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _bound(fake: FakeEtcdctl):
    def run_command(module, argv, **kwargs):
        return fake(module, argv, **kwargs)

    return run_command


def _run(args: dict, fake: FakeEtcdctl, check_mode: bool = False) -> dict:
    result: dict[str, Any] = {}

    def exit_json(self, **kw):
        result.update(kw)
        raise Exit

    def fail_json(self, **kw):
        result.update(kw, failed=True)
        raise Exit

    full = dict({"endpoints": ENDPOINTS, **PKI, **args},
                _ansible_check_mode=check_mode, _ansible_diff=True)  # fmt: skip
    # The module sets LC_ALL=C in its own process (os.environ); here that is the test process, and
    # the next AnsibleModule would switch this process's locale to C (ASCII) for the tests after.
    with (
        mock.patch.dict(os.environ),
        patch_module_args(full),
        mock.patch.object(basic.AnsibleModule, "run_command", _bound(fake)),
        mock.patch.object(basic.AnsibleModule, "exit_json", exit_json),
        mock.patch.object(basic.AnsibleModule, "fail_json", fail_json),
        mock.patch.object(basic.AnsibleModule, "get_bin_path", lambda *a, **k: ETCDCTL),
        mock.patch.object(etcd_member, "time", Clock()),
        pytest.raises(Exit),
    ):
        etcd_member.main()
    json.dumps(result)  # what a module returns must serialise
    return result


ADD_4 = {"name": "etcd-4", "peer_urls": [_peer(4)]}
LIST = ["member", "list", "-w", "json"]
ADD_4_LEARNER = ["member", "add", "etcd-4", f"--peer-urls={_peer(4)}", "--learner", "-w", "json"]


@pytest.mark.parametrize(
    ("members", "args", "changed", "calls", "after"),
    [
        pytest.param(
            THREE, {"name": "etcd-2", "peer_urls": [_peer(2)]}, False, [LIST],
            ["etcd-1", "etcd-2", "etcd-3"], id="list-present-member-is-a-no-op",
        ),
        pytest.param(
            THREE, {"name": "etcd-9", "state": "absent"}, False, [LIST],
            ["etcd-1", "etcd-2", "etcd-3"], id="absent-member-is-a-no-op",
        ),
        pytest.param(
            THREE, ADD_4, True, [LIST, ADD_4_LEARNER, LIST, LIST],
            ["", "etcd-1", "etcd-2", "etcd-3"], id="add-as-learner",
        ),
        pytest.param(
            THREE, {**ADD_4, "promote": True}, True,
            [LIST, ADD_4_LEARNER, LIST, ["member", "promote", f"{ID4:x}"], LIST],
            ["", "etcd-1", "etcd-2", "etcd-3"], id="add-as-learner-then-promote",
        ),
        pytest.param(
            [*THREE, LEARNER_4], {**ADD_4, "promote": True}, True,
            [LIST, ["member", "promote", f"{ID4:x}"], LIST],
            ["etcd-1", "etcd-2", "etcd-3", "etcd-4"], id="promote-the-learner-added-before",
        ),
        pytest.param(
            THREE, {**ADD_4, "learner": False}, True,
            [LIST, [*ADD_4_LEARNER[:4], "-w", "json"], LIST, LIST],
            ["", "etcd-1", "etcd-2", "etcd-3"], id="add-as-voter",
        ),
        pytest.param(
            THREE, {"name": "etcd-3", "state": "absent"}, True,
            [LIST, ["member", "remove", f"{ID3:x}"], LIST],
            ["etcd-1", "etcd-2"], id="remove",
        ),
        pytest.param(
            THREE, {"peer_urls": [_peer(3)], "state": "absent"}, True,
            [LIST, ["member", "remove", f"{ID3:x}"], LIST],
            ["etcd-1", "etcd-2"], id="remove-by-peer-url",
        ),
        pytest.param(
            THREE, {"name": "etcd-3", "peer_urls": ["https://10.0.0.23:2380"]}, True,
            [LIST, ["member", "update", f"{ID3:x}", "--peer-urls=https://10.0.0.23:2380"], LIST],
            ["etcd-1", "etcd-2", "etcd-3"], id="update-peer-urls",
        ),
    ],
)  # fmt: skip
def test_etcd_member_applies_the_plan(members, args, changed, calls, after):
    fake = FakeEtcdctl(members)
    result = _run(args, fake)
    assert not result.get("failed"), result
    assert result["changed"] is changed
    assert fake.calls == calls
    assert [m["name"] for m in result["members"]] == after
    assert all(env["LC_ALL"] == "C" and env["ETCDCTL_API"] == "3" for env in fake.env)
    if changed:
        assert result["actions"]
    else:
        assert result["actions"] == []
        assert result["diff"]["before"] == result["diff"]["after"]


def test_added_member_is_returned_with_the_initial_cluster_it_must_start_with():
    result = _run(ADD_4, FakeEtcdctl(THREE))
    assert result["member"]["peer_urls"] == [_peer(4)]
    assert result["member"]["is_learner"] is True
    assert result["initial_cluster"] == ",".join(
        sorted(f"etcd-{n}={_peer(n)}" for n in (1, 2, 3, 4))
    )


def test_promote_waits_until_the_learner_is_in_sync():
    not_yet = (
        1,
        "Error: etcdserver: can only promote a learner member which is in sync with leader",
    )
    fake = FakeEtcdctl(THREE, fail={"promote": [not_yet, not_yet, (0, "")]})
    result = _run({**ADD_4, "promote": True}, fake)
    assert not result.get("failed"), result
    assert [c[1] for c in fake.calls].count("promote") == 3
    assert result["member"]["is_learner"] is False


@pytest.mark.parametrize(
    ("members", "args", "actions", "before", "after"),
    [
        pytest.param(
            THREE, ADD_4, ["add"],
            [f"etcd-{n} {_peer(n)}" for n in (1, 2, 3)],
            [*(f"etcd-{n} {_peer(n)}" for n in (1, 2, 3)), f"etcd-4 {_peer(4)} learner"],
            id="add",
        ),
        pytest.param(
            THREE, {**ADD_4, "promote": True}, ["add", "promote"],
            [f"etcd-{n} {_peer(n)}" for n in (1, 2, 3)],
            [f"etcd-{n} {_peer(n)}" for n in (1, 2, 3, 4)],
            id="add-and-promote",
        ),
        pytest.param(
            THREE, {"name": "etcd-3", "state": "absent"}, ["remove"],
            [f"etcd-{n} {_peer(n)}" for n in (1, 2, 3)],
            [f"etcd-{n} {_peer(n)}" for n in (1, 2)],
            id="remove",
        ),
        pytest.param(
            THREE, {"name": "etcd-1", "peer_urls": [_peer(1)]}, [],
            [f"etcd-{n} {_peer(n)}" for n in (1, 2, 3)],
            [f"etcd-{n} {_peer(n)}" for n in (1, 2, 3)],
            id="no-op",
        ),
    ],
)  # fmt: skip
def test_check_mode_only_lists_and_reports_the_plan_as_a_diff(
    members, args, actions, before, after
):
    fake = FakeEtcdctl(members)
    result = _run(args, fake, check_mode=True)
    assert not result.get("failed"), result
    assert fake.calls == [LIST]  # nothing that changes the cluster
    assert fake.members == members
    assert result["changed"] is bool(actions)
    assert [a["action"] for a in result["actions"]] == actions
    assert result["diff"]["before"].splitlines() == before
    assert result["diff"]["after"].splitlines() == after


def test_diff_after_a_real_change_shows_the_listed_members():
    result = _run({"name": "etcd-3", "state": "absent"}, FakeEtcdctl(THREE))
    assert result["diff"]["before"] == "".join(f"etcd-{n} {_peer(n)}\n" for n in (1, 2, 3))
    assert result["diff"]["after"] == "".join(f"etcd-{n} {_peer(n)}\n" for n in (1, 2))


@pytest.mark.parametrize(
    ("members", "args", "fail", "msg", "stderr"),
    [
        pytest.param(
            THREE, ADD_4, {"list": [(1, "Error: context deadline exceeded\n")]},
            "etcdctl member list failed: Error: context deadline exceeded",
            "Error: context deadline exceeded\n", id="list-unreachable",
        ),
        pytest.param(
            THREE, ADD_4,
            {"add": [(1, "Error: etcdserver: too many learner members in cluster\n")]},
            "etcdctl member add failed: Error: etcdserver: too many learner members in cluster",
            "Error: etcdserver: too many learner members in cluster\n", id="add-refused",
        ),
        pytest.param(
            THREE, {"name": "etcd-3", "state": "absent"},
            {"remove": [(1, "Error: etcdserver: re-configuration failed due to not enough "
                            "started members\n")]},
            "etcdctl member remove failed: Error: etcdserver: re-configuration failed",
            "Error: etcdserver: re-configuration failed due to not enough started members\n",
            id="remove-refused",
        ),
        pytest.param(
            THREE, {**ADD_4, "promote": True},
            {"promote": [(1, "Error: etcdserver: permission denied\n")]},
            "etcdctl member promote 3c4d5e6f708192a3 failed: Error: etcdserver: permission denied",
            None, id="promote-refused",
        ),
        pytest.param(
            THREE, {**ADD_4, "promote": True, "promote_timeout": 3},
            {"promote": [(1, "Error: etcdserver: can only promote a learner member which is "
                             "in sync with leader\n")]},
            "did not catch up with the leader within 3s", None, id="promote-timeout",
        ),
        pytest.param(
            [_voter(ID1, 1)], {"name": "etcd-1", "state": "absent"}, {},
            "refusing to remove etcd-1: it is the only member", None, id="last-member",
        ),
    ],
)  # fmt: skip
def test_failures_report_what_etcdctl_said(members, args, fail, msg, stderr):
    fake = FakeEtcdctl(members, fail=fail)
    result = _run(args, fake)
    assert result["failed"] is True
    assert msg in result["msg"], result["msg"]
    if stderr is not None:
        assert result["stderr"] == stderr
        assert result["rc"] == 1
    if "remove" not in fail:
        assert not [c for c in fake.calls if c[1] == "remove"], fake.calls


def test_unparsable_member_list_fails_with_the_output():
    fake = FakeEtcdctl(THREE)
    fake.doc = lambda members=None: "not json"
    result = _run(ADD_4, fake)
    assert result["failed"] is True
    assert "member list: not JSON" in result["msg"]
    assert result["stdout"] == "not json"
