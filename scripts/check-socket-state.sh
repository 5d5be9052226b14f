#!/usr/bin/env bash
# The article's watcher loop, for Linux: print the time, then the sockets on PORT, every millisecond.
#
#   scripts/check-socket-state.sh [PORT]      (default 11233; Ctrl-C to stop)
#
# The original used macOS `netstat -a -finet | grep 11233`. Here it is `netstat -ant` (net-tools), or
# `ss -tan` where netstat is absent. A loop like this misses states shorter than one round (FIN_WAIT1,
# LAST_ACK), prints every round even when nothing changed, and shows no timers: state-watcher fixes all three.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

case ${1-} in
  -h|--help) show_help; exit 0 ;;
esac
(( $# <= 1 )) || usage_error "one port only"
port=${1:-11233}
check_port PORT "$port"

if command -v netstat >/dev/null 2>&1; then
  list() { netstat -ant; }
elif command -v ss >/dev/null 2>&1; then
  list() { ss -tan; }
else
  die "neither netstat (net-tools) nor ss (iproute2) is installed" 69
fi

trap 'exit 0' INT TERM
while true; do
  date '+%Y-%m-%d %H:%M:%S.%3N'
  list | grep -E "[:.]${port}[[:space:]]" || true
  sleep 0.001
done
