#!/usr/bin/env bash
# clnum-linreg under valgrind memcheck: the chapter, a run that diverges, a device that does
# not exist and a CSV with a NaN, each with full leak checking. Any error, or any leak that
# is definitely or indirectly lost, fails (exit 99); .ci/valgrind.supp holds the driver's own
# reports, each explained.
#   usage: bash .ci/valgrind.sh [build-folder]   (default build; a normal build, not ASan)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
exe=$dir/clnum-linreg
# The ICD loader sees PoCL alone: another installed driver (Mesa's rusticl and Clover) is
# loaded at platform discovery and keeps allocations to the process's end, which the leak
# checks would report as clnum's (.ci/README.md).
export OCL_ICD_VENDORS=${OCL_ICD_VENDORS:-/etc/OpenCL/vendors/pocl.icd}
export POCL_MAX_PTHREAD_COUNT=${POCL_MAX_PTHREAD_COUNT:-2} POCL_CPU_MAX_CU_COUNT=${POCL_CPU_MAX_CU_COUNT:-2}
# The kernels compiled by the test suite's runs are reused (PoCL's and clnum's caches).
export POCL_CACHE_DIR=$PWD/$dir/pocl-cache CLNUM_CACHE_DIR=$PWD/$dir/clnum-cache
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'x1,x2,y\n1,2,3\n4,nan,6\n7,8,9\n' > "$work/nan.csv"

vg() { # vg EXPECTED_EXIT ARGS...: runs clnum-linreg under memcheck
  local want=$1; shift
  local rc=0
  valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --num-callers=40 \
    --suppressions=.ci/valgrind.supp --log-file="$work/vg.log" "$exe" "$@" > "$work/out.txt" 2>&1 || rc=$?
  if [ "$rc" != "$want" ] || [ -s "$work/vg.log" ]; then
    echo "valgrind: clnum-linreg $*: exit $rc (expected $want)"
    cat "$work/vg.log" "$work/out.txt"
    exit 1
  fi
  echo "valgrind: clnum-linreg $*: clean (exit $rc)"
}

# Under valgrind the CPU looks different (no AVX-512, for one), so PoCL names the device
# differently and neither its kernel cache nor clnum's program cache holds what the test
# suite compiled: memcheck would run LLVM itself, for many minutes. Each run is made first
# under valgrind without instrumentation (--tool=none, a few minutes in all), which fills both
# caches for the device as valgrind shows it; memcheck then finds everything compiled.
warm() {
  valgrind --quiet --tool=none "$exe" "$@" > /dev/null 2>&1 || true
}
runs=("--quiet" "--lr 100 --epochs 30 --quiet" "--device no-such-device:0"
      "--data $work/nan.csv --quiet")
for r in "${runs[@]}"; do
  # shellcheck disable=SC2086 # the runs are words
  warm $r
done
echo "valgrind: caches filled for the device as valgrind shows it"

vg 0 --quiet
vg 1 --lr 100 --epochs 30 --quiet
vg 1 --device no-such-device:0
vg 1 --data "$work/nan.csv" --quiet
