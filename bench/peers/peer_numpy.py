"""NumPy float32 peer: the chapters' models with hand-written gradients.

W1/W2: linear regression (d2l 3.4). W3: softmax regression (d2l 4.4) with a
stable softmax (the row's largest logit taken out first) and its gradient
(softmax - onehot) / B.
"""
import numpy as np

import common


def init(d, seed):
    w, b = common.init_params(d, seed)
    return (w, b), np.random.default_rng(seed)


def loss_and_grads(w, b, X, y):
    err = X @ w + b - y                      # y_hat - y, shape (B, 1)
    loss = 0.5 * float(np.mean(err * err))
    return loss, X.T @ err / len(X), err.mean(axis=0)


def fit(data, params, rng, *, batch, epochs, lr):
    w, b = params
    n = len(data.X_train)
    for _ in range(epochs):
        order = rng.permutation(n)           # reshuffle every epoch
        for lo, hi in common.batch_bounds(n, batch):
            idx = order[lo:hi]
            _, g_w, g_b = loss_and_grads(w, b, data.X_train[idx], data.y_train[idx])
            w -= lr * g_w
            b -= lr * g_b
        if data.X_val is not None:           # validation: forward + loss, in order
            for lo, hi in common.batch_bounds(len(data.X_val), batch):
                err = data.X_val[lo:hi] @ w + b - data.y_val[lo:hi]
                _ = 0.5 * float(np.mean(err * err))
    return w, b


def init3(d, k, seed):
    W, b = common.init_params(d, seed, k)
    return (W, b), np.random.default_rng(seed)


def log_softmax_parts(X, W, b):
    """Logits less each row's largest, and log of each row's sum of their exps."""
    O = X @ W + b
    O -= O.max(axis=1, keepdims=True)
    return O, np.log(np.exp(O).sum(axis=1))


def fit3(data, params, rng, *, batch, lr):
    W, b = params
    n = len(data.X_train)
    order = rng.permutation(n)
    loss_sum, batches = 0.0, 0
    for lo, hi in common.batch_bounds(n, batch):
        idx = order[lo:hi]
        X, y = data.X_train[idx], data.y_train[idx]
        rows = np.arange(hi - lo)
        O, log_sum = log_softmax_parts(X, W, b)
        loss_sum += float(np.mean(log_sum - O[rows, y]))   # cross-entropy
        G = np.exp(O - log_sum[:, None])                   # softmax
        G[rows, y] -= 1
        G /= hi - lo
        W -= lr * (X.T @ G)
        b -= lr * G.sum(axis=0)
        batches += 1
    val_loss, correct = 0.0, 0
    for lo, hi in common.batch_bounds(len(data.X_val), batch):   # validation, in order
        y = data.y_val[lo:hi]
        O, log_sum = log_softmax_parts(data.X_val[lo:hi], W, b)
        val_loss += float(np.sum(log_sum - O[np.arange(hi - lo), y]))
        correct += int(np.count_nonzero(O.argmax(axis=1) == y))
    n_val = len(data.X_val)
    return loss_sum / batches, val_loss / n_val, correct / n_val


def to_numpy(params):
    w, b = params
    return w.reshape(-1).astype(np.float64), float(b[0])


def blas_name():
    try:
        return np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    except Exception:   # older NumPy has no dict mode
        return "unknown"


if __name__ == "__main__":
    common.run_peer("numpy", {"numpy": (init, fit)}, convert=lambda d: d, to_numpy=to_numpy,
                    meta={"numpy_blas": blas_name()},
                    w3_variants={"numpy": (init3, fit3)}, w3_convert=lambda d: d)
