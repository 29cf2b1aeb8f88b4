#!/usr/bin/env bash
# `npm run test:stress [-- RUNS [NPM_SCRIPT]]`: runs the CI test command (`npm run test:ci`, or another npm script such
# as test:e2e) RUNS times (default 1, or $STRESS_RUNS) while Debian's stress-ng keeps every core busy
# (`stress-ng --cpu N`, N = $STRESS_CPUS or the number of cores), the way a shared CI runner or a laptop doing other
# work would. Installs stress-ng with apt-get when it is missing. Stops at the first failing run and exits non-zero;
# prints the time of every run. The hog is stopped on exit, also when this script is interrupted or killed.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-${STRESS_RUNS:-1}}"
SCRIPT="${2:-test:ci}"
CPUS="${STRESS_CPUS:-$(nproc)}"
log() { echo "test:stress: $*"; }
case "$RUNS" in '' | *[!0-9]* | 0) echo "test:stress: RUNS must be a positive number, got \"$RUNS\"" >&2; exit 2 ;; esac

if ! command -v stress-ng >/dev/null; then
  log "installing Debian's stress-ng"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends stress-ng; then
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends stress-ng
  fi
fi

# The hog in a process group of its own (setsid), so its workers go with it.
setsid stress-ng --cpu "$CPUS" --quiet &
HOG=$!
stop_hog() { kill -TERM -- "-$HOG" 2>/dev/null || true; wait "$HOG" 2>/dev/null || true; }
trap stop_hog EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# If this script is killed outright (no trap runs), this watcher still ends the hog within a few seconds.
( while kill -0 $$ 2>/dev/null; do sleep 2; done; kill -TERM -- "-$HOG" 2>/dev/null ) &
sleep 1
kill -0 "$HOG" 2>/dev/null || { echo "test:stress: stress-ng did not start" >&2; exit 1; }
log "stress-ng --cpu $CPUS running (pid $HOG); npm run $SCRIPT, $RUNS run(s)"

times=()
for ((run = 1; run <= RUNS; run++)); do
  started=$(date +%s)
  log "run $run of $RUNS: npm run $SCRIPT"
  if npm run "$SCRIPT"; then
    times+=("$(( $(date +%s) - started )) s")
    log "run $run of $RUNS passed in ${times[-1]} (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  else
    code=$?
    log "run $run of $RUNS FAILED (exit $code) after $(( $(date +%s) - started )) s under stress-ng --cpu $CPUS"
    exit "$code"
  fi
done
log "all $RUNS run(s) of npm run $SCRIPT passed under stress-ng --cpu $CPUS: ${times[*]}"
