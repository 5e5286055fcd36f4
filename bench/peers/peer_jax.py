"""JAX CPU peer, three styles.

d2l:  eager jax.value_and_grad on every batch (no jit), loss pulled to host
      per batch as d2l's ProgressBoard does.
jit:  one jax.jit-compiled step per batch (gather, loss, grads, SGD).
scan: the whole training epoch inside one jitted jax.lax.scan; the shuffled
      indices are gathered inside the scan.
W3 (softmax regression, d2l 4.4) has the same three styles, with a stable
log-softmax (jax.nn.log_softmax) in the cross-entropy; the scan style runs the
validation batches (loss and accuracy) in a second scan of the same jit.
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


# ---- W3: softmax regression -------------------------------------------------------------

def convert3(data):
    t = jnp.asarray
    return common.ClassData(t(data.X_train), t(data.y_train), t(data.X_val), t(data.y_val),
                            data.num_classes)


def init3(d, k, seed):
    W, b = common.init_params(d, seed, k)
    return (jnp.asarray(W), jnp.asarray(b)), np.random.default_rng(seed)


def ce_loss(params, X, y):
    """Mean cross-entropy, by a stable log-softmax."""
    W, b = params
    log_p = jax.nn.log_softmax(X @ W + b, axis=1)
    return -jnp.mean(jnp.take_along_axis(log_p, y[:, None], axis=1))


def val_sums(params, X, y):
    """(summed loss, correct predictions) of a validation batch."""
    W, b = params
    O = X @ W + b
    log_p = jax.nn.log_softmax(O, axis=1)
    return (-jnp.sum(jnp.take_along_axis(log_p, y[:, None], axis=1)),
            jnp.sum(jnp.argmax(O, axis=1) == y))


def w3_result(train_losses, val):
    """(mean training batch loss, validation loss, accuracy) from device values."""
    n_val = val[2]
    return (float(jnp.mean(jnp.asarray(train_losses))), float(val[0]) / n_val, float(val[1]) / n_val)


def fit3_d2l(data, params, rng, *, batch, lr):
    value_and_grad = jax.value_and_grad(ce_loss)
    n = len(data.X_train)
    order = rng.permutation(n)
    losses = []
    for lo, hi in common.batch_bounds(n, batch):
        idx = order[lo:hi]
        loss, grads = value_and_grad(params, data.X_train[idx], data.y_train[idx])
        losses.append(float(loss))                        # d2l plots every loss
        params = sgd(params, grads, lr)
    val = [0.0, 0, len(data.X_val)]
    for lo, hi in common.batch_bounds(len(data.X_val), batch):
        loss_sum, correct = val_sums(params, data.X_val[lo:hi], data.y_val[lo:hi])
        val[0] += float(loss_sum)
        val[1] += int(correct)
    return w3_result(losses, val)


@partial(jax.jit, static_argnames=("size",))
def jit3_train_step(params, X, y, order, start, size, lr):
    idx = lax.dynamic_slice_in_dim(order, start, size)
    loss, grads = jax.value_and_grad(ce_loss)(params, X[idx], y[idx])
    return sgd(params, grads, lr), loss


@partial(jax.jit, static_argnames=("size",))
def jit3_val_step(params, X, y, start, size):
    return val_sums(params, lax.dynamic_slice_in_dim(X, start, size),
                    lax.dynamic_slice_in_dim(y, start, size))


def fit3_jit(data, params, rng, *, batch, lr):
    n = len(data.X_train)
    order = jnp.asarray(rng.permutation(n).astype(np.int32))
    losses, sums = [], []                                 # stay on device
    for lo, hi in common.batch_bounds(n, batch):
        params, loss = jit3_train_step(params, data.X_train, data.y_train, order, lo, hi - lo, lr)
        losses.append(loss)
    for lo, hi in common.batch_bounds(len(data.X_val), batch):
        sums.append(jit3_val_step(params, data.X_val, data.y_val, lo, hi - lo))
    jax.block_until_ready((params, losses, sums))
    return w3_result(losses, [sum(float(s[0]) for s in sums), sum(int(s[1]) for s in sums),
                              len(data.X_val)])


@partial(jax.jit, static_argnames=("batch",))
def scan3_epoch(params, X, y, order, X_val, y_val, batch, lr):
    """The epoch: a scan over the training batches, then one over the validation ones."""
    def step(p, idx):
        loss, grads = jax.value_and_grad(ce_loss)(p, X[idx], y[idx])
        return sgd(p, grads, lr), loss
    params, losses = _scan_batches(step, params, order, batch)

    def val_step(acc, idx):
        loss_sum, correct = val_sums(params, X_val[idx], y_val[idx])
        return (acc[0] + loss_sum, acc[1] + correct), None
    full = len(X_val) // batch * batch
    idx = jnp.arange(len(X_val))
    acc, _ = lax.scan(val_step, (jnp.float32(0), jnp.int32(0)), idx[:full].reshape(-1, batch))
    if full < len(X_val):
        acc, _ = val_step(acc, idx[full:])
    return params, jnp.mean(losses), acc


def fit3_scan(data, params, rng, *, batch, lr):
    order = jnp.asarray(rng.permutation(len(data.X_train)).astype(np.int32))
    params, train_loss, (loss_sum, correct) = scan3_epoch(
        params, data.X_train, data.y_train, order, data.X_val, data.y_val, batch, lr)
    jax.block_until_ready((params, train_loss, loss_sum, correct))
    n_val = len(data.X_val)
    return float(train_loss), float(loss_sum) / n_val, int(correct) / n_val


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
        slow=lambda variant, batch: variant == "jax_d2l",
        w3_variants={"jax_d2l": (init3, fit3_d2l), "jax_jit": (init3, fit3_jit),
                     "jax_scan": (init3, fit3_scan)},
        w3_convert=convert3)
