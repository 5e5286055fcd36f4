#!/usr/bin/env python3
"""Softmax regression in float64 NumPy, replaying what tests/softmax_reference trained with
clnum, and the comparison that is softmax regression's acceptance test.

    softmax_numpy.py RUN.json [--name NAME]

RUN.json (written by tests/softmax_reference) holds the rows as the device saw them (after the
split and the standardisation, rounded to its dtype), the labels, the initial W and b, every
epoch's training order, the settings, and clnum's per-epoch validation accuracy and final W
and b. The same training here, in float64: from the same W0 and b0, per epoch the minibatches
of that epoch's order (positions [s * B, min((s + 1) * B, n)), the last partial batch kept),
logits O = X W + b, the stable softmax cross-entropy (the row's largest logit taken out), the
gradient G = (softmax(O) - onehot(y)) / B, g_W = X^T G, g_b = column sums of G, and plain SGD
W -= lr g_W, b -= lr g_b at lr = the setting (0.1, not its float32 rounding); then the
validation accuracy (argmax, the first largest on ties, as clnum's).

It fails (exit 1, saying why) unless
  1. |clnum's final validation accuracy - NumPy's| <= 0.01 (one point), and
  2. |theta_clnum - theta_numpy|_2 <= E, theta = (W, b), E a bound on how far rounding can
     take the device's fit from the exact one plus how far it can take this one (below).
It prints both accuracies, max |W_clnum - W_numpy| and E, both also relative to max |W|,
how many validation rows lie so close to a decision boundary that the rounding could move
them (none: the accuracies must then agree exactly), the per-epoch accuracies that differ,
and the convergence (training loss, accuracy over the last epochs) that justifies the epochs.

The bound E (the argument of tests/test_softmax.c's host replica, whose rounding model this
ports: u per operation, FMA or not; exp and log within 3 ulp and float division within 2.5 ulp,
OpenCL C's accuracy; an ulp at most 2u|x|):
  * one step's local error: for the step from the device's parameters theta_hat, the device's
    result minus the exact step from theta_hat, bounded element by element through the
    logits (a dot product of d + 1 terms), the softmax, the batch sum of the gradient and the
    update; evaluated at NumPy's theta with every magnitude enlarged by the distance E so far
    (the logits by |(x, 1)| E); plus the same bound for NumPy's own float64 step, and
    |lr_device - lr| times the gradient's magnitude (the device steps with float32's 0.1);
  * propagation: theta -> theta - lr grad L_B(theta) is the gradient step of a convex loss
    whose Hessian is (1/B) sum_i (x_i, 1)(x_i, 1)^T (kron) (diag p_i - p_i p_i^T)
    <= lambda_B I, lambda_B = lambda_max((1/B) Xt_B^T Xt_B) / 2 (diag p - p p^T <= I/2,
    Boehning 1992); by the mean-value theorem the difference of two trajectories maps through
    the symmetric I - lr H_bar, of norm max(1, lr lambda_B - 1): 1 when lr lambda_B <= 2,
    checked for every minibatch here, so the errors of earlier steps do not grow, and
    E_{t+1} = E_t + local_t.
Over 800 (iris) or 900 (wine) float32 steps E comes to 3.6e-4 (iris) and 1.9e-3 (wine) of
max |W|, a few u per step; the measured difference (PoCL and llvmpipe alike) is about 6e-7
of max |W|, far below it, while a replay that drops the partial last batch, takes each epoch's
order one epoch off or does not shuffle lands beyond it on both sets (on iris even one wrong
order of the 100 does; on wine that one stays within the bound).
With float64 on the device E is about 2^29 times smaller (1e-12 of max |W|; measured 1e-15).
"""

import argparse
import json
import math
import sys

import numpy as np


def die(msg):
    print(f"softmax_numpy: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


class Rounding:
    """The rounding model of a dtype (tests/test_softmax.c's u_of, fn_err, div_err, gam, tiny;
    test_util.c's tu_sum_bound)."""

    def __init__(self, u):
        self.u = u
        self.f64 = u < 1e-10
        self.fn = 6 * u                      # exp, log: 3 ulp
        self.div = u if self.f64 else 5 * u  # division: 2.5 ulp in float, exact rounding in double
        self.tiny = 2.0 ** -1074 if self.f64 else 2.0 ** -149
        self.underflow = 2.0 ** -1074 if self.f64 else 2.0 ** -150

    def gam(self, n):
        nu = n * self.u
        assert nu < 1
        return nu / (1 - nu)

    def sum_bound(self, roundings, abs_sum, products):
        g = self.gam(roundings)
        return g * abs_sum + products * self.underflow * (1 + g)


def row_bounds(r, o, labels, eps, shift):
    """Per row (o: n x k logits at NumPy's parameters; eps, shift: n) the device's softmax
    delta = p - onehot's error bound and magnitude bound (test_softmax.c's row_bounds)."""
    n, k = o.shape
    u = r.u
    m = o.max(axis=1, keepdims=True)
    z = o - m
    ez = np.exp(z)
    S = ez.sum(axis=1, keepdims=True)
    infl = (eps + shift)[:, None]
    rel = (1 + r.fn) * np.exp(u * (np.abs(z) + 2 * infl)) - 1
    rho = (1 + rel.max(axis=1, keepdims=True)) * (1 + r.gam(k - 1)) - 1 + 3 * k * r.tiny
    p = ez / S
    ph = p * np.exp(2 * infl)
    eta = (1 + rel) * (1 + r.div) / (1 - rho) - 1
    one = np.zeros_like(o)
    one[np.arange(n), labels] = 1.0
    err = (p * np.exp(2 * shift)[:, None] * np.expm1(2 * eps)[:, None] + eta * ph + 3 * r.tiny
           + one * u * (1 + ph * (1 + eta)))
    mag = one + ph * (1 + eta) + 3 * r.tiny
    return err, mag


def grad_bound(r, xa, err, mag):
    """g = sum_i x_i delta_i / n for every (j, c) at once (xa: n x (d + 1) of |x|, 1 last;
    err, mag: n x k): test_softmax.c's grad_bound."""
    n = xa.shape[0]
    a = xa.T @ err
    M = xa.T @ mag
    e = (a + r.sum_bound(n, M, n)) / n
    return e + r.div * (M / n + e), M / n


def step_bound(r, w, g, g_err, lr, decayed):
    """w - lr g from g within g_err, magnitudes |w|, |g| (test_softmax.c's step_bound with
    weight decay 0: a weight's g + 0 w still counted as a rounding)."""
    u = r.u
    et = np.where(decayed, u * g, 0.0)
    q = lr * (g + et)
    eq = lr * et + u * q
    return eq + u * (w + q + eq) + lr * g_err * (1 + u) ** 3


def softmax_ce(O, y):
    """Mean stable cross-entropy and softmax probabilities of logits O (n x k)."""
    Z = O - O.max(axis=1, keepdims=True)
    lse = np.log(np.exp(Z).sum(axis=1))
    P = np.exp(Z - lse[:, None])
    loss = float(np.mean(lse - Z[np.arange(len(y)), y]))
    return loss, P


def accuracy(X, y, W, b):
    return float(np.mean(np.argmax(X @ W + b, axis=1) == y))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("json")
    ap.add_argument("--name", default=None, help="what the messages call the run")
    args = ap.parse_args()
    name = args.name or args.json
    with open(args.json) as f:
        run = json.load(f)

    def arr(key, dtype=np.float64):
        v = run[key]
        a = np.array(v, dtype=object)
        if any(x is None for x in a.ravel()):
            die(f"{name}: clnum wrote a NaN or an infinity in '{key}'")
        return np.array(v, dtype=dtype)

    d, k = run["num_inputs"], run["num_classes"]
    nt, nv = run["num_train"], run["num_val"]
    B, epochs = run["batch_size"], run["epochs"]
    lr, lr_dev = run["lr"], run["lr_device"]
    Xt, yt = arr("X_train"), arr("y_train", np.int64)
    Xv, yv = arr("X_val"), arr("y_val", np.int64)
    W, b = arr("W0").copy(), arr("b0").copy()
    orders = arr("orders", np.int64)
    acc_clnum_epochs = arr("val_acc")
    W_cl, b_cl = arr("W"), arr("b")
    if Xt.shape != (nt, d) or Xv.shape != (nv, d) or W.shape != (d, k) or b.shape != (k,):
        die(f"{name}: the JSON's shapes do not fit d {d}, k {k}, {nt} + {nv} rows")
    if orders.shape != (epochs, nt) or acc_clnum_epochs.shape != (epochs,) or nv == 0:
        die(f"{name}: the JSON has {orders.shape} orders and {acc_clnum_epochs.shape} accuracies "
            f"for {epochs} epochs of {nt} rows, {nv} validation rows")
    for e in range(epochs):
        if not np.array_equal(np.sort(orders[e]), np.arange(nt)):
            die(f"{name}: epoch {e}'s order is not a permutation of the {nt} training rows")
    nb = (nt + B - 1) // B
    if run["updates"] != epochs * nb:
        die(f"{name}: clnum took {run['updates']} steps, expected {epochs} x {nb}")

    dev = Rounding(run["unit_roundoff"])
    ref = Rounding(2.0 ** -53)
    dlr = abs(lr_dev - lr)
    decayed = np.zeros((d + 1, k), dtype=bool)
    decayed[:d] = True
    E = 0.0            # bound on |theta_clnum - theta_numpy|_2 so far
    lr_lambda = 0.0    # the largest lr * lambda_B met
    train_loss = []
    acc_np_epochs = []
    for e in range(epochs):
        order = orders[e]
        epoch_loss = 0.0
        for s in range(nb):
            rows = order[s * B:min((s + 1) * B, nt)]
            X, y = Xt[rows], yt[rows]
            n = len(rows)
            Xa = np.hstack([X, np.ones((n, 1))])
            # propagation: the step map's Lipschitz constant on this batch
            lam = np.linalg.eigvalsh(Xa.T @ Xa / n)[-1] * (1 + 1e-12) / 2
            lr_lambda = max(lr_lambda, lr_dev * lam)
            lip = max(1.0, lr_dev * lam - 1)
            # the step, float64
            O = X @ W + b
            loss, P = softmax_ce(O, y)
            epoch_loss += loss / nb
            G = P.copy()
            G[np.arange(n), y] -= 1.0
            gW = X.T @ G / n
            gb = G.sum(axis=0) / n
            # its local error, device's and NumPy's, at these parameters enlarged by E
            nx = np.sqrt(1 + np.sum(X * X, axis=1))
            shift = nx * E
            mag = np.abs(X) @ np.abs(W) + np.abs(b)            # n x k
            eps = dev.sum_bound(d + 1, mag + shift[:, None], d).max(axis=1)
            eps64 = ref.sum_bound(d + 1, mag, d).max(axis=1)
            err, dmag = row_bounds(dev, O, y, eps, shift)
            err64, dmag64 = row_bounds(ref, O, y, eps64, np.zeros(n))
            Xabs = np.abs(Xa)
            ge, gmag = grad_bound(dev, Xabs, err, dmag)
            ge64, _ = grad_bound(ref, Xabs, err64, dmag64)
            theta_abs = np.abs(np.vstack([W, b[None, :]]))
            g_abs = np.abs(np.vstack([gW, gb[None, :]]))
            g_dev = gmag * (1 + dev.div) + ge                   # |the device's gradient|
            local = step_bound(dev, theta_abs + E, g_dev, ge, lr_dev, decayed)
            local64 = step_bound(ref, theta_abs, g_abs + ge64, ge64, lr, decayed)
            E = lip * E + (np.sqrt(np.sum(local ** 2)) + np.sqrt(np.sum(local64 ** 2))
                           + dlr * np.sqrt(np.sum(g_dev ** 2)))
            W = W - lr * gW
            b = b - lr * gb
        train_loss.append(epoch_loss)
        acc_np_epochs.append(accuracy(Xv, yv, W, b))

    # validation rows whose prediction the rounding could change
    Ov = Xv @ W + b
    top = np.sort(Ov, axis=1)
    gap = top[:, -1] - top[:, -2]
    nxv = np.sqrt(1 + np.sum(Xv * Xv, axis=1))
    magv = np.abs(Xv) @ np.abs(W) + np.abs(b)
    epsv = (dev.sum_bound(d + 1, magv + (nxv * E)[:, None], d).max(axis=1)
            + ref.sum_bound(d + 1, magv, d).max(axis=1))
    uncertain = int(np.sum(~(gap > 2 * (epsv + nxv * E))))

    acc_np = acc_np_epochs[-1]
    acc_cl = float(acc_clnum_epochs[-1])
    dW = float(np.max(np.abs(W_cl - W)))
    db = float(np.max(np.abs(b_cl - b)))
    dtheta = float(np.sqrt(np.sum((W_cl - W) ** 2) + np.sum((b_cl - b) ** 2)))
    wmax = float(np.max(np.abs(W)))
    differ = [e for e in range(epochs) if abs(acc_clnum_epochs[e] - acc_np_epochs[e]) > 1e-6]

    print(f"softmax_numpy: {name}: {d} features, {k} classes, {nt} training and {nv} "
          f"validation rows, batch {B} ({nb} an epoch, the last of {nt - (nb - 1) * B}), "
          f"lr {lr}, {epochs} epochs, clnum {run['dtype']} on its {run['path']} path")
    print(f"  validation accuracy: clnum {acc_cl:.6f}, NumPy float64 {acc_np:.6f} "
          f"(|difference| {abs(acc_cl - acc_np):.2g}, allowed 0.01)")
    print(f"  max |W_clnum - W_numpy| {dW:.3g} ({dW / wmax:.3g} of max |W| = {wmax:.4g}), "
          f"max |b diff| {db:.3g}; |theta diff|_2 {dtheta:.3g}, bound E {E:.3g} "
          f"({E / wmax:.3g} of max |W|); largest lr lambda_B {lr_lambda:.3g} (<= 2 needed)")
    print(f"  validation rows within the rounding of a decision boundary: {uncertain} "
          f"(smallest top-two logit gap {gap.min():.3g})")
    print(f"  epochs whose accuracies differ: {len(differ)}"
          + (f" (first: {differ[:5]})" if differ else ""))
    last = max(1, epochs // 5)
    print(f"  convergence: NumPy training loss {train_loss[0]:.4f} (epoch 1), "
          f"{train_loss[epochs // 2 - 1]:.4f} (epoch {epochs // 2}), "
          f"{train_loss[epochs - last - 1]:.4f} (epoch {epochs - last}), "
          f"{train_loss[-1]:.4f} (epoch {epochs}); validation accuracy constant since epoch "
          f"{1 + max([e + 1 for e in range(epochs - 1) if acc_np_epochs[e] != acc_np] or [0])}")

    fails = []
    if lr_lambda > 2:
        fails.append(f"lr lambda_B reaches {lr_lambda:.3g} > 2: the step map may expand and "
                     f"the bound E does not hold (a smaller lr or standardised features)")
    if not abs(acc_cl - acc_np) <= 0.01:
        fails.append(f"validation accuracy: clnum {acc_cl:.6f}, NumPy {acc_np:.6f}: more than "
                     f"one point apart")
    if not dtheta <= E:
        fails.append(f"|theta_clnum - theta_numpy|_2 = {dtheta:.3g} exceeds the rounding bound "
                     f"E = {E:.3g}: clnum's fit is not the same training")
    if fails:
        die(f"{name}: " + "; ".join(fails))
    print(f"softmax_numpy: {name}: PASS")


if __name__ == "__main__":
    main()
