#!/usr/bin/env bash
# Prints the base image to build the lab's image on (docker/Dockerfile's BASE_IMAGE), for every Docker path:
# the integration tests' image (LabImage), scripts/docker-trace.sh and scripts/compose.sh.
#
#   scripts/base-image.sh        prints one image name on standard output; what it did on standard error
#
# - ECHOLAB_BASE_IMAGE names another image: that one, as it is (Docker pulls it if it must).
# - Otherwise the public eclipse-temurin:17-jre, when it is here or can be pulled.
# - When it cannot (no image registry answers), the local image that scripts/build-base-image.sh makes from
#   Debian's packages (echolab-base:bookworm; ECHOLAB_LOCAL_BASE_IMAGE names another), built or rebuilt when
#   it is missing or its recipe changed, and one line saying so.
# Exit codes: 0 printed; 69 no Docker engine answers, or no base image can be had; 77 the local image
# must be built and this is not root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

public=eclipse-temurin:17-jre
local_image=${ECHOLAB_LOCAL_BASE_IMAGE:-echolab-base:bookworm}
chosen=${ECHOLAB_BASE_IMAGE:-$public}

case ${1-} in
  -h|--help) show_help; exit 0 ;;
  "") ;;
  *) usage_error "takes no arguments" ;;
esac
command -v docker > /dev/null || die "docker is not installed (scripts/ensure-docker.sh installs and starts it)" 69
timeout 10 docker info > /dev/null 2>&1 || die "no Docker engine answers (scripts/ensure-docker.sh starts one)" 69

if [[ $chosen == "$local_image" ]]; then
  "$here/build-base-image.sh" --quiet "$local_image" >&2 || exit
  echo "$local_image"
  exit 0
fi
if [[ $chosen != "$public" ]]; then
  echo "$chosen"
  exit 0
fi

# The public image: here already, or pulled now. A registry that does not answer fails the pull in moments
# (no DNS) or within Docker's own timeouts; the pull is bounded anyway.
if docker image inspect "$public" > /dev/null 2>&1; then
  echo "$public"
  exit 0
fi
if pulled=$(timeout 600 docker pull -q "$public" 2>&1); then
  echo "$public"
  exit 0
fi
reason=$(tail -n 1 <<< "$pulled" | sed -E 's/^Error response from daemon: //' | cut -c1-120)
report "$public cannot be pulled ($reason); using $local_image, built from Debian's packages by scripts/build-base-image.sh"
"$here/build-base-image.sh" --quiet "$local_image" >&2 || exit
echo "$local_image"
