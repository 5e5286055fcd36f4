#!/usr/bin/env bash
# CI, issue 6: data-parallel training over MPI. Installs Open MPI, builds the -DCLNUM_MPI=ON
# configuration in its own folder (build-mpi) and runs its tests: `mpirun -np 2` training
# against one process (test_mpi_equal) and ranks that fail, or die, stopping every rank
# (test_mpi_bad_input, _mismatch, _diverge, _crash: each fails if mpirun is still running
# after its timeout); and `mpirun -np 2 clnum-linreg` (cli_mpi_equal: the parameters of one
# process drawing the same global order; cli_mpi_bad_data, _bad_device, _bad_option: a bad
# value on one rank makes every rank exit non-zero, the message printed once, by rank 0).
# And README's `$ mpirun ...` command, its output compared with the one shown there
# (readme_commands_mpi, tests/readme_commands.py).
# Then checks that clnum/mpi.h is installed with MPI and only with it.
# Called by .ci/run after the main build; about 3 minutes on 2 cores.
# Usage: .ci/mpi.sh [MAIN_BUILD_DIR (default build, built already)] [MPI_BUILD_DIR (build-mpi)]
set -euo pipefail
cd "$(dirname "$0")/.."
main=${1:-build}
mpi=${2:-build-mpi}

DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  libopenmpi-dev openmpi-bin
export POCL_MAX_PTHREAD_COUNT=${POCL_MAX_PTHREAD_COUNT:-2} POCL_CPU_MAX_CU_COUNT=${POCL_CPU_MAX_CU_COUNT:-2}

# Without the API reference and the man pages, which the install below would want built
# (their targets are not among those this script builds; build/ checks them).
cmake -S . -B "$mpi" -DCLNUM_MPI=ON -DCLNUM_HTML_DOCS=OFF -DCLNUM_MAN_PAGES=OFF
# test_doc_snippets carries the mpi label here: it compiles README's MPI blocks as well.
cmake --build "$mpi" -j2 --target test_mpi clnum-mpi-bench clnum-linreg test_doc_snippets
ctest --test-dir "$mpi" -L mpi --output-on-failure
# The bench runs (its figures are in BENCHMARKS.md): a small problem, 2 ranks.
mpirun --oversubscribe --allow-run-as-root -np 2 "$mpi"/clnum-mpi-bench --epochs 2 --repeats 1

work=$(mktemp -d /tmp/clnum-mpi-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
cmake --build "$mpi" -j2 --target clnum_mpi clnum_static clnum-linreg clnum-softmax > /dev/null
cmake --install "$mpi" --prefix "$work/with" > /dev/null
cmake --install "$main" --prefix "$work/without" > /dev/null
ls "$work"/with/lib*/libclnum_mpi.so* > /dev/null
[ -f "$work/with/include/clnum/mpi.h" ] || { echo "mpi.sh: clnum/mpi.h not installed"; exit 1; }
if [ -e "$work/without/include/clnum/mpi.h" ]; then
  echo "mpi.sh: clnum/mpi.h installed without CLNUM_MPI"; exit 1
fi
echo "mpi.sh: passed"
