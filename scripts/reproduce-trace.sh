#!/usr/bin/env bash
# Reproduce the article's trace (seed 004) in one command: the watcher, the server and the client on
# 127.0.0.1, the client typing "aa" then "q", until the client's TIME_WAIT is gone.
#
#   scripts/reproduce-trace.sh [--port P] [--close-delay D] [--hold D] [--format F] [--backend B]
#
#   --port P          the server's port (default 11233, as in the article)
#   --close-delay D   how long the server sleeps before close(): the CLOSE_WAIT/FIN_WAIT2 window (default 10s)
#   --hold D          how long the client process stays alive after close() (default 180s, as in the article;
#                     the script stops it once TIME_WAIT is gone, since the kernel, not the process, holds it)
#   --format F        the watcher's output: netstat (default: the article's loop, printed on change), or
#                     timeline or jsonl, printed as they are on standard output (the programs' lines then go
#                     to standard error)
#   --backend B       where the watcher reads the states: auto (default), trace, netlink or procfs
#
# With --format netstat the watcher's rows and the programs' lines (each stamped by the program) come out in
# time order, with a note before each phase saying what it means and where the kernel surprises: LISTEN;
# the handshake; the client's FIN and the delayed ACK that keeps it in FIN_WAIT1; CLOSE_WAIT (server) and
# the orphaned FIN_WAIT2 (client) for the close delay; TIME_WAIT (client) for 60 s; LISTEN only. The output
# trails the programs by half a second, the time it takes every line to arrive.
#
# The watcher also draws two pictures, written when it stops, in the current directory (or $TMPDIR when that
# cannot be written), and the script says where at the end: reproduce-trace-PORT-timeline.svg, the states
# of each connection along one time axis, and reproduce-trace-PORT-ladder.svg, the packets between client and
# server beside both ends' states (as root; without root the ladder has the states only, and says so). Open
# them in a browser.
#
# Durations take a unit (500ms, 10s, 3m). Bad options exit 2 before anything starts. A program that fails
# ends the script at once with its own message and exit code. Builds the jars first when they are missing;
# needs only a JDK. With ECHOLAB_JARS=DIR it runs the three jars in DIR instead (as the Docker image does:
# scripts/docker-trace.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

trace_options "$@"
port=$trace_port
command -v java > /dev/null || die "needs java (a JDK or JRE 17)" 69

if [[ -n ${ECHOLAB_JARS:-} ]]; then
  jars=$ECHOLAB_JARS
  for program in echo-server echo-client state-watcher; do
    [[ -f $jars/$program.jar ]] || die "ECHOLAB_JARS=$jars has no $program.jar" 66
  done
else
  root=$(cd "$here/.." && pwd)
  ensure_jars "$root" echo-server echo-client state-watcher
fi
jar() { if [[ -n ${ECHOLAB_JARS:-} ]]; then echo "$jars/$1.jar"; else echo "$root/$1/target/$1.jar"; fi; }

# The port in /proc/net/tcp's hex, to wait on the kernel's own table instead of guessing with sleeps.
hex_port=$(printf '%04X' "$port")
states_on_port() {
  awk -v p=":$hex_port" 'NR > 1 && (substr($2, length($2) - 4) == p || substr($3, length($3) - 4) == p) { print $4 }' \
    /proc/net/tcp
}
listening() { states_on_port | grep -qx 0A; }
closed_by_server() { states_on_port | grep -qx 06 && ! states_on_port | grep -qx 08; }
time_wait_gone() { ! states_on_port | grep -qx 06; }

if states_on_port | grep -q .; then
  die "port $port already has sockets (see: ss -tan 'sport = :$port or dport = :$port'); pick another with --port" 75
fi

work=$(mktemp -d)
at_exit "rm -rf '$work'"
pictures=$PWD
[[ -w $pictures ]] || pictures=${TMPDIR:-/tmp}
timeline_svg=$pictures/reproduce-trace-$port-timeline.svg
ladder_svg=$pictures/reproduce-trace-$port-ladder.svg
merged=no
[[ $trace_format == netstat ]] && merged=yes

# In the merged trace every line is a record on standard output, "SOURCE<TAB>...", read by merge_trace:
#   tick<TAB>EPOCH            the time now, five times a second, so held lines are let out on time
#   server<TAB>LINE           a program's standard output (client, watch likewise)
#   server!<TAB>EPOCH<TAB>LINE  a program's standard error; msg<TAB>EPOCH<TAB>LINE the script's own words
record_now() { printf '%s\t%s\t%s\n' "$1" "$EPOCHREALTIME" "$2"; }
if [[ $merged == yes ]]; then
  report() { record_now msg "$script_name: $1"; }
fi

# output LABEL: a program's standard output, labelled (the watcher's verbatim; kept in $work for the end).
output() {
  local line
  while IFS= read -r line || [[ -n $line ]]; do
    if [[ $1 == watch ]]; then
      printf '%s\n' "$line" >> "$work/watch.out"
      if [[ $merged == yes ]]; then printf 'watch\t%s\n' "$line"; else printf '%s\n' "$line" >&3; fi
    elif [[ $merged == yes ]]; then
      printf '%s\t%s\n' "$1" "$line"
    else
      printf '%s | %s\n' "$1" "$line" >&2
    fi
  done
}

# errors LABEL: a program's standard error, as it comes (stamped when merged).
errors() {
  local line
  while IFS= read -r line || [[ -n $line ]]; do
    if [[ $merged == yes ]]; then record_now "$1!" "$line"; else printf '%s\n' "$line" >&2; fi
  done
}

# start LABEL PROGRAM ARGS...: runs PROGRAM's jar in the background, its input from $stdin, and tracks it.
# (Standard error first: a process substitution writes to the standard output in force when it is made.)
stdin=/dev/null
start() {
  local label=$1 program=$2
  shift 2
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$(jar "$program")" "$@" \
    < "$stdin" 2> >(errors "$label") > >(output "$label") &
  track "$program" $!
}

# The watcher has printed the end: a block after the last one that showed TIME_WAIT shows none.
watcher_shows_end() {
  awk '/^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / { last = 0; next }
     / TIME_WAIT *$/ { seen = last = 1 }
     END { exit !(seen && !last) }' "$work/watch.out" 2> /dev/null
}

run() {
  stop_on_exit
  if [[ $merged == yes ]]; then
    printf 'tick\t%s\n' "$EPOCHREALTIME"
    while sleep 0.2; do printf 'tick\t%s\n' "$EPOCHREALTIME"; done &
    helpers+=($!)
  fi

  start watch state-watcher --port "$port" --interval 1ms --format "$trace_format" --backend "$trace_backend" \
    --svg "$timeline_svg" --ladder "$ladder_svg"
  start server echo-server --close-delay "$trace_close_delay" --timestamps "$port"
  wait_for 30 "the server to listen on port $port" listening
  printf 'aa\nq\n' > "$work/typed"
  stdin=$work/typed
  start client echo-client --hold "$trace_hold" --timestamps 127.0.0.1 "$port"

  # The server closes after its close delay; then the client's TIME_WAIT lasts 60 s (TCP_TIMEWAIT_LEN),
  # up to a few seconds more with the kernel's timer wheel.
  wait_for $(( $(duration_seconds "$trace_close_delay") + 30 )) "the server to close the client's socket" closed_by_server
  wait_for 75 "the client's TIME_WAIT to expire" time_wait_gone
  if [[ $trace_format == netstat ]]; then
    wait_for 5 "the watcher to print the end of TIME_WAIT" watcher_shows_end
  fi

  # Stop the watcher first, so the trace ends on "LISTEN only" as the article's does. SIGTERM, not SIGINT:
  # a non-interactive shell starts background jobs with SIGINT ignored. The watcher ends cleanly on either.
  kill -TERM "${started[state-watcher]}"
  wait "${started[state-watcher]}" || die "state-watcher exited with $? when stopped" 1
  unset 'started[state-watcher]'
  report "pictures: $timeline_svg (each connection's states in time), $ladder_svg (the packets and both ends' states)"
  report "done: the client's TIME_WAIT is gone; stopping the server and the client"
}

# merge_trace: reads the records and prints the trace in time order: each line is held until it is half a
# second old, then let out after every line stamped earlier. Program lines keep their own stamps (HH:mm:ss.SSS,
# local time); the watcher's blocks start with a line "YYYY-MM-DD HH:MM:SS.ffffff". Before the block that
# starts a phase comes that phase's note, with what the watcher measured of the phase before.
merge_trace() {
  local zone tz_offset fin_timeout
  zone=$(date +%z)
  tz_offset=$(( ${zone:0:1}1 * (10#${zone:1:2} * 3600 + 10#${zone:3:2} * 60) ))
  fin_timeout=$(cat /proc/sys/net/ipv4/tcp_fin_timeout 2> /dev/null || echo 60)
  awk -F '\t' -v port="$port" -v delay="$trace_close_delay" -v fin="$fin_timeout" -v tz="$tz_offset" '
    function day_seconds(epoch) { return (epoch + tz) % 86400 }
    # the epoch time of a time of day (seconds), taken as the one nearest now
    function at(tod,   d) {
      d = tod - day_seconds(now)
      if (d > 43200) d -= 86400; else if (d < -43200) d += 86400
      return now + d
    }
    function hms(s) { return substr(s, 1, 2) * 3600 + substr(s, 4, 2) * 60 + substr(s, 7) }
    function add(key, kind, text) { n++; K[n] = key; KIND[n] = kind; TEXT[n] = text; return n }
    function span(s) { return s < 1 ? sprintf("%.1f ms", s * 1000) : s < 10 ? sprintf("%.2f s", s) : sprintf("%.1f s", s) }
    function port_of(address) { sub(/.*:/, "", address); return address }
    function note(text,   lines, i, count) {
      count = split(text, lines, "\n")
      for (i = 1; i <= count; i++) print "# " lines[i]
    }
    # The phase a block shows (0 to 6), from the rows of the client and of the server side on the port.
    function notes_for(i, t,   rows, count, r, f, client, server, listen, phase, k) {
      count = split(TEXT[i], rows, "\n"); client = server = ""; listen = 0
      for (r = 2; r <= count; r++) {
        split(rows[r], f, /[ \t]+/)
        if (port_of(f[4]) == port && f[6] == "LISTEN") listen = 1
        else if (port_of(f[4]) == port) server = f[6]
        else if (port_of(f[5]) == port) client = f[6]
      }
      if (server == "CLOSE_WAIT" && !tcw) tcw = t
      if (client == "TIME_WAIT" && !ttw) ttw = t
      if (client == "" && server == "") phase = (reached >= 5) ? 6 : (listen ? 1 : 0)
      else if (server == "LAST_ACK" || client == "TIME_WAIT") phase = 5
      else if (client == "FIN_WAIT2") phase = 4
      else if (client == "FIN_WAIT1") phase = 3
      else phase = 2
      for (k = reached + 1; k <= phase; k++) {
        T[k] = t
        if (k == 1) note("(1) LISTEN: the server is up on port " port ", waiting for a client.")
        if (k == 2) note("(2) The client connects: SYN_SENT, then ESTABLISHED; the server side passes through SYN_RECV.\n" \
          "    On loopback the handshake takes microseconds: only the tracepoint (as root) shows every step.")
        if (k == 3) note("(3) The client sent aa and read it back; on q it calls close(): its FIN goes out and it waits\n" \
          "    in FIN_WAIT1 for the ACK. The server side is in CLOSE_WAIT at once, but its kernel delays the ACK,\n" \
          "    hoping to send it with data: FIN_WAIT1 lasts about 40 ms on loopback, not a round trip.")
        if (k == 4) note("(4) " (T[3] ? "The delayed ACK came after " span(t - T[3]) ": the" : "The") \
          " client is in FIN_WAIT2, waiting for the server'"'"'s FIN;\n" \
          "    the server side stays in CLOSE_WAIT while its program sleeps for the close delay (" delay ").\n" \
          "    The client'"'"'s socket is orphaned (its program closed it): had the server never closed, the kernel\n" \
          "    would drop it after tcp_fin_timeout (" fin " s here); the CLOSE_WAIT would last as long as the server.")
        if (k == 5) note("(5) " (tcw ? "After " span(t - tcw) " in CLOSE_WAIT the" : "The") \
          " server calls close(): its FIN (LAST_ACK) is ACKed at once and its\n" \
          "    socket is gone. The client, which closed first, keeps TIME_WAIT for 60 s (TCP_TIMEWAIT_LEN, fixed\n" \
          "    in the kernel: no sysctl changes it), so that a late copy of the FIN is answered, not reset.")
        if (k == 6) note("(6) " (ttw ? "TIME_WAIT lasted " span(t - ttw) ", 60 s and the slack of the kernel'"'"'s timer wheel" : "TIME_WAIT is over") \
          ": only the listener is left.")
      }
      if (phase > reached) reached = phase
    }
    function emit(i) {
      if (KIND[i] == "block") { notes_for(i, K[i]); print TEXT[i] }
      else if (KIND[i] == "err") { fflush(); print TEXT[i] > "/dev/stderr" }
      else print TEXT[i]
      delete K[i]; delete KIND[i]; delete TEXT[i]
    }
    # lets out, in time order, every held line stamped at or before LIMIT
    function release(limit,   i, best) {
      for (;;) {
        best = 0
        for (i in K) if (K[i] <= limit && (!best || K[i] < K[best] || (K[i] == K[best] && i + 0 < best + 0))) best = i
        if (!best) break
        emit(best)
      }
      fflush()
    }
    $1 == "tick" { now = $2 + 0; release(now - 0.5); next }
    $1 == "watch" && $2 ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9]/ {
      block = add(at(hms(substr($2, 12))), "block", $2); next
    }
    $1 == "watch" {
      if (block in K) TEXT[block] = TEXT[block] "\n" $2; else print $2
      next
    }
    $1 ~ /!$/ || $1 == "msg" { text = $0; sub(/^[^\t]*\t[^\t]*\t/, "", text); add($2 + 0, "err", text); next }
    {
      label = $1; text = substr($0, length(label) + 2)
      if (text ~ /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]+ /) last[label] = at(hms(text))
      else if (!(label in last)) last[label] = now
      add(last[label], "out", label " | " text)
    }
    END { release(now + 86400) }'
}

exec 3>&1
if [[ $merged == yes ]]; then
  # Ctrl-C stops the run; the merge lets out what it holds, then ends.
  run | (trap '' INT; merge_trace)
else
  run
fi
