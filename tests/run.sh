#!/usr/bin/env bash
# hactl's one test command. On a fresh Debian machine (as root) it sets everything up — a venv with
# hactl and its dev dependencies, the Docker engine, the apt cache, the node images — then runs the
# whole suite: unit tests, linters and every role's molecule scenario, side by side.
# Extra arguments go to pytest, e.g. `bash tests/run.sh -m "not molecule"`.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'

export PATH="$PWD/.venv/bin:$PATH"
hactl lab prepare
# The preflight tests start a real sshd on loopback.
if [ ! -x /usr/sbin/sshd ]; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openssh-server
fi

# Containers and networks a killed earlier run left behind would clash with fixed names and subnets.
stale=$(docker ps -aq --filter label=hactl.molecule)
[ -z "$stale" ] || docker rm -f $stale >/dev/null
stale=$(docker network ls -q --filter label=hactl.molecule)
[ -z "$stale" ] || docker network rm $stale >/dev/null
stale=$(docker ps -aq --filter label=hactl.lab=itest)
[ -z "$stale" ] || docker rm -f $stale >/dev/null
stale=$(docker network ls -q --filter label=hactl.lab=itest)
[ -z "$stale" ] || docker network rm $stale >/dev/null

# worksteal: an idle worker takes tests queued on a busy one (the long ones go first, conftest.py).
# Two workers on a 2-core machine: the lab test (mostly waiting on drills) beside one molecule
# scenario at a time; scenarios side by side only slowed each other (CPU-bound, 3-4x each).
exec pytest -n "${HACTL_TEST_WORKERS:-2}" --dist worksteal --durations=15 "$@"
