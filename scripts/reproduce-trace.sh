#!/usr/bin/env bash
# Reproduce the article's trace (seed 004) in one command: the watcher, the server and the client on
# 127.0.0.1, the client sending "aa" then "q", until the client's TIME_WAIT is gone.
#
#   scripts/reproduce-trace.sh [--port P] [--close-delay D] [--hold D] [--format netstat|timeline|jsonl]
#
#   --port P          the server's port (default 11233, as in the article)
#   --close-delay D   how long the server sleeps before close(): the CLOSE_WAIT/FIN_WAIT2 window (default 10s)
#   --hold D          how long the client process stays alive after close() (default 180s, as in the article;
#                     the script stops it once TIME_WAIT is gone, since the kernel, not the process, holds it)
#   --format F        the watcher's output (default netstat: the article's loop, printed on change)
#
# The five phases of the article's trace: LISTEN; ESTABLISHED on both ends; after "aa" and "q", CLOSE_WAIT
# (server) and FIN_WAIT2 (client) for the close delay; TIME_WAIT (client) for 60 s; LISTEN only. The server
# keeps listening for more clients, as in the article, until the script stops it after the last phase.
# Builds the jars first when they are missing. Needs only a JDK. With ECHOLAB_JARS=DIR it runs the three jars
# in DIR instead (as the Docker image does: scripts/docker-trace.sh).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
port=11233
close_delay=10s
hold=180s
format=netstat

die() { echo "reproduce-trace.sh: $1" >&2; exit "${2:-2}"; }

while (( $# > 0 )); do
  case $1 in
    --port) port=${2:?--port needs a value}; shift 2 ;;
    --close-delay) close_delay=${2:?--close-delay needs a value}; shift 2 ;;
    --hold) hold=${2:?--hold needs a value}; shift 2 ;;
    --format) format=${2:?--format needs a value}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ $port =~ ^[0-9]+$ ]] && (( port >= 1 && port <= 65535 )) || die "'$port' is not a port number (1-65535)"

if [[ -n ${ECHOLAB_JARS:-} ]]; then
  server_jar=$ECHOLAB_JARS/echo-server.jar
  client_jar=$ECHOLAB_JARS/echo-client.jar
  watcher_jar=$ECHOLAB_JARS/state-watcher.jar
  for jar in "$server_jar" "$client_jar" "$watcher_jar"; do
    [[ -f $jar ]] || die "ECHOLAB_JARS=$ECHOLAB_JARS has no $(basename "$jar")" 66
  done
else
  server_jar=$root/echo-server/target/echo-server.jar
  client_jar=$root/echo-client/target/echo-client.jar
  watcher_jar=$root/state-watcher/target/state-watcher.jar
fi
if [[ ! -f $server_jar || ! -f $client_jar || ! -f $watcher_jar ]]; then
  echo "building the jars (first run only)..." >&2
  (cd "$root" && ./mvnw -B -q -DskipTests package) || die "the build failed" 1
fi

# The port in /proc/net/tcp's hex, to wait on the kernel's own table instead of guessing with sleeps.
hex_port=$(printf '%04X' "$port")
rows_on_port() { awk -v p=":$hex_port" 'NR > 1 && (substr($2, length($2) - 4) == p || substr($3, length($3) - 4) == p) { print $4 }' /proc/net/tcp; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...: poll every 50 ms until COMMAND succeeds
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@"; do
    (( SECONDS < deadline )) || die "gave up waiting for $what" 1
    sleep 0.05
  done
}
listening() { rows_on_port | grep -qx 0A; }
closed_by_server() { rows_on_port | grep -qx 06 && ! rows_on_port | grep -qx 08; }
time_wait_gone() { ! rows_on_port | grep -qx 06; }

if rows_on_port | grep -q .; then
  die "port $port already has sockets (see: ss -tan 'sport = :$port or dport = :$port'); pick another with --port" 75
fi

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

label() { sed -u "s/^/$1 | /"; }

java -jar "$watcher_jar" --port "$port" --interval 1ms --format "$format" &
pids+=($!)
watcher_pid=$!

java -jar "$server_jar" --close-delay "$close_delay" --timestamps "$port" > >(label server) 2>&1 &
server_pid=$!
pids+=("$server_pid")
wait_for 20 "the server to listen on port $port" listening

printf 'aa\nq\n' | java -jar "$client_jar" --hold "$hold" --timestamps 127.0.0.1 "$port" > >(label client) 2>&1 &
client_pid=$!
pids+=("$client_pid")

# The server closes after its close delay; then the client's TIME_WAIT lasts 60 s (TCP_TIMEWAIT_LEN).
wait_for 3600 "the server to close the client's socket" closed_by_server
wait_for 75 "the client's TIME_WAIT to expire" time_wait_gone

# Stop the watcher first, so the trace ends on "LISTEN only" as the article's does. SIGTERM, not SIGINT:
# a non-interactive shell starts background jobs with SIGINT ignored. The watcher ends cleanly on either.
kill -TERM "$watcher_pid" 2>/dev/null || true
wait "$watcher_pid" 2>/dev/null || true
echo "done: the client's TIME_WAIT is gone; stopping the server and the client" >&2
