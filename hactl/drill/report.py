"""The drill report's arithmetic: probe timelines → per-trial numbers → per-scenario statistics →
availability. Pure functions over plain data, so every edge case is unit-tested.

Definitions (times are seconds since the epoch, floats):

- ``detected_at``: the first failed probe at or after the fault; None when no probe failed.
- ``recovered_at``: the first successful probe after ``detected_at``; None when no probe failed
  (nothing to recover from) or when none succeeded before the probes stopped (never recovered).
- ``downtime_s``: the longest outage seen by the probes: the gap between the last success before a
  run of failures (or a stall) and the first success after it. Its resolution is the probe
  interval. A gap between two successes with no failure in between counts only when it exceeds
  ``stall_factor`` probe intervals (a hung request is an outage too). A never-recovered outage
  counts until the last probe.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Probe:
    """One probe: when it finished and whether it succeeded.

    ``started`` is when the node began a write (its own wall clock), for the writers' probes: an
    acknowledgement reaches the controller later, by however long SSH and a busy machine take.
    """

    at: float
    ok: bool
    started: float | None = None


@dataclass(frozen=True)
class Outage:
    detected_at: float | None
    recovered_at: float | None
    downtime_s: float
    probes_total: int
    probes_failed: int


def outage(
    probes: Sequence[Probe], fault_at: float, interval_s: float, stall_factor: float = 3.0
) -> Outage:
    """Reduce a probe timeline to the outage the fault caused."""
    timeline = sorted(probes, key=lambda p: p.at)
    after = [p for p in timeline if p.at >= fault_at]
    failed = [p for p in after if not p.ok]
    detected = failed[0].at if failed else None
    recovered = None
    if detected is not None:
        recovered = next((p.at for p in after if p.ok and p.at > detected), None)
    return Outage(
        detected_at=detected,
        recovered_at=recovered,
        downtime_s=round(_longest_gap(timeline, fault_at, interval_s * stall_factor), 3),
        probes_total=len(after),
        probes_failed=len(failed),
    )


def _longest_gap(timeline: Sequence[Probe], fault_at: float, stall_s: float) -> float:
    longest = 0.0
    last_ok: float | None = None
    failing = False
    for probe in timeline:
        if probe.ok:
            if last_ok is not None and probe.at >= fault_at:
                gap = probe.at - last_ok
                if failing or gap > stall_s:
                    longest = max(longest, gap)
            last_ok, failing = probe.at, False
        else:
            failing = True
            if last_ok is None:  # failing from the start: the outage began with the probes
                last_ok = probe.at
    if failing and last_ok is not None and timeline:  # never recovered
        longest = max(longest, timeline[-1].at - max(last_ok, fault_at))
    return longest


def percentile(values: Iterable[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default); None for no values."""
    data = sorted(values)
    if not data:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not within 0..100")
    rank = (len(data) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return data[low] + (data[high] - data[low]) * (rank - low)


@dataclass(frozen=True)
class Summary:
    count: int
    p50: float | None
    p95: float | None
    max: float | None
    mean: float | None


def summarize(values: Sequence[float]) -> Summary:
    vals = list(values)
    return Summary(
        count=len(vals),
        p50=percentile(vals, 50),
        p95=percentile(vals, 95),
        max=max(vals) if vals else None,
        mean=sum(vals) / len(vals) if vals else None,
    )


def availability(mttf_s: float, mttr_s: float) -> float:
    """A = MTTF / (MTTF + MTTR)."""
    if mttf_s <= 0 or mttr_s < 0:
        raise ValueError(f"MTTF must be > 0 and MTTR >= 0 (got {mttf_s}, {mttr_s})")
    return mttf_s / (mttf_s + mttr_s)


def k_of_n_availability(k: int, n: int, unit_availability: float) -> float:
    """Availability of a system that works while at least k of its n independent units work."""
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n (got k={k}, n={n})")
    if not 0 <= unit_availability <= 1:
        raise ValueError(f"unit availability {unit_availability} is not within 0..1")
    a = unit_availability
    return sum(math.comb(n, i) * a**i * (1 - a) ** (n - i) for i in range(k, n + 1))


def nines(a: float) -> float:
    """Availability as a count of nines (0.999 → 3.0)."""
    return math.inf if a >= 1 else -math.log10(1 - a)
