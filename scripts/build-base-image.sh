#!/usr/bin/env bash
# Usage: scripts/build-base-image.sh [--quiet] [--check] [IMAGE_NAME]     (default IMAGE_NAME: echolab-base:bookworm)
#
# Builds the lab's base image with no image registry at all: mmdebstrap a Debian bookworm minbase with
# openjdk-17-jre-headless, iproute2, iptables, procps and net-tools into a tarball, then `docker import` it.
# The image carries a label with a hash of its recipe (the suite, the packages, the mmdebstrap options and
# the image settings below): an image of that name with the same recipe is reused; one without the label
# or with another recipe is built again. scripts/base-image.sh calls this when the public image cannot be
# pulled.
#
#   --quiet   say nothing when the image is current
#   --check   build nothing: exit 0 when the image is current, 1 when it would be built
#
# Needs: root (mmdebstrap's root mode, apt-get; exit 77 otherwise), a Docker engine that answers (see
# scripts/ensure-docker.sh), and Debian's package mirror, the only network access it makes. The
# mirror is the one this machine's apt already uses (read from `apt-get indextargets`, which covers
# both sources.list and deb822 .sources files); ECHOLAB_DEBIAN_MIRROR=URI overrides it.
# Installs the `mmdebstrap` package if it is missing.
#
# Environment (all optional):
#   ECHOLAB_DEBIAN_MIRROR   Debian mirror URI (e.g. http://deb.debian.org/debian); the security
#                           suite then comes from the host's apt too, if it has one.
#   ECHOLAB_BUILD_DIR       where the temporary tarball goes (default: a mktemp dir under /var/tmp)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
say() { report "$*"; }

quiet=no
check=no
IMAGE=
while (( $# > 0 )); do
  case $1 in
    --quiet) quiet=yes; shift ;;
    --check) check=yes; shift ;;
    -h|--help) show_help; exit 0 ;;
    -*) usage_error "unknown option '$1'" ;;
    *) [[ -z $IMAGE ]] || usage_error "one image name only"; IMAGE=$1; shift ;;
  esac
done
IMAGE=${IMAGE:-echolab-base:bookworm}

# The recipe: everything that decides what the image holds. Its hash labels the image.
SUITE=bookworm
PACKAGES=openjdk-17-jre-headless,iproute2,iptables,procps,net-tools
ARCH=$(dpkg --print-architecture 2> /dev/null || uname -m)
# --variant=minbase: Essential + apt (no init system, no extras); Recommends stay off (mmdebstrap's
#   default). --dpkgopt path-exclude: no man pages, docs (copyright files kept) or translations, as in
#   Debian's slim images; these rules stay in the image, so later apt installs stay small too.
# --hook-dir .../merged-usr: sets up merged /usr itself and installs usr-is-merged, instead of the
#   usrmerge package, which would pull in perl (about 50 MB) for a one-time conversion.
# --essential-hook mkdir man1: with man pages excluded the directory never exists, and the JRE's
#   postinst (update-alternatives --install ... --slave /usr/share/man/man1/java.1.gz) then fails.
# mmdebstrap's default cleanup drops apt's lists and package cache; the customize hook removes the
# remaining logs and debconf backups.
# shellcheck disable=SC2016  # "$1" in the hooks is expanded by mmdebstrap's hook shell (the chroot dir)
MMDEBSTRAP_OPTIONS=(
  --variant=minbase --include="$PACKAGES" --format=tar
  --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-include=/usr/share/locale/locale.alias'
  --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/lintian/*'
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
  --essential-hook='mkdir -p "$1"/usr/share/man/man1'
  --customize-hook='rm -rf "$1"/var/log/apt/* "$1"/var/log/*.log "$1"/var/cache/debconf/*-old'
)
IMPORT_CHANGES=(
  "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  "ENV LANG=C.UTF-8"
  "ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-$ARCH"
  "LABEL org.opencontainers.image.description=\"Debian $SUITE minbase with $PACKAGES, built by echo-lab scripts/build-base-image.sh\""
  'CMD ["/bin/bash"]'
)
RECIPE=$(declare -p SUITE PACKAGES MMDEBSTRAP_OPTIONS IMPORT_CHANGES | sha256sum | cut -c1-16)
RECIPE_LABEL=io.echolab.base-recipe

command -v docker >/dev/null || die "docker CLI not found; run scripts/ensure-docker.sh first" 69
timeout 10 docker info >/dev/null 2>&1 || die "no Docker engine answers; run scripts/ensure-docker.sh first" 69

current=$(docker image inspect -f "{{index .Config.Labels \"$RECIPE_LABEL\"}}" "$IMAGE" 2>/dev/null || true)
if [[ $current == "$RECIPE" ]]; then
  [[ $check == yes || $quiet == yes ]] \
    || say "image $IMAGE is current (recipe $RECIPE, $(( $(docker image inspect -f '{{.Size}}' "$IMAGE") / 1024 / 1024 )) MiB); reusing it"
  exit 0
fi
[[ $check == no ]] || exit 1
if [[ -z $current ]] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  why="$IMAGE has no recipe label"
elif [[ -n $current ]]; then
  why="$IMAGE was built from another recipe ($current)"
else
  why="$IMAGE is missing"
fi

[[ $(id -u) -eq 0 ]] || die "$why, and building it needs root (mmdebstrap): sudo scripts/build-base-image.sh $IMAGE" 77
say "$why: building it (recipe $RECIPE; a few minutes)"

t_start=$SECONDS
export DEBIAN_FRONTEND=noninteractive

# apt's lists are needed both to install mmdebstrap and to read the mirror from `apt-get indextargets`.
if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
  apt-get update -qq || die "apt-get update failed"
fi
if ! command -v mmdebstrap >/dev/null; then
  say "installing mmdebstrap"
  apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null; } \
    || die "apt-get install mmdebstrap failed"
fi

# The Debian mirror(s) this machine's apt uses for bookworm, bookworm-updates and bookworm-security,
# one "deb URI SUITE main" line each, for mmdebstrap (which writes them to the image's sources.list).
mirror_lines() {
  # shellcheck disable=SC2016  # $(...) here are apt's format fields, not shell
  apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(ORIGIN) $(TARGET_OF) $(COMPONENT)' \
    'Identifier: Packages' 2>/dev/null \
    | awk -v s="$SUITE" '$3 == "Debian" && $4 == "deb" && $5 == "main" \
        && ($2 == s || $2 == s "-updates" || $2 == s "-security") { print "deb " $1 " " $2 " main" }' \
    | sort -u
}
mapfile -t SOURCES < <(mirror_lines)
if [[ -n ${ECHOLAB_DEBIAN_MIRROR:-} ]]; then
  mapfile -t SOURCES < <(printf '%s\n' "${SOURCES[@]}" | grep -- '-security main$' || true)
  SOURCES=("deb $ECHOLAB_DEBIAN_MIRROR $SUITE main" "deb $ECHOLAB_DEBIAN_MIRROR $SUITE-updates main" "${SOURCES[@]}")
fi
printf '%s\n' "${SOURCES[@]}" | grep -q " $SUITE main\$" \
  || die "no Debian $SUITE mirror in this machine's apt sources (apt-get indextargets); set ECHOLAB_DEBIAN_MIRROR=URI"

build_dir=${ECHOLAB_BUILD_DIR:-$(mktemp -d /var/tmp/echolab-base.XXXXXX)}
mkdir -p "$build_dir"
tarball=$build_dir/rootfs.tar
cleanup() { rm -f "$tarball" "$build_dir/mmdebstrap.log"; [[ -n ${ECHOLAB_BUILD_DIR:-} ]] || rmdir "$build_dir" 2>/dev/null || true; }
trap cleanup EXIT

say "mmdebstrap $SUITE minbase + $PACKAGES from:"
printf '  %s\n' "${SOURCES[@]}" >&2
t0=$SECONDS
mmdebstrap "${MMDEBSTRAP_OPTIONS[@]}" "$SUITE" "$tarball" - < <(printf '%s\n' "${SOURCES[@]}") >"$build_dir/mmdebstrap.log" 2>&1 \
  || { tail -n 40 "$build_dir/mmdebstrap.log" >&2
       die "mmdebstrap failed: $(grep -E '^(E:|dpkg: error)' "$build_dir/mmdebstrap.log" | head -n 1 | cut -c1-200)"; }
t_build=$((SECONDS - t0))
say "rootfs tarball: $(du -h "$tarball" | cut -f1) in ${t_build} s"

t0=$SECONDS
changes=()
for change in "${IMPORT_CHANGES[@]}" "LABEL $RECIPE_LABEL=$RECIPE"; do
  changes+=(--change "$change")
done
docker import --message "echo-lab base: Debian $SUITE minbase + $PACKAGES (mmdebstrap), recipe $RECIPE" \
  "${changes[@]}" "$tarball" "$IMAGE" >/dev/null \
  || die "docker import failed"
t_import=$((SECONDS - t0))

size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
say "built $IMAGE: $((size / 1024 / 1024)) MiB; mmdebstrap ${t_build} s, docker import ${t_import} s, total $((SECONDS - t_start)) s"
