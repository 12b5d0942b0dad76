#!/usr/bin/env python3
"""Failover drills on a fresh lab: `hactl lab up`, `hactl drill --scenario all --trials N`, report.

Prints the Markdown report and writes it (and the JSON) under bench/results/, named with the date
and this machine's description, for the README's table. No pass/fail on time: the drill itself
fails only when a fault is not recovered from or an acknowledged write is lost.

    python bench/drill_lab.py --trials 5            # ~8 scenarios x 5 trials: allow an hour
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAME = "bench"
SUBNET = "172.30.102.0/24"


def hactl(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "hactl", *args]
    return subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, check=False)


def machine() -> str:
    cpus = os.cpu_count()
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {cpus} cores, {mem_gib:.0f} GiB, kernel {platform.release()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--scenario", default="all")
    parser.add_argument("--keep", action="store_true", help="leave the lab running afterwards")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="hactl-bench-"))
    out_dir = REPO / "bench/results"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    try:
        up = hactl(env, "lab", "up", "--nodes", "3", "--name", NAME, "--subnet", SUBNET, "--json")
        if up.returncode != 0:
            print(up.stdout[-4000:], up.stderr[-4000:], file=sys.stderr)
            return up.returncode
        inventory = json.loads(up.stdout)["inventory"]
        report_md = out_dir / f"drill-{stamp}.md"
        drill = hactl(
            env, "drill", "-i", inventory, "--scenario", args.scenario,
            "--trials", str(args.trials), "--json", "--report", str(report_md),
        )  # fmt: skip
        (out_dir / f"drill-{stamp}.json").write_text(drill.stdout)
        text = report_md.read_text() if report_md.exists() else drill.stdout + drill.stderr
        header = f"Measured {time.strftime('%Y-%m-%d', time.gmtime())} on {machine()}.\n\n"
        report_md.write_text(header + text)
        print(header + text)
        return drill.returncode
    finally:
        if not args.keep:
            hactl(env, "lab", "down", "--name", NAME)


if __name__ == "__main__":
    raise SystemExit(main())
