#!/usr/bin/env bash
# The GPU check in one script (../shared/GPU.md): makes the NVIDIA OpenCL platform visible
# through a private vendors folder, runs the test suite on the GPU, then clnum-bench --json,
# and writes what it saw into a folder.
#
# usage: bench/gpu.sh [OUT_DIR]     on the GPU machine (default: $OUT, else
#                                   <build>/gpu-results); exit 0 only if the tests and the
#                                   bench both passed
#        bench/gpu.sh --prepare     here, on the CPU machine: build <build> (tests and bench)
#                                   and copy libclblast.so.1 and libOpenCL.so.1 into
#                                   <build>/gpu-libs, which the GPU machine lacks
# Then carry <build> (default build-gpu) to the GPU machine and run `bash bench/gpu.sh "$OUT"`
# there in the repository's root.
# Writes: ctest.log, clinfo.txt, nvidia-smi.txt, clnum-bench.txt, clnum-bench.json, summary.txt
# Environment: CLNUM_BUILD_DIR (default build-gpu), NVIDIA_ICD (default
# /usr/local/nvidia/lib64/libnvidia-opencl.so.1), CLNUM_DEVICE (default nvidia:gpu),
# GPU_BENCH_ARGS (more clnum-bench options), GPU_SKIP_TESTS=1 (the bench alone).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vendors=""
build="${CLNUM_BUILD_DIR:-build-gpu}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac

# The comment block from "usage:" on, without its "# ".
usage() { sed -n '/^# usage:/,/^[^#]/{/^#/s/^# \{0,1\}//p;}' "$0"; }

# A value from the build's CMakeCache.txt, e.g. cache_value CMAKE_COMMAND.
cache_value() { sed -n "/^$1:/{s/^$1:[A-Z]*=//p;q;}" "$build/CMakeCache.txt"; }

# The path ldconfig knows for a library soname, e.g. libclblast.so.1 (awk reads to the end:
# an early exit would kill ldconfig with SIGPIPE, and pipefail would stop the script).
library_path() { ldconfig -p | awk -v so="$1" '$1 == so && !found { print $NF; found = 1 }'; }

prepare() {
  # Static: the programs then need no libclnum.so (nor its absolute rpath) on the GPU machine.
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF
  cmake --build "$build" -j"$(nproc)"
  mkdir -p "$build/gpu-libs"
  local so path
  for so in libclblast.so.1 libOpenCL.so.1; do
    path="$(library_path "$so")"
    [ -n "$path" ] || { echo "gpu.sh: $so not found here" >&2; exit 1; }
    cp -L "$path" "$build/gpu-libs/$so"
  done
  echo "prepared $build ($(du -sh "$build" | cut -f1)); on the GPU machine carry it and run:"
  echo "  bash bench/gpu.sh \"\$OUT\""
}

# The carried build was configured elsewhere: CTest's files hold that source folder and that
# cmake. Point the old source path at this checkout (a link, where nothing is there) and
# the old cmake at the one this machine has.
adopt_build() {
  local old_src old_cmake new_cmake
  old_src="$(cache_value CMAKE_HOME_DIRECTORY)"
  if [ -n "$old_src" ] && [ "$old_src" != "$root" ] && [ ! -e "$old_src" ]; then
    mkdir -p "$(dirname "$old_src")"
    ln -s "$root" "$old_src"
    echo "linked $old_src -> $root (the build was configured there)"
  fi
  old_cmake="$(cache_value CMAKE_COMMAND)"
  new_cmake="$(command -v cmake || true)"
  if [ -n "$old_cmake" ] && [ ! -x "$old_cmake" ] && [ -n "$new_cmake" ]; then
    find "$build" -name CTestTestfile.cmake -exec sed -i "s|$old_cmake|$new_cmake|g" {} +
    echo "CTest files: $old_cmake -> $new_cmake"
  fi
}

check() {
  local out="$1"
  mkdir -p "$out"
  out="$(cd "$out" && pwd)"
  [ -x "$build/bench/clnum-bench" ] || {
    echo "gpu.sh: no $build/bench/clnum-bench: run bench/gpu.sh --prepare and carry $build" >&2
    exit 1
  }

  # The driver's ICD is not in /etc/OpenCL/vendors there: register it in a folder of our own.
  local icd="${NVIDIA_ICD:-/usr/local/nvidia/lib64/libnvidia-opencl.so.1}"
  [ -e "$icd" ] || { echo "gpu.sh: no NVIDIA OpenCL ICD at $icd (set NVIDIA_ICD)" >&2; exit 1; }
  vendors="$(mktemp -d)" # global: the EXIT trap runs after check() has returned
  trap 'rm -rf "$vendors"' EXIT
  echo "$icd" > "$vendors/nvidia.icd"
  export OCL_ICD_VENDORS="$vendors"
  export LD_LIBRARY_PATH="$build/gpu-libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export CLNUM_DEVICE="${CLNUM_DEVICE:-nvidia:gpu}"
  # cmake and ctest live in the PyTorch environment on those machines.
  [ -d /opt/torch/.venv/bin ] && export PATH="$PATH:/opt/torch/.venv/bin"

  if command -v clinfo > /dev/null; then clinfo -l > "$out/clinfo.txt" 2>&1 || true; fi
  if command -v nvidia-smi > /dev/null; then nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || true; fi

  local tests_rc=0 bench_rc=0
  if [ "${GPU_SKIP_TESTS:-0}" != 1 ]; then
    adopt_build
    echo "== ctest on $CLNUM_DEVICE =="
    ctest --test-dir "$build" --output-on-failure -j4 --timeout 300 2>&1 \
      | tee "$out/ctest.log" || tests_rc=$?
  fi

  local args=(--json "$out/clnum-bench.json")
  local extra
  read -r -a extra <<< "${GPU_BENCH_ARGS:-}"
  args+=("${extra[@]}")
  echo "== clnum-bench ${args[*]} =="
  "$build/bench/clnum-bench" "${args[@]}" 2>&1 | tee "$out/clnum-bench.txt" || bench_rc=$?

  {
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "device selector: $CLNUM_DEVICE"
    echo "tests: $([ "${GPU_SKIP_TESTS:-0}" = 1 ] && echo skipped || echo "exit $tests_rc")"
    echo "clnum-bench: exit $bench_rc"
  } | tee "$out/summary.txt"
  [ "$tests_rc" = 0 ] && [ "$bench_rc" = 0 ]
}

case "${1:-}" in
  -h | --help) usage ;;
  --prepare) prepare ;;
  -*) echo "gpu.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  *) check "${1:-${OUT:-$build/gpu-results}}" ;;
esac
