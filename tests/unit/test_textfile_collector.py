"""hactl's textfile collector (roles/monitoring/files/hactl-textfile-collector): its parsers."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "roles/monitoring/files/hactl-textfile-collector"
_loader = importlib.machinery.SourceFileLoader("hactl_textfile_collector", str(_PATH))
_spec = importlib.util.spec_from_loader(_loader.name, _loader)
assert _spec
collector = importlib.util.module_from_spec(_spec)
_loader.exec_module(collector)

IP_JSON = json.dumps(
    [
        {"ifname": "lo", "addr_info": [{"family": "inet", "local": "127.0.0.1"}]},
        {
            "ifname": "eth0",
            "addr_info": [
                {"family": "inet", "local": "172.30.2.11"},
                {"family": "inet", "local": "172.30.2.100"},
                {"family": "inet6", "local": "fe80::1"},
            ],
        },
    ]
)


def test_local_addresses() -> None:
    assert collector.local_addresses(IP_JSON) == {
        "127.0.0.1",
        "172.30.2.11",
        "172.30.2.100",
        "fe80::1",
    }
    assert collector.local_addresses("") == set()


def test_vrrp_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_run(argv, timeout=20):
        if argv[:2] == ["ip", "-j"]:
            return 0, IP_JSON
        return (0 if argv[-1] == "haproxy" else 3), ""

    monkeypatch.setattr(collector, "_run", fake_run)
    lines = collector.collect_vrrp(
        {"vips": [{"name": "api", "address": "172.30.2.100"}, {"address": "172.30.2.101"}]}
    )
    assert 'hactl_vrrp_vip_held{instance_name="api",vip="172.30.2.100"} 1' in lines
    assert 'hactl_vrrp_vip_held{instance_name="",vip="172.30.2.101"} 0' in lines
    assert 'hactl_service_active{unit="keepalived"} 0' in lines
    assert 'hactl_service_active{unit="haproxy"} 1' in lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("notAfter=Jan  1 00:00:00 2030 GMT\n", 1893456000),
        ("notAfter=Dec 31 23:59:59 2026 GMT", 1798761599),
    ],
)
def test_parse_enddate(text: str, expected: int) -> None:
    assert collector.parse_enddate(text) == expected


def test_parse_enddate_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="no notAfter"):
        collector.parse_enddate("unable to load certificate")


STATUS_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput><opRet>0</opRet><volStatus><volumes><volume><volName>data</volName>
<nodeCount>4</nodeCount>
<node><hostname>172.30.6.11</hostname><path>/bricks/data</path><peerid>a</peerid>
<status>1</status><port>49152</port><pid>100</pid></node>
<node><hostname>172.30.6.12</hostname><path>/bricks/data</path><peerid>b</peerid>
<status>0</status><port>N/A</port><pid>-1</pid></node>
<node><hostname>Self-heal Daemon</hostname><path>localhost</path><peerid>a</peerid>
<status>1</status><port>N/A</port><pid>200</pid></node>
</volume></volumes></volStatus></cliOutput>"""

HEAL_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput><healInfo><bricks>
<brick hostUuid="a"><name>172.30.6.11:/bricks/data</name><status>Connected</status>
<totalNumberOfEntries>3</totalNumberOfEntries>
<numberOfEntriesInHealPending>3</numberOfEntriesInHealPending>
<numberOfEntriesInSplitBrain>0</numberOfEntriesInSplitBrain>
<numberOfEntriesPossiblyHealing>0</numberOfEntriesPossiblyHealing></brick>
<brick hostUuid="b"><name>172.30.6.12:/bricks/data</name>
<status>Transport endpoint is not connected</status>
<totalNumberOfEntries>-</totalNumberOfEntries>
<numberOfEntriesInSplitBrain>-</numberOfEntriesInSplitBrain></brick>
<brick hostUuid="c"><name>172.30.6.13:/bricks/data</name><status>Connected</status>
<totalNumberOfEntries>2</totalNumberOfEntries>
<numberOfEntriesInSplitBrain>1</numberOfEntriesInSplitBrain></brick>
</bricks></healInfo><opRet>0</opRet></cliOutput>"""


def test_parse_volume_status_lists_bricks_not_daemons() -> None:
    assert collector.parse_volume_status(STATUS_XML) == [
        ("data", "172.30.6.11:/bricks/data", True),
        ("data", "172.30.6.12:/bricks/data", False),
    ]


def test_parse_heal_summary_skips_unreachable_bricks() -> None:
    assert collector.parse_heal_summary(HEAL_XML) == (5, 1)


KERNEL_LOG = """\
NVRM: Xid (PCI:0000:1b:00): 79, pid=1234, GPU has fallen off the bus.
NVRM: Xid (PCI:0000:1b:00): 79, pid=1234, GPU has fallen off the bus.
NVRM: Xid (PCI:0000:3d:00): 13, pid=99, Graphics SM Warp Exception
unrelated line
"""


def test_parse_xids() -> None:
    assert collector.parse_xids(KERNEL_LOG) == {("0000:1b:00", 79): 2, ("0000:3d:00", 13): 1}
    assert collector.parse_xids("") == {}


def test_parse_smi_csv() -> None:
    rows = collector.parse_smi_csv("0, GPU-aaa, 0, 41\n1, GPU-bbb, [N/A], 39\n")
    assert [r["uuid"] for r in rows] == ["GPU-aaa", "GPU-bbb"]
    assert [r["ecc_uncorrected"] for r in rows] == [0, 0]


def test_broken_collector_reports_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(cfg):
        raise RuntimeError("gluster volume status failed")

    monkeypatch.setitem(collector.COLLECTORS, "gluster", boom)
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"textfile_dir": str(tmp_path), "collectors": {"gluster": {}}}))
    monkeypatch.setattr("sys.argv", ["collector", str(config)])
    assert collector.main() == 1
    text = (tmp_path / "hactl_gluster.prom").read_text()
    assert 'hactl_collector_success{collector="gluster"} 0' in text


INFO_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput><opRet>0</opRet><opErrno>0</opErrno><opErrstr/><volInfo><volumes>
<volume><name>data</name><brickCount>3</brickCount><bricks>
<brick uuid="a">172.30.6.11:/bricks/data<name>172.30.6.11:/bricks/data</name></brick>
<brick uuid="b">172.30.6.12:/bricks/data<name>172.30.6.12:/bricks/data</name></brick>
<brick uuid="c">172.30.6.13:/bricks/data<name>172.30.6.13:/bricks/data</name></brick>
</bricks></volume><count>1</count></volumes></volInfo></cliOutput>"""


def test_a_brick_missing_from_the_status_output_is_offline() -> None:
    """gluster's status leaves out the bricks of a peer it cannot reach (node or glusterd down):
    that brick must be reported offline, not left out."""
    configured = collector.parse_volume_bricks(INFO_XML)
    assert configured == {
        "data": ["172.30.6.11:/bricks/data", "172.30.6.12:/bricks/data", "172.30.6.13:/bricks/data"]
    }
    assert collector.brick_states(configured, collector.parse_volume_status(STATUS_XML)) == [
        ("data", "172.30.6.11:/bricks/data", True),
        ("data", "172.30.6.12:/bricks/data", False),  # listed, status 0
        ("data", "172.30.6.13:/bricks/data", False),  # not listed at all
    ]


def test_volume_info_errors_fail_the_collector() -> None:
    bad = INFO_XML.replace("<opRet>0</opRet>", "<opRet>-1</opRet>").replace(
        "<opErrstr/>", "<opErrstr>Another transaction is in progress</opErrstr>"
    )
    with pytest.raises(RuntimeError, match="Another transaction"):
        collector.parse_volume_bricks(bad)
