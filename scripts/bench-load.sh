#!/usr/bin/env bash
# Load mode's connections per second beside a small C client doing the same, timed as a user runs each
# (the JVM's start included), in network namespaces this script makes and removes. Prints figures and the
# target; asserts nothing. Root only.
#
#   scripts/bench-load.sh [--connections N] [--rounds R] [--port P] [--source-ports FROM-TO] [--java-opts OPTS]
#
#   --connections N         connections per timed run (default 20000)
#   --rounds R              timed runs of each client; the figure is the median (default 3)
#   --port P                the server's port inside the namespaces (default 11233)
#   --source-ports FROM-TO  both clients bind connection i to FROM + i mod the range (default: ephemeral ports)
#   --java-opts OPTS        JVM options for the Java client, e.g. "-XX:TieredStopAtLevel=1" (default none)
#
# Each client does the same per connection: connect(), write "ping\n", read it back whole and check it,
# close() first (scripts/load-client.c, built here with gcc into a temporary directory, is the C one;
# `java -jar echo-client/target/echo-client.jar --connections N IP PORT` the Java one). Both talk to the same
# server, `echo-server --concurrent --clients 0 --close-delay 0`, started fresh for every run in a fresh
# namespace, and warmed up first with 5,000 untimed connections from the C client, so neither client meets a
# cold JIT in the server nor the other run's TIME_WAIT sockets. The runs alternate (Java first in odd
# rounds, C first in even ones). Each namespace gets ip_local_port_range 1024-65535: 25,000 connections
# closed first leave 25,000 TIME_WAIT sockets for 60 s, more than the default range's 28,232 ports
# would hold comfortably; tcp_tw_reuse stays at its default (2: reuse on loopback, which this is).
# Target: the Java client at least 0.8x the C client's rate.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
connections=20000
rounds=3
port=11233
source_ports=
java_opts=
warmup=5000

die() { echo "bench-load.sh: $1" >&2; exit "${2:-2}"; }
count() { [[ ${2-} =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive whole number, not '${2-}'"; }

while (( $# > 0 )); do
  case $1 in
    --connections) count "$1" "${2-}"; connections=$2; shift 2 ;;
    --rounds) count "$1" "${2-}"; rounds=$2; shift 2 ;;
    --port) count "$1" "${2-}"; (( $2 <= 65535 )) || die "'$2' is not a port (1-65535)"; port=$2; shift 2 ;;
    --source-ports)
      [[ ${2-} =~ ^([1-9][0-9]*)-([1-9][0-9]*)$ ]] && (( BASH_REMATCH[1] <= BASH_REMATCH[2] && BASH_REMATCH[2] <= 65535 )) \
        || die "--source-ports needs FROM-TO, e.g. 20000-40000, not '${2-}'"
      source_ports=$2; shift 2 ;;
    --java-opts) java_opts=${2-}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ $EUID -eq 0 ]] || die "needs root: it makes network namespaces (try sudo)" 77
for tool in ip ss gcc java awk sort; do
  command -v "$tool" > /dev/null || die "needs $tool" 69
done
server_jar=$root/echo-server/target/echo-server.jar
client_jar=$root/echo-client/target/echo-client.jar
if [[ ! -f $server_jar || ! -f $client_jar ]]; then
  echo "building the jars (first run only)..." >&2
  (cd "$root" && ./mvnw -B -q -DskipTests package -pl echo-server,echo-client -am) || die "the build failed" 1
fi

tmp=$(mktemp -d)
ns=echolab-prog-bench-$$
server_pid=
cleanup() {
  set +e
  [[ -n $server_pid ]] && kill "$server_pid" 2> /dev/null && wait "$server_pid" 2> /dev/null
  ip netns del "$ns" 2> /dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

gcc -O2 -Wall -Werror -o "$tmp/load-client" "$root/scripts/load-client.c" || die "gcc could not build scripts/load-client.c" 1

now_ns() { date +%s%N; }

# A fresh namespace with a warm server in it.
start_namespace() {
  ip netns add "$ns"
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" sysctl -q -w net.ipv4.ip_local_port_range="1024 65535"
  ip netns exec "$ns" java -jar "$server_jar" --concurrent --clients 0 --close-delay 0 "$port" > /dev/null 2> "$tmp/server.err" &
  server_pid=$!
  local deadline=$(( $(now_ns) + 30000000000 ))
  until ip netns exec "$ns" ss -Hltn "sport = :$port" | grep -q LISTEN; do
    kill -0 "$server_pid" 2> /dev/null || die "the server did not start: $(cat "$tmp/server.err")" 1
    (( $(now_ns) < deadline )) || die "the server is not listening after 30 s" 1
    sleep 0.05
  done
  ip netns exec "$ns" "$tmp/load-client" 127.0.0.1 "$port" "$warmup" > /dev/null || die "the warm-up failed" 1
}

stop_namespace() {
  kill "$server_pid" 2> /dev/null || true
  wait "$server_pid" 2> /dev/null || true
  server_pid=
  ip netns del "$ns"
}

# Runs one client (java or c) in a fresh namespace; sets rate to its connections per second. Not in a
# $(subshell): the EXIT trap must see the server it started.
run() {
  local client=$1 start end out made
  start_namespace
  if [[ $client == java ]]; then
    start=$(now_ns)
    # shellcheck disable=SC2086 # --java-opts is split on purpose
    out=$(ip netns exec "$ns" java $java_opts -jar "$client_jar" --connections "$connections" \
      ${source_ports:+--source-ports "$source_ports"} 127.0.0.1 "$port") || true
    end=$(now_ns)
    made=$(awk '/^connections made:/ { print $3 }' <<< "$out")
  else
    start=$(now_ns)
    out=$(ip netns exec "$ns" "$tmp/load-client" 127.0.0.1 "$port" "$connections" ${source_ports:+"$source_ports"}) || true
    end=$(now_ns)
    made=$(awk '/^made/ { print $2 }' <<< "$out")
  fi
  stop_namespace
  [[ $made == "$connections" ]] || die "the $client client made ${made:-no} connections of $connections: $out" 1
  rate=$(awk -v n="$connections" -v ns="$((end - start))" 'BEGIN { printf "%.1f\n", n / (ns / 1e9) }')
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "kernel:       $(uname -r), $(nproc) cores; $(java -version 2>&1 | head -n 1)"
echo "per run:      $connections connections, source ports ${source_ports:-ephemeral}, after a $warmup-connection warm-up of the server"
java_rates=()
c_rates=()
for ((round = 1; round <= rounds; round++)); do
  if (( round % 2 == 1 )); then order=(java c); else order=(c java); fi
  for client in "${order[@]}"; do
    run "$client"
    if [[ $client == java ]]; then java_rates+=("$rate"); else c_rates+=("$rate"); fi
    printf 'round %d  %-4s  %10s connections/s\n' "$round" "$client" "$rate"
  done
done
java_median=$(printf '%s\n' "${java_rates[@]}" | median)
c_median=$(printf '%s\n' "${c_rates[@]}" | median)
# Each round's two runs ran back to back, under the same load from the rest of the machine
pair_median=$(for ((i = 0; i < rounds; i++)); do
  awk -v j="${java_rates[i]}" -v c="${c_rates[i]}" 'BEGIN { printf "%.4f\n", j / c }'
done | median)
awk -v j="$java_median" -v c="$c_median" -v p="$pair_median" -v opts="$java_opts" 'BEGIN {
  printf "median Java:  %.1f connections/s (java %s-jar echo-client.jar, JVM start included)\n", j, (opts == "" ? "" : opts " ")
  printf "median C:     %.1f connections/s (scripts/load-client.c, gcc -O2)\n", c
  printf "ratio:        %.2fx the C client, medians; %.2fx, the median of each round'"'"'s ratio (target: at least 0.80x)\n", j / c, p }'
