# shellcheck shell=bash
# What the lab's scripts share, sourced by each (never run):
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# - One-line errors with the exit codes the programs use: die MESSAGE [CODE]; usage_error MESSAGE (exit 2).
# - Option checks that run before anything starts: need_value, check_duration, check_port, check_count,
#   check_choice; and the trace scripts' shared options (trace_options).
# - What a script needs before it starts: need_root, need_tools, ensure_jars (the programs' jars, built once).
# - Benchmarks' figures: median.
# - Network namespaces of a script's own: make_netns; netns_listening to wait for a server in one.
# - The programs a script starts: track NAME PID (untrack NAME); check_programs ends the script with a
#   program's own exit code as soon as one fails; wait_for waits for a condition with a deadline and checks
#   them meanwhile.
# - Cleanup on any exit (stop_on_exit): the tracked programs are stopped, then the at_exit commands run.

script_name=${0##*/}

# report MESSAGE: how a script speaks (standard error); a script that merges its output may redefine it.
report() { printf '%s: %s\n' "$script_name" "$1" >&2; }

# die MESSAGE [CODE]: one line, then exit CODE (default 1).
die() {
  report "$1"
  exit "${2:-1}"
}

# usage_error MESSAGE: a bad option or value: one line, exit 2, as the programs do.
usage_error() { die "$1 (see --help)" 2; }

# show_help: the script's header comment, from its second line to the first line that is not a comment.
show_help() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }

# --- option checks --------------------------------------------------------------------------------------

# need_value "$@": the option in $1 must have a value after it.
need_value() { (( $# >= 2 )) || usage_error "$1 needs a value"; }

# check_duration OPTION VALUE: a duration as the programs read it: 500ms, 10s, 1.5s, 3m, 1h, or 0.
check_duration() {
  [[ $2 =~ ^([0-9]+(\.[0-9]+)?(ms|s|m|h)|0)$ ]] \
    || usage_error "$1: '$2' is not a duration: use a number and a unit, like 500ms, 10s, 3m or 1h"
}

# duration_seconds VALUE: a checked duration in whole seconds, rounded up (for deadlines).
duration_seconds() {
  awk -v d="$1" 'BEGIN {
    n = d + 0; u = d; sub(/^[0-9.]+/, "", u)
    s = (u == "ms") ? n / 1000 : (u == "m") ? n * 60 : (u == "h") ? n * 3600 : n
    printf "%d\n", (s == int(s)) ? s : int(s) + 1 }'
}

# check_port OPTION VALUE: a port from 1 to 65535.
check_port() {
  if ! [[ $2 =~ ^[0-9]{1,5}$ ]] || (( 10#$2 < 1 || 10#$2 > 65535 )); then
    usage_error "$1: '$2' is not a port number (1-65535)"
  fi
}

# check_count OPTION VALUE: a positive whole number.
check_count() { [[ $2 =~ ^[1-9][0-9]{0,8}$ ]] || usage_error "$1: '$2' is not a positive whole number"; }

# check_choice OPTION VALUE CHOICE...: VALUE must be one of the choices.
check_choice() {
  local option=$1 value=$2 choice
  shift 2
  for choice in "$@"; do
    [[ $value == "$choice" ]] && return 0
  done
  local list
  printf -v list '%s, ' "$@"
  usage_error "$option: '$value' is not one of ${list%, }"
}

# trace_options "$@": the options of reproduce-trace.sh (and docker-trace.sh, which passes them on), checked.
# Sets trace_port, trace_close_delay, trace_hold, trace_format, trace_backend; -h prints the help and exits.
# shellcheck disable=SC2034  # the variables are the sourcing script's
trace_options() {
  trace_port=11233
  trace_close_delay=10s
  trace_hold=180s
  trace_format=netstat
  trace_backend=auto
  while (( $# > 0 )); do
    case $1 in
      --port) need_value "$@"; check_port "$1" "$2"; trace_port=$((10#$2)); shift 2 ;;
      --close-delay) need_value "$@"; check_duration "$1" "$2"; trace_close_delay=$2; shift 2 ;;
      --hold) need_value "$@"; check_duration "$1" "$2"; trace_hold=$2; shift 2 ;;
      --format) need_value "$@"; check_choice "$1" "$2" netstat timeline jsonl; trace_format=$2; shift 2 ;;
      --backend) need_value "$@"; check_choice "$1" "$2" auto trace netlink procfs; trace_backend=$2; shift 2 ;;
      -h|--help) show_help; exit 0 ;;
      *) usage_error "unknown option '$1'" ;;
    esac
  done
}

# --- what a script needs ----------------------------------------------------------------------------------

# need_root WHY: root only: otherwise one line saying why it needs root, exit 77.
need_root() { [[ $EUID -eq 0 ]] || die "needs root: $1 (try sudo)" 77; }

# need_tools TOOL...: each one on the PATH: otherwise one line naming the first missing, exit 69.
need_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" > /dev/null || die "needs $tool" 69
  done
}

# ensure_jars ROOT PROGRAM...: the programs' runnable jars, ROOT/PROGRAM/target/PROGRAM.jar; when one is
# missing, builds those programs (and what they depend on) first.
ensure_jars() {
  local root=$1 program modules
  shift
  for program in "$@"; do
    if [[ ! -f $root/$program/target/$program.jar ]]; then
      report "building the jars (first run only)..."
      modules=$(IFS=,; echo "$*")
      (cd "$root" && ./mvnw -B -q -DskipTests package -pl "$modules" -am) || die "the build failed"
      return 0
    fi
  done
}

# --- figures ---------------------------------------------------------------------------------------------

# median: the median of the numbers on standard input, one a line (of the middle two for an even count).
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- network namespaces -----------------------------------------------------------------------------------

# make_netns NS [SYSCTL=VALUE...]: a network namespace NS with loopback up and the sysctls set in it alone.
# Removing it is the caller's (ip netns del NS; at_exit for one that must go on any exit).
make_netns() {
  local ns=$1
  shift
  ip netns add "$ns"
  ip netns exec "$ns" ip link set lo up
  (( $# == 0 )) || ip netns exec "$ns" sysctl -q -w "$@"
}

# netns_listening NS PORT: a socket in namespace NS listens on TCP PORT (a condition for wait_for).
netns_listening() { ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .; }

# --- the trace image (scripts/docker-trace.sh, scripts/compose.sh) --------------------------------------

# trace_image_tag ROOT BASE: a tag for the trace image: a hash of what goes into it (the Dockerfile, the three
# jars, the trace script and this file) and of the base image's id, so it changes exactly when they do.
trace_image_tag() {
  local root=$1 base=$2 base_id
  base_id=$(docker image inspect -f '{{.Id}}' "$base" 2> /dev/null || echo "$base")
  {
    cat "$root/docker/Dockerfile" "$root/echo-server/target/echo-server.jar" "$root/echo-client/target/echo-client.jar" \
      "$root/state-watcher/target/state-watcher.jar" "$root/scripts/reproduce-trace.sh" "$root/scripts/lib/common.sh" \
      | sha256sum
    echo "$base_id"
  } | sha256sum | cut -c1-12
}

# prune_trace_images REPOSITORY KEEP: removes the repository's other tags (an image a container uses stays).
prune_trace_images() {
  docker image ls --filter "reference=$1" --format '{{.Repository}}:{{.Tag}}' | grep -vxF "$1:$2" \
    | xargs -r docker image rm > /dev/null 2>&1 || true
}

# ensure_lab_image ROOT REPOSITORY: the lab's image (docker/Dockerfile with the three jars, the trace script
# and this file, on the base scripts/base-image.sh picks), built unless one with the same content is here;
# builds the jars first if they are missing. Sets lab_image to its name, REPOSITORY:HASH. Installs
# stop_on_exit, so the build's temporary context goes on any exit.
# shellcheck disable=SC2034  # lab_image is the sourcing script's
ensure_lab_image() {
  local root=$1 repository=$2 base context
  ensure_jars "$root" echo-server echo-client state-watcher

  base=$("$root/scripts/base-image.sh") || exit
  lab_image=$repository:$(trace_image_tag "$root" "$base")
  if docker image inspect "$lab_image" > /dev/null 2>&1; then
    report "$lab_image is current"
    return 0
  fi
  # The same build context the integration tests use: the Dockerfile, the three jars, the trace script and
  # the helpers it sources.
  context=$(mktemp -d)
  at_exit "rm -rf '$context'"
  stop_on_exit
  report "building $lab_image on $base..."
  mkdir "$context/lib"
  cp "$root/docker/Dockerfile" "$root/echo-server/target/echo-server.jar" "$root/echo-client/target/echo-client.jar" \
    "$root/state-watcher/target/state-watcher.jar" "$root/scripts/reproduce-trace.sh" "$context/"
  cp "$root/scripts/lib/common.sh" "$context/lib/"
  if ! docker build -q --build-arg "BASE_IMAGE=$base" --label io.echolab.image=trace -t "$lab_image" "$context" \
    > "$context/build.log" 2>&1; then
    cat "$context/build.log" >&2
    die "docker build failed (output above)"
  fi
  prune_trace_images "$repository" "${lab_image##*:}"
  rm -rf "$context"
}

# --- the programs a script starts -------------------------------------------------------------------------

declare -A started=()   # NAME -> pid of a program this script started and still watches
helpers=()              # pids of helper loops, stopped with the programs

# track NAME PID: watch PID, started by this shell, as NAME (the program's name, for messages).
track() { started[$1]=$2; }

# untrack NAME: stop watching NAME, for a script that stops it or waits for it itself.
untrack() { unset "started[$1]"; }

# program_failed NAME CODE: ends the script with the program's code; its own message is already out.
program_failed() { die "$1 exited with $2" "$2"; }

# check_programs: a tracked program that has exited with a non-zero code ends the script (program_failed).
check_programs() {
  local name pid code
  for name in "${!started[@]}"; do
    pid=${started[$name]}
    kill -0 "$pid" 2> /dev/null && continue
    code=0
    wait "$pid" || code=$?
    unset "started[$name]"
    (( code == 0 )) || program_failed "$name" "$code"
  done
}

# wait_for SECONDS WHAT COMMAND...: runs COMMAND every 50 ms until it succeeds. Meanwhile a tracked program
# that fails ends the script; after SECONDS it gives up (exit 1), naming WHAT.
wait_for() {
  local seconds=$1 what=$2
  local deadline=$((SECONDS + seconds))
  shift 2
  until "$@"; do
    check_programs
    (( SECONDS < deadline )) || die "gave up waiting for $what after $seconds s"
    sleep 0.05
  done
}

# --- cleanup ----------------------------------------------------------------------------------------------

exit_commands=()

# at_exit COMMAND: run COMMAND (a string, evaluated) when the script exits, after the programs are stopped.
at_exit() { exit_commands+=("$1"); }

# stop_started: SIGTERM to every tracked program and helper still running, then wait for them.
stop_started() {
  local pid
  for pid in "${started[@]}" "${helpers[@]}"; do
    kill "$pid" 2> /dev/null || true
  done
  for pid in "${started[@]}" "${helpers[@]}"; do
    wait "$pid" 2> /dev/null || true
  done
  started=()
  helpers=()
}

run_exit_commands() {
  local command
  stop_started
  for command in "${exit_commands[@]}"; do
    eval "$command" || true
  done
}

# stop_on_exit: on any exit (Ctrl-C: 130, SIGTERM: 143) stop what the script started and run at_exit commands.
# A subshell that starts programs calls it again: traps are not inherited.
stop_on_exit() {
  trap run_exit_commands EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
