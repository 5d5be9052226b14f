#!/usr/bin/env bash
# What one poll of the kernel's socket table costs on this machine, and how often the watcher can poll.
#
#   scripts/bench-proc-poll.sh [READS]        (default 300 reads of each table)
#
# Each read of /proc/net/tcp or tcp6 walks the whole established hash table, however few sockets there
# are, so its size (net.ipv4.tcp_ehash_entries) sets the floor of any /proc poll: states shorter than a
# poll are seen only by chance. Prints figures; asserts nothing. Needs the state-watcher jar (built if missing).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
root=$(cd "$here/.." && pwd)

case ${1-} in
  -h|--help) show_help; exit 0 ;;
esac
(( $# <= 1 )) || usage_error "takes one count of reads"
reads=${1:-300}
check_count READS "$reads"
jar=$root/state-watcher/target/state-watcher.jar
if [[ ! -f $jar ]]; then
  (cd "$root" && ./mvnw -B -q -DskipTests package) || die "the build failed"
fi

now_ns() { date +%s%N; }
# Nanoseconds per run of COMMAND; the figures below subtract the run of cat on /dev/null (starting cat).
per_read_ns() {
  local start end
  start=$(now_ns); for ((i = 0; i < reads; i++)); do "$@" > /dev/null; done; end=$(now_ns)
  echo $(( (end - start) / reads ))
}

echo "kernel:                $(uname -r), $(nproc) cores"
echo "established hash:      $(cat /proc/sys/net/ipv4/tcp_ehash_entries 2>/dev/null || echo '?') buckets (net.ipv4.tcp_ehash_entries)"
echo "sockets in the tables: $(( $(wc -l < /proc/net/tcp) - 1 )) tcp, $(( $(wc -l < /proc/net/tcp6 2>/dev/null || echo 1) - 1 )) tcp6"
base=$(per_read_ns cat /dev/null)
tcp=$(per_read_ns cat /proc/net/tcp)
tcp6=$(per_read_ns cat /proc/net/tcp6)
awk -v b="$base" -v t="$tcp" -v s="$tcp6" 'BEGIN {
  printf "one read of tcp:       %.2f ms\n", (t - b) / 1e6
  printf "one read of tcp6:      %.2f ms\n", (s - b) / 1e6
  printf "one poll (both):       %.2f ms, so at most %.0f polls/s\n", (t + s - 2 * b) / 1e6, 1e9 / (t + s - 2 * b) }'

# The watcher itself: every poll printed for 3 s on a port nobody uses; count the timestamp lines.
polls=$(java -jar "$jar" --backend procfs --port 9 --interval 1ms --every-poll --duration 3s | grep -c '^[0-9]')
echo "state-watcher --backend procfs, --interval 1ms for 3 s: $polls polls, $((polls / 3)) polls/s (scripts/bench-watcher.sh compares every backend)"
