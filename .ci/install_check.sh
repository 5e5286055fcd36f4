#!/usr/bin/env bash
# Installs clnum into a temporary prefix and builds and runs examples/train_own_data and
# examples/polyreg (a model of one's own, with its own kernel) against it as a user would: once
# with CMake's find_package(clnum) (train_own_data also with the static library) and once
# with pkg-config. Usage: .ci/install_check.sh [BUILD_DIR] (default: build, configured
# and built already by .ci/run; it is only installed from, never changed).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=$(mktemp -d /tmp/clnum-install-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

echo "== cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
libdir=$(cd "$prefix" && ls -d lib*/ | head -n 1)
libdir=$prefix/${libdir%/}
for f in "$libdir/libclnum.so.0.1.0" "$libdir/libclnum.a" "$prefix/include/clnum/clnum.h" \
         "$libdir/cmake/clnum/clnumConfig.cmake" "$libdir/cmake/clnum/clnumConfigVersion.cmake" \
         "$libdir/pkgconfig/clnum.pc" "$prefix/bin/clnum-linreg"; do
  [ -e "$f" ] || { echo "install_check: $f was not installed"; exit 1; }
done
soname=$(objdump -p "$libdir/libclnum.so.0.1.0" | awk '$1 == "SONAME" {print $2}')
[ "$soname" = "libclnum.so.0" ] || { echo "install_check: SONAME is '$soname'"; exit 1; }
# No kernel files are needed at run time: they are inside the library.
if find "$prefix" -name '*.cl' | grep -q .; then echo "install_check: .cl files installed"; exit 1; fi
"$prefix/bin/clnum-linreg" --quiet --epochs 1 > /dev/null

echo "== find_package(clnum) with CMAKE_PREFIX_PATH=$prefix"
cmake -S examples -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" > "$work/cmake.log"
cmake --build "$work/cmake-build" -j2 > "$work/cmake-build.log"
"$work/cmake-build/train_own_data"
echo "-- the same, linked with libclnum.a"
if objdump -p "$work/cmake-build/train_own_data_static" | grep -q 'NEEDED.*libclnum'; then
  echo "install_check: train_own_data_static needs libclnum.so"; exit 1
fi
"$work/cmake-build/train_own_data_static" > /dev/null
echo "-- a model of your own: examples/polyreg.c and its kernel examples/polyreg.cl"
"$work/cmake-build/polyreg"
# A version that does not match is refused.
mkdir -p "$work/wrong-version"
cat > "$work/wrong-version/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(wrong_version LANGUAGES C)
find_package(clnum 0.2 REQUIRED)
CMAKE
if cmake -S "$work/wrong-version" -B "$work/wrong-version/build" -DCMAKE_PREFIX_PATH="$prefix" \
     > "$work/wrong-version.log" 2>&1; then
  echo "install_check: find_package(clnum 0.2) accepted version 0.1.0"; exit 1
fi

echo "== pkg-config with PKG_CONFIG_PATH=$libdir/pkgconfig"
export PKG_CONFIG_PATH=$libdir/pkgconfig
[ "$(pkg-config --modversion clnum)" = "0.1.0" ]
mkdir -p "$work/make"
cp examples/train_own_data.c examples/polyreg.c examples/polyreg.cl examples/Makefile "$work/make/"
make -s -C "$work/make"
"$work/make/train_own_data"
"$work/make/polyreg" > /dev/null
echo "install_check: passed"
