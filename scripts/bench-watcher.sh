#!/usr/bin/env bash
# What the state-watcher costs and what it catches, beside the article's shell loops, in network namespaces
# this script makes and removes. Prints figures and the issue's targets; asserts nothing. Root only.
#
#   scripts/bench-watcher.sh [--seconds N] [--rounds R] [--idle-seconds N] [--sockets N] [--port P]
#                            [--java-opts OPTS]
#
#   --seconds N       how long each sampling run lasts (default 15)
#   --rounds R        sampling runs of the ss loop and of the netlink watcher at each size; their figures
#                     are the medians (default 3)
#   --idle-seconds N  how long the default watcher runs on an idle namespace (default 30)
#   --sockets N       the TIME_WAIT pile of the second size (default 25000)
#   --port P          the watched port (default 11233)
#   --java-opts OPTS  JVM options for every state-watcher run, e.g. the launcher's
#                     "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC" (default none: plain java -jar)
#
# 1. Samples per CPU-second: each backend as `state-watcher --backend B --every-poll --interval 1ms --port P`
#    beside the article's loop with ss or netstat in the place of `netstat -a`
#    (`date; ss -tan | grep :P; sleep 0.001`: a timestamp and the rows per sample, as --every-poll prints),
#    and the same table commands run flat out (`ss -tan | grep :P` alone), each for --seconds in a namespace of
#    its own, empty or holding --sockets TIME_WAIT sockets on another port. CPU is user + system of the run
#    and its children (bash's `times`), the JVM's start included. Target: netlink at least 15x the ss loop.
#    With the pile, a netlink poll is mostly the kernel's walk of it, whose cost drifts with what else this
#    machine's caches hold (3.2 to 6 ms a poll from one run to the next here), so the two that the target
#    compares run --rounds times each, alternating (the ss loop first in odd rounds), and the ratio is of
#    their medians; the median of each round's own ratio is printed beside it. The other rows run once, in
#    the first round.
# 2. The CPU share of one core used by the default `state-watcher --port P` on an idle namespace over
#    --idle-seconds, whole (JVM start included) and steady (its last two thirds). Target: at most 5%.
# 3. The article's scenario (server --close-delay 2s, client "aa" then "q") under each backend (--interval
#    1ms), scored against the sock:inet_sock_set_state tracepoint read by this script through a tracefs
#    instance of its own: for each of the eight state episodes, whether the backend caught it and how far
#    its entry time is from the tracepoint's. The client's TIME_WAIT is not traced: its reference is the
#    server's FIN (its entering LAST_ACK) up to the client's ACK of it (the server leaving LAST_ACK).
#    Targets: the trace backend catches all eight within 1 ms; netlink at 1 ms the five that last 1 ms or more.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
root=$(cd "$here/.." && pwd)
seconds=15
rounds=3
idle_seconds=30
sockets=25000
port=11233
pile_port=11299
java_opts=

while (( $# > 0 )); do
  case $1 in
    --seconds) need_value "$@"; check_count "$1" "$2"; seconds=$2; shift 2 ;;
    --rounds) need_value "$@"; check_count "$1" "$2"; rounds=$2; shift 2 ;;
    --idle-seconds) need_value "$@"; check_count "$1" "$2"; idle_seconds=$2; shift 2 ;;
    --sockets) need_value "$@"; check_count "$1" "$2"; sockets=$2; shift 2 ;;
    --port) need_value "$@"; check_port "$1" "$2"; port=$((10#$2)); shift 2 ;;
    --java-opts) need_value "$@"; java_opts=$2; shift 2 ;;
    -h|--help) show_help; exit 0 ;;
    *) usage_error "unknown option '$1'" ;;
  esac
done
(( port != pile_port )) || pile_port=11298
need_root "it makes network namespaces and reads the tracepoint"
need_tools ip ss awk sort java
have_netstat=$(command -v netstat > /dev/null && echo yes || echo no)

watcher_jar=$root/state-watcher/target/state-watcher.jar
read -ra jvm_options <<< "$java_opts"
watcher_cmd=(java "${jvm_options[@]}" -jar "$watcher_jar")
server_jar=$root/echo-server/target/echo-server.jar
client_jar=$root/echo-client/target/echo-client.jar
ensure_jars "$root" state-watcher echo-server echo-client

tracing=/sys/kernel/tracing
mounted_tracefs=no
if [[ ! -d $tracing/instances ]]; then
  mount -t tracefs nodev "$tracing" || die "cannot mount tracefs on $tracing" 69
  mounted_tracefs=yes
fi
instance=$tracing/instances/echolab-bench-$$
work=$(mktemp -d)
namespaces=()

cleanup() {
  local pid ns
  for pid in $(jobs -p); do kill "$pid" 2> /dev/null || true; done   # only our own jobs still running
  wait 2> /dev/null || true
  if [[ -d $instance ]]; then
    echo 0 > "$instance/events/sock/inet_sock_set_state/enable" 2> /dev/null || true
    rmdir "$instance" 2> /dev/null || true
  fi
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2> /dev/null || true; done
  [[ $mounted_tracefs == no ]] || umount "$tracing" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A namespace of our own in $ns: loopback up, enough ephemeral ports for the pile, no TIME_WAIT reuse.
# (Not a command substitution: the name must reach the cleanup's list in this shell.)
new_ns() {
  ns=echolab-bench-$$-${#namespaces[@]}
  namespaces+=("$ns")
  make_netns "$ns" net.ipv4.ip_local_port_range="10000 65000" net.ipv4.tcp_tw_reuse=0
}

drop_ns() {
  ip netns del "$1"
}

# Fills NS with N TIME_WAIT sockets on the pile port: an echo server and N short connections, client first.
pile() {
  local ns=$1 n=$2 server
  ip netns exec "$ns" java -jar "$server_jar" --clients 0 --close-delay 0 "$pile_port" > /dev/null &
  server=$!
  wait_for 30 "the pile's server" netns_listening "$ns" "$pile_port"
  ip netns exec "$ns" java -jar "$client_jar" --connections "$n" --max-time 120s 127.0.0.1 "$pile_port" > /dev/null \
    || die "making the TIME_WAIT pile failed" 1
  kill "$server"
  wait "$server" 2> /dev/null || true
}

# CPU seconds of the children from bash's `times` (its second line: children's user and system).
# Prints "SAMPLES CPU_SECONDS" for a command run in NS by a bash that counts its samples.
sampled() {
  local ns=$1 script=$2
  ip netns exec "$ns" bash -c "$script"'
    times' | awk 'NR == 1 { n = $1 } NR == 3 {
      split($1, u, /[ms]/); split($2, s, /[ms]/)
      printf "%d %.3f\n", n, u[1] * 60 + u[2] + s[1] * 60 + s[2] }'
}

# shellcheck disable=SC2016  # the loop is for the bash in the namespace to expand, not this one
loop_script() { # loop_script 'BODY': runs the loop body for the seconds, prints how many times
  # shellcheck disable=SC2016  # the $(( )) and ${} are for the bash that runs the loop
  printf 'end=$(( ${EPOCHREALTIME%%.*} + %d )); n=0
    while (( ${EPOCHREALTIME%%.*} < end )); do %s; n=$(( n + 1 )); done; echo $n' "$seconds" "$1"
}
article_loop() { # the article's loop with TABLE in the place of netstat -a
  loop_script "{ date '+%F %T.%N'; $1 | grep ':$port'; } > /dev/null; sleep 0.001"
}

watcher_script() { # watcher_script BACKEND: every poll printed; counts the polls (timestamp lines)
  printf '%s --backend %s --every-poll --interval 1ms --port %d --duration %ds | grep -c "^[0-9]"' \
    "$(printf '%q ' "${watcher_cmd[@]}")" "$1" "$port" "$seconds"
}

rate() { awk -v n="$1" -v c="$2" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }'; }

echo "echo-lab state-watcher benchmark: $(uname -r), $(nproc) cores, $(cat /proc/sys/net/ipv4/tcp_ehash_entries 2> /dev/null || echo '?') hash buckets"
echo "watched port $port; each sampling run ${seconds}s; CPU = user + system, JVM start included"
echo

# 1. Samples per CPU-second --------------------------------------------------------------------------------
declare -A per_cpu   # [SIZE,WHAT] the samples per CPU-second of each round, space-separated
printf '%-9s %-5s %-22s %9s %9s %13s\n' sockets round what samples "cpu (s)" "samples/cpu-s"
for size in 0 "$sockets"; do
  for ((round = 1; round <= rounds; round++)); do
    if (( round == 1 )); then
      runs=(ss-loop netstat-loop ss-flat netstat-flat procfs netlink trace)
    elif (( round % 2 == 1 )); then
      runs=(ss-loop netlink)
    else
      runs=(netlink ss-loop)
    fi
    for what in "${runs[@]}"; do
      if [[ $what == netstat-* && $have_netstat == no ]]; then
        printf '%-9s %-5s %-22s %s\n' "$size" "$round" "$what" "skipped: no netstat (Debian's net-tools)"
        continue
      fi
      new_ns
      (( size == 0 )) || pile "$ns" "$size"
      case $what in
        ss-loop) label="loop: ss -tan"; script=$(article_loop "ss -tan") ;;
        netstat-loop) label="loop: netstat -ant"; script=$(article_loop "netstat -ant") ;;
        ss-flat) label="ss -tan | grep"; script=$(loop_script "ss -tan | grep ':$port' > /dev/null") ;;
        netstat-flat) label="netstat -ant | grep"; script=$(loop_script "netstat -ant | grep ':$port' > /dev/null") ;;
        *) label="state-watcher $what"; script=$(watcher_script "$what") ;;
      esac
      read -r n cpu < <(sampled "$ns" "$script" 2> /dev/null)
      figure=$(rate "$n" "$cpu")
      per_cpu[$size,$what]+="$figure "
      printf '%-9s %-5s %-22s %9d %9.2f %13s\n' "$size" "$round" "$label" "$n" "$cpu" "$figure"
      drop_ns "$ns"
    done
  done
done
echo
for size in 0 "$sockets"; do
  read -ra nl <<< "${per_cpu[$size,netlink]}"
  read -ra ss <<< "${per_cpu[$size,ss-loop]}"
  # Each round's two runs ran back to back, under the same load from the rest of the machine
  pair=$(for ((i = 0; i < ${#nl[@]}; i++)); do
    awk -v n="${nl[i]}" -v s="${ss[i]}" 'BEGIN { printf "%.4f\n", (s > 0 ? n / s : 0) }'
  done | median)
  awk -v s="$size" -v rounds="$rounds" -v nl="$(printf '%s\n' "${nl[@]}" | median)" \
      -v ss="$(printf '%s\n' "${ss[@]}" | median)" -v pair="$pair" -v flat="${per_cpu[$size,ss-flat]% }" 'BEGIN {
    r = (ss > 0 ? nl / ss : 0); f = (flat > 0 ? nl / flat : 0)
    printf "netlink / the ss loop at %d sockets: %.1fx, medians of %d rounds (%.0f / %.0f; target: at least 15x) %s\n",
      s, r, rounds, nl, ss, (r >= 15 ? "MET" : "NOT MET")
    printf "  %.1fx as the median of each round'"'"'s ratio; netlink / ss -tan | grep flat out: %.1fx\n", pair, f }'
done
echo

# 2. CPU share of the default watcher on an idle namespace --------------------------------------------------
new_ns
ip netns exec "$ns" "${watcher_cmd[@]}" --port "$port" --duration "${idle_seconds}s" > /dev/null &
watcher=$!
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
third=$(( idle_seconds / 3 ))
sleep "$third"   # the measurement's own schedule: the watcher runs for --idle-seconds regardless
start_ticks=$(ticks "$watcher")
start_time=$EPOCHREALTIME
sleep $(( idle_seconds - third - 1 ))
end_ticks=$(ticks "$watcher")
end_time=$EPOCHREALTIME
whole_ticks=$end_ticks
whole_time=$(awk -v a="$end_time" -v b="$start_time" -v t="$third" 'BEGIN { print a - b + t }')
wait "$watcher" 2> /dev/null || true
drop_ns "$ns"
awk -v w="$whole_ticks" -v wt="$whole_time" -v s="$(( end_ticks - start_ticks ))" -v a="$start_time" -v b="$end_time" -v hz="$hz" 'BEGIN {
  whole = 100 * w / hz / wt; steady = 100 * s / hz / (b - a)
  printf "default state-watcher --port P on an idle namespace: %.1f%% of a core over %.0f s (JVM start included), %.1f%% steady\n", whole, wt, steady
  printf "  target: at most 5%% %s\n", (whole <= 5 ? "MET" : (steady <= 5 ? "met when steady, NOT MET with the JVM start" : "NOT MET")) }'
echo

# 3. The article's scenario against the tracepoint ----------------------------------------------------------
mkdir "$instance"
echo mono > "$instance/trace_clock"
echo "sport == $port || dport == $port" > "$instance/events/sock/inet_sock_set_state/filter"

scenario() { # scenario BACKEND: prints the scores
  local backend=$1 ns out=$work/$1.jsonl ref=$work/$1.trace server offset
  new_ns
  echo 1 > "$instance/events/sock/inet_sock_set_state/enable"
  # CLOCK_REALTIME and the trace clock read by one shell with no process between: the wall-clock offset
  local before=$EPOCHREALTIME
  echo echolab-bench-sync > "$instance/trace_marker"
  local after=$EPOCHREALTIME
  local wall
  wall=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.6f", (a + b) / 2 }')
  ip netns exec "$ns" "${watcher_cmd[@]}" --backend "$backend" --interval 1ms --format jsonl --port "$port" > "$out" &
  local watcher=$!
  wait_for 30 "the $backend watcher" grep -q '"event":"start"' "$out"
  ip netns exec "$ns" java -jar "$server_jar" --close-delay 2s --clients 1 "$port" > /dev/null &
  server=$!
  wait_for 30 "the server" netns_listening "$ns" "$port"
  printf 'aa\nq\n' | ip netns exec "$ns" java -jar "$client_jar" --hold 0 127.0.0.1 "$port" > /dev/null
  wait "$server" || true
  wait_for 10 "the $backend watcher to see TIME_WAIT" grep -q '"state":"TIME_WAIT"' "$out"
  kill -TERM "$watcher"
  wait "$watcher" 2> /dev/null || true
  echo 0 > "$instance/events/sock/inet_sock_set_state/enable"
  cat "$instance/trace" > "$ref"
  echo > "$instance/trace"
  drop_ns "$ns"
  offset=$(awk -v wall="$wall" '/echolab-bench-sync/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { sub(":", "", $i); printf "%.6f", wall - $i; exit } }' "$ref")
  awk -v backend="$backend" -v port="$port" -v offset="$offset" '
    # utc seconds of the day, from jsonl times and from the tracepoint (mono + offset)
    function day(t) { return t - int(t / 86400) * 86400 }
    function iso(s,  h, m, sec) { h = substr(s, 12, 2); m = substr(s, 15, 2); sec = substr(s, 18, index(s, "Z") - 18); return h * 3600 + m * 60 + sec }
    function field(line, name,  i, rest) { i = index(line, name "="); if (!i) return ""; rest = substr(line, i + length(name) + 1); sub(/ .*/, "", rest); return rest }
    function jfield(line, name,  i, rest) { i = index(line, "\"" name "\":"); rest = substr(line, i + length(name) + 3); sub(/[,}].*/, "", rest); gsub(/"/, "", rest); return rest }
    FNR == NR {  # the tracepoint, the script'"'"'s own reading
      if ($0 !~ /inet_sock_set_state:/) next
      for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { t = $i; sub(":", "", t) }
      t = day(t + offset); sp = field($0, "sport"); dp = field($0, "dport"); o = field($0, "oldstate"); n = field($0, "newstate")
      if (o == "TCP_CLOSE" && n == "TCP_SYN_SENT") ref["client SYN_SENT"] = t
      if (o == "TCP_LISTEN" && n == "TCP_SYN_RECV") ref["server SYN_RECV"] = t
      if (o == "TCP_SYN_SENT" && n == "TCP_ESTABLISHED") { ref["client ESTABLISHED"] = t; client = sp }
      if (n == "TCP_FIN_WAIT1" && dp == port) ref["client FIN_WAIT1"] = t
      if (n == "TCP_FIN_WAIT2" && dp == port) ref["client FIN_WAIT2"] = t
      if (n == "TCP_CLOSE_WAIT" && sp == port) ref["server CLOSE_WAIT"] = t
      if (n == "TCP_LAST_ACK" && sp == port) { ref["server LAST_ACK"] = t; ref["client TIME_WAIT"] = t }
      if (o == "TCP_LAST_ACK" && sp == port) until_ = t
      next
    }
    /"event":"(new|change)"/ {  # the backend
      local_ = jfield($0, "local"); remote = jfield($0, "remote"); s = jfield($0, "state"); t = day(iso(jfield($0, "time")))
      lp = local_; sub(/.*:/, "", lp); rp = remote; sub(/.*:/, "", rp)
      who = (rp == port ? "client " : (lp == port && rp != "0" ? "server " : ""))
      if (who != "" && !((who s) in seen)) seen[who s] = t
    }
    END {
      split("client SYN_SENT,server SYN_RECV,client ESTABLISHED,client FIN_WAIT1,client FIN_WAIT2,server CLOSE_WAIT,server LAST_ACK,client TIME_WAIT", order, ",")
      caught = 0; within = 0
      for (i = 1; i <= 8; i++) {
        e = order[i]
        if (!(e in ref)) { printf "  %-8s %-20s no reference (the tracepoint missed it?)\n", backend, e; continue }
        if (!(e in seen)) { printf "  %-8s %-20s not caught\n", backend, e; continue }
        d = seen[e] - ref[e]
        if (e == "client TIME_WAIT" && d > 0) d = (seen[e] > until_ ? seen[e] - until_ : 0)
        caught++; if (d < 0) d = -d; if (d <= 0.001) within++
        printf "  %-8s %-20s caught, %8.3f ms from the tracepoint\n", backend, e, d * 1000
      }
      printf "  %-8s caught %d of 8, %d within 1 ms\n", backend, caught, within
    }' "$ref" "$out"
}

echo "the article's scenario, each backend at --interval 1ms, against the tracepoint:"
scenario trace | tee "$work/score-trace"
scenario netlink | tee "$work/score-netlink"
scenario procfs
echo
awk '/caught [0-9] of 8/ { c = $3; w = $6 } END { printf "trace: all eight caught within 1 ms (target) %s\n", (c == 8 && w == 8 ? "MET" : "NOT MET") }' "$work/score-trace"
awk '/client ESTABLISHED|client FIN_WAIT1|client FIN_WAIT2|server CLOSE_WAIT|client TIME_WAIT/ && /caught,/ { n++ }
  END { printf "netlink at 1 ms: the five episodes of 1 ms or more caught (target) %s\n", (n == 5 ? "MET" : "NOT MET (" n " of 5)") }' "$work/score-netlink"
