"""Shared pieces of the peer benchmarks: workloads, data, timing, CLI, JSON.

The workloads must match what clnum-bench runs (see README.md):
  W1  the d2l chapter 3.4 fit: d=2, 1000 train + 1000 val rows, batch 32,
      lr 0.03, 3 epochs; time = the whole fit (training + validation).
  W2  2^20 x 256 float32 rows, no validation, one epoch at batch 1024 and
      at batch 65536; time = one epoch.
Data generation is never timed.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time
import traceback
from dataclasses import dataclass

import numpy as np

LR = 0.03
NOISE = 0.01
TRUE_B = 4.2

W1_TRUE_W = (2.0, -3.4)
W1_TRAIN, W1_VAL, W1_BATCH, W1_EPOCHS = 1000, 1000, 32, 3

W2_ROWS, W2_DIM, W2_EPOCHS = 1 << 20, 256, 1
W2_BATCHES = (1024, 65536)

# Seed of the initial parameters and shuffle order, apart from the data seeds.
RUN_SEED = 100


@dataclass
class Data:
    """Float32 arrays of one workload (NumPy here, converted by each peer)."""
    X_train: object
    y_train: object
    X_val: object          # None when the workload has no validation
    y_val: object
    w_true: np.ndarray     # shape (d,), float64, for the correctness check
    b_true: float


def _labels(X, w, rng):
    noise = NOISE * rng.standard_normal((X.shape[0], 1), dtype=np.float32)
    return (X @ w.reshape(-1, 1).astype(np.float32) + np.float32(TRUE_B) + noise).astype(np.float32)


def w1_data(seed=0):
    rng = np.random.default_rng(seed)
    w = np.array(W1_TRUE_W)
    X = rng.standard_normal((W1_TRAIN + W1_VAL, 2), dtype=np.float32)
    y = _labels(X, w, rng)
    n = W1_TRAIN
    return Data(X[:n], y[:n], X[n:], y[n:], w, TRUE_B)


def w2_data(seed=1):
    # X is 1 GiB: made once per process and shared by every variant.
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(W2_DIM)
    X = rng.standard_normal((W2_ROWS, W2_DIM), dtype=np.float32)
    return Data(X, _labels(X, w, rng), None, None, w, TRUE_B)


def init_params(d, seed):
    """w ~ N(0, 0.01^2) of shape (d, 1), b = 0, both float32 NumPy."""
    rng = np.random.default_rng(seed)
    w = (0.01 * rng.standard_normal((d, 1))).astype(np.float32)
    return w, np.zeros(1, np.float32)


def batch_bounds(n, batch):
    """(start, stop) of each batch; the last partial batch is kept."""
    return [(i, min(i + batch, n)) for i in range(0, n, batch)]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def time_runs(label, setup, run, repeats):
    """One warm-up run, then `repeats` timed runs, each from a fresh setup().

    Returns (min_ms, median_ms, result of the last run).
    """
    log(f"  {label}: warm-up")
    run(*setup())
    times = []
    for r in range(repeats):
        state = setup()
        t0 = time.perf_counter()
        result = run(*state)
        times.append((time.perf_counter() - t0) * 1e3)
        log(f"  {label}: run {r + 1}/{repeats} {times[-1]:.2f} ms")
    return min(times), statistics.median(times), result


def parse_args(name, argv=None):
    p = argparse.ArgumentParser(description=f"{name} peer benchmark for clnum (d2l 3.4 linear regression)")
    p.add_argument("--workload", choices=("w1", "w2", "all"), default="all")
    p.add_argument("--batch", type=int, action="append", choices=W2_BATCHES,
                   help="W2 batch size (repeatable; default: both)")
    p.add_argument("--repeats", type=int, help="timed runs after the warm-up (default: 5 for W1, 3 for W2)")
    p.add_argument("--json", metavar="OUT", help="write the results as flat JSON")
    p.add_argument("--skip-slow", action="store_true",
                   help="skip the very slow eager variants on W2")
    args = p.parse_args(argv)
    args.batch = tuple(args.batch or W2_BATCHES)
    return args


def base_meta():
    return {"python_version": platform.python_version(), "numpy_version": np.__version__,
            "cpu_count": os.cpu_count(), "machine": platform.machine()}


def run_peer(name, variants, convert, to_numpy, meta, slow=lambda variant, batch: False, argv=None):
    """Run every variant of one framework on the chosen workloads.

    variants: {key prefix: (init, fit)} where
      init(d, seed) -> tuple of framework state (params, ...), untimed;
      fit(data, *state, batch, epochs, lr) -> params, timed.
    convert(Data) -> Data of framework arrays (done once, untimed).
    to_numpy(params) -> (w of shape (d,), b float) for the correctness check.
    slow(variant, batch) -> True for eager variants that --skip-slow drops on W2.
    Exits 1 if any variant raised or learned nonsense; the others still report.
    """
    args = parse_args(name, argv)
    out = {**base_meta(), **meta}
    failed = []

    def measure(key, data, init, fit, batch, epochs, repeats, w1):
        d = len(data.w_true)
        try:
            # Every run starts from the same fresh parameters and shuffle seed,
            # so the runs do identical work and the check is reproducible.
            best, med, params = time_runs(
                key, lambda: init(d, RUN_SEED),
                lambda *state: fit(data, *state, batch=batch, epochs=epochs, lr=LR), repeats)
        except Exception:
            traceback.print_exc()
            failed.append(f"{key} raised")
            return
        w, b = to_numpy(params)
        err_w, err_b = data.w_true - w, data.b_true - b
        rel = np.linalg.norm(np.append(err_w, err_b)) / np.linalg.norm(np.append(data.w_true, data.b_true))
        # Loose checks that catch a broken peer. W1 is expected near
        # err_w (0.11, -0.19), err_b 0.23 (not converged). W2 at batch 65536
        # is only 16 steps, leaving about 0.6 of the initial error.
        ok = (np.all(np.abs(err_w) < 1) and abs(err_b) < 1) if w1 else rel < 0.8
        if not ok:
            failed.append(f"{key}: learned nonsense (relative error {rel:.3g}, err_b {err_b:.3g})")
            return
        out[f"{key}_ms"], out[f"{key}_median_ms"] = round(best, 3), round(med, 3)
        if w1:
            out.update({f"{key}_err_w{i}": round(float(e), 4) for i, e in enumerate(err_w)})
            out[f"{key}_err_b"] = round(float(err_b), 4)
        out[f"{key}_rel_err"] = round(float(rel), 4)
        print(f"{key:34s} {best:11.2f} ms  (median {med:8.2f})  relative error {rel:.4f}", flush=True)

    if args.workload in ("w1", "all"):
        log(f"[{name}] W1: d2l chapter fit")
        data = convert(w1_data())
        for prefix, (init, fit) in variants.items():
            measure(f"{prefix}_w1_fit", data, init, fit, W1_BATCH, W1_EPOCHS, args.repeats or 5, w1=True)
        del data

    if args.workload in ("w2", "all"):
        log(f"[{name}] W2: generating 2^20 x 256 float32 rows (1 GiB)")
        data = convert(w2_data())
        for batch in args.batch:
            for prefix, (init, fit) in variants.items():
                key = f"{prefix}_w2_b{batch}_epoch"
                if args.skip_slow and slow(prefix, batch):
                    log(f"  {key}: skipped (--skip-slow)")
                    continue
                measure(key, data, init, fit, batch, W2_EPOCHS, args.repeats or 3, w1=False)
        del data

    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1, sort_keys=True)
    for msg in failed:
        log(f"[{name}] FAILED: {msg}")
    sys.exit(1 if failed else 0)


def require(module_name):
    """Import a framework or exit 3 (run_all reports it as not installed)."""
    try:
        return __import__(module_name)
    except ImportError as e:
        log(f"{module_name} is not installed ({e}); run bench/peers/setup_venv.sh")
        sys.exit(3)
