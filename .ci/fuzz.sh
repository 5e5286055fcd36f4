#!/usr/bin/env bash
# libFuzzer, with AddressSanitizer and UndefinedBehaviorSanitizer, on every parser: the
# device selector, the command line's options and numbers, the CSV reader; and on cln_fit's
# configuration (sizes, learning rate, batch size, epochs, points per epoch, path, stream
# chunk, CLNUM_TUNE), which trains on the OpenCL device (PoCL here). Each harness
# (tests/fuzz/*.c) starts from its committed seed corpus (tests/fuzz/corpus/<name>/, read
# only: new inputs go to the build folder) and runs for a bounded time, two at a time.
# A crash, a sanitizer report or a broken contract (the harness traps) fails; the input is
# kept as build-fuzz/artifacts/<name>-crash-*.
#   usage: bash .ci/fuzz.sh [seconds-each] [build-folder]   (default 60, build-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
# The ICD loader sees PoCL alone: another installed driver (Mesa's rusticl and Clover) is
# loaded at platform discovery and keeps allocations to the process's end, which the leak
# checks would report as clnum's (.ci/README.md).
export OCL_ICD_VENDORS=${OCL_ICD_VENDORS:-/etc/OpenCL/vendors/pocl.icd}
secs=${1:-60}
dir=${2:-build-fuzz}
cc=$(command -v clang || command -v clang-14)
cmake -S . -B "$dir" -DCMAKE_C_COMPILER="$cc" -DCLNUM_FUZZ=ON -DCLNUM_BUILD_TESTS=OFF \
  -DCLNUM_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$dir" -j2 --target fuzz_all
mkdir -p "$dir/artifacts"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# fit_config runs the driver: two PoCL threads, as .ci/asan.sh; its builds in the build folder.
export CLNUM_CACHE_DIR=${CLNUM_CACHE_DIR:-$(cd "$dir" && pwd)/clnum-cache} # CLNUM_TUNE's shapes
export POCL_MAX_PTHREAD_COUNT=${POCL_MAX_PTHREAD_COUNT:-2} POCL_CPU_MAX_CU_COUNT=${POCL_CPU_MAX_CU_COUNT:-2}

run() { # run NAME: one harness for $secs seconds
  local name=$1 out=$dir/fuzz-$1
  rm -rf "$out" && mkdir -p "$out/corpus"
  local asan=$ASAN_OPTIONS lsan=${LSAN_OPTIONS:-} timeout=10
  if [ "$name" = model_file ]; then
    # the driver's own leaks are not clnum's, as for fit_config; a first load builds kernels
    timeout=120 lsan=suppressions=$PWD/tests/fuzz/fit_config.lsan.supp
  fi
  if [ "$name" = fit_config ]; then
    # A request too large for memory returns NULL, as malloc does without ASan (the library
    # must turn it into CLN_ERR_OUT_OF_HOST_MEMORY); the driver's own leaks are not clnum's
    # (tests/fuzz/fit_config.lsan.supp says which); PoCL builds a kernel for each new
    # CLNUM_TUNE shape once (then cached): up to 15 s for a 4096-wide work-group on a loaded
    # machine, which is slow, not a hang.
    asan=$asan:allocator_may_return_null=1 timeout=120 # the first input builds the kernels cold: 25 s and more since softmax joined them
    lsan=suppressions=$PWD/tests/fuzz/fit_config.lsan.supp
  fi
  if ASAN_OPTIONS=$asan LSAN_OPTIONS=$lsan \
      "$dir/tests/fuzz/fuzz_$name" "$out/corpus" "tests/fuzz/corpus/$name" \
      -max_total_time="$secs" -timeout="$timeout" -rss_limit_mb=2048 -max_len=4096 \
      -artifact_prefix="$dir/artifacts/$name-" -print_final_stats=1 > "$out/log" 2>&1; then
    echo "fuzz $name: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$out/log" | grep -o '[0-9]*$') runs in ${secs} s, no failure"
  else
    echo "fuzz $name: FAILED"
    tail -n 60 "$out/log"
    return 1
  fi
}

status=0
run device_selector & a=$!
run cli_args & b=$!
wait $a || status=1
wait $b || status=1
run cli_numbers & a=$!
run csv & b=$!
wait $a || status=1
wait $b || status=1
run fit_config || status=1 # alone: its driver's threads take the other core
run model_file || status=1 # alone too: it loads each model onto the device
exit $status
