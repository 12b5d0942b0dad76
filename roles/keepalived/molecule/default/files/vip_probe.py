#!/usr/bin/env python3
"""Probe a virtual IP from the test controller: who holds it, and how long a fault interrupts it.

Test fixture of the keepalived scenario (bench/failover_vip.py reuses it). Traffic goes only to
the scenario's own containers: HTTPS requests to VIP:port, and `docker exec` into the nodes.
Every loop is bounded in time. Prints one JSON object.

  vip_probe.py holders   --vip IP --nodes a,b,c
  vip_probe.py wait-one  --vip IP --nodes a,b,c [--timeout 30] [--stable 2] [--expect a]
  vip_probe.py failover  --vip IP --port P --nodes a,b,c --fault CMD [--timeout 20]
  vip_probe.py steady    --vip IP --port P [--seconds 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import shlex
import ssl
import subprocess
import sys
import time

CONTEXT = ssl.create_default_context()
CONTEXT.check_hostname = False
CONTEXT.verify_mode = ssl.CERT_NONE  # the stand-in API server's certificate is self-signed


def request(vip: str, port: int, timeout: float = 0.5) -> bool:
    """One fresh HTTPS connection through the VIP; True when /readyz answers 200."""
    try:
        conn = http.client.HTTPSConnection(vip, port, timeout=timeout, context=CONTEXT)
        conn.request("GET", "/readyz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except (OSError, http.client.HTTPException):
        return False


def holders(vip: str, nodes: list[str]) -> list[str]:
    """Nodes whose interfaces carry the VIP right now."""
    found = []
    for node in nodes:
        out = subprocess.run(
            ["docker", "exec", node, "ip", "-4", "-o", "addr", "show", "to", f"{vip}/32"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if out.returncode == 0 and out.stdout.strip():
            found.append(node)
    return found


def wait_one(vip: str, nodes: list[str], timeout: float, stable: float, expect: str = "") -> dict:
    """Wait until exactly one node (``expect``, if given) holds the VIP for ``stable`` seconds."""
    start = time.monotonic()
    since, last = None, None
    seen = []
    while time.monotonic() - start < timeout:
        seen = holders(vip, nodes)
        now = time.monotonic()
        single = len(seen) == 1 and (not expect or seen == [expect])
        if single and seen == last:
            if since is not None and now - since >= stable:
                return {"ok": True, "holder": seen[0], "waited_s": round(now - start, 2)}
        else:
            since = now if single else None
        last = seen
        time.sleep(0.2)
    return {"ok": False, "holders": seen, "waited_s": round(time.monotonic() - start, 2)}


def failover(vip: str, port: int, fault: str, timeout: float, settle: float = 2.0) -> dict:
    """Inject ``fault`` and probe VIP:port every 50 ms.

    gap_s: from the fault until the first good request after the last failed one (0 when none
    failed); stops once requests have succeeded for ``settle`` seconds in a row.
    """
    if not request(vip, port, timeout=2):
        return {"ok": False, "error": "the VIP did not answer before the fault"}
    # The fault runs alongside the probes, so a failover faster than `docker exec` still shows;
    # the gap includes the command's own start-up (~0.1 s), an upper bound.
    t0 = time.monotonic()
    fault_proc = subprocess.Popen(
        shlex.split(fault), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    failures = requests = 0
    last_fail = streak_start = None
    settled = False
    while time.monotonic() - t0 < timeout:
        sent = time.monotonic()
        requests += 1
        if request(vip, port):
            streak_start = sent if streak_start is None else streak_start
            if time.monotonic() - streak_start >= settle:
                settled = True
                break
        else:
            failures += 1
            last_fail, streak_start = sent, None
        time.sleep(0.05)
    _, fault_err = fault_proc.communicate(timeout=30)
    gap = (streak_start - t0) if last_fail is not None and streak_start is not None else 0.0
    return {
        "ok": settled and fault_proc.returncode == 0,
        "gap_s": round(gap, 3),
        "failures": failures,
        "requests": requests,
        "fault_rc": fault_proc.returncode,
        "fault_stderr": fault_err[-500:],
    }


def steady(vip: str, port: int, seconds: float) -> dict:
    """Probe for ``seconds``; count the failed requests."""
    start = time.monotonic()
    failures = requests = 0
    while time.monotonic() - start < seconds:
        requests += 1
        failures += not request(vip, port)
        time.sleep(0.05)
    return {"ok": failures == 0, "failures": failures, "requests": requests}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["holders", "wait-one", "failover", "steady"])
    parser.add_argument("--vip", required=True)
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--nodes", default="")
    parser.add_argument("--fault", default="")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--stable", type=float, default=2)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--expect", default="", help="wait-one: the node that must hold the VIP")
    args = parser.parse_args(argv)
    nodes = [n for n in args.nodes.split(",") if n]
    if args.action == "holders":
        result: dict = {"ok": True, "holders": holders(args.vip, nodes)}
    elif args.action == "wait-one":
        result = wait_one(args.vip, nodes, args.timeout, args.stable, args.expect)
    elif args.action == "failover":
        result = failover(args.vip, args.port, args.fault, args.timeout)
    else:
        result = steady(args.vip, args.port, args.seconds)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
