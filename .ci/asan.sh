#!/usr/bin/env bash
# The whole test suite built with AddressSanitizer and UndefinedBehaviorSanitizer
# (-DCLNUM_SANITIZE=ON), in its own build folder. CTest gives each test LSAN_OPTIONS with
# .ci/lsan.supp (the OpenCL driver's own leaks, explained there) and UBSAN_OPTIONS that stop
# at the first report. Any sanitizer report fails the test that made it.
#   usage: bash .ci/asan.sh [build-folder]      (default build-asan)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-asan}
# The ICD loader sees PoCL alone: another installed driver (Mesa's rusticl and Clover) is
# loaded at platform discovery and keeps allocations to the process's end, which the leak
# checks would report as clnum's (.ci/README.md).
export OCL_ICD_VENDORS=${OCL_ICD_VENDORS:-/etc/OpenCL/vendors/pocl.icd}
export POCL_MAX_PTHREAD_COUNT=${POCL_MAX_PTHREAD_COUNT:-2} POCL_CPU_MAX_CU_COUNT=${POCL_CPU_MAX_CU_COUNT:-2}
# abort_on_error=0: report and exit non-zero (CTest shows the report); detect_leaks on.
# allocator_may_return_null: a request too large for memory returns NULL, as malloc does
# without ASan, and the library must turn that into CLN_ERR_OUT_OF_HOST_MEMORY.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:allocator_may_return_null=1}
cmake -S . -B "$dir" -DCLNUM_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$dir" -j2
ctest --test-dir "$dir" --output-on-failure -j2
