"""Brick layout and volume checks (plugins/filter/hactl_storage.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "hactl_storage", REPO / "plugins/filter/hactl_storage.py"
)
s = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(s)

HOSTS = ["st-1", "st-2", "st-3"]
ROOT = "/srv/glusterfs"


@pytest.mark.parametrize(
    ("volumes", "hosts", "expect"),
    [
        ([{"name": "data"}], HOSTS, []),
        ([{"name": "data", "replica": 3, "arbiter": 1}], HOSTS, []),
        ([{"name": "a"}, {"name": "b", "arbiter": 1}], HOSTS, []),
        ([{"name": "data"}], [*HOSTS, "st-4", "st-5", "st-6"], []),
        ([{"name": "data", "replica": 2}], HOSTS, ["replica 2 without an arbiter"]),
        (
            [{"name": "data", "replica": 2, "arbiter": 1}],
            HOSTS,
            ["replica 2 arbiter 1 is written replica 3 arbiter 1"],
        ),
        (
            [{"name": "data", "replica": 4, "arbiter": 1}],
            [*HOSTS, "st-4"],
            ["an arbiter needs replica 3", "not replica 4"],
        ),
        ([{"name": "data", "replica": 3}], HOSTS[:2], ["replica 3 needs 3 storage nodes"]),
        ([{"name": "data"}], [*HOSTS, "st-4"], ["4 bricks", "not a multiple of replica 3"]),
        (
            [{"name": "data", "hosts": ["st-1", "st-2", "st-2"]}],
            HOSTS,
            ["replica 3 needs 3 storage nodes"],
        ),
        (
            [{"name": "data", "hosts": ["st-1", "st-2", "st-3", "st-1", "st-2", "st-3"]}],
            HOSTS,
            ["listed twice (duplicate brick)"],
        ),
        (
            [{"name": "a", "brick_dir": "/b/x"}, {"name": "b", "brick_dir": "/b/x"}],
            HOSTS,
            ["duplicate brick path", "host st-1"],
        ),
        (
            [{"name": "a", "brick_dir": "/b/x"}, {"name": "b", "brick_dir": "/b/x/y"}],
            HOSTS,
            ["nested in"],
        ),
        ([{"name": "a", "brick_dir": "/b/x"}, {"name": "b", "brick_dir": "/b/xy"}], HOSTS, []),
        ([{"name": "a"}, {"name": "a"}], HOSTS, ["declared twice"]),
        ([{"name": "a", "hosts": ["st-1", "st-2", "st-9"]}], HOSTS, ["not in the storage group"]),
        ([{"replica": 3}], HOSTS, ["needs a name"]),
        ([{"name": "a", "arbiter": 2}], HOSTS, ["arbiter must be 0 or 1"]),
        ([{"name": "a", "brick_dir": "rel/dir"}], HOSTS, ["not an absolute path"]),
        ("data", HOSTS, ["must be a list"]),
    ],
    ids=[
        "replica3",
        "arbiter",
        "two-volumes",
        "distributed-replicated",
        "replica2",
        "arbiter-replica2",
        "arbiter-replica4",
        "replica-gt-nodes",
        "brick-count",
        "duplicate-host-short",
        "duplicate-host",
        "duplicate-path",
        "nested-path",
        "sibling-prefix-ok",
        "duplicate-name",
        "unknown-host",
        "no-name",
        "arbiter-2",
        "relative-dir",
        "not-a-list",
    ],
)
def test_volume_errors(volumes, hosts, expect):
    errors = s.volume_errors(volumes, hosts, ROOT)
    if not expect:
        assert errors == []
    else:
        text = "\n".join(errors)
        assert errors, "expected an error"
        for fragment in expect:
            assert fragment in text
        assert "glusterfs_server_volumes" in text


@pytest.mark.parametrize(
    ("volume", "expect"),
    [
        ({"name": "data"}, "/srv/glusterfs/data/brick"),
        ({"name": "data", "brick_dir": "/b/data/"}, "/b/data"),
    ],
)
def test_brick_dir(volume, expect):
    assert s.brick_dir(volume, ROOT + "/") == expect


def test_bricks_in_host_order():
    addresses = {"st-1": "10.0.0.1", "st-2": "10.0.0.2", "st-3": "10.0.0.3"}
    assert s.bricks({"name": "m", "hosts": ["st-3", "st-1", "st-2"]}, addresses, HOSTS, ROOT) == [
        "10.0.0.3:/srv/glusterfs/m/brick",
        "10.0.0.1:/srv/glusterfs/m/brick",
        "10.0.0.2:/srv/glusterfs/m/brick",
    ]


def test_filter_adapter_names_the_filter():
    bricks = s.FilterModule().filters()["hactl_gluster_bricks"]
    with pytest.raises(Exception, match="hactl_gluster_bricks"):
        bricks({"name": "m"}, {}, HOSTS, ROOT)


# One meaning of an arbiter volume in both rule sets: replica 3 arbiter 1, two data bricks and a
# metadata-only arbiter per replica set (GlusterFS's documented form, which `gluster volume info`
# reports back). The cluster model (validation play) and this filter (the role's own check) must
# give the same verdict on every layout, and for the arbiter the same words.
@pytest.mark.parametrize(
    ("replica", "arbiter", "nodes", "accepted", "says"),
    [
        pytest.param(3, 0, 3, True, "", id="replica3"),
        pytest.param(3, 1, 3, True, "", id="replica3-arbiter1"),
        pytest.param(3, 1, 6, True, "", id="2x(2+1)"),
        pytest.param(
            2, 1, 3, False, "replica 2 arbiter 1 is written replica 3 arbiter 1", id="alias-2+1"
        ),
        pytest.param(4, 1, 4, False, "an arbiter needs replica 3", id="replica4-arbiter1"),
        pytest.param(1, 1, 3, False, "an arbiter needs replica 3", id="replica1-arbiter1"),
        pytest.param(3, 2, 3, False, "arbiter must be 0 or 1", id="arbiter2"),
        pytest.param(3, 1, 2, False, "needs 3 storage nodes", id="arbiter-on-two-nodes"),
        pytest.param(2, 0, 2, False, "replica 2 without an arbiter", id="replica2"),
    ],
)
def test_cluster_model_and_filter_agree(replica, arbiter, nodes, accepted, says):
    from hactl.inventory import cluster_model as cm

    hosts = [f"st-{i}" for i in range(1, nodes + 1)]
    volume = {"name": "data", "replica": replica, "arbiter": arbiter}
    filter_errors = s.volume_errors([volume], hosts, ROOT)
    model = cm.Model(
        {h: {"hactl_storage_volumes": [volume]} for h in hosts}, {"storage": hosts, "all": hosts}
    )
    model_errors = [str(p) for p in cm.rule_storage_layout(model)]
    assert (not filter_errors) is accepted, filter_errors
    assert (not model_errors) is accepted, model_errors
    if says:
        assert says in "\n".join(filter_errors)
        assert says in "\n".join(model_errors)
