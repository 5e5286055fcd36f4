"""NumPy float32 peer: the chapter's model with hand-written gradients."""
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
                    meta={"numpy_blas": blas_name()})
