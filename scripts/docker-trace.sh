#!/usr/bin/env bash
# The article's trace in a container: the watcher, the server and the client share the container's own
# network namespace (no network but loopback), so nothing else on the host shows up in the trace.
#
#   scripts/docker-trace.sh [reproduce-trace.sh's options, e.g. --close-delay 2s]
#
# Checks the options first, builds the jars if missing, then the image (docker/Dockerfile with the three jars
# and the trace script) on the base image scripts/base-image.sh picks: the public eclipse-temurin:17-jre, or,
# with no registry, the local one it builds from Debian's packages (it says so). The image is tagged with a
# hash of what goes into it, so it is built again exactly when the jars, the scripts, the Dockerfile or the
# base image change. Then it runs scripts/reproduce-trace.sh inside, in a container labelled
# io.echolab.scenario=docker-trace and removed when it ends.
#
# Environment: ECHOLAB_SYSCTLS="net.ipv4.tcp_fin_timeout=5 ..." sets the namespace's sysctls;
# ECHOLAB_BASE_IMAGE picks the base image (see scripts/base-image.sh); ECHOLAB_TRACE_IMAGE names the image
# (default echolab-trace).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
root=$(cd "$here/.." && pwd)
repository=${ECHOLAB_TRACE_IMAGE:-echolab-trace}

trace_options "$@"
for sysctl in ${ECHOLAB_SYSCTLS:-}; do
  [[ $sysctl =~ ^[a-z0-9_.]+=[^=]+$ ]] || usage_error "ECHOLAB_SYSCTLS: '$sysctl' is not NAME=VALUE"
done
command -v docker > /dev/null 2>&1 || die "docker is not installed (scripts/ensure-docker.sh installs and starts it)" 69
timeout 10 docker info > /dev/null 2>&1 || die "no Docker engine answers (scripts/ensure-docker.sh starts one)" 69

ensure_lab_image "$root" "$repository"
image=$lab_image

sysctl_args=()
for sysctl in ${ECHOLAB_SYSCTLS:-}; do
  sysctl_args+=(--sysctl "$sysctl")
done
tty_args=()
[[ -t 0 && -t 1 ]] && tty_args=(-it)
trap - EXIT
exec docker run --rm "${tty_args[@]}" --name "${repository##*/}-$$" --label io.echolab.scenario=docker-trace \
  --network none "${sysctl_args[@]}" "$image" /lab/reproduce-trace.sh "$@"
