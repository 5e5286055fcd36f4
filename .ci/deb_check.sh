#!/usr/bin/env bash
# The Debian packages' check: makes libclnum0, libclnum-dev and clnum-tools with
# `cpack -G DEB`, checks what each holds and depends on, then installs them with apt-get in a
# fresh, minimal Debian 12 root (.ci/fresh.sh --debs), where nothing else of clnum's is, and
# there builds examples/ against them (find_package and pkg-config, as a user would, with
# nothing but the packages' own dependencies and a compiler, CMake, make and pkg-config) and
# runs the programs and the examples on PoCL. Then the packages are removed again.
#
# Usage (as root; Debian 12 host with network to Debian's mirrors):
#   bash .ci/deb_check.sh [--root-tar FILE] [BUILD_DIR]
#     BUILD_DIR   the packages' build folder (default build-deb), configured here with
#                 -DCMAKE_INSTALL_PREFIX=/usr (the multiarch library folder, no RPATH),
#                 the API reference and man pages required, no tests or bench
#     --root-tar FILE  unpack the minimal root from FILE (or save it there), as fresh.sh does
#                 (.ci/run passes the one fresh.sh saved, so no second mmdebstrap)
#   FRESH_WORKTREE=1, KEEP=1: as for fresh.sh (the root gets HEAD's .ci/deb_check.sh, or the
#                 working tree's with FRESH_WORKTREE=1)
#   bash .ci/deb_check.sh --in-root DEBS   what fresh.sh runs inside the root
# The .deb files are left in BUILD_DIR/packages.
#
# Time on 2 cores: about 3.5 min (measured: the build 50 s from nothing; the root unpacked from
# the tarball 3 s, apt-get's 165 MB 30 s, the programs and PoCL's first kernel build 55 s,
# examples/ 30 s, removing the root 25 s; mmdebstrap adds 40 s without a tarball).
set -euo pipefail

say() { printf '\n==== deb_check.sh [%3ds]: %s\n' "$SECONDS" "$*"; }
die() { printf 'deb_check.sh: %s\n' "$*" >&2; exit 1; }

# ---- inside the fresh root --------------------------------------------------------------------
in_root() {
  local debs=$1 w work
  export DEBIAN_FRONTEND=noninteractive
  say "apt-get install the packages alone (their Depends, no Recommends)"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "$debs"/*.deb
  for p in libclnum0 libclnum-dev clnum-tools; do
    dpkg-query -W -f='${Status}\n' "$p" | grep -q "ok installed" || die "$p is not installed"
  done
  ldconfig -p | grep -q 'libclnum\.so\.0 ' || die "ldconfig does not know libclnum.so.0"
  [ -f /usr/share/doc/libclnum-dev/html/index.html ] || die "no API reference (HTML)"
  for p in clnum-linreg clnum-softmax; do
    zcat "/usr/share/man/man1/$p.1.gz" | grep -q '^\.TH' || die "no man page for $p"
  done

  say "the programs, on PoCL"
  clnum-linreg --help > /dev/null
  clnum-linreg --list-devices
  clnum-linreg --quiet --epochs 10
  clnum-softmax --quiet --epochs 2 > /dev/null

  say "examples/ against the packages: a compiler, CMake, make and pkg-config, nothing else"
  apt-get install -y -q --no-install-recommends gcc libc6-dev cmake make pkg-config
  work=$(mktemp -d /tmp/deb-check.XXXXXX)
  cmake -S examples -B "$work/cmake" > "$work/cmake.log" || { cat "$work/cmake.log"; exit 1; }
  cmake --build "$work/cmake" -j2
  "$work/cmake/train_own_data"
  "$work/cmake/train_own_data_static" > /dev/null
  if objdump -p "$work/cmake/train_own_data_static" | grep -q 'NEEDED.*libclnum'; then
    die "train_own_data_static needs libclnum.so"
  fi
  "$work/cmake/polyreg" > /dev/null
  [ "$(pkg-config --modversion clnum)" = "$(dpkg-query -W -f='${Version}' libclnum-dev | sed 's/-[^-]*$//')" ] ||
    die "pkg-config --modversion clnum is not the package's version"
  cp examples/train_own_data.c examples/polyreg.c examples/polyreg.cl examples/Makefile "$work/"
  make -s -C "$work"
  "$work/train_own_data" > /dev/null
  "$work/polyreg" > /dev/null

  say "removing the packages"
  apt-get purge -y -q clnum-tools libclnum-dev libclnum0 > /dev/null
  for f in /usr/lib/*/libclnum.so.0 /usr/include/clnum /usr/bin/clnum-linreg; do
    [ ! -e "$f" ] || die "$f is still there after apt-get purge"
  done
  rm -rf "$work"
  say "passed"
}

if [ "${1:-}" = --in-root ]; then
  [ $# = 2 ] || die "--in-root DEBS"
  cd "$(dirname "$0")/.."
  in_root "$2"
  exit 0
fi

# ---- on the host: make the packages ------------------------------------------------------------
root_tar=""
build=""
while [ $# -gt 0 ]; do
  case $1 in
    --root-tar) [ $# -ge 2 ] || die "--root-tar needs a FILE"; root_tar=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    -*) echo "deb_check.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) [ -z "$build" ] || { echo "deb_check.sh: one BUILD_DIR at most" >&2; exit 2; }; build=$1 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || die "must run as root (apt-get, the fresh root)"
cd "$(dirname "$0")/.."
build=${build:-build-deb}

# What making the packages needs beyond the build's own packages: dpkg-shlibdeps (dpkg-dev)
# and file for cpack, doxygen and help2man for the documentation.
missing=""
for p in dpkg-dev file doxygen help2man; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  say "installing:$missing"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

say "configuring $build for /usr and building"
mkdir -p "$build"
cmake -S . -B "$build" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCLNUM_BUILD_TESTS=OFF -DCLNUM_BUILD_BENCH=OFF -DCLNUM_HTML_DOCS=ON -DCLNUM_MAN_PAGES=ON \
  > "$build/configure.log" || { cat "$build/configure.log"; die "configure failed"; }
cmake --build "$build" -j2
rm -rf "$build/packages"
(cd "$build" && cpack -G DEB -B "$PWD/packages" > cpack.log) || { cat "$build/cpack.log"; die "cpack failed"; }
rm -rf "$build/packages/_CPack_Packages"

# ---- what each package holds and depends on --------------------------------------------------
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
version=$(sed -n 's/^project(clnum VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
deb() { echo "$build/packages/${1}_${version}-1_${arch}.deb"; }
for p in libclnum0 libclnum-dev clnum-tools; do
  [ -f "$(deb "$p")" ] || die "no $(deb "$p") (cpack made: $(ls "$build/packages"))"
done
# has PACKAGE PATH...: each path is in the package; lacks PACKAGE PATH...: none is.
contents() { dpkg-deb -c "$(deb "$1")" | awk '{print $6}' | sed 's|^\./|/|; s|/$||'; }
has() {
  local p=$1 f list; shift; list=$(contents "$p")
  for f in "$@"; do grep -qx -- "$f" <<< "$list" || die "$p lacks $f:
$list"; done
}
lacks() {
  local p=$1 f list; shift; list=$(contents "$p")
  for f in "$@"; do ! grep -q -- "$f" <<< "$list" || die "$p has $f, which belongs elsewhere"; done
}
lib=/usr/lib/$multiarch
has libclnum0 "$lib/libclnum.so.0" "$lib/libclnum.so.$version" /usr/share/doc/libclnum0/copyright
lacks libclnum0 "$lib/libclnum.so$" /usr/include libclnum.a /usr/bin
has libclnum-dev /usr/include/clnum/clnum.h "$lib/libclnum.so" "$lib/libclnum.a" \
  "$lib/cmake/clnum/clnumConfig.cmake" "$lib/cmake/clnum/clnumTargets.cmake" \
  "$lib/cmake/clnum/clnumStaticTargets.cmake" "$lib/pkgconfig/clnum.pc" \
  /usr/share/doc/libclnum-dev/html/index.html /usr/share/doc/libclnum-dev/copyright
lacks libclnum-dev "libclnum.so.0" /usr/bin mpi.h
has clnum-tools /usr/bin/clnum-linreg /usr/bin/clnum-softmax \
  /usr/share/man/man1/clnum-linreg.1.gz /usr/share/man/man1/clnum-softmax.1.gz \
  /usr/share/doc/clnum-tools/copyright
lacks clnum-tools /usr/lib /usr/include

# field PACKAGE FIELD: one control field; needs PACKAGE FIELD REGEX...: it matches each.
field() { dpkg-deb -f "$(deb "$1")" "$2"; }
needs() {
  local p=$1 f=$2 v r; shift 2; v=$(field "$p" "$f")
  for r in "$@"; do grep -qE -- "(^|, )$r" <<< "$v" || die "$p's $f ('$v') lacks $r"; done
}
needs libclnum0 Depends 'libc6 \(>= ' 'libclblast1 \(>= ' 'libjansson4 \(>= ' 'liblapacke \(>= ' \
  'zlib1g \(>= ' 'ocl-icd-libopencl1( \(>= [^)]*\))? \| libopencl'
needs libclnum0 Recommends 'pocl-opencl-icd \| opencl-icd'
needs libclnum-dev Depends "libclnum0 \\(= $version-1\\)" 'ocl-icd-opencl-dev \| opencl-dev' \
  libclblast-dev liblapacke-dev libjansson-dev zlib1g-dev
needs clnum-tools Depends "libclnum0 \\(= $version-1\\)" 'pocl-opencl-icd \| opencl-icd' 'libc6 \(>= '
for p in libclnum0 libclnum-dev clnum-tools; do
  say "$p: $(field "$p" Depends)"
done
# Programs and library under /usr carry no RPATH (Debian's policy); shlibs names libclnum0.
unpacked=$(mktemp -d /tmp/deb-check-unpacked.XXXXXX)
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$(deb clnum-tools)" "$unpacked"
dpkg-deb -x "$(deb libclnum0)" "$unpacked"
for f in "$unpacked/usr/bin/clnum-linreg" "$unpacked/usr/bin/clnum-softmax" "$unpacked$lib/libclnum.so.$version"; do
  if readelf -d "$f" | grep -qE 'RPATH|RUNPATH'; then die "${f#"$unpacked"} has an RPATH"; fi
done
dpkg-deb --ctrl-tarfile "$(deb libclnum0)" | tar -xOf - ./shlibs | grep -q "^libclnum 0 libclnum0 " ||
  die "libclnum0's shlibs file does not name libclnum 0"

# ---- in a fresh root ---------------------------------------------------------------------------
say "the packages in a fresh Debian 12 root"
fresh_args=(--debs "$build/packages")
[ -z "$root_tar" ] || fresh_args+=(--root-tar "$root_tar")
bash .ci/fresh.sh "${fresh_args[@]}"
say "passed: $(cd "$build/packages" && echo *.deb)"
