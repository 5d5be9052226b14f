#!/usr/bin/env bash
# Usage: scripts/build-base-image.sh [IMAGE_NAME]        (default IMAGE_NAME: echolab-base:bookworm)
#
# Builds the integration tests' base image with no image registry at all: mmdebstrap a Debian
# bookworm minbase with openjdk-17-jre-headless, iproute2, iptables, procps and net-tools into a
# tarball, then `docker import` it. If IMAGE_NAME already exists locally it is reused (exit 0).
#
# Needs: root (mmdebstrap's root mode, apt-get), a Docker engine that answers (see
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

IMAGE=${1:-echolab-base:bookworm}
SUITE=bookworm
PACKAGES=openjdk-17-jre-headless,iproute2,iptables,procps,net-tools

say() { echo "build-base-image: $*" >&2; }
die() { echo "build-base-image: ERROR: $*" >&2; exit 1; }

[[ $# -le 1 ]] || die "usage: $0 [IMAGE_NAME]"
[[ $IMAGE != -* ]] || die "usage: $0 [IMAGE_NAME]  (no options; got '$IMAGE')"

command -v docker >/dev/null || die "docker CLI not found; run scripts/ensure-docker.sh first"
timeout 10 docker info >/dev/null 2>&1 || die "no Docker engine answers; run scripts/ensure-docker.sh first"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  say "image $IMAGE exists ($(( $(docker image inspect -f '{{.Size}}' "$IMAGE") / 1024 / 1024 )) MiB); reusing it"
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "must run as root (mmdebstrap root mode, apt-get)"

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
mmdebstrap --variant=minbase --include="$PACKAGES" --format=tar \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/lintian/*' \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --essential-hook='mkdir -p "$1"/usr/share/man/man1' \
  --customize-hook='rm -rf "$1"/var/log/apt/* "$1"/var/log/*.log "$1"/var/cache/debconf/*-old' \
  "$SUITE" "$tarball" - < <(printf '%s\n' "${SOURCES[@]}") >"$build_dir/mmdebstrap.log" 2>&1 \
  || { tail -n 40 "$build_dir/mmdebstrap.log" >&2
       die "mmdebstrap failed: $(grep -E '^(E:|dpkg: error)' "$build_dir/mmdebstrap.log" | head -n 1 | cut -c1-200)"; }
t_build=$((SECONDS - t0))
say "rootfs tarball: $(du -h "$tarball" | cut -f1) in ${t_build} s"

arch=$(dpkg --print-architecture)
t0=$SECONDS
docker import \
  --message "echo-lab base: Debian $SUITE minbase + $PACKAGES (mmdebstrap)" \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV LANG=C.UTF-8" \
  --change "ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-$arch" \
  --change "LABEL org.opencontainers.image.description=\"Debian $SUITE minbase with $PACKAGES, built by echo-lab scripts/build-base-image.sh\"" \
  --change 'CMD ["/bin/bash"]' \
  "$tarball" "$IMAGE" >/dev/null \
  || die "docker import failed"
t_import=$((SECONDS - t0))

size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
say "built $IMAGE: $((size / 1024 / 1024)) MiB; mmdebstrap ${t_build} s, docker import ${t_import} s, total $((SECONDS - t_start)) s"
