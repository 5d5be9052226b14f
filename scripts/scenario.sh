#!/usr/bin/env bash
# One scenario of LAB.md's table made real in a container of its own, step by step: a note before each
# step, then what the programs printed and the watcher's rows (netstat -o's columns, on every change), and at
# the end each connection's timeline (states, durations, retransmits). For now the faults, S13-S17 and S19;
# the article's trace (S1) is scripts/docker-trace.sh.
#
#   scripts/scenario.sh SCENARIO     S13 S14 S15 S16 S17 S19; --list names them; -h this help
#
#   S13  FIN_WAIT1 retransmits: the server's packets dropped, the client closes; freed after tcp_orphan_retries
#   S14  LAST_ACK retransmits: the client's packets dropped after its FIN, the server closes; freed the same way
#   S15  keepalive finds a dead peer: idle 2 s, interval 1 s, 3 probes; read() fails "Connection timed out"
#   S16  simultaneous close: two containers, FINs that cross: CLOSING on both sides, then TIME_WAIT on both
#   S17  a lost final ACK: the server's FIN sent again from LAST_ACK, ACKed again from TIME_WAIT, no RST
#   S19  a server that closed first cannot restart on its port (no SO_REUSEADDR); with it on both, it can
#
# Packets are dropped with iptables inside the scenario's own network namespace (the container has
# NET_ADMIN, nothing more); nothing on the host changes. Each container has no network but loopback (S16:
# an internal network of its own) and is removed when the script ends, Ctrl-C included. The image is the
# lab's (scripts/docker-trace.sh builds the same one), built when the jars change. The integration tests
# S13*IT ... S19*IT assert what this shows.
#
# Exit codes: 0 shown; 1 the kernel did not do what the step waited for (the message says which); 2 bad
# arguments; 69 no Docker engine.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
root=$(cd "$here/.." && pwd)

scenarios=(S13 S14 S15 S16 S17 S19)
port=11233
java="java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xmx96m -jar /lab"

case ${1-} in
  -h|--help) show_help; exit 0 ;;
  --list) printf '%s\n' "${scenarios[@]}"; exit 0 ;;
  "") usage_error "which scenario? one of ${scenarios[*]}" ;;
esac
(( $# == 1 )) || usage_error "one scenario at a time"
scenario=${1^^}
check_choice scenario "$scenario" "${scenarios[@]}"
command -v docker > /dev/null 2>&1 || die "docker is not installed (scripts/ensure-docker.sh installs and starts it)" 69
timeout 10 docker info > /dev/null 2>&1 || die "no Docker engine answers (scripts/ensure-docker.sh starts one)" 69

ensure_lab_image "$root" "${ECHOLAB_TRACE_IMAGE:-echolab-trace}"
stop_on_exit

# --- the containers and what runs in them ------------------------------------------------------------------

step_number=0
# step TEXT: what the last step made the programs print, then a note before the next step, numbered.
step() {
  show_lines
  step_number=$((step_number + 1))
  printf '\n(%d) %s\n' "$step_number" "$1"
}

sources=()               # CONTAINER:NAME of each program whose lines are shown, in the order started
declare -A shown=()      # CONTAINER:NAME -> how many of its lines are shown already

# show_lines: each shown program's whole lines printed since the last call, prefixed with its name, one
# program after another (each line carries its own time: the programs run with --timestamps). A line still
# being written (a prompt waiting for what follows it) comes out whole, later.
show_lines() {
  local source c name reply count line
  for source in "${sources[@]}"; do
    c=${source%%:*}
    name=${source#*:}
    # One exec: how many whole lines the file has now (wc -l counts newlines), then the new ones
    reply=$(docker exec "$c" sh -c 'n=$(wc -l < "$1"); echo "$n"; [ "$n" -gt "$2" ] && sed -n "$(($2 + 1)),${n}p" "$1"' \
      sh "/tmp/$name.out" "${shown[$source]}" 2> /dev/null) || true
    count=${reply%%$'\n'*}
    if ! [[ $count =~ ^[0-9]+$ ]] || (( count <= shown[$source] )); then
      continue
    fi
    while IFS= read -r line; do
      printf '%s | %s\n' "$name" "$line"
    done <<< "${reply#*$'\n'}"
    shown[$source]=$count
  done
}

# container NAME [docker run options...]: a container for the scenario, removed at exit; sets nothing else.
container() {
  local name=$1
  shift
  docker run -d --rm --name "$name" --label "io.echolab.scenario=scenario-$scenario" --cap-add NET_ADMIN \
    -e TZ=UTC "$@" "$lab_image" sleep infinity > /dev/null
  at_exit "docker rm -f '$name' > /dev/null 2>&1"
}

# inside CONTAINER COMMAND: a shell command in the container.
inside() { docker exec "$1" sh -c "$2"; }

# quietly CONTAINER COMMAND: the same, for a test (no output).
quietly() { docker exec "$1" sh -c "$2" > /dev/null 2>&1; }

# start CONTAINER NAME PROGRAM ARGS...: runs PROGRAM (echo-server, echo-client, state-watcher) in the
# container as NAME, output in /tmp/NAME.out, pid in /tmp/NAME.pid, exit code in /tmp/NAME.rc; an
# echo-client reads the FIFO /tmp/NAME.in (type_in writes to it). Its lines are shown before each step's
# note and at the end, prefixed with NAME.
start() {
  run_program "$@"
  sources+=("$1:$2")
  shown[$1:$2]=0
}

# run_program CONTAINER NAME PROGRAM ARGS...: as start, without showing its lines. A shell waits for it and
# writes its exit code (the container's first process, sleep, reaps no one).
run_program() {
  local c=$1 name=$2 program=$3 stdin=/dev/null args
  shift 3
  if [[ $program == echo-client ]]; then
    stdin=/tmp/$name.in
    # A writer that never writes holds the FIFO open: no EOF between typed lines
    inside "$c" "mkfifo $stdin && (sleep 100000 > $stdin &)"
  fi
  printf -v args ' %q' "$@"
  inside "$c" "($java/$program.jar$args > /tmp/$name.out 2>&1 < $stdin & echo \$! > /tmp/$name.pid; wait \$!; \
    echo \$? > /tmp/$name.rc) > /dev/null 2>&1 &"
}

# type CONTAINER NAME TEXT: what the user types at NAME's prompt.
type_in() { docker exec "$1" sh -c "printf '%s\n' '$3' > /tmp/$2.in"; }

# printed CONTAINER NAME TEXT: NAME has printed a line containing TEXT.
printed() { quietly "$1" "grep -qF -- '$3' /tmp/$2.out"; }

# exited CONTAINER NAME: NAME has exited.
exited() { quietly "$1" "test -s /tmp/$2.rc"; }

# rows CONTAINER STATE FILTER: the container has a socket in STATE (ss's name) matching FILTER.
rows() { quietly "$1" "ss -Htan state $2 '( $3 )' | grep -q ."; }

# none CONTAINER FILTER: no socket matches FILTER any more.
none() { quietly "$1" "! ss -Htan '( $2 )' | grep -q ."; }

# stop CONTAINER NAME: SIGTERM to NAME, as Ctrl-C would end it.
stop() { inside "$1" "kill \$(cat /tmp/$2.pid)"; }

# watch_ports CONTAINER PORT...: the watcher's rows shown live; a second watcher keeps the timeline for the end.
watch_ports() {
  local c=$1 p
  shift
  local ports=()
  for p in "$@"; do
    ports+=(--port "$p")
  done
  start "$c" watch state-watcher "${ports[@]}" --interval 1ms --timers
  run_program "$c" timeline state-watcher "${ports[@]}" --interval 1ms --format timeline
  wait_for 30 "the watcher to start" quietly "$c" "test -s /tmp/watch.out"
}

# timeline CONTAINER: ends the timeline watcher and shows what it saw.
timeline() {
  local c=$1
  stop "$c" timeline
  wait_for 30 "the timeline" exited "$c" timeline
  show_lines
  printf '\n== what the watcher saw in %s\n' "$c"
  inside "$c" "cat /tmp/timeline.out"
}

# session CONTAINER HOST: the client connects to HOST and is at its prompt.
session() {
  start "$1" client echo-client --hold 0 --timestamps "$2" "$port"
  wait_for 30 "the client to connect" printed "$1" client "connect server success"
}

# --- the scenarios -------------------------------------------------------------------------------------------

c=echolab-scenario-${scenario,,}-$$

s13() {
  step "A container with tcp_orphan_retries=1: the kernel gives up on an orphan's FIN after 1 + 1 retries"
  container "$c" --network none --sysctl net.ipv4.tcp_orphan_retries=1
  start "$c" server echo-server --clients 1 --close-delay 60s --timestamps "$port"
  watch_ports "$c" "$port"
  session "$c" 127.0.0.1
  step "The client sends aa; then every segment from the server is dropped (iptables -A INPUT --sport $port)"
  type_in "$c" client aa
  wait_for 30 "the echo" printed "$c" client "Message from server: aa"
  inside "$c" "iptables -A INPUT -p tcp --sport $port -j DROP"
  step "The client quits: its FIN is never ACKed: FIN_WAIT1 under the retransmit timer, the FIN sent again"
  type_in "$c" client q
  wait_for 30 "the client's FIN_WAIT1" rows "$c" fin-wait-1 "dport = :$port"
  inside "$c" "ss -tano state fin-wait-1 '( dport = :$port )'"
  step "The orphan is freed once its retries are spent (about 1.5 s here; with the default, minutes)"
  wait_for 60 "the client's socket to go" none "$c" "dport = :$port"
  inside "$c" "nstat -az TcpRetransSegs TcpExtTCPAbortOnTimeout | tail -n +2"
  timeline "$c"
}

s14() {
  step "A container with tcp_orphan_retries=1; a server that sleeps 60 s before close()"
  container "$c" --network none --sysctl net.ipv4.tcp_orphan_retries=1
  start "$c" server echo-server --clients 1 --close-delay 60s --timestamps "$port"
  watch_ports "$c" "$port"
  session "$c" 127.0.0.1
  step "The client sends aa and quits: client FIN_WAIT2, server CLOSE_WAIT"
  type_in "$c" client aa
  wait_for 30 "the echo" printed "$c" client "Message from server: aa"
  type_in "$c" client q
  wait_for 30 "the client's FIN_WAIT2" rows "$c" fin-wait-2 "dport = :$port"
  step "Every segment from the client is dropped now (iptables -A INPUT --dport $port); the server's process ends"
  inside "$c" "iptables -A INPUT -p tcp --dport $port -j DROP"
  stop "$c" server
  wait_for 30 "the server's LAST_ACK" rows "$c" last-ack "sport = :$port"
  inside "$c" "ss -tano state last-ack '( sport = :$port )'"
  step "LAST_ACK sends its FIN again and again, unanswered, then the orphan is freed; the client sits in TIME_WAIT"
  wait_for 60 "the server's socket to go" none "$c" "sport = :$port"
  inside "$c" "ss -tan '( dport = :$port )'"
  timeline "$c"
}

s15() {
  step "A server that asks for keepalive: idle 2 s, a probe every 1 s, 3 probes (--keepalive 2s/1s/3)"
  container "$c" --network none
  start "$c" server echo-server --clients 1 --keepalive 2s/1s/3 --timestamps "$port"
  watch_ports "$c" "$port"
  session "$c" 127.0.0.1
  step "The client sends aa; right after the echo, every segment from the client is dropped"
  type_in "$c" client aa
  wait_for 30 "the echo" printed "$c" client "Message from server: aa"
  inside "$c" "iptables -A INPUT -p tcp --dport $port -j DROP"
  step "Idle 2 s, then the keepalive timer sends its probes, unanswered (ss -o: timer:(keepalive,...,N probes))"
  wait_for 30 "a probe" quietly "$c" "ss -Htano state established '( sport = :$port )' | grep -q 'keepalive,[^,]*,[1-9]'"
  inside "$c" "ss -tano state established '( sport = :$port )'"
  step "After the third unanswered probe the kernel gives up: the server's read() fails"
  wait_for 30 "the server's read() to fail" printed "$c" server "Connection timed out"
  timeline "$c"
}

s16() {
  local net=echolab-scenario-$$ server=$c-server client=$c-client
  step "Two containers on an internal network of their own: the server's and the client's hosts"
  docker network create --internal --label "io.echolab.scenario=scenario-$scenario" "$net" > /dev/null
  at_exit "docker network rm '$net' > /dev/null 2>&1"
  container "$server" --network "$net" --network-alias server
  container "$client" --network "$net"
  start "$server" server echo-server --clients 1 --timestamps "$port"
  watch_ports "$server" "$port"
  start "$client" watch-client state-watcher --port "$port" --interval 1ms --timers
  run_program "$client" timeline state-watcher --port "$port" --interval 1ms --format timeline
  session "$client" server
  step "The client's host forgets the server's MAC and ignores ARP replies: the kernel holds what it sends in"
  echo "    the neighbour's queue (no netem here). Its pure ACKs are dropped, so each CLOSING lasts."
  local ip mac
  ip=$(inside "$client" "getent hosts server | cut -d' ' -f1")
  mac=$(inside "$client" "ip neigh show $ip dev eth0 | awk '{ print \$3 }'")
  inside "$client" "ip ntable change name arp_cache dev eth0 retrans 5000 && arptables -A INPUT --opcode 2 -j DROP \
    && iptables -A OUTPUT -p tcp --dport $port --tcp-flags ALL ACK -j DROP && ip neigh del $ip dev eth0"
  step "The client quits: its FIN waits in the queue (FIN_WAIT1); the server's process ends: its FIN crosses it"
  type_in "$client" client q
  wait_for 30 "the client's FIN_WAIT1" rows "$client" fin-wait-1 "dport = :$port"
  stop "$server" server
  wait_for 30 "the client's CLOSING" rows "$client" closing "dport = :$port"
  step "The neighbour entry is written back: the held FIN goes; the server, in FIN_WAIT1, gets it: CLOSING too"
  inside "$client" "ip neigh replace $ip lladdr $mac dev eth0 nud reachable"
  wait_for 30 "the server's CLOSING" rows "$server" closing "sport = :$port"
  wait_for 30 "the client's TIME_WAIT" rows "$client" time-wait "dport = :$port"
  step "The client's ACKs get through again: the server's next FIN retransmission is ACKed: TIME_WAIT on both"
  inside "$client" "iptables -F OUTPUT"
  wait_for 30 "the server's TIME_WAIT" rows "$server" time-wait "sport = :$port"
  timeline "$client"
  timeline "$server"
}

s17() {
  step "A server that sleeps 60 s before close()"
  container "$c" --network none
  start "$c" server echo-server --clients 1 --close-delay 60s --timestamps "$port"
  watch_ports "$c" "$port"
  session "$c" 127.0.0.1
  step "The client sends aa and quits: client FIN_WAIT2, server CLOSE_WAIT"
  type_in "$c" client aa
  wait_for 30 "the echo" printed "$c" client "Message from server: aa"
  type_in "$c" client q
  wait_for 30 "the client's FIN_WAIT2" rows "$c" fin-wait-2 "dport = :$port"
  local client_port
  client_port=$(inside "$c" "ss -Htan state fin-wait-2 '( dport = :$port )' | awk '{ split(\$3, a, \":\"); print a[2] }'")
  step "The client's next pure ACK, the last ACK of the close, will be dropped (that one segment)"
  inside "$c" "iptables -A INPUT -p tcp --sport $client_port --dport $port --tcp-flags ALL ACK \
    -m statistic --mode nth --every 1000000 --packet 0 -j DROP"
  step "The server's process ends: LAST_ACK; its FIN is sent again when its timer fires, TIME_WAIT ACKs it again"
  stop "$c" server
  wait_for 30 "the server's socket to go" none "$c" "sport = :$port and dport = :$client_port"
  inside "$c" "iptables -L INPUT -v -n | sed -n 3p | awk '{ print \"last ACKs dropped: \" \$1 }'; \
    nstat -az TcpRetransSegs TcpOutRsts | tail -n +2"
  timeline "$c"
}

s19() {
  step "A server that closes first after one echo (--close-after 1), as echo_server2.c: no SO_REUSEADDR"
  container "$c" --network none
  start "$c" server echo-server --clients 1 --close-after 1 --timestamps "$port"
  watch_ports "$c" "$port" $((port + 1))
  session "$c" 127.0.0.1
  type_in "$c" client aa
  wait_for 30 "the echo" printed "$c" client "Message from server: aa"
  type_in "$c" client q
  wait_for 30 "the server's TIME_WAIT" rows "$c" time-wait "sport = :$port"
  wait_for 30 "the server to exit" exited "$c" server
  step "A new server on the port, now: bind() fails while the TIME_WAIT lasts (60 s)"
  start "$c" again echo-server --timestamps "$port"
  wait_for 30 "the second server to exit" exited "$c" again
  step "With --reuse-address on the new server only: still refused (the kernel wants SO_REUSEADDR on both)"
  start "$c" reuse echo-server --reuse-address --timestamps "$port"
  wait_for 30 "the third server to exit" exited "$c" reuse
  step "The same on port $((port + 1)) with --reuse-address on both servers: the restart binds beside TIME_WAIT"
  start "$c" server2 echo-server --reuse-address --clients 1 --close-after 1 --timestamps $((port + 1))
  wait_for 30 "the server on $((port + 1))" printed "$c" server2 "waiting connection to accept"
  start "$c" client2 echo-client --hold 0 --timestamps 127.0.0.1 $((port + 1))
  wait_for 30 "the second client to connect" printed "$c" client2 "connect server success"
  type_in "$c" client2 aa
  wait_for 30 "the echo" printed "$c" client2 "Message from server: aa"
  type_in "$c" client2 q
  wait_for 30 "the TIME_WAIT on $((port + 1))" rows "$c" time-wait "sport = :$((port + 1))"
  wait_for 30 "the server on $((port + 1)) to exit" exited "$c" server2
  start "$c" restart echo-server --reuse-address --clients 1 --timestamps $((port + 1))
  wait_for 30 "the restarted server" printed "$c" restart "waiting connection to accept"
  show_lines
  inside "$c" "ss -tan '( sport = :$((port + 1)) )'"
  timeline "$c"
}

"${scenario,,}"
