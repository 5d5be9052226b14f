#!/usr/bin/env bash
# How long a whole echo-client session takes through its launcher, beside a Hello World JVM program that
# prints the same first line: the JVM's own start is the floor, and the ratio is what the program adds.
#
#   scripts/bench-startup.sh [--rounds N] [--port P]
#
#   --rounds N   how many times each command runs (default 40), after one unmeasured run of each
#   --port P     the local echo-server's port (default: one the kernel picks)
#
# Starts an echo-server through its launcher (--clients 0 --close-delay 0) on 127.0.0.1, then runs, one after
# the other in each round so that the machine's load falls on all alike:
#   echo-client  bin/echo-client --send aa --hold 0 127.0.0.1 P   (the launcher, with its CDS archive)
#   java -jar    java -jar lib/echo-lab/echo-client.jar, same arguments (no launcher: the JVM's defaults)
#   Hello World  java -cp DIR Hello, printing "connect server success..." (compiled here with javac)
# and prints each one's median wall time (the time from fork to exit, as a shell sees it) and the ratios.
# Target: the launcher's session at most 3x Hello World. Prints figures; asserts nothing. Uses the
# distribution in distribution/target (built first when it is missing).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
root=$(cd "$here/.." && pwd)

rounds=40
port=0
while (( $# > 0 )); do
  case $1 in
    --rounds) need_value "$@"; check_count "$1" "$2"; rounds=$2; shift 2 ;;
    --port) need_value "$@"; check_port "$1" "$2"; port=$((10#$2)); shift 2 ;;
    -h|--help) show_help; exit 0 ;;
    *) usage_error "unknown option '$1'" ;;
  esac
done
command -v javac > /dev/null || die "needs javac (a JDK 17) for the Hello World program" 69

distribution() { find "$root/distribution/target" -maxdepth 1 -type d -name 'echo-lab-*' 2> /dev/null | head -n 1; }
dist=$(distribution)
if [[ -z $dist ]]; then
  echo "building the distribution (first run only)..." >&2
  (cd "$root" && ./mvnw -B -q -DskipTests package) || die "the build failed"
  dist=$(distribution)
fi

work=$(mktemp -d)
at_exit "rm -rf '$work'"
stop_on_exit

# Hello World, printing the client's first line.
cat > "$work/Hello.java" << 'EOF'
public class Hello {
  public static void main(String[] args) {
    System.out.println("connect server success...");
  }
}
EOF
javac -d "$work" "$work/Hello.java"

"$dist/bin/echo-server" --clients 0 --close-delay 0 --bind 127.0.0.1 "$port" > "$work/server.out" 2>&1 &
track echo-server $!
server_port() { sed -nE 's/.*listening on .*:([0-9]+).*/\1/p' "$work/server.out" | grep -q . ; }
if (( port == 0 )); then
  wait_for 30 "the server to listen" server_port
  port=$(sed -nE 's/.*listening on .*:([0-9]+).*/\1/p' "$work/server.out" | head -n 1)
else
  wait_for 30 "the server to listen" grep -q 'waiting connection' "$work/server.out"
fi

client=("$dist/bin/echo-client" --send aa --hold 0 127.0.0.1 "$port")
plain=(java -jar "$dist/lib/echo-lab/echo-client.jar" --send aa --hold 0 127.0.0.1 "$port")
hello=(java -cp "$work" Hello)
first_line() { "$@" 2>&1 | head -n 1; }
[[ $(first_line "${client[@]}") == "connect server success..." ]] || die "the client session failed: $(first_line "${client[@]}")"
[[ $(first_line "${hello[@]}") == "connect server success..." ]] || die "Hello World failed"
first_line "${plain[@]}" > /dev/null

# ms COMMAND...: the command's wall time in milliseconds, its output discarded; a failure ends the script.
ms() {
  local start=$EPOCHREALTIME end
  "$@" > /dev/null 2>&1 || die "'$*' failed during the measurement"
  end=$EPOCHREALTIME
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f\n", (e - s) * 1000 }'
}
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for (( i = 1; i <= rounds; i++ )); do
  ms "${client[@]}" >> "$work/client.ms"
  ms "${plain[@]}" >> "$work/plain.ms"
  ms "${hello[@]}" >> "$work/hello.ms"
  check_programs
done

# Whether the launcher's JVM mapped the archive (it runs without one when there is none, or it is not this JDK's).
if JAVA_OPTS=-Xlog:cds "${client[@]}" 2>&1 | grep -q "Opened archive .*cds/echo-client.jsa"; then
  cds="with its CDS archive"
else
  cds="WITHOUT its CDS archive"
fi
echo "echo-lab startup benchmark: $(java -version 2>&1 | head -n 1), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$rounds rounds, each command once per round; median wall time of one run:"
awk -v c="$(median "$work/client.ms")" -v p="$(median "$work/plain.ms")" -v h="$(median "$work/hello.ms")" -v cds="$cds" 'BEGIN {
  printf "  %-52s %7.1f ms  %4.1fx Hello World\n", "echo-client session, launcher " cds, c, c / h
  printf "  %-52s %7.1f ms  %4.1fx Hello World\n", "echo-client session, java -jar", p, p / h
  printf "  %-52s %7.1f ms\n", "Hello World, java -cp", h
  printf "target: the launcher'"'"'s session at most 3x Hello World: %s\n", (c / h <= 3 ? "MET" : "NOT MET") }'
