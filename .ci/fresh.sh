#!/usr/bin/env bash
# The newcomer's check: on a fresh, minimal Debian 12 root (mmdebstrap --variant=minbase
# bookworm), from a clean copy of the repository, run README.md's quick start and then
# README.md's test command, exactly as written there (both are read from README.md's code
# blocks, so this check cannot drift from the README). It catches what a developer's machine
# hides: a package that install-deps.sh forgets, a test that needs an optional tool and does
# not skip without it, a file that is not committed.
#
# Usage (as root; Debian 12 host with network to Debian's mirrors):
#   bash .ci/fresh.sh [--worktree] [--root-tar FILE] [--debs DEBS] [DIR]
#     DIR         where to make the root: a folder that does not exist or is empty
#                 (default: a new mktemp -d /tmp/clnum-fresh.XXXXXX)
#     --worktree  copy the working tree (tracked and untracked files that git does not
#                 ignore, as they are now) instead of HEAD; also FRESH_WORKTREE=1
#     --root-tar FILE  the minimal root as a tarball, so that a second check needs no second
#                 mmdebstrap: when FILE exists the root is unpacked from it, else it is made
#                 and saved there before anything is added to it; also FRESH_ROOT_TAR=FILE
#     --debs DEBS instead of README's commands, the Debian packages' check: the .deb files of
#                 the folder DEBS are copied to /root/debs and `.ci/deb_check.sh --in-root
#                 /root/debs` runs there (.ci/deb_check.sh makes the packages and calls this)
#   KEEP=1        keep the root afterwards (chroot DIR /bin/bash; the checkout is in
#                 /root/clnum); by default it is removed, after everything is unmounted
#
# What it does: installs mmdebstrap if missing (apt-get), builds the root, copies the host's
# /etc/resolv.conf into it (apt needs it), copies `git archive HEAD` (or the working tree)
# to /root/clnum, bind-mounts /proc, /sys, /dev and /dev/pts (and a tmpfs on /dev/shm), and
# runs the two commands in a chroot with a clean environment (HOME, PATH, CI, proxies,
# POCL_MAX_PTHREAD_COUNT=2 POCL_CPU_MAX_CU_COUNT=2). A trap always unmounts them, in reverse
# order, and checks with findmnt that nothing is mounted under the root before removing it.
# Optional tools are absent there (doxygen, rsvg-convert, python3-statsmodels): their tests
# must skip, the rest must pass.
#
# Time: 3.5 to 4.5 minutes on 2 cores with a fast mirror (measured: the root 20-50 s, the
# quick start 50-65 s with install-deps.sh's ~170 MB of packages, the test suite 2-2.7 min,
# PoCL's kernel cache empty); about 1.3 GB of disk under /tmp while it runs.
set -euo pipefail

worktree=${FRESH_WORKTREE:-0}
root_tar=${FRESH_ROOT_TAR:-}
debs=""
dir=""
while [ $# -gt 0 ]; do
  case $1 in
    --worktree) worktree=1 ;;
    --root-tar|--debs)
      [ $# -ge 2 ] || { echo "fresh.sh: $1 needs a value (see --help)" >&2; exit 2; }
      if [ "$1" = --debs ]; then debs=$2; else root_tar=$2; fi
      shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    -*) echo "fresh.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) [ -z "$dir" ] || { echo "fresh.sh: one DIR at most" >&2; exit 2; }; dir=$1 ;;
  esac
  shift
done
case $root_tar in ''|/*) ;; *) root_tar=$PWD/$root_tar ;; esac

say() { printf '\n==== fresh.sh [%3ds]: %s\n' "$SECONDS" "$*"; }
die() { printf 'fresh.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap, mount, chroot)"
repo=$(cd "$(dirname "$0")/.." && pwd -P)
git=(git -c "safe.directory=$repo" -C "$repo")

# ---- README.md's two commands ---------------------------------------------------------------
# The first ```sh block after the first line matching $1: its lines, joined.
readme_block() {
  awk -v pat="$1" '
    !seen && index($0, pat) { seen = 1; next }
    seen == 1 && /^#/ { exit 1 }              # the next heading: no block in this section
    seen == 1 && /^```sh[ \t]*$/ { seen = 2; next }
    seen == 2 && /^```/ { found = 1; exit }
    seen == 2 { print }
    END { if (!found) exit 1 }' "$repo/README.md"
}
if [ -n "$debs" ]; then
  [ -d "$debs" ] || die "--debs: no folder $debs"
  debs=$(cd "$debs" && pwd -P)
  ls "$debs"/*.deb >/dev/null 2>&1 || die "--debs: no .deb file in $debs"
else
  quick_start=$(readme_block "## Quick start") || true
  test_command=$(readme_block "The whole test suite") || true
  [ -n "$quick_start" ] ||
    die "README.md: no \`\`\`sh block after '## Quick start' (this check runs README's commands)"
  [ -n "$test_command" ] ||
    die "README.md: no \`\`\`sh block after 'The whole test suite' (this check runs README's commands)"
  say "README.md's quick start: $quick_start"
  say "README.md's test command: $test_command"
fi

# ---- the root's folder ----------------------------------------------------------------------
if [ -n "$dir" ]; then
  mkdir -p "$dir"
  [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
  root=$(cd "$dir" && pwd -P)
  [ "$root" != / ] || die "DIR cannot be /"
else
  root=$(mktemp -d /tmp/clnum-fresh.XXXXXX)
fi
chmod 755 "$root"

mounted=()  # mount points, in the order mounted

# Everything that is mounted at or under the root (findmnt -r escapes blanks; ours have none).
mounts_under_root() {
  findmnt -rn -o TARGET | awk -v r="$root" '$0 == r || index($0, r "/") == 1'
}

# Processes whose root is the chroot (a test left running): ours, ended by their ids.
end_processes_inside() {
  local sig pids p
  for sig in TERM KILL; do
    pids=()
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && pids+=("${p#/proc/}")
    done
    [ ${#pids[@]} -gt 0 ] || return 0
    echo "fresh.sh: ending processes still inside the root ($sig): ${pids[*]}" >&2
    kill -"$sig" "${pids[@]}" 2>/dev/null || true
    sleep 2
  done
}

cleanup() {
  local rc=$? i m left
  trap - EXIT INT TERM
  set +e
  end_processes_inside
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    m=${mounted[i]}
    if mountpoint -q "$m"; then
      umount "$m" || umount -R "$m"
    fi
  done
  left=$(mounts_under_root)
  if [ -n "$left" ]; then
    # umount -R of whatever is left under the root (mmdebstrap's own, if it was interrupted).
    for m in $(printf '%s\n' "$left" | sort -r); do umount -R "$m" 2>/dev/null; done
    left=$(mounts_under_root)
  fi
  if [ -n "$left" ]; then
    printf 'fresh.sh: still mounted under %s, so NOT removing it; unmount by hand:\n%s\n' \
      "$root" "$left" >&2
    [ "$rc" != 0 ] || rc=1
  elif [ "${KEEP:-0}" = 1 ]; then
    echo "fresh.sh: kept the root in $root (KEEP=1)"
  else
    rm -rf --one-file-system "$root"
  fi
  say "done, status $rc"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- mmdebstrap -----------------------------------------------------------------------------
if ! command -v mmdebstrap >/dev/null; then
  say "installing mmdebstrap"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mmdebstrap
fi
if [ -n "$root_tar" ] && [ -f "$root_tar" ]; then
  say "unpacking the minimal Debian 12 root of $root_tar into $root"
  tar -C "$root" --numeric-owner -xpf "$root_tar"
else
  say "making a minimal Debian 12 root in $root (mmdebstrap --variant=minbase bookworm)"
  mmdebstrap --mode=root --variant=minbase bookworm "$root" </dev/null
  if [ -n "$root_tar" ]; then  # as mmdebstrap left it, for the next check
    say "saving it as $root_tar"
    tar -C "$root" --numeric-owner -cf "$root_tar.part" . && mv "$root_tar.part" "$root_tar" ||
      { rm -f "$root_tar.part"; die "cannot save the root as $root_tar"; }
  fi
fi

# apt inside needs name resolution: the host's resolver (a symlink there would point outside).
rm -f "$root/etc/resolv.conf"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"

# ---- a clean copy of the repository ---------------------------------------------------------
src=$root/root/clnum
mkdir -p "$src"
if [ "$worktree" = 1 ]; then
  say "copying the working tree (tracked + untracked, not ignored) of $repo to /root/clnum"
  "${git[@]}" ls-files -z -co --exclude-standard |
    while IFS= read -r -d '' f; do  # a tracked file deleted in the tree is left out
      if [ -e "$repo/$f" ] || [ -L "$repo/$f" ]; then printf '%s\0' "$f"; fi
    done |
    tar -C "$repo" --null -T - -cf - | tar -C "$src" --no-same-owner -xf -
else
  say "copying HEAD ($("${git[@]}" rev-parse --short HEAD)) of $repo to /root/clnum"
  "${git[@]}" archive --format=tar HEAD | tar -C "$src" --no-same-owner -xf -
fi

# ---- the mounts -----------------------------------------------------------------------------
bind() {  # bind SOURCE TARGET, private, so that nothing propagates to the host
  mount --bind "$1" "$2"
  mounted+=("$2")
  mount --make-private "$2"
}
bind /proc "$root/proc"
bind /sys "$root/sys"
bind /dev "$root/dev"
bind /dev/pts "$root/dev/pts"
# /dev's bind is not recursive: a tmpfs of the root's own for POSIX shared memory.
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
mounted+=("$root/dev/shm")

# ---- README's commands, as a newcomer runs them -----------------------------------------------
inside() {  # inside TITLE COMMAND: runs COMMAND with bash in /root/clnum, with a clean environment
  local env=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
             TERM=dumb CI="${CI:-true}" POCL_MAX_PTHREAD_COUNT=2 POCL_CPU_MAX_CU_COUNT=2)
  local v start=$SECONDS
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    [ -z "${!v:-}" ] || env+=("$v=${!v}")
  done
  say "$1: $2"
  chroot "$root" /usr/bin/env -i "${env[@]}" /bin/bash -ec "cd /root/clnum && $2" </dev/null &
  wait $! || die "$1 failed in the fresh root (status $?): $2"
  say "$1 passed in $((SECONDS - start)) s"
}
if [ -n "$debs" ]; then
  mkdir -p "$root/root/debs"
  cp "$debs"/*.deb "$root/root/debs/"
  inside "the Debian packages' check" "bash .ci/deb_check.sh --in-root /root/debs"
  say "the Debian packages install and work on a fresh Debian 12 root"
  exit 0
fi
inside "the quick start" "$quick_start"
inside "the test command" "$test_command"
say "README.md's quick start and test command pass on a fresh Debian 12 root"
