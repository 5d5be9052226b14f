#!/usr/bin/env bash
# Usage: scripts/ensure-docker.sh
#
# Makes sure a Docker engine answers on the default socket (/var/run/docker.sock). Idempotent:
#   - `docker info` already answers  -> nothing to do, exit 0.
#   - dockerd missing                -> apt-get update + install Debian's docker.io (needs root).
#   - systemd runs the machine       -> `systemctl start docker` (Debian's package has usually started it
#                                       already), then wait until `docker info` answers; never a dockerd
#                                       of its own beside systemd's.
#   - a dockerd is starting          -> wait for it (its pid file, or a dockerd process), no second one.
#   - no dockerd running             -> start it in the background (own session, so it outlives
#                                       this script), then wait until `docker info` answers.
# On failure it prints the tail of the daemon's log and exits 1 with a one-line reason.
#
# Environment (all optional):
#   ECHOLAB_DOCKERD_LOG      daemon log file        (default /var/log/echolab-dockerd.log)
#   ECHOLAB_DOCKERD_PIDFILE  daemon pid file        (default /var/run/docker.pid, dockerd's own default)
#   ECHOLAB_DOCKERD_TIMEOUT  seconds to wait for it (default 60)
#
# Written for Debian bookworm, with systemd or without it. Without it (PID 1 is not an init system,
# /usr/sbin/policy-rc.d forbids starting services from package scripts), on VMs with cgroups in hybrid
# mode (v1 controllers under a tmpfs /sys/fs/cgroup plus cgroup2 at /sys/fs/cgroup/unified), an ext4
# root and a kernel with both iptables-legacy and nf_tables built in (no loadable modules), dockerd 20.10
# starts with its defaults: no daemon.json, no extra flag is needed. Network access: Debian's mirror only.
set -euo pipefail

LOG=${ECHOLAB_DOCKERD_LOG:-/var/log/echolab-dockerd.log}
PIDFILE=${ECHOLAB_DOCKERD_PIDFILE:-/var/run/docker.pid}
TIMEOUT=${ECHOLAB_DOCKERD_TIMEOUT:-60}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
say() { report "$*"; }

case ${1-} in
  -h|--help) show_help; exit 0 ;;
  "") ;;
  *) usage_error "takes no arguments" ;;
esac

# `docker info` can hang on a half-started daemon: bound every probe.
engine_answers() { timeout 10 docker info >/dev/null 2>&1; }
engine_summary() {
  docker version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null || echo '?'
}

if command -v docker >/dev/null && engine_answers; then
  say "Docker engine answers ($(engine_summary)); nothing to do"
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "no Docker engine answers and this is not root: cannot install or start dockerd"

t0=$SECONDS

# 1. Install. Debian's docker.io brings dockerd, the docker CLI (/usr/bin/docker; a newer CLI earlier
#    on PATH, e.g. /usr/local/bin/docker, keeps working: it negotiates the API version down), containerd,
#    runc, tini (docker-init) and iptables as dependencies. --no-install-recommends skips apparmor,
#    cgroupfs-mount, git, needrestart, xz-utils: none is needed here (no AppArmor in this kernel,
#    cgroups are already mounted). Under systemd the package's postinst starts docker.service (unless
#    /usr/sbin/policy-rc.d forbids it); without systemd it starts nothing.
if ! command -v dockerd >/dev/null; then
  say "dockerd missing: installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends docker.io iptables >/dev/null \
    || die "apt-get install docker.io failed"
  say "installed $(dpkg-query -W -f='docker.io ${Version}' docker.io) in $((SECONDS - t0)) s"
fi
command -v docker >/dev/null || die "docker CLI not found after installing docker.io"

# 2. Preconditions dockerd cannot fix itself.
#    cgroups: runc needs either cgroup v2 at /sys/fs/cgroup or the v1 controllers below it. This VM
#    boots with v1 controllers mounted (hybrid mode); runc 1.1 and dockerd 20.10 use them with the
#    cgroupfs driver (the default when systemd is not PID 1). Nothing to change; just check.
if [[ ! -e /sys/fs/cgroup/cgroup.controllers && ! -d /sys/fs/cgroup/memory && ! -d /sys/fs/cgroup/cpu ]]; then
  die "no cgroup hierarchy under /sys/fs/cgroup (neither cgroup2 nor v1 controllers): cannot run containers"
fi

# 3. Under systemd, the docker service is systemd's to start: Debian's postinst has usually started it
#    already, and a dockerd of our own beside it would fight it for the socket and the pid file.
if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
  say "systemd runs this machine: starting docker.service and waiting for it"
  systemctl start docker.service || die "systemctl start docker.service failed (journalctl -u docker.service says why)"
  deadline=$((SECONDS + TIMEOUT))
  until engine_answers; do
    (( SECONDS < deadline )) || die "docker.service did not answer within ${TIMEOUT} s (journalctl -u docker.service)"
    sleep 0.5
  done
  say "Docker engine answers ($(engine_summary)) after $((SECONDS - t0)) s"
  exit 0
fi

# 4. Without systemd: start dockerd unless one is already starting (a live dockerd in the pid file, or
#    any dockerd process: one a package script or another shell just started, whose socket is not there yet).
# alive PID: the process exists and is not a zombie (a child that exited but was not reaped yet).
alive() { [[ $(ps -o stat= -p "$1" 2>/dev/null) =~ ^[^Z] ]]; }
pid=""
if [[ -s $PIDFILE ]]; then
  pid=$(<"$PIDFILE")
  if ! [[ $pid =~ ^[0-9]+$ ]] || ! alive "$pid" || [[ $(ps -o comm= -p "$pid") != dockerd ]]; then
    pid=""
  fi
fi
if [[ -z $pid ]]; then
  pid=$(ps -C dockerd -o pid= 2>/dev/null | head -n 1 | tr -d ' ' || true)
fi
if [[ -n $pid ]]; then
  say "dockerd already running (pid $pid); waiting for it to answer"
else
  mkdir -p "$(dirname "$LOG")"
  say "starting dockerd (log: $LOG)"
  # Flags: all defaults, which work on this VM, except an explicit --pidfile so this script (and a
  # person) can find and stop it:
  #   storage driver  overlay2 (the default): the root fs is ext4 and overlayfs is built in.
  #   cgroup driver   cgroupfs (the default when systemd is not PID 1), on the v1 controllers.
  #   iptables        Debian's default alternative, iptables-nft, works with this kernel (nf_tables and
  #                   the xt compat matches are built in); dockerd creates its chains there, so bridge
  #                   and --internal networks work. No need to switch to iptables-legacy.
  #   containerd      dockerd starts its own (/var/run/docker/containerd); no separate service.
  # setsid: own session and process group, so the daemon is not killed with the caller's job; as this
  # script is not a process group leader, setsid execs dockerd directly and $! is dockerd's pid.
  # stdin from /dev/null, output to the log: the caller's pipes are not held open.
  setsid dockerd --pidfile "$PIDFILE" </dev/null >>"$LOG" 2>&1 &
  pid=$!
fi

# 5. Wait until it answers, or give up with the log tail.
deadline=$((SECONDS + TIMEOUT))
until engine_answers; do
  if ! alive "$pid" || (( SECONDS >= deadline )); then
    echo "---- last lines of $LOG ----" >&2
    tail -n 30 "$LOG" >&2 || true
    echo "----" >&2
    reason=$(grep -E 'level=(fatal|error)|failed to start daemon' "$LOG" | tail -n 1 | cut -c1-300 || true)
    alive "$pid" || die "dockerd (pid $pid) exited before answering${reason:+: $reason}"
    die "dockerd (pid $pid) did not answer within ${TIMEOUT} s${reason:+ (last error: $reason)}"
  fi
  sleep 0.5
done

say "Docker engine answers ($(engine_summary), storage $(docker info --format '{{.Driver}}' 2>/dev/null || echo '?'), cgroup $(docker info --format '{{.CgroupDriver}} v{{.CgroupVersion}}' 2>/dev/null || echo '?')) after $((SECONDS - t0)) s"
