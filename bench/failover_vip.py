#!/usr/bin/env python3
"""Failover benchmark for the API virtual IP: keepalived/haproxy defaults vs hactl's tuned settings.

Creates its own 3 node containers (bench-vip-1..3) on its own network (hactl-bench-vip,
172.30.3.0/24), installs keepalived, haproxy and a stand-in HTTPS API server on 6443, and for each
profile runs N trials of each fault against the VIP holder:

  graceful   systemctl stop keepalived
  crash      docker kill (SIGKILL of the whole node: keepalived, haproxy, the network link)
  haproxy    systemctl stop haproxy (the track script must move the VIP)
  backend    systemctl stop of one API server (haproxy must hide it; counts failed requests)

It reports p50/p95/max of the time until requests through VIP:port succeed again, and the failed
probe requests, side by side; then, per advert_int candidate, a 60 s run with both cores saturated
that counts VRRP transitions (any is spurious). Prints numbers; never passes or fails on time.
The profiles here mirror roles/keepalived and roles/haproxy (defaults/main.yml): the "tuned" text
must follow them when they change. Cleans up its containers and network, also on Ctrl-C.

  python bench/failover_vip.py --trials 3 [--saturate-seconds 60] [--keep]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "roles/keepalived/molecule/default/files"))
import vip_probe  # noqa: E402  the scenario's probe, shared so both measure the same way

NETWORK, SUBNET = "hactl-bench-vip", "172.30.3.0/24"
NODES = {f"bench-vip-{i}": f"172.30.3.1{i}" for i in (1, 2, 3)}
VIP, PORT = "172.30.3.100", 8443
IMAGE = "hactl-node:bookworm"
RUN_FLAGS = [
    "--cap-add", "SYS_ADMIN", "--cap-add", "NET_ADMIN", "--cap-add", "NET_RAW",
    "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
    "--cgroupns=host", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
    "--tmpfs", "/run", "--tmpfs", "/run/lock", "--stop-signal", "SIGRTMIN+3",
    "-e", "container=docker",
]  # fmt: skip

SERVER_PY = """#!/usr/bin/python3
import http.server, socket, ssl
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"ok {socket.gethostname()}\\n".encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("0.0.0.0", 6443), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain("/opt/fake-apiserver/cert.pem", "/opt/fake-apiserver/key.pem")
s.socket = c.wrap_socket(s.socket, server_side=True)
s.serve_forever()
"""
SERVER_UNIT = """[Unit]
Description=Stand-in API server
[Service]
ExecStart=/usr/bin/python3 /opt/fake-apiserver/server.py
[Install]
WantedBy=multi-user.target
"""
NOTIFY = """#!/bin/sh
echo "$(date -u +%FT%T.%3NZ) $(hostname) $1 $2 $3 priority=$4" >> /var/log/vrrp-transitions.log
"""
CHECK = "#!/bin/sh\nexec /usr/bin/timeout 1 /bin/bash -c 'exec 3<>/dev/tcp/127.0.0.1/8443'\n"

# keepalived and haproxy as the kubeadm HA guide and the tools' defaults leave them: VRRPv2,
# advert 1 s, multicast, priorities 101/100/99, a track script every 3 s with fall 10 and
# weight -2, haproxy checks every 2 s, fall 3, no redispatch.
PROFILES = {
    "defaults": {
        "vrrp_version": 2,
        "advert_int": 1,
        "priority_step": 1,
        "unicast": False,
        "track": "interval 3\n  fall 10\n  rise 2\n  weight -2",
        "haproxy": "default-server inter 2s fall 3 rise 2",
        "redispatch": False,
    },
    "hactl": {
        "vrrp_version": 3,
        "advert_int": 0.2,
        "priority_step": 10,
        "unicast": True,
        "track": "interval 1\n  timeout 2\n  fall 2\n  rise 2\n  weight -50",
        "haproxy": (
            "default-server inter 1s fastinter 250ms downinter 1s fall 2 rise 2 "
            "on-marked-down shutdown-sessions"
        ),
        "redispatch": True,
    },
}


def sh(*argv: str, check: bool = True, inp: str | None = None, timeout: float = 300) -> str:
    proc = subprocess.run(
        argv, input=inp, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {proc.stderr.strip()[-800:]}")
    return proc.stdout


def dexec(node: str, script: str, check: bool = True, timeout: float = 300) -> str:
    return sh("docker", "exec", node, "sh", "-c", script, check=check, timeout=timeout)


def put(node: str, path: str, text: str, mode: str = "0644") -> None:
    sh("docker", "exec", "-i", node, "sh", "-c", f"cat > {path} && chmod {mode} {path}", inp=text)


def keepalived_conf(profile: dict, index: int, node: str) -> str:
    me = NODES[node]
    peers = [a for n, a in NODES.items() if n != node]
    unicast = (
        f"  unicast_src_ip {me}\n  unicast_peer {{\n"
        + "".join(f"    {p}\n" for p in peers)
        + "  }\n"
        if profile["unicast"]
        else ""
    )
    return (
        f"global_defs {{\n  router_id {node}\n  vrrp_version {profile['vrrp_version']}\n"
        "  enable_script_security\n  script_user root\n}\n"
        f"vrrp_script chk {{\n  script /etc/keepalived/check.sh\n  {profile['track']}\n}}\n"
        f"vrrp_instance api {{\n  state {'MASTER' if index == 0 else 'BACKUP'}\n  interface eth0\n"
        f"  virtual_router_id 61\n  priority {150 - profile['priority_step'] * index}\n"
        f"  advert_int {profile['advert_int']}\n{unicast}"
        f"  virtual_ipaddress {{\n    {VIP}/32 dev eth0\n  }}\n"
        "  track_script {\n    chk\n  }\n  notify /etc/keepalived/notify.sh\n}\n"
    )


def haproxy_cfg(profile: dict) -> str:
    servers = "".join(
        f"  server {n} {a}:6443 check check-ssl verify none\n" for n, a in NODES.items()
    )
    return (
        "global\n  stats socket /run/haproxy/admin.sock mode 660 level admin\n  daemon\n"
        "defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 1h\n  timeout server 1h\n"
        + ("  option redispatch\n  retries 3\n" if profile["redispatch"] else "")
        + f"  {profile['haproxy']}\n"
        + f"frontend api\n  bind *:{PORT}\n  default_backend api\n"
        + "backend api\n  option httpchk\n  http-check send meth GET uri /readyz\n"
        + "  http-check expect status 200\n"
        + servers
    )


def wait_running(node: str, timeout: float = 120) -> None:
    """Wait until systemd in ``node`` is up (right after `docker start` its bus is not there)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        state = dexec(node, "systemctl is-system-running 2>/dev/null", check=False).strip()
        if state in ("running", "degraded"):
            return
        time.sleep(0.5)
    raise RuntimeError(f"{node}: systemd did not come up in {timeout:.0f} s")


def create() -> None:
    destroy()
    sh("docker", "network", "create", "--subnet", SUBNET, NETWORK)
    for node, addr in NODES.items():
        sh("docker", "run", "-d", "--name", node, "--hostname", node, "--network", NETWORK,
           "--ip", addr, *RUN_FLAGS, IMAGE, "/lib/systemd/systemd")  # fmt: skip
    for node in NODES:
        wait_running(node)
        dexec(
            node,
            "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
            "--no-install-recommends keepalived haproxy socat >/dev/null && mkdir -p "
            "/opt/fake-apiserver && openssl req -x509 -newkey rsa:2048 -nodes -days 2 "
            "-subj /CN=bench -keyout /opt/fake-apiserver/key.pem "
            "-out /opt/fake-apiserver/cert.pem 2>/dev/null",
            timeout=600,
        )
        put(node, "/opt/fake-apiserver/server.py", SERVER_PY, "0755")
        put(node, "/etc/systemd/system/fake-apiserver.service", SERVER_UNIT)
        put(node, "/etc/keepalived/notify.sh", NOTIFY, "0755")
        put(node, "/etc/keepalived/check.sh", CHECK, "0755")
        dexec(node, "systemctl daemon-reload && systemctl enable --now fake-apiserver")


def destroy() -> None:
    for node in NODES:
        sh("docker", "rm", "-f", node, check=False)
    sh("docker", "network", "rm", NETWORK, check=False)


def apply(profile: dict) -> None:
    for index, node in enumerate(NODES):
        put(node, "/etc/keepalived/keepalived.conf", keepalived_conf(profile, index, node), "0600")
        put(node, "/etc/haproxy/haproxy.cfg", haproxy_cfg(profile))
        dexec(
            node, "systemctl enable -q keepalived haproxy && systemctl restart haproxy keepalived"
        )
    settle()


def settle(expect: str = "bench-vip-1") -> dict:
    result = vip_probe.wait_one(VIP, list(NODES), timeout=60, stable=2, expect=expect)
    if not result["ok"]:
        raise RuntimeError(f"no single VIP holder: {result}")
    return result


def restore(kind: str, holder: str) -> None:
    if kind == "crash":
        sh("docker", "start", holder)
        wait_running(holder)
        dexec(holder, "systemctl start fake-apiserver haproxy keepalived")
    elif kind == "graceful":
        dexec(holder, "systemctl start keepalived")
    elif kind == "haproxy":
        dexec(holder, "systemctl start haproxy")
    elif kind == "backend":
        dexec("bench-vip-2", "systemctl start fake-apiserver")
        time.sleep(3)  # rise 2 at the slowest profile's interval
    settle()


FAULTS = {
    "graceful": "docker exec {h} systemctl stop keepalived",
    "crash": "docker kill --signal KILL {h}",
    "haproxy": "docker exec {h} systemctl stop haproxy",
    "backend": "docker exec bench-vip-2 systemctl stop fake-apiserver",
}


def trials(profile: str, kind: str, n: int) -> list[dict]:
    out = []
    for _ in range(n):
        holder = settle()["holder"]
        res = vip_probe.failover(VIP, PORT, FAULTS[kind].format(h=holder), timeout=60)
        out.append(res)
        print(
            f"  {profile:9} {kind:9} gap {res['gap_s']:6.3f} s  failed {res['failures']}",
            flush=True,
        )
        restore(kind, holder)
    return out


def _burn(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def saturate(seconds: float) -> int:
    """Burn every core for ``seconds``; return the VRRP transitions logged meanwhile."""
    before = sum(
        int(dexec(n, "wc -l < /var/log/vrrp-transitions.log", check=False) or 0) for n in NODES
    )
    procs = [
        multiprocessing.Process(target=_burn, args=(seconds,)) for _ in range(os.cpu_count() or 2)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    after = sum(
        int(dexec(n, "wc -l < /var/log/vrrp-transitions.log", check=False) or 0) for n in NODES
    )
    return after - before


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--kinds", default="graceful,crash,haproxy,backend")
    parser.add_argument("--saturate-seconds", type=float, default=60)
    parser.add_argument("--advert-candidates", default="0.1,0.2")
    parser.add_argument("--keep", action="store_true", help="leave the containers for inspection")
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    results: dict[str, dict[str, list[dict]]] = {}
    try:
        create()
        for name, profile in PROFILES.items():
            print(f"profile {name}", flush=True)
            apply(profile)
            results[name] = {kind: trials(name, kind, args.trials) for kind in kinds}
        flaps = {}
        if args.saturate_seconds > 0:
            for advert in args.advert_candidates.split(","):
                apply(dict(PROFILES["hactl"], advert_int=float(advert)))
                flaps[advert] = saturate(args.saturate_seconds)
                print(f"  advert_int {advert}: {flaps[advert]} transitions", flush=True)
    finally:
        if not args.keep:
            destroy()
    print("\nTime until requests through the VIP succeed again (s) and failed probe requests")
    print(f"{'fault':10}" + "".join(f"{p:>38}" for p in results))
    print(f"{'':10}" + "".join(f"{'p50 / p95 / max      failed':>38}" for _ in results))
    for kind in kinds:
        row = f"{kind:10}"
        for name in results:
            gaps = [r["gap_s"] for r in results[name][kind]]
            fails = [r["failures"] for r in results[name][kind]]
            row += f"{pct(gaps, 0.5):>12.3f}{pct(gaps, 0.95):>8.3f}{max(gaps):>7.3f}"
            row += f"{statistics.mean(fails):>8.1f} avg"
        print(row)
    if flaps:
        secs = args.saturate_seconds
        print(f"\nVRRP transitions during {secs:.0f} s with every core busy (hactl profile):")
        for advert, count in flaps.items():
            print(f"  advert_int {advert:>4} s: {count}")
    print(json.dumps({"results": results, "transitions_saturated": flaps}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
