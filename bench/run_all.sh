#!/usr/bin/env bash
# The whole comparison in one command: builds clnum-bench if needed, runs it, sets up the
# peers' virtual environment, runs every Python peer, and prints one table of times and
# ratios (peer time / clnum time, so > 1 means clnum is faster).
#
# usage: bench/run_all.sh [--quick] [OUT_DIR]
#   OUT_DIR   where the results go (default build/bench-results):
#               clnum.txt, clnum.json   clnum-bench's table and figures
#               peers.txt               the peers' log and the ratio table
#               results.json            every figure, the peers' and clnum's (clnum_*), flat
#               results.md              machine, date, command, clnum-bench's table, ratio table
#   --quick   W1 only (clnum-bench --skip-w2 --skip-w3, peers --workload w1): about 1.5 minutes
# Environment: CLNUM_BUILD_DIR (default build), PEERS_VENV (default build/peers-venv),
# CLNUM_DEVICE (the device, as for clnum-linreg), CLNUM_BENCH_ARGS (more clnum-bench
# options, e.g. "--repeats 3"), PEERS_ARGS (more run_all.py options, e.g. "--skip-slow").
# W3 alone: CLNUM_BENCH_ARGS=--skip-w2 PEERS_ARGS="--workload w3" (W1 and the device's
# limits still run in clnum-bench: about 4 minutes).
set -euo pipefail

# The comment block from "usage:" on, without its "# ".
usage() { sed -n '/^# usage:/,/^[^#]/{/^#/s/^# \{0,1\}//p;}' "$0"; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
quick=0
out=""
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "run_all.sh: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
    *)
      if [ -n "$out" ]; then echo "run_all.sh: one OUT_DIR only" >&2; usage >&2; exit 2; fi
      out="$arg" ;;
  esac
done
out="${out:-$root/build/bench-results}"
build="${CLNUM_BUILD_DIR:-$root/build}"
venv="${PEERS_VENV:-$root/build/peers-venv}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

echo "== building clnum-bench in $build =="
[ -f "$build/CMakeCache.txt" ] || cmake -S "$root" -B "$build"
cmake --build "$build" --target clnum-bench -j"$(nproc)"

bench_args=(--json "$out/clnum.json")
[ "$quick" = 1 ] && bench_args+=(--skip-w2 --skip-w3)
read -r -a extra <<< "${CLNUM_BENCH_ARGS:-}"
bench_args+=("${extra[@]}")
echo "== clnum-bench ${bench_args[*]} =="
rm -f "$out/clnum.json"
if ! "$build/bench/clnum-bench" "${bench_args[@]}" | tee "$out/clnum.txt"; then
  # A failed path leaves the others' figures: compare what there is, but say so.
  [ -f "$out/clnum.json" ] || { echo "run_all.sh: clnum-bench failed, nothing to compare" >&2; exit 1; }
  echo "run_all.sh: clnum-bench reported a failure (see above); going on with its figures" >&2
fi

echo "== peers' virtual environment: $venv =="
"$root/bench/peers/setup_venv.sh" "$venv"

peer_args=(--clnum-json "$out/clnum.json" --json "$out/results.json" --markdown "$out/ratios.md")
[ "$quick" = 1 ] && peer_args+=(--workload w1)
read -r -a extra <<< "${PEERS_ARGS:-}"
peer_args+=("${extra[@]}")
echo "== peers: run_all.py ${peer_args[*]} =="
PYTHONUNBUFFERED=1 "$venv/bin/python" "$root/bench/peers/run_all.py" "${peer_args[@]}" \
  | tee "$out/peers.txt"

# One Markdown record: where, when, how, then clnum-bench's own table and the ratios.
cpu="$(sed -n '/^model name/{s/^model name[[:space:]]*: //p;q;}' /proc/cpuinfo 2>/dev/null || true)"
{
  echo "# clnum-bench and the peers"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "- machine: ${cpu:-unknown CPU}, $(nproc) cores, $(uname -sm)"
  echo "- commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- command: \`bench/run_all.sh $*\`"
  echo
  echo "## clnum-bench"
  echo
  echo '```'
  cat "$out/clnum.txt"
  echo '```'
  echo
  echo "## Times and ratios"
  echo
  cat "$out/ratios.md"
} > "$out/results.md"
rm -f "$out/ratios.md"
echo
echo "results: $out/results.md, $out/results.json (and clnum.txt, clnum.json, peers.txt)"
