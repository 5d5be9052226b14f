#!/usr/bin/env bash
# The article's trace in a container: the watcher, the server and the client share the container's own
# network namespace (no network but loopback), so nothing else on the host shows up in the trace.
#
#   scripts/docker-trace.sh [reproduce-trace.sh options, e.g. --close-delay 2s]
#
# Builds the jars if missing, builds the image from docker/Dockerfile on ECHOLAB_BASE_IMAGE (default: the
# public eclipse-temurin:17-jre; with no registry, first run scripts/build-base-image.sh and use
# ECHOLAB_BASE_IMAGE=echolab-base:bookworm), then runs scripts/reproduce-trace.sh inside it.
# Extra sysctls for the namespace: ECHOLAB_SYSCTLS="net.ipv4.tcp_fin_timeout=5 ...".
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
base=${ECHOLAB_BASE_IMAGE:-eclipse-temurin:17-jre}
image=echolab-trace:latest

die() { echo "docker-trace.sh: $1" >&2; exit "${2:-1}"; }
command -v docker >/dev/null 2>&1 || die "docker is not installed (scripts/ensure-docker.sh installs and starts it)" 69
timeout 10 docker info >/dev/null 2>&1 || die "no Docker engine answers (scripts/ensure-docker.sh starts one)" 69

jars=("$root/echo-server/target/echo-server.jar" "$root/echo-client/target/echo-client.jar"
      "$root/state-watcher/target/state-watcher.jar")
for jar in "${jars[@]}"; do
  if [[ ! -f $jar ]]; then
    echo "building the jars (first run only)..." >&2
    (cd "$root" && ./mvnw -B -q -DskipTests package) || die "the build failed"
    break
  fi
done

# The same build context the integration tests use: the Dockerfile, the three jars, the trace script and
# the helpers it sources.
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
mkdir "$context/lib"
cp "$root/docker/Dockerfile" "${jars[@]}" "$root/scripts/reproduce-trace.sh" "$context/"
cp "$root/scripts/lib/common.sh" "$context/lib/"
echo "building $image on $base..." >&2
if ! docker build -q --build-arg "BASE_IMAGE=$base" -t "$image" "$context" > "$context/build.log" 2>&1; then
  cat "$context/build.log" >&2
  die "docker build failed (output above)"
fi

sysctl_args=()
for sysctl in ${ECHOLAB_SYSCTLS:-}; do
  sysctl_args+=(--sysctl "$sysctl")
done
tty_args=()
[[ -t 0 && -t 1 ]] && tty_args=(-it)
exec docker run --rm "${tty_args[@]}" --network none "${sysctl_args[@]}" "$image" /lab/reproduce-trace.sh "$@"
