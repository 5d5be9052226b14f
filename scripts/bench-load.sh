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

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
root=$(cd "$here/.." && pwd)
connections=20000
rounds=3
port=11233
source_ports=
java_opts=
warmup=5000

while (( $# > 0 )); do
  case $1 in
    --connections) need_value "$@"; check_count "$1" "$2"; connections=$2; shift 2 ;;
    --rounds) need_value "$@"; check_count "$1" "$2"; rounds=$2; shift 2 ;;
    --port) need_value "$@"; check_port "$1" "$2"; port=$((10#$2)); shift 2 ;;
    --source-ports)
      need_value "$@"
      if ! [[ $2 =~ ^([1-9][0-9]*)-([1-9][0-9]*)$ ]] || (( BASH_REMATCH[1] > BASH_REMATCH[2] || BASH_REMATCH[2] > 65535 )); then
        usage_error "--source-ports needs FROM-TO, e.g. 20000-40000, not '$2'"
      fi
      source_ports=$2; shift 2 ;;
    --java-opts) need_value "$@"; java_opts=$2; shift 2 ;;
    -h|--help) show_help; exit 0 ;;
    *) usage_error "unknown option '$1'" ;;
  esac
done
need_root "it makes network namespaces"
need_tools ip ss gcc java awk sort
ensure_jars "$root" echo-server echo-client
server_jar=$root/echo-server/target/echo-server.jar
client_jar=$root/echo-client/target/echo-client.jar

tmp=$(mktemp -d)
ns=echolab-prog-bench-$$
at_exit "ip netns del '$ns' 2> /dev/null"
at_exit "rm -rf '$tmp'"
stop_on_exit

gcc -O2 -Wall -Werror -o "$tmp/load-client" "$root/scripts/load-client.c" || die "gcc could not build scripts/load-client.c"

now_ns() { date +%s%N; }

# A fresh namespace with a warm server in it.
start_namespace() {
  make_netns "$ns" net.ipv4.ip_local_port_range="1024 65535"
  ip netns exec "$ns" java -jar "$server_jar" --concurrent --clients 0 --close-delay 0 "$port" > /dev/null &
  track echo-server $!
  wait_for 30 "the server to listen" netns_listening "$ns" "$port"
  ip netns exec "$ns" "$tmp/load-client" 127.0.0.1 "$port" "$warmup" > /dev/null || die "the warm-up failed"
}

stop_namespace() {
  stop_started
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
  [[ $made == "$connections" ]] || die "the $client client made ${made:-no} connections of $connections: $out"
  rate=$(awk -v n="$connections" -v ns="$((end - start))" 'BEGIN { printf "%.1f\n", n / (ns / 1e9) }')
}

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
