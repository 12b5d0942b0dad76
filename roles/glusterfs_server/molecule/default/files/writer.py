#!/usr/bin/python3
"""Append fsync'd, numbered records to a file and log each acknowledged one.

A record counts as acknowledged only after write, fsync and close all succeeded; then its
number goes to the ack log (on local disk, fsync'd too). A failed record is retried with the
same number, so a record may appear twice on the volume but an acknowledged one never missing.
Stops at the stop file or after max_s seconds; writes a JSON summary at the end.
"""

import json
import os
import sys
import time


def main() -> int:
    target, ack_path, stop_path, summary_path = sys.argv[1:5]
    max_s = float(sys.argv[5])
    first = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    deadline = time.monotonic() + max_s
    num, acked, errors, last_error = first, 0, 0, ""
    with open(ack_path, "a") as ack:
        while time.monotonic() < deadline and not os.path.exists(stop_path):
            try:
                fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    os.write(fd, f"{num:08d}\n".encode())
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                errors += 1
                last_error = f"{exc.errno} {exc.strerror}"
                time.sleep(0.2)
                continue
            ack.write(f"{num:08d} {time.time():.3f}\n")
            ack.flush()
            os.fsync(ack.fileno())
            acked += 1
            num += 1
            time.sleep(0.02)
    with open(summary_path, "w") as out:
        json.dump({"acked": acked, "errors": errors, "last_error": last_error}, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
