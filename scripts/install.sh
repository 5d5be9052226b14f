#!/usr/bin/env bash
# Installs echo-server, echo-client and state-watcher as commands: the distribution that `./mvnw -B package`
# leaves in distribution/target (built first when it is missing), copied into a prefix.
#
#   scripts/install.sh [--prefix DIR]              install (default prefix: ~/.local)
#   scripts/install.sh [--prefix DIR] --uninstall  remove what an earlier install put there
#
#   PREFIX/bin/                                 the three launchers
#   PREFIX/lib/echo-lab/                        the runnable jars, and the class-data-sharing archives the
#                                               launchers start from, made again here for this JDK
#   PREFIX/share/bash-completion/completions/   bash completion (loaded by bash-completion on first use)
#   PREFIX/share/man/man1/                      man pages (man finds them through PREFIX/bin on the PATH)
#
# Running it again updates what changed and says so; nothing else is touched. It says whether PREFIX/bin is
# on the PATH, and how to put it there. Files it installed are listed in PREFIX/lib/echo-lab/installed, which
# --uninstall reads.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
root=$(cd "$here/.." && pwd)

prefix=$HOME/.local
action=install
while (( $# > 0 )); do
  case $1 in
    --prefix) need_value "$@"; [[ -n $2 ]] || usage_error "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --uninstall) action=uninstall; shift ;;
    -h|--help) show_help; exit 0 ;;
    *) usage_error "unknown option '$1'" ;;
  esac
done
[[ $prefix == /* ]] || prefix=$PWD/$prefix
prefix=${prefix%/}
lib=$prefix/lib/echo-lab
manifest=$lib/installed
shown=${prefix/#$HOME/\~}

if [[ $action == uninstall ]]; then
  [[ -f $manifest ]] || die "nothing to uninstall: $manifest is missing (no echo-lab installed in $shown?)" 66
  count=0
  while IFS= read -r file; do
    if [[ -e $prefix/$file ]]; then
      rm -f "$prefix/$file"
      count=$((count + 1))
    fi
  done < "$manifest"
  rm -rf "$lib/cds"
  rm -f "$manifest"
  rmdir "$lib" 2> /dev/null || true
  echo "install.sh: removed echo-lab from $shown: $count files (the launchers, jars, completions and man pages)"
  exit 0
fi

command -v java > /dev/null || [[ -x ${JAVA_HOME:-/nonexistent}/bin/java ]] \
  || die "needs Java 17 or later to run the programs: no java on the PATH and no JAVA_HOME" 69

if ! mkdir -p "$prefix" 2> /dev/null || [[ ! -w $prefix ]]; then
  die "cannot write to $prefix (choose another with --prefix, or use sudo)" 73
fi

# The distribution, laid out as a prefix: bin/, lib/echo-lab/, share/. Built when it is missing, or when a
# program's jar differs from its copy there (a module was built on its own since).
distribution() { find "$root/distribution/target" -maxdepth 1 -type d -name 'echo-lab-*' 2> /dev/null | head -n 1; }
dist=$(distribution)
stale=no
for program in echo-server echo-client state-watcher; do
  if [[ -n $dist && -f $root/$program/target/$program.jar ]] \
    && ! cmp -s "$root/$program/target/$program.jar" "$dist/lib/echo-lab/$program.jar"; then
    stale=yes
  fi
done
if [[ -z $dist || $stale == yes ]]; then
  echo "install.sh: building the distribution: ./mvnw -B -q -DskipTests package (a few minutes the first time)" >&2
  (cd "$root" && ./mvnw -B -q -DskipTests package) || die "the build failed"
  dist=$(distribution)
  [[ -n $dist ]] || die "the build left no distribution in distribution/target"
fi
version=${dist##*/echo-lab-}

# Copy each file whose content differs; list every file for --uninstall.
changed=()
jars_changed=no
files=()
while IFS= read -r file; do
  files+=("$file")
  if ! cmp -s "$dist/$file" "$prefix/$file"; then
    mode=0644
    [[ -x $dist/$file ]] && mode=0755
    install -D -m "$mode" "$dist/$file" "$prefix/$file" || die "cannot write $prefix/$file" 73
    changed+=("$file")
    [[ $file == *.jar ]] && jars_changed=yes
  fi
done < <(cd "$dist" && find bin lib share -type f ! -path 'lib/echo-lab/cds/*' | sort)
printf '%s\n' "${files[@]}" > "$manifest"

# The class-data-sharing archives belong to the jars where they are and to the JDK: make them again when the
# jars changed, or when they were made with another java (cds/java names the binary it was made with).
java_now=$(command -v "${JAVA_HOME:+$JAVA_HOME/bin/}java")
made_with=$(cat "$lib/cds/java" 2> /dev/null || true)
if [[ $jars_changed == yes || ! $java_now -ef $made_with ]] || ! compgen -G "$lib/cds/*.jsa" > /dev/null; then
  cds=$("$lib/make-cds-archives" 2>&1) || die "the programs are installed, but making their CDS archives failed (they start without): ${cds##*$'\n'}" 1
  cds="made their class-data-sharing archives for $("$java_now" -version 2>&1 | head -n 1 | cut -d'"' -f2)"
else
  cds="their class-data-sharing archives are current"
fi

if (( ${#changed[@]} == 0 )); then
  echo "install.sh: echo-lab $version in $shown is up to date; $cds"
else
  echo "install.sh: installed echo-lab $version in $shown (${#changed[@]} of ${#files[@]} files new or changed); $cds:"
  echo "  $shown/bin: echo-server, echo-client, state-watcher"
  echo "  $shown/share/bash-completion/completions: their bash completion"
  echo "  $shown/share/man/man1: their man pages (man echo-server)"
  echo "  $shown/lib/echo-lab: the jars; scripts/install.sh --uninstall removes it all"
fi

case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *)
    if [[ $prefix == "$HOME/.local" ]]; then
      echo "install.sh: $shown/bin is not on your PATH; for this shell: export PATH=\"\$HOME/.local/bin:\$PATH\"" \
        "(Debian's ~/.profile adds it at your next login)"
    else
      echo "install.sh: $prefix/bin is not on your PATH; add it: export PATH=\"$prefix/bin:\$PATH\""
    fi
    ;;
esac
if [[ ! -f /usr/share/bash-completion/bash_completion ]]; then
  echo "install.sh: bash-completion is not installed, so the completions load only when sourced:" \
    "source $shown/share/bash-completion/completions/echo-client"
fi
