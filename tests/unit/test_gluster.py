"""The GlusterFS XML parsers and the volume planner (plugins/module_utils/_gluster.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.unit.gluster_xml import XML

REPO = Path(__file__).resolve().parents[2]


def _load_gluster():
    spec = importlib.util.spec_from_file_location(
        "_gluster", REPO / "plugins/module_utils/_gluster.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_gluster", module)
    spec.loader.exec_module(module)
    return module


g = _load_gluster()


@pytest.fixture(scope="module")
def xml_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write the captured CLI output to files, as `gluster ... --xml > file` would have."""
    root = tmp_path_factory.mktemp("gluster-xml")
    for name, text in XML.items():
        (root / f"{name}.xml").write_text(text + "\n")
    return root


def _read(xml_dir: Path, name: str) -> str:
    return (xml_dir / f"{name}.xml").read_text()


B = [f"172.30.7.1{i}:/bricks/b1" for i in (1, 2, 3)]
B2 = [f"172.30.7.1{i}:/bricks/b2" for i in (1, 2, 3)]


# --- volume info ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "name", "status", "replica", "arbiter", "bricks", "arbiters", "option"),
    [
        ("info_created", "data", "Created", 3, 0, B, [], ("nfs.disable", "on")),
        ("info_started", "data", "Started", 3, 0, B, [], ("network.ping-timeout", "10")),
        ("info_started", "data", "Started", 3, 0, B, [], ("cluster.quorum-type", "auto")),
        ("info_all", "arb", "Started", 3, 1, B2, [B2[2]], ("nfs.disable", "on")),
        ("info_all", "data", "Started", 3, 0, B, [], ("network.ping-timeout", "10")),
        ("info_stopped_arb", "arb", "Stopped", 3, 1, B2, [B2[2]], ("nfs.disable", "on")),
    ],
)
def test_parse_volume_info(
    xml_dir, fixture, name, status, replica, arbiter, bricks, arbiters, option
):
    vol = g.parse_volume_info(_read(xml_dir, fixture))[name]
    assert vol["status"] == status
    assert (vol["replica"], vol["arbiter"]) == (replica, arbiter)
    assert [b["name"] for b in vol["bricks"]] == bricks
    assert [b["name"] for b in vol["bricks"] if b["arbiter"]] == arbiters
    assert vol["bricks"][0]["host"] == "172.30.7.11"
    assert vol["bricks"][0]["path"].startswith("/bricks/")
    assert vol["options"][option[0]] == option[1]


@pytest.mark.parametrize(
    ("fixture", "names"),
    [
        ("info_none", []),
        ("info_nosuch", []),
        ("info_all", ["arb", "data"]),
        ("info_started", ["data"]),
    ],
)
def test_parse_volume_info_names(xml_dir, fixture, names):
    assert sorted(g.parse_volume_info(_read(xml_dir, fixture))) == names


@pytest.mark.parametrize(
    "text",
    [
        "",
        "volume info: failed: Connection failed. Please check if gluster daemon is operational.",
        XML["create_fail"],
    ],
    ids=["empty", "no-daemon", "op-failed"],
)
def test_parse_volume_info_errors(text):
    with pytest.raises(g.GlusterError):
        g.parse_volume_info(text)


# --- volume status ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "online", "shd", "offline"),
    [
        ("status_started", B, 3, []),
        ("status_brick_down", B[:2], 2, [B[2]]),
        ("status_created", [], 0, None),
    ],
)
def test_parse_volume_status(xml_dir, fixture, online, shd, offline):
    status = g.parse_volume_status(_read(xml_dir, fixture)).get("data", {})
    bricks = status.get("bricks", {})
    assert sorted(b for b, v in bricks.items() if v["online"]) == online
    assert sum(status.get("self_heal", {}).values()) == shd
    if offline is not None:
        info = g.parse_volume_info(XML["info_started"])["data"]
        assert g.bricks_offline(info, status) == offline
    if bricks:
        assert all(isinstance(v["pid"], int) for v in bricks.values())


def test_parse_volume_status_error():
    with pytest.raises(g.GlusterError):
        g.parse_volume_status("<cliOutput><opRet>-1</opRet><opErrstr>boom</opErrstr></cliOutput>")


# --- peers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "hosts", "connected"),
    [
        ("peer_status_empty", [], []),
        ("peer_status_2", ["172.30.7.12", "172.30.7.13"], [True, True]),
        ("peer_status_disconnected", ["172.30.7.12", "172.30.7.13"], [True, False]),
        ("pool_list", ["172.30.7.12", "172.30.7.13", "localhost"], [True, True, True]),
    ],
)
def test_parse_peer_status(xml_dir, fixture, hosts, connected):
    peers = g.parse_peer_status(_read(xml_dir, fixture))
    assert [p["hostname"] for p in peers] == hosts
    assert [p["connected"] for p in peers] == connected


@pytest.mark.parametrize(
    ("fixture", "wanted", "own", "missing"),
    [
        (
            "peer_status_empty",
            ["10.0.0.1", "10.0.0.2", "10.0.0.3"],
            ["10.0.0.1"],
            ["10.0.0.2", "10.0.0.3"],
        ),
        ("peer_status_2", ["172.30.7.11", "172.30.7.12", "172.30.7.13"], ["172.30.7.11"], []),
        (
            "peer_status_2",
            ["172.30.7.11", "172.30.7.12", "172.30.7.14"],
            ["172.30.7.11"],
            ["172.30.7.14"],
        ),
        ("peer_status_empty", ["10.0.0.2", "10.0.0.2"], [], ["10.0.0.2"]),
        ("pool_list", ["localhost", "172.30.7.12"], [], []),
    ],
)
def test_peers_to_probe(xml_dir, fixture, wanted, own, missing):
    peers = g.parse_peer_status(_read(xml_dir, fixture))
    assert g.peers_to_probe(peers, wanted, own) == missing


# --- heal info ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "entries", "split_brain", "unreachable"),
    [
        ("heal_info", 0, 0, 0),
        ("heal_summary", 0, 0, 0),
        ("heal_info_pending", 12, 0, 1),
        ("heal_summary_pending", 12, 0, 1),
    ],
)
def test_parse_heal_info(xml_dir, fixture, entries, split_brain, unreachable):
    heal = g.parse_heal_info(_read(xml_dir, fixture))
    assert (heal["entries"], heal["split_brain"], heal["unreachable"]) == (
        entries,
        split_brain,
        unreachable,
    )
    assert len(heal["bricks"]) == 3


def test_parse_heal_info_split_brain():
    text = XML["heal_summary"].replace(
        "<numberOfEntriesInSplitBrain>0</numberOfEntriesInSplitBrain>",
        "<numberOfEntriesInSplitBrain>2</numberOfEntriesInSplitBrain>",
        1,
    )
    assert g.parse_heal_info(text)["split_brain"] == 2


# --- planner ------------------------------------------------------------------------------

SAFE = {"cluster.quorum-type": "auto", "network.ping-timeout": "10"}


def _want(**kw):
    base = {
        "name": "data",
        "state": "started",
        "replica": 3,
        "arbiter": 0,
        "bricks": B,
        "options": {},
        "force": True,
    }
    base.update(kw)
    return base


def _info(fixture, name="data"):
    return g.parse_volume_info(XML[fixture])[name]


@pytest.mark.parametrize(
    ("current", "desired", "steps"),
    [
        pytest.param(
            None,
            _want(),
            [
                ["volume", "create", "data", "replica", "3", *B, "force"],
                ["volume", "start", "data"],
            ],
            id="create-start",
        ),
        pytest.param(
            None,
            _want(name="arb", arbiter=1, bricks=B2, force=False, state="present"),
            [["volume", "create", "arb", "replica", "3", "arbiter", "1", *B2]],
            id="create-arbiter-present",
        ),
        pytest.param(
            None,
            _want(options={"cluster.quorum-type": "auto"}),
            [
                ["volume", "create", "data", "replica", "3", *B, "force"],
                ["volume", "set", "data", "cluster.quorum-type", "auto"],
                ["volume", "start", "data"],
            ],
            id="create-options-before-start",
        ),
        pytest.param(_info("info_started"), _want(options=SAFE), [], id="converged"),
        pytest.param(
            _info("info_started"),
            _want(options={"network.ping-timeout": 5, "nfs.disable": True}),
            [["volume", "set", "data", "network.ping-timeout", "5"]],
            id="option-changed-bool-equal",
        ),
        pytest.param(
            _info("info_created"), _want(), [["volume", "start", "data"]], id="created-to-started"
        ),
        pytest.param(
            _info("info_started"), _want(state="stopped"), [["volume", "stop", "data"]], id="stop"
        ),
        pytest.param(
            _info("info_stopped_arb", "arb"),
            _want(name="arb", state="stopped", arbiter=1, bricks=B2),
            [],
            id="stopped-stays",
        ),
        pytest.param(
            _info("info_started"),
            _want(state="absent"),
            [["volume", "stop", "data"], ["volume", "delete", "data"]],
            id="delete-started",
        ),
        pytest.param(
            _info("info_stopped_arb", "arb"),
            _want(name="arb", state="absent"),
            [["volume", "delete", "arb"]],
            id="delete-stopped",
        ),
        pytest.param(None, _want(state="absent"), [], id="absent-stays"),
        pytest.param(
            _info("info_started"),
            _want(bricks=[*B, "10.0.0.4:/b", "10.0.0.5:/b", "10.0.0.6:/b"]),
            [
                [
                    "volume",
                    "add-brick",
                    "data",
                    "replica",
                    "3",
                    "10.0.0.4:/b",
                    "10.0.0.5:/b",
                    "10.0.0.6:/b",
                    "force",
                ]
            ],
            id="add-replica-set",
        ),
        pytest.param(_info("info_started"), _want(bricks=[]), [], id="no-bricks-given-existing"),
    ],
)
def test_plan_volume(current, desired, steps):
    assert g.plan_volume(current, desired) == steps


@pytest.mark.parametrize(
    ("current", "desired", "match"),
    [
        (None, _want(bricks=[]), "no bricks"),
        (_info("info_started"), _want(bricks=B[:2]), "removing bricks"),
        (_info("info_started"), _want(arbiter=1), "changing the layout"),
        (_info("info_started"), _want(bricks=[*B, "10.0.0.4:/b"]), "not a multiple"),
    ],
    ids=["create-without-bricks", "remove-brick", "layout-change", "partial-set"],
)
def test_plan_volume_refuses(current, desired, match):
    with pytest.raises(ValueError, match=match):
        g.plan_volume(current, desired)


@pytest.mark.parametrize(
    ("current", "wanted", "changes"),
    [
        ({}, {"a": "on"}, {"a": "on"}),
        ({"a": "on"}, {"a": True}, {}),
        ({"a": "ON"}, {"a": "on"}, {}),
        ({"a": "off"}, {"a": True}, {"a": "on"}),
        ({"t": "42"}, {"t": 10}, {"t": "10"}),
        ({"t": "10"}, {"t": 10}, {}),
    ],
)
def test_options_to_set(current, wanted, changes):
    assert g.options_to_set(current, wanted) == changes


def test_predicted_view_matches_plan():
    desired = _want(options={"cluster.quorum-type": "auto"})
    steps = g.plan_volume(None, desired)
    view = g.predicted_view(None, desired, steps)
    assert view == {
        "status": "Started",
        "replica": 3,
        "arbiter": 0,
        "bricks": B,
        "options": {"cluster.quorum-type": "auto"},
    }
    current = _info("info_started")
    more = _want(bricks=[*B, "x:/1", "x:/2", "x:/3"])
    view = g.predicted_view(current, more, g.plan_volume(current, more))
    assert view["bricks"] == [*B, "x:/1", "x:/2", "x:/3"]
    assert g.predicted_view(current, _want(state="absent"), []) == {}


@pytest.mark.parametrize(
    ("brick", "host", "path"),
    [
        ("10.0.0.1:/srv/b", "10.0.0.1", "/srv/b"),
        ("fd00::1:/srv/b", "fd00::1", "/srv/b"),
        ("node-1:/a:b", "node-1", "/a:b"),
    ],
)
def test_split_brick(brick, host, path):
    assert g.split_brick(brick) == (host, path)


@pytest.mark.parametrize("brick", ["nohost", "/srv/b", "host:relative"])
def test_split_brick_rejects(brick):
    with pytest.raises(ValueError):
        g.split_brick(brick)
