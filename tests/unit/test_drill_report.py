"""The drill report's arithmetic on synthetic probe timelines."""

from __future__ import annotations

import math

import pytest

from hactl.drill.report import (
    Probe,
    availability,
    k_of_n_availability,
    nines,
    outage,
    percentile,
    summarize,
)


def timeline(start: float, interval: float, oks: str) -> list[Probe]:
    """'1' a success, '0' a failure, one probe every ``interval`` seconds from ``start``."""
    return [Probe(at=start + i * interval, ok=c == "1") for i, c in enumerate(oks)]


def test_clean_failover() -> None:
    probes = timeline(100.0, 0.1, "11111" + "000" + "1111")
    out = outage(probes, fault_at=100.45, interval_s=0.1)
    assert out.detected_at == pytest.approx(100.5)
    assert out.recovered_at == pytest.approx(100.8)
    assert out.downtime_s == pytest.approx(0.4)  # last ok 100.4 → first ok 100.8
    assert out.probes_failed == 3
    assert out.probes_total == 7  # probes at or after the fault


def test_no_failure_observed() -> None:
    out = outage(timeline(0.0, 0.1, "1" * 20), fault_at=0.5, interval_s=0.1)
    assert out.detected_at is None
    assert out.recovered_at is None
    assert out.downtime_s == 0
    assert out.probes_failed == 0


def test_never_recovered_counts_until_the_last_probe() -> None:
    out = outage(timeline(0.0, 0.5, "11" + "0000"), fault_at=0.6, interval_s=0.5)
    assert out.detected_at == pytest.approx(1.0)
    assert out.recovered_at is None
    assert out.downtime_s == pytest.approx(2.5 - 0.6)


def test_a_stall_without_failures_is_downtime() -> None:
    probes = [Probe(0.0, True), Probe(0.1, True), Probe(2.1, True), Probe(2.2, True)]
    out = outage(probes, fault_at=0.05, interval_s=0.1)
    assert out.detected_at is None
    assert out.downtime_s == pytest.approx(2.0)


def test_ordinary_jitter_is_not_downtime() -> None:
    probes = [Probe(0.0, True), Probe(0.1, True), Probe(0.35, True), Probe(0.45, True)]
    assert outage(probes, fault_at=0.0, interval_s=0.1).downtime_s == 0


def test_longest_of_two_outages() -> None:
    probes = timeline(0.0, 0.1, "1001" + "1" + "00001")
    out = outage(probes, fault_at=0.0, interval_s=0.1)
    assert out.downtime_s == pytest.approx(0.5)  # ok at 0.4 → ok at 0.9
    assert out.probes_failed == 6


def test_failures_before_the_fault_are_ignored() -> None:
    probes = timeline(0.0, 0.1, "0011111")
    out = outage(probes, fault_at=0.25, interval_s=0.1)
    assert out.detected_at is None
    assert out.downtime_s == 0


def test_unsorted_input_is_sorted() -> None:
    probes = list(reversed(timeline(0.0, 0.1, "1100111")))
    out = outage(probes, fault_at=0.0, interval_s=0.1)
    assert out.detected_at == pytest.approx(0.2)
    assert out.recovered_at == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1.0], 50, 1.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
        ([1.0, 2.0, 3.0, 4.0], 95, 3.85),
        ([5.0, 1.0, 3.0], 0, 1.0),
        ([5.0, 1.0, 3.0], 100, 5.0),
        ([], 50, None),
    ],
)
def test_percentile(values: list[float], q: float, expected: float | None) -> None:
    got = percentile(values, q)
    assert got == (pytest.approx(expected) if expected is not None else None)


def test_percentile_out_of_range() -> None:
    with pytest.raises(ValueError, match=r"within 0\.\.100"):
        percentile([1.0], 101)


def test_summarize() -> None:
    s = summarize([0.3, 0.1, 0.2])
    assert (s.count, s.p50, s.max) == (3, 0.2, 0.3)
    assert s.mean == pytest.approx(0.2)
    empty = summarize([])
    assert (empty.count, empty.p50, empty.p95, empty.max, empty.mean) == (0, None, None, None, None)


@pytest.mark.parametrize(
    ("mttf", "mttr", "expected"),
    [(999.0, 1.0, 0.999), (1.0, 0.0, 1.0), (30 * 86400.0, 0.5, 30 * 86400 / (30 * 86400 + 0.5))],
)
def test_availability(mttf: float, mttr: float, expected: float) -> None:
    assert availability(mttf, mttr) == pytest.approx(expected)


def test_availability_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="MTTF must be > 0"):
        availability(0, 1)


@pytest.mark.parametrize(
    ("k", "n", "a", "expected"),
    [
        (1, 1, 0.99, 0.99),
        (2, 3, 0.99, 3 * 0.99**2 * 0.01 + 0.99**3),  # etcd quorum of 3
        (1, 2, 0.9, 1 - 0.1**2),  # either of two LB nodes
        (3, 3, 0.9, 0.9**3),  # series: all needed
    ],
)
def test_k_of_n(k: int, n: int, a: float, expected: float) -> None:
    assert k_of_n_availability(k, n, a) == pytest.approx(expected)


def test_redundancy_beats_a_single_unit() -> None:
    assert k_of_n_availability(2, 3, 0.999) > 0.999


def test_k_of_n_rejects_bad_k() -> None:
    with pytest.raises(ValueError, match=r"1 <= k <= n"):
        k_of_n_availability(4, 3, 0.9)


def test_nines() -> None:
    assert nines(0.999) == pytest.approx(3.0)
    assert math.isinf(nines(1.0))
