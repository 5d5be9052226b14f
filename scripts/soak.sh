#!/usr/bin/env bash
# Soak and load through echo-server, bounded, in a network namespace this script makes and removes.
# Prints figures; asserts nothing. Root only.
#
#   scripts/soak.sh [--connections N] [--clients N] [--bytes B] [--port P]
#
#   --connections N  sequential connections through each server (default 100000)
#   --clients N      clients at once through --concurrent (default 1000)
#   --bytes B        random bytes each of those echoes, every byte checked (default 65536)
#   --port P         the server's port inside the namespace (default 11233)
#
# 1. `echo-client --connections N` through the default server (`--clients 0 --close-delay 0`: one client
#    after another, as echo_server2.c), then through `--concurrent`.
# 2. N clients at once through `--concurrent --max-clients N --backlog 1024`: scripts/soak-clients.c (built
#    here with gcc into a temporary directory) connects them all, holds them 2 s, then each echoes --bytes
#    random bytes in 4 KiB chunks and compares every byte. The backlog is raised from echo_server2.c's 5: a
#    burst of a thousand SYNs overflows a queue of 6, and a client whose final ACK the kernel dropped believes
#    it is connected while the server side waits in SYN_RECV for its SYN-ACK retransmits (1, 2, 4, ... s).
# For each server: its descriptors (/proc/PID/fd), threads (/proc/PID/task) and the namespace's CLOSE_WAIT
# sockets (ss) after a 1,000-connection warm-up (the JVM starts its compiler threads during the first
# connections), at the peak, and after the load; then how long SIGTERM takes to end it, and its exit status.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
root=$(cd "$here/.." && pwd)
connections=100000
clients=1000
bytes=65536
port=11233

while (( $# > 0 )); do
  case $1 in
    --connections) need_value "$@"; check_count "$1" "$2"; connections=$2; shift 2 ;;
    --clients) need_value "$@"; check_count "$1" "$2"; clients=$2; shift 2 ;;
    --bytes) need_value "$@"; check_count "$1" "$2"; bytes=$2; shift 2 ;;
    --port) need_value "$@"; check_port "$1" "$2"; port=$((10#$2)); shift 2 ;;
    -h|--help) show_help; exit 0 ;;
    *) usage_error "unknown option '$1'" ;;
  esac
done
need_root "it makes a network namespace"
need_tools ip ss gcc java awk
ensure_jars "$root" echo-server echo-client
server_jar=$root/echo-server/target/echo-server.jar
client_jar=$root/echo-client/target/echo-client.jar

tmp=$(mktemp -d)
ns=echolab-prog-soak-$$
at_exit "ip netns del '$ns' 2> /dev/null"
at_exit "rm -rf '$tmp'"
stop_on_exit

gcc -O2 -Wall -Werror -o "$tmp/load-client" "$root/scripts/load-client.c" || die "gcc could not build load-client.c"
gcc -O2 -Wall -Werror -pthread -o "$tmp/soak-clients" "$root/scripts/soak-clients.c" || die "gcc could not build soak-clients.c"

# The namespace: loopback only. N sequential connections, each closed by the client first, leave N TIME_WAIT
# sockets on the client's side for 60 s; at a few thousand connections a second, 100,000 of them outrun the
# default 28,232 ephemeral ports (32768-60999). The widest range (1024-65535) and tcp_tw_reuse=1 let a
# connect() take over a port whose TIME_WAIT is older than tcp_tw_reuse_delay (1 s), which is safe here: the
# timestamps option tells old segments from new ones. These settings belong to this namespace alone.
make_netns "$ns" net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1
in_ns() { ip netns exec "$ns" "$@"; }
now_ns() { date +%s%N; }

start_server() {
  # Not through in_ns: a function run in the background is a subshell, and $! would be its pid, not the JVM's
  ip netns exec "$ns" java -jar "$server_jar" "$@" "$port" > /dev/null &
  server_pid=$!
  track echo-server "$server_pid"
  wait_for 30 "the server to listen" netns_listening "$ns" "$port"
  in_ns "$tmp/load-client" 127.0.0.1 "$port" 1000 > /dev/null || die "the warm-up failed"
}

fds() { find "/proc/$server_pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }
threads() { find "/proc/$server_pid/task" -mindepth 1 -maxdepth 1 | wc -l; }
close_waits() { in_ns ss -Htan state close-wait | wc -l; }
resources() { printf 'descriptors %4d  threads %3d  CLOSE_WAIT %d' "$(fds)" "$(threads)" "$(close_waits)"; }
thread_names() { cat "/proc/$server_pid/task"/*/comm 2> /dev/null | sort; }
# The threads that came or went since $1 (a file of names), by name: the JVM starts compiler threads under load
thread_change() {
  local change
  change=$(thread_names | { diff "$1" - || true; } | awk '/^[<>]/ { printf "%s%s ", ($1 == ">" ? "+" : "-"), substr($0, 3) }')
  [[ -z $change ]] || echo "  threads:   ${change% }"
}

# Waits (at most 10 s) for the server's descriptors to drop to $1: its last close follows the client's.
settle() {
  local deadline=$(( $(now_ns) + 10000000000 ))
  while (( $(fds) > $1 && $(now_ns) < deadline )); do sleep 0.05; done
}

stop_server() {
  local start end status=0
  untrack echo-server
  start=$(now_ns)
  kill -TERM "$server_pid"
  wait "$server_pid" || status=$?
  end=$(now_ns)
  server_pid=
  echo "  SIGTERM:   ended with exit status $status after $(( (end - start) / 1000000 )) ms"
}

# The summary lines of one load run, indented.
# In the background, waited for: SIGTERM or Ctrl-C ends the script at once, and the client with it.
load() {
  local code=0
  ip netns exec "$ns" java -jar "$client_jar" --connections "$connections" --max-time 10m 127.0.0.1 "$port" \
    > "$tmp/load.out" &
  track echo-client $!
  wait "$!" || code=$?
  untrack echo-client
  awk '/^connections (made|failed)|^elapsed|^rate|^  +[0-9]|^hint/ { print "  " $0 }' "$tmp/load.out"
  (( code == 0 )) || program_failed echo-client "$code"
}

echo "kernel: $(uname -r), $(nproc) cores; $(java -version 2>&1 | head -n 1)"
for mode in sequential concurrent; do
  if [[ $mode == sequential ]]; then
    echo "== $connections connections one after another, echo-server --clients 0 --close-delay 0"
    start_server --clients 0 --close-delay 0
  else
    echo "== $connections connections one after another, echo-server --concurrent --max-clients $clients --backlog 1024 --clients 0 --close-delay 0"
    start_server --concurrent --max-clients "$clients" --backlog 1024 --clients 0 --close-delay 0
  fi
  base_fds=$(fds)
  thread_names > "$tmp/threads.before"
  echo "  before:    $(resources)"
  load
  settle "$base_fds"
  echo "  after:     $(resources)"
  if [[ $mode == concurrent ]]; then
    echo "== $clients clients at once, $bytes random bytes each, every byte checked"
    ip netns exec "$ns" "$tmp/soak-clients" 127.0.0.1 "$port" "$clients" "$bytes" 2000 > "$tmp/soak.out" &
    soak_pid=$!
    deadline=$(( $(now_ns) + 60000000000 ))
    until grep -q '^connected' "$tmp/soak.out" 2> /dev/null || (( $(now_ns) > deadline )); do sleep 0.05; done
    until (( $(fds) >= base_fds + clients )) || (( $(now_ns) > deadline )); do sleep 0.05; done
    echo "  connected: $(resources)"
    start=$(now_ns)
    wait "$soak_pid" || true
    end=$(now_ns)
    echo "  $(tail -n 1 "$tmp/soak.out") (done $(( (end - start) / 1000000 )) ms after the server held all $clients: they wait 2 s idle, then send)"
    settle "$base_fds"
    echo "  after:     $(resources)"
  fi
  thread_change "$tmp/threads.before"
  stop_server
done
