"""JAX CPU peer, three styles.

d2l:  eager jax.value_and_grad on every batch (no jit), loss pulled to host
      per batch as d2l's ProgressBoard does.
jit:  one jax.jit-compiled step per batch (gather, loss, grads, SGD).
scan: the whole training epoch inside one jitted jax.lax.scan; the shuffled
      indices are gathered inside the scan.
The shuffle order comes from NumPy on the host in every style (as d2l does):
jax.random.permutation of 2^20 rows takes ~0.7 s on a 2-core CPU and would
swamp the W2 epoch.  jit and scan stop the clock after block_until_ready().
"""
from functools import partial
from importlib.metadata import version

import numpy as np

import common

jax = common.require("jax")
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402


def convert(data):
    # One device copy; the caller drops the NumPy arrays so W2 keeps one 1 GiB X.
    t = lambda a: None if a is None else jnp.asarray(a)
    return common.Data(t(data.X_train), t(data.y_train), t(data.X_val), t(data.y_val),
                       data.w_true, data.b_true)


def init(d, seed):
    w, b = common.init_params(d, seed)
    return (jnp.asarray(w), jnp.asarray(b)), np.random.default_rng(seed)


def loss_fn(params, X, y):
    w, b = params
    return jnp.mean((X @ w + b - y) ** 2 / 2)


def sgd(params, grads, lr):
    return tuple(p - lr * g for p, g in zip(params, grads))


def fit_d2l(data, params, rng, *, batch, epochs, lr):
    value_and_grad = jax.value_and_grad(loss_fn)
    n = len(data.X_train)
    for _ in range(epochs):
        order = rng.permutation(n)
        for lo, hi in common.batch_bounds(n, batch):
            idx = order[lo:hi]
            loss, grads = value_and_grad(params, data.X_train[idx], data.y_train[idx])
            float(loss)                                   # d2l plots every loss
            params = sgd(params, grads, lr)
        if data.X_val is not None:
            for lo, hi in common.batch_bounds(len(data.X_val), batch):
                float(loss_fn(params, data.X_val[lo:hi], data.y_val[lo:hi]))
    return params


@partial(jax.jit, static_argnames=("size",))
def jit_train_step(params, X, y, order, start, size, lr):
    # `start` is traced, so one compilation per batch size (32 and 8 on W1).
    idx = lax.dynamic_slice_in_dim(order, start, size)
    loss, grads = jax.value_and_grad(loss_fn)(params, X[idx], y[idx])
    return sgd(params, grads, lr), loss


@partial(jax.jit, static_argnames=("size",))
def jit_val_loss(params, X, y, start, size):
    return loss_fn(params, lax.dynamic_slice_in_dim(X, start, size),
                   lax.dynamic_slice_in_dim(y, start, size))


def fit_jit(data, params, rng, *, batch, epochs, lr):
    n = len(data.X_train)
    losses = []                                           # stay on device
    for _ in range(epochs):
        order = jnp.asarray(rng.permutation(n).astype(np.int32))
        for lo, hi in common.batch_bounds(n, batch):
            params, loss = jit_train_step(params, data.X_train, data.y_train, order, lo, hi - lo, lr)
            losses.append(loss)
        if data.X_val is not None:
            for lo, hi in common.batch_bounds(len(data.X_val), batch):
                losses.append(jit_val_loss(params, data.X_val, data.y_val, lo, hi - lo))
    jax.block_until_ready((params, losses))
    return params


def _scan_batches(body, carry, idx, batch):
    """Scan body over full batches of idx, then once over the partial tail."""
    full = len(idx) // batch * batch
    carry, losses = lax.scan(body, carry, idx[:full].reshape(-1, batch))
    if full < len(idx):
        carry, tail = body(carry, idx[full:])
        losses = jnp.append(losses, tail)
    return carry, losses


@partial(jax.jit, static_argnames=("batch",))
def scan_train_epoch(params, X, y, order, batch, lr):
    def step(p, idx):
        loss, grads = jax.value_and_grad(loss_fn)(p, X[idx], y[idx])
        return sgd(p, grads, lr), loss
    return _scan_batches(step, params, order, batch)


@partial(jax.jit, static_argnames=("batch",))
def scan_val_epoch(params, X, y, batch):
    _, losses = _scan_batches(lambda p, idx: (p, loss_fn(p, X[idx], y[idx])),
                              params, jnp.arange(len(X)), batch)
    return losses


def fit_scan(data, params, rng, *, batch, epochs, lr):
    n = len(data.X_train)
    losses = []
    for _ in range(epochs):
        order = jnp.asarray(rng.permutation(n).astype(np.int32))
        params, train_losses = scan_train_epoch(params, data.X_train, data.y_train, order, batch, lr)
        losses.append(train_losses)
        if data.X_val is not None:
            losses.append(scan_val_epoch(params, data.X_val, data.y_val, batch))
    jax.block_until_ready((params, losses))
    return params


def to_numpy(params):
    w, b = (np.asarray(p) for p in params)
    return w.reshape(-1).astype(np.float64), float(b[0])


if __name__ == "__main__":
    common.run_peer(
        "jax",
        {"jax_d2l": (init, fit_d2l), "jax_jit": (init, fit_jit), "jax_scan": (init, fit_scan)},
        convert=convert, to_numpy=to_numpy,
        meta={"jax_version": jax.__version__, "jaxlib_version": version("jaxlib"),
              "jax_devices": str(jax.devices())},
        slow=lambda variant, batch: variant == "jax_d2l")
