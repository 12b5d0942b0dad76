"""Writer scripts the acknowledged-write probes run on a node (python3 on the node, stdlib only).

Each prints ``A <seq> <start>`` when a write is acknowledged and ``F <seq> <start> ...`` when it
fails, <start> being the node's wall-clock time when the write began, and stops on its own after
``max_s`` seconds or as soon as ``stop_file`` exists (bounded in time and count).
"""

ETCD_WRITER = r"""
import os, subprocess, sys, time
env_file, prefix, interval, max_s, stop_file = sys.argv[1:6]
env = dict(os.environ, ETCDCTL_API="3")
with open(env_file) as handle:  # the etcd role's etcdctl.env: endpoints and client certificate
    for line in handle:
        if "=" in line and not line.lstrip().startswith("#"):
            key, _, value = line.strip().partition("=")
            env[key] = value
deadline = time.monotonic() + float(max_s)
seq = 0
while time.monotonic() < deadline and not os.path.exists(stop_file) and seq < 100000:
    seq += 1
    started, began = time.monotonic(), time.time()
    argv = ["etcdctl", "--dial-timeout=1s", "--command-timeout=1s",
            "put", "%s%08d" % (prefix, seq), str(seq)]
    try:
        ok = subprocess.run(argv, capture_output=True, env=env, timeout=5).returncode == 0
    except subprocess.TimeoutExpired:
        ok = False
    print("A" if ok else "F", seq, "%.6f" % began, flush=True)
    time.sleep(max(0.0, float(interval) - (time.monotonic() - started)))
"""

FILE_WRITER = r"""
import os, sys, time
path, interval, max_s, stop_file = sys.argv[1:5]
deadline = time.monotonic() + float(max_s)
seq, fd = 0, None
while time.monotonic() < deadline and not os.path.exists(stop_file) and seq < 100000:
    seq += 1
    started, began = time.monotonic(), time.time()
    try:
        if fd is None:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.write(fd, ("%d\n" % seq).encode())
        os.fsync(fd)
        print("A", seq, "%.6f" % began, flush=True)
    except OSError as exc:
        print("F", seq, "%.6f" % began, exc.errno, flush=True)
        try:
            if fd is not None:
                os.close(fd)
        except OSError:
            pass
        fd = None
    time.sleep(max(0.0, float(interval) - (time.monotonic() - started)))
"""
