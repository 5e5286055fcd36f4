"""Shared pieces of the peer benchmarks: workloads, data, timing, CLI, JSON.

The workloads must match what clnum-bench runs (see README.md):
  W1  the d2l chapter 3.4 fit: d=2, 1000 train + 1000 val rows, batch 32,
      lr 0.03, 3 epochs; time = the whole fit (training + validation).
  W2  2^20 x 256 float32 rows, no validation, one epoch at batch 1024 and
      at batch 65536; time = one epoch.
  W3  d2l chapter 4.4's softmax regression shape: 60000 train + 10000 val rows
      of 784 pixels in [0, 1), k = 10 classes, batch 256, lr 0.1, one epoch;
      time = the epoch's training and its validation pass (loss, accuracy).
      Synthetic data (w3_data), bit-identical to clnum-bench's.
Data generation is never timed.
"""
import argparse
import json
import math
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

W3_TRAIN, W3_VAL, W3_DIM, W3_CLASSES = 60000, 10000, 784, 10
W3_BATCH, W3_LR, W3_SEED = 256, 0.1, 3
W3_NOISE = 1.0          # noise amplitude: uniform in [-W3_NOISE, W3_NOISE); a power of two

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


@dataclass
class ClassData:
    """W3: float32 pixels and int32 class labels (NumPy here, converted by each peer)."""
    X_train: object
    y_train: object
    X_val: object
    y_val: object
    num_classes: int


_U64 = np.uint64
_GOLDEN, _MIX1, _MIX2 = _U64(0x9E3779B97F4A7C15), _U64(0xBF58476D1CE4E5B9), _U64(0x94D049BB133111EB)


def w3_bits(seed, stream, index):
    """64 random bits for each uint64 of index: splitmix64's output function of
    golden * (z + 1), z = seed << 48 | stream << 40 | index (mod 2^64). The same
    in bench/workloads.c (w3_bits), so clnum-bench and every peer train on the
    same rows."""
    z = (_U64(seed) << _U64(48)) | (_U64(stream) << _U64(40)) | index
    z = (z + _U64(1)) * _GOLDEN
    z ^= z >> _U64(30)
    z *= _MIX1
    z ^= z >> _U64(27)
    z *= _MIX2
    return z ^ (z >> _U64(31))


def w3_data(seed=W3_SEED):
    """W3's rows. Pixel (i, j): h = w3_bits(seed, 0, i * 784 + j); 0 when h is
    even, else m / 2^24 with m = h >> 40 (uniform in [0, 1), exact in float32):
    half the pixels 0, mean 1/4, as Fashion-MNIST's (about half 0, mean 0.29).
    A teacher T[j, c] = (t - 256) / 256, t = w3_bits(seed, 1, j * 10 + c) >> 55,
    noise N[i, c] = (n - 2^15) / 2^15 * W3_NOISE, n = w3_bits(seed, 2, i * 10 + c)
    >> 48, and label[i] = the first c of largest (X[i] - 1/4) . T[:, c] + N[i, c]
    (centred, so the classes are balanced). Every term is a multiple of 2^-32
    below 2^10, so the sum is exact in float64 in any order: the labels are the
    same bits in C and here. Rows 0 .. 59999 train, the next 10000 validate.

    Why not every pixel uniform: with mean 1/2 the mean direction of X has a
    curvature that puts lr 0.1 at SGD's edge of stability (lr x 784 x 1/4 x 1/10
    = 1.96), the per-class logits swing with each step, and the accuracy after
    one epoch was 0.17 to 0.34 by the shuffle seed; with half the pixels 0 it is
    about 0.57 whatever the seed."""
    n, d, k = W3_TRAIN + W3_VAL, W3_DIM, W3_CLASSES
    X = np.empty((n, d), np.float32)
    logits = np.empty((n, k), np.float64)
    t = (w3_bits(seed, 1, np.arange(d * k, dtype=_U64)) >> _U64(55)).astype(np.int64)
    T = ((t - 256) / 256.0).reshape(d, k)
    chunk = 4096                               # rows at a time: keeps the uint64 temporaries small
    for lo in range(0, n, chunk):
        hi = min(lo + chunk, n)
        h = w3_bits(seed, 0, np.arange(lo * d, hi * d, dtype=_U64))
        x = np.where(h & _U64(1), (h >> _U64(40)).astype(np.float64) * 2.0 ** -24, 0.0)
        x = x.reshape(hi - lo, d)
        X[lo:hi] = x
        noise = (w3_bits(seed, 2, np.arange(lo * k, hi * k, dtype=_U64)) >> _U64(48)).astype(np.float64)
        noise = (noise - 2.0 ** 15) * (W3_NOISE / 2 ** 15)
        logits[lo:hi] = (x - 0.25) @ T + noise.reshape(hi - lo, k)
    y = logits.argmax(axis=1).astype(np.int32)   # the first of equal values, as in C
    return ClassData(X[:W3_TRAIN], y[:W3_TRAIN], X[W3_TRAIN:], y[W3_TRAIN:], k)


def init_params(d, seed, k=1):
    """w ~ N(0, 0.01^2) of shape (d, k), b = 0 (k values), both float32 NumPy."""
    rng = np.random.default_rng(seed)
    w = (0.01 * rng.standard_normal((d, k))).astype(np.float32)
    return w, np.zeros(k, np.float32)


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
    p = argparse.ArgumentParser(description=f"{name} peer benchmark for clnum (d2l 3.4 linear "
                                "regression, 4.4 softmax regression)")
    p.add_argument("--workload", choices=("w1", "w2", "w3", "all"), default="all")
    p.add_argument("--batch", type=int, action="append", choices=W2_BATCHES,
                   help="W2 batch size (repeatable; default: both)")
    p.add_argument("--repeats", type=int, help="timed runs after the warm-up (default: 5 for W1, 3 for W2 and W3)")
    p.add_argument("--json", metavar="OUT", help="write the results as flat JSON")
    p.add_argument("--skip-slow", action="store_true",
                   help="skip the very slow eager variants on W2")
    args = p.parse_args(argv)
    args.batch = tuple(args.batch or W2_BATCHES)
    return args


def base_meta():
    return {"python_version": platform.python_version(), "numpy_version": np.__version__,
            "cpu_count": os.cpu_count(), "machine": platform.machine()}


def run_peer(name, variants, convert, to_numpy, meta, slow=lambda variant, batch: False, argv=None,
             w3_variants=None, w3_convert=None):
    """Run every variant of one framework on the chosen workloads.

    variants: {key prefix: (init, fit)} where
      init(d, seed) -> tuple of framework state (params, ...), untimed;
      fit(data, *state, batch, epochs, lr) -> params, timed.
    convert(Data) -> Data of framework arrays (done once, untimed).
    to_numpy(params) -> (w of shape (d,), b float) for the correctness check.
    slow(variant, batch) -> True for eager variants that --skip-slow drops on W2.
    w3_variants: {key prefix: (init, fit)} of the softmax regression (W3) where
      init(d, k, seed) -> tuple of framework state, untimed;
      fit(data, *state, batch, lr) -> (train loss, val loss, val accuracy), timed:
      one epoch and its validation pass, every figure computed (on the device
      too) before it returns; each may be a 0-d array, made a float untimed.
    w3_convert(ClassData) -> ClassData of framework arrays.
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

    if args.workload in ("w3", "all") and w3_variants:
        log(f"[{name}] W3: generating {W3_TRAIN + W3_VAL} x {W3_DIM} pixels, {W3_CLASSES} classes")
        data = w3_convert(w3_data())
        for prefix, (init, fit) in w3_variants.items():
            measure_w3(f"{prefix}_w3_epoch", data, init, fit, args.repeats or 3, out, failed)
        del data

    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1, sort_keys=True)
    for msg in failed:
        log(f"[{name}] FAILED: {msg}")
    sys.exit(1 if failed else 0)


# W3's sanity check: one epoch takes the loss from ln 10 = 2.303 to about 2.04 and
# the validation accuracy to about 0.57 (chance: 0.1; the noisy teacher itself: 0.9).
W3_MIN_ACC = 0.4


def measure_w3(key, data, init, fit, repeats, out, failed):
    """W3 of one variant: times, then the loss and accuracy of the last run."""
    d, k = data.X_train.shape[1], data.num_classes
    try:
        best, med, result = time_runs(
            key, lambda: init(d, k, RUN_SEED),
            lambda *state: fit(data, *state, batch=W3_BATCH, lr=W3_LR), repeats)
    except Exception:
        traceback.print_exc()
        failed.append(f"{key} raised")
        return
    train_loss, val_loss, val_acc = (float(v) for v in result)
    if not (train_loss < math.log(W3_CLASSES) and val_acc > W3_MIN_ACC):
        failed.append(f"{key}: learned nonsense (train loss {train_loss:.4g}, accuracy {val_acc:.4g})")
        return
    out[f"{key}_ms"], out[f"{key}_median_ms"] = round(best, 3), round(med, 3)
    out[f"{key}_train_loss"] = round(train_loss, 5)
    out[f"{key}_val_loss"] = round(val_loss, 5)
    out[f"{key}_val_acc"] = round(val_acc, 5)
    print(f"{key:34s} {best:11.2f} ms  (median {med:8.2f})  train loss {train_loss:.4f}, "
          f"val loss {val_loss:.4f}, val accuracy {val_acc:.4f}", flush=True)


def require(module_name):
    """Import a framework or exit 3 (run_all reports it as not installed)."""
    try:
        return __import__(module_name)
    except ImportError as e:
        log(f"{module_name} is not installed ({e}); run bench/peers/setup_venv.sh")
        sys.exit(3)
