"""Table-driven tests for plugins/filter/etcd_filters.py: member list and inventory checks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "plugins/filter/etcd_filters.py"
_spec = importlib.util.spec_from_file_location("etcd_filters", _PATH)
assert _spec and _spec.loader
etcd_filters = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(etcd_filters)

HV = {
    "e1": {"ansible_host": "10.0.0.1"},
    "e2": {"hactl_node_address": "10.0.0.2"},
    "e3": {"etcd_address": "10.0.0.3", "etcd_member_name": "third"},
    "e4": {"ansible_host": "e4.example", "ansible_default_ipv4": {"address": "10.0.0.4"}},
    "e5": {"ansible_host": "e5.example"},
    "dup": {"ansible_host": "10.0.0.9", "etcd_member_name": "e1"},
    "own": {"ansible_host": "10.0.0.7", "etcd_cert_sans": ["10.0.0.70"]},
    "own2": {"ansible_host": "10.0.0.8", "etcd_cert_auto_sans": False, "etcd_cert_sans": ["x"]},
}


def test_members_resolve_names_addresses_urls_and_sans() -> None:
    e1, e3, e4, e5 = etcd_filters.etcd_members(["e1", "e3", "e4", "e5"], HV, extra_sans=["vip.x"])
    assert e1 == {
        "host": "e1",
        "name": "e1",
        "address": "10.0.0.1",
        "peer_url": "https://10.0.0.1:2380",
        "client_url": "https://10.0.0.1:2379",
        "san_ips": ["10.0.0.1", "127.0.0.1"],
        "san_dns": ["e1", "localhost", "vip.x"],
    }
    assert (e3["name"], e3["address"]) == ("third", "10.0.0.3")
    assert e4["address"] == "10.0.0.4"
    assert e5["address"] is None and e5["peer_url"] is None


def test_members_without_auto_sans_use_only_the_given_ones() -> None:
    (own,) = etcd_filters.etcd_members(["own"], HV, auto_sans=False)
    assert own["san_ips"] == ["10.0.0.70"] and own["san_dns"] == []


def test_ipv6_addresses_are_bracketed_in_urls() -> None:
    (m,) = etcd_filters.etcd_members(["v6"], {"v6": {"etcd_address": "fd00::1"}}, client_port=12379)
    assert m["client_url"] == "https://[fd00::1]:12379"


@pytest.mark.parametrize(
    ("hosts", "kwargs", "fragment"),
    [
        (["e1"], {}, "1 etcd member is no HA cluster"),
        (["e1", "e2"], {}, "2 etcd members"),
        (["e1", "e2", "e3", "e4"], {}, "4 etcd members"),
        (["e1", "e2", "dup"], {}, "duplicate etcd member name 'e1' on hosts e1, dup"),
        (["e1", "e2", "own"], {"auto_sans": False}, "miss its address"),
        (["e1", "e2", "own2"], {}, "own2: its certificate SANs (x) miss its address 10.0.0.8"),
    ],
    ids=["single", "two", "even", "duplicate-name", "missing-san", "missing-san-per-host"],
)
def test_problems(hosts, kwargs, fragment) -> None:
    members = etcd_filters.etcd_members(hosts, HV, **kwargs)
    problems = etcd_filters.etcd_member_problems(members)
    assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize(
    ("hosts", "allow_single"),
    [(["e1", "e2", "e3"], False), (["e1"], True), (["e1", "e2", "e3", "e4", "e5"], False)],
    ids=["three", "lab-single", "five-one-unresolved"],
)
def test_no_problems(hosts, allow_single) -> None:
    members = etcd_filters.etcd_members(hosts, HV)
    assert etcd_filters.etcd_member_problems(members, allow_single=allow_single) == []


def test_filters_are_registered_and_name_themselves_in_errors() -> None:
    filters = etcd_filters.FilterModule().filters()
    assert {"hactl_etcd_members", "hactl_etcd_member_problems", "hactl_etcd_sha256"} <= set(filters)
    assert filters["hactl_etcd_sha256"]("sha256:" + "A" * 64, "x") == "a" * 64
    with pytest.raises(Exception, match="hactl_etcd_sha256"):
        filters["hactl_etcd_sha256"]("nope", "x.tar.gz")


@pytest.mark.parametrize(
    ("items", "keep", "expected"),
    [([3, 2, 1], 2, [1]), ([3, 2, 1], 5, []), ([3, 2, 1], 0, [3, 2, 1]), ([], 1, [])],
    ids=["some", "all-kept", "keep-none", "empty"],
)
def test_beyond(items, keep, expected) -> None:
    assert etcd_filters.beyond(items, keep) == expected
