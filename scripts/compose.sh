#!/usr/bin/env bash
# Compose for compose.yaml, whichever Compose is here: `docker compose` (Docker's plugin) or `docker-compose`
# (Debian's docker-compose package: apt-get install docker-compose).
#
#   scripts/compose.sh run --rm trace       the article's trace in a container (compose.yaml: --close-delay 10s)
#   scripts/compose.sh ARGS...              anything else, passed to Compose
#
# Before Compose starts it sets what compose.yaml reads: ECHOLAB_BASE_IMAGE, the base image
# scripts/base-image.sh picks (the public eclipse-temurin:17-jre, or with no registry the local one it builds,
# saying so), and ECHOLAB_TRACE_TAG, a hash of the jars, the trace scripts, the Dockerfile and the base image,
# so that Compose builds the image again exactly when one of them changes (ECHOLAB_TRACE_IMAGE names it:
# default echolab-trace; its older tags are removed). Builds the jars first when they are missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
root=$(cd "$here/.." && pwd)

case ${1-} in
  -h|--help) show_help; exit 0 ;;
  "") usage_error "which Compose command? (e.g. run --rm trace)" ;;
esac
command -v docker > /dev/null 2>&1 || die "docker is not installed (scripts/ensure-docker.sh installs and starts it)" 69
if docker compose version > /dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose > /dev/null 2>&1; then
  compose=(docker-compose)
else
  die "no Compose here: neither docker compose (Docker's compose plugin) nor docker-compose (on Debian: apt-get install docker-compose)" 69
fi

ensure_jars "$root" echo-server echo-client state-watcher

ECHOLAB_BASE_IMAGE=$("$here/base-image.sh") || exit
ECHOLAB_TRACE_TAG=$(trace_image_tag "$root" "$ECHOLAB_BASE_IMAGE")
export ECHOLAB_BASE_IMAGE ECHOLAB_TRACE_TAG
prune_trace_images "${ECHOLAB_TRACE_IMAGE:-echolab-trace}" "$ECHOLAB_TRACE_TAG"
cd "$root"
exec "${compose[@]}" "$@"
