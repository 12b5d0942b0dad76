"""Table-driven tests for plugins/module_utils/_etcd.py: etcdctl JSON parsers and the planner."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins/module_utils"))

from _etcd import (
    EtcdParseError,
    format_id,
    initial_cluster,
    parse_endpoint_health,
    parse_endpoint_status,
    parse_member_list,
    parse_sha256sums,
    plan_member,
)

# What etcdctl 3.4.23 prints for `member list -w json` on a 3-member cluster with one learner
# and one member that was added but has not started yet.
ID1, ID2, ID3, ID4 = 10276657743932975437, 1609462584516937181, 17237436991929493444, 42
MEMBER_LIST = json.dumps(
    {
        "header": {"cluster_id": 14841639068965178418, "member_id": ID1, "raft_term": 2},
        "members": [
            {
                "ID": ID1,
                "name": "etcd-1",
                "peerURLs": ["https://172.30.5.11:2380"],
                "clientURLs": ["https://172.30.5.11:2379"],
            },
            {
                "ID": ID2,
                "name": "etcd-2",
                "peerURLs": ["https://172.30.5.12:2380"],
                "clientURLs": ["https://172.30.5.12:2379"],
            },
            {
                "ID": ID3,
                "name": "etcd-3",
                "peerURLs": ["https://172.30.5.13:2380"],
                "clientURLs": ["https://172.30.5.13:2379"],
                "isLearner": True,
            },
            {"ID": ID4, "peerURLs": ["https://172.30.5.14:2380"], "isLearner": True},
        ],
    }
)


def _m(name, ip, learner=False, started=True, mid="1"):
    return {
        "id": mid,
        "name": name,
        "peer_urls": [f"https://{ip}:2380"],
        "client_urls": [f"https://{ip}:2379"] if started else [],
        "is_learner": learner,
        "started": started,
    }


THREE = [
    _m("etcd-1", "10.0.0.1", mid="a"),
    _m("etcd-2", "10.0.0.2", mid="b"),
    _m("etcd-3", "10.0.0.3", mid="c"),
]


def test_parse_member_list() -> None:
    members = parse_member_list(MEMBER_LIST)
    assert [m["name"] for m in members] == ["", "etcd-1", "etcd-2", "etcd-3"]
    unstarted, first, _, learner = members
    assert unstarted == {
        "id": "2a",
        "name": "",
        "peer_urls": ["https://172.30.5.14:2380"],
        "client_urls": [],
        "is_learner": True,
        "started": False,
    }
    assert first["id"] == format_id(ID1) == "8e9e05c52164694d"
    assert first["started"] and not first["is_learner"]
    assert learner["is_learner"]


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[]", '{"members": 3}', '{"members": [{"name": "x"}]}'],
    ids=["empty", "text", "list", "members-not-list", "no-id"],
)
def test_parse_member_list_rejects(text: str) -> None:
    with pytest.raises(EtcdParseError):
        parse_member_list(text)


def test_parse_member_list_empty_members() -> None:
    assert parse_member_list('{"header": {}, "members": []}') == []


def test_parse_endpoint_health() -> None:
    text = json.dumps(
        [
            {"endpoint": "https://b:2379", "health": False, "error": "context deadline exceeded"},
            {"endpoint": "https://a:2379", "health": True, "took": "2ms"},
        ]
    )
    assert parse_endpoint_health(text) == [
        {"endpoint": "https://a:2379", "health": True, "error": ""},
        {"endpoint": "https://b:2379", "health": False, "error": "context deadline exceeded"},
    ]


def test_parse_endpoint_status() -> None:
    text = json.dumps(
        [
            {
                "Endpoint": "https://a:2379",
                "Status": {
                    "header": {"cluster_id": 1, "member_id": ID1, "raft_term": 7},
                    "version": "3.4.23",
                    "dbSize": 20480,
                    "leader": ID1,
                    "raftTerm": 7,
                },
            },
            {
                "Endpoint": "https://b:2379",
                "Status": {
                    "header": {"member_id": ID2, "raft_term": 7},
                    "leader": ID1,
                    "raftTerm": 7,
                    "isLearner": True,
                },
            },
        ]
    )
    a, b = parse_endpoint_status(text)
    assert a["is_leader"] and a["leader"] == format_id(ID1) and a["raft_term"] == 7
    assert a["version"] == "3.4.23" and a["db_size"] == 20480
    assert not b["is_leader"] and b["is_learner"] and b["leader"] == a["member_id"]


@pytest.mark.parametrize(
    ("members", "extra", "expected"),
    [
        (
            THREE,
            None,
            "etcd-1=https://10.0.0.1:2380,etcd-2=https://10.0.0.2:2380,"
            "etcd-3=https://10.0.0.3:2380",
        ),
        (
            [*THREE[:2], _m("", "10.0.0.4", learner=True, started=False)],
            ("etcd-4", ["https://10.0.0.4:2380"]),
            "etcd-1=https://10.0.0.1:2380,etcd-2=https://10.0.0.2:2380,etcd-4=https://10.0.0.4:2380",
        ),
        (
            THREE[:1],
            ("etcd-4", ["https://10.0.0.4:2380"]),
            "etcd-1=https://10.0.0.1:2380,etcd-4=https://10.0.0.4:2380",
        ),
        ([*THREE[:1], _m("", "10.0.0.9", started=False)], None, "etcd-1=https://10.0.0.1:2380"),
    ],
    ids=["all-named", "unstarted-is-the-new-one", "new-not-listed-yet", "other-unstarted-dropped"],
)
def test_initial_cluster(members, extra, expected) -> None:
    assert initial_cluster(members, extra) == expected


P4 = ["https://10.0.0.4:2380"]
P3 = ["https://10.0.0.3:2380"]


@pytest.mark.parametrize(
    ("members", "kwargs", "expected"),
    [
        # present: a new member joins as a learner, then (if asked) is promoted
        (
            THREE,
            {"name": "etcd-4", "peer_urls": P4},
            [{"action": "add", "name": "etcd-4", "peer_urls": P4, "learner": True}],
        ),
        (
            THREE,
            {"name": "etcd-4", "peer_urls": P4, "promote": True},
            [
                {"action": "add", "name": "etcd-4", "peer_urls": P4, "learner": True},
                {"action": "promote", "id": None, "name": "etcd-4"},
            ],
        ),
        (
            THREE,
            {"name": "etcd-4", "peer_urls": P4, "learner": False, "promote": True},
            [{"action": "add", "name": "etcd-4", "peer_urls": P4, "learner": False}],
        ),
        # present and already there: nothing to do
        (THREE, {"name": "etcd-3", "peer_urls": P3}, []),
        (THREE, {"name": "etcd-3", "peer_urls": P3, "promote": True}, []),
        # an added learner that has not started: found by its peer URLs, promoted when asked
        (
            [*THREE[:2], _m("", "10.0.0.3", learner=True, started=False, mid="c")],
            {"name": "etcd-3", "peer_urls": P3},
            [],
        ),
        (
            [*THREE[:2], _m("", "10.0.0.3", learner=True, started=False, mid="c")],
            {"name": "etcd-3", "peer_urls": P3, "promote": True},
            [{"action": "promote", "id": "c", "name": "etcd-3"}],
        ),
        (
            [*THREE[:2], _m("etcd-3", "10.0.0.3", learner=True, mid="c")],
            {"name": "etcd-3", "peer_urls": P3, "promote": True},
            [{"action": "promote", "id": "c", "name": "etcd-3"}],
        ),
        # the member moved: update its peer URLs
        (
            THREE,
            {"name": "etcd-3", "peer_urls": P4},
            [{"action": "update", "id": "c", "name": "etcd-3", "peer_urls": P4}],
        ),
        # absent: by name, by peer URL, already gone
        (
            THREE,
            {"name": "etcd-3", "state": "absent"},
            [{"action": "remove", "id": "c", "name": "etcd-3"}],
        ),
        (
            THREE,
            {"name": None, "peer_urls": P3, "state": "absent"},
            [{"action": "remove", "id": "c", "name": "etcd-3"}],
        ),
        (THREE, {"name": "etcd-9", "state": "absent"}, []),
        (
            [*THREE[:2], _m("", "10.0.0.3", started=False, mid="c")],
            {"name": "etcd-3", "peer_urls": P3, "state": "absent"},
            [{"action": "remove", "id": "c", "name": ""}],
        ),
    ],
    ids=[
        "add-learner",
        "add-and-promote",
        "add-voter",
        "present",
        "present-voter",
        "unstarted-learner",
        "promote-unstarted",
        "promote-started",
        "update-urls",
        "remove-by-name",
        "remove-by-url",
        "absent-already",
        "remove-unstarted",
    ],
)
def test_plan_member(members, kwargs, expected) -> None:
    assert plan_member(members, **kwargs) == expected


@pytest.mark.parametrize(
    ("members", "kwargs", "message"),
    [
        (THREE[:1], {"name": "etcd-1", "state": "absent"}, "only member"),
        (THREE, {"name": "etcd-9", "peer_urls": P3}, "already belong to member etcd-3"),
        (THREE, {"name": "etcd-4", "peer_urls": []}, "peer_urls is required"),
        (THREE, {"name": None, "peer_urls": []}, "name or peer_urls"),
        (THREE, {"name": "etcd-4", "peer_urls": P4, "state": "gone"}, "state must be"),
    ],
    ids=["last-member", "urls-taken", "no-urls", "nothing", "bad-state"],
)
def test_plan_member_rejects(members, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        plan_member(members, **kwargs)


DIGEST = "a" * 64
OTHER = "b" * 64


@pytest.mark.parametrize(
    ("text", "filename", "expected"),
    [
        (f"sha256:{DIGEST}", None, DIGEST),
        (f"SHA256:{DIGEST.upper()}", "x.tar.gz", DIGEST),
        (DIGEST, None, DIGEST),
        (
            f"{OTHER}  etcd-v3.5.1-linux-arm64.tar.gz\n{DIGEST}  etcd-v3.5.1-linux-amd64.tar.gz\n",
            "/tmp/etcd-v3.5.1-linux-amd64.tar.gz",
            DIGEST,
        ),
        (f"{DIGEST} *etcd.tar.gz\n", "https://example.invalid/dl/etcd.tar.gz", DIGEST),
        (f"{DIGEST}  ./etcd.tar.gz\n", None, DIGEST),
    ],
    ids=["prefixed", "upper", "bare", "sums-file", "binary-mode-url", "single-line-no-name"],
)
def test_parse_sha256sums(text, filename, expected) -> None:
    assert parse_sha256sums(text, filename) == expected


@pytest.mark.parametrize(
    ("text", "filename", "message"),
    [
        ("", None, "no sha256"),
        ("sha256:1234", None, "no sha256"),
        (f"{DIGEST}  a.tgz\n", "b.tgz", "no sha256 digest for b.tgz"),
        (f"{DIGEST}  a.tgz\n{OTHER}  b.tgz\n", None, "several"),
    ],
    ids=["empty", "short", "other-file", "ambiguous"],
)
def test_parse_sha256sums_rejects(text, filename, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_sha256sums(text, filename)
