#!/usr/bin/env bash
# Runs the whole suite, as CI does (.ci/run), N times with CPU-bound processes beside it, and prints how
# many runs passed. The tests' timing bounds come from the kernel's timers and from scheduling delays on a
# busy machine: this is the busy machine. Root, like .ci/run.
#
#   scripts/test-under-load.sh [--runs N] [--hogs K]
#
#   --runs N   how many times to run the suite (default 3)
#   --hogs K   how many CPU-bound processes run beside it (default 1: half of a 2-core machine)
#
# Each run's output goes to a log file the script names; a failed run's failures are printed. Exits 0 only
# when every run passed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=3
hogs=1

die() { echo "test-under-load.sh: $1" >&2; exit "${2:-2}"; }
count() { [[ ${2-} =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive whole number, not '${2-}'"; }

while (( $# > 0 )); do
  case $1 in
    --runs) count "$1" "${2-}"; runs=$2; shift 2 ;;
    --hogs) count "$1" "${2-}"; hogs=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ $EUID -eq 0 ]] || die "needs root, as .ci/run does (Docker, the tracepoint)" 77

logs=$(mktemp -d)
hog_pids=()
stop_hogs() {
  local pid
  for pid in "${hog_pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${hog_pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  hog_pids=()
}
trap stop_hogs EXIT
trap 'exit 130' INT TERM

passed=0
for (( run = 1; run <= runs; run++ )); do
  for (( h = 0; h < hogs; h++ )); do
    # A CPU-bound process that ends by itself should this script be killed outright: bounded at 2 hours
    timeout 7200 sh -c 'while :; do :; done' &
    hog_pids+=($!)
  done
  log=$logs/run-$run.log
  start=$SECONDS
  if (cd "$root" && bash .ci/run) > "$log" 2>&1; then
    passed=$(( passed + 1 ))
    echo "run $run of $runs: passed in $(( SECONDS - start )) s, $hogs CPU-bound process(es) beside it ($log)"
  else
    echo "run $run of $runs: FAILED after $(( SECONDS - start )) s ($log):"
    grep -E '^\[ERROR\] +[A-Za-z0-9]+(Test|IT)\.|Tests run:.*Failures: [1-9]|Tests run:.*Errors: [1-9]' "$log" | head -20 || true
  fi
  stop_hogs
done
echo "$passed of $runs runs passed"
(( passed == runs ))
