"""PyTorch CPU peer, two styles.

d2l:    exactly as d2l chapter 3.4 writes it: parameters with requires_grad,
        autograd loss.backward(), manual SGD under torch.no_grad(), and
        loss.item() on every batch (the ProgressBoard pulls each loss to host).
manual: hand-written gradients, no autograd, in-place ops into reused buffers.
"""
import common

torch = common.require("torch")


def convert(data):
    # torch.from_numpy shares memory: the 1 GiB X of W2 is not copied.
    t = lambda a: None if a is None else torch.from_numpy(a)
    return common.Data(t(data.X_train), t(data.y_train), t(data.X_val), t(data.y_val),
                       data.w_true, data.b_true)


def init(d, seed, requires_grad):
    w, b = (torch.from_numpy(a).requires_grad_(requires_grad) for a in common.init_params(d, seed))
    return (w, b), torch.Generator().manual_seed(seed)


def fit_d2l(data, params, gen, *, batch, epochs, lr):
    w, b = params
    n = len(data.X_train)
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        for lo, hi in common.batch_bounds(n, batch):
            idx = order[lo:hi]
            X, y = data.X_train[idx], data.y_train[idx]
            loss = ((torch.matmul(X, w) + b - y) ** 2 / 2).mean()
            loss.item()                                  # d2l plots every loss
            loss.backward()
            with torch.no_grad():
                for p in (w, b):
                    p -= lr * p.grad
                    p.grad.zero_()
        if data.X_val is not None:
            with torch.no_grad():
                for lo, hi in common.batch_bounds(len(data.X_val), batch):
                    y_hat = torch.matmul(data.X_val[lo:hi], w) + b
                    ((y_hat - data.y_val[lo:hi]) ** 2 / 2).mean().item()
    return w, b


def fit_manual(data, params, gen, *, batch, epochs, lr):
    w, b = params
    n, d = data.X_train.shape
    # Buffers reused by every batch; the last partial batch uses a prefix.
    X, y, err = torch.empty(batch, d), torch.empty(batch, 1), torch.empty(batch, 1)
    g_w = torch.empty(d, 1)
    loss_sum = torch.zeros(())
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        for lo, hi in common.batch_bounds(n, batch):
            m = hi - lo
            Xb, yb, e = X[:m], y[:m], err[:m]
            torch.index_select(data.X_train, 0, order[lo:hi], out=Xb)
            torch.index_select(data.y_train, 0, order[lo:hi], out=yb)
            torch.mm(Xb, w, out=e)
            e.add_(b).sub_(yb)                           # y_hat - y
            loss_sum.add_(e.pow(2).mean(), alpha=0.5)    # kept on the tensor, not pulled
            torch.mm(Xb.t(), e, out=g_w)
            w.sub_(g_w, alpha=lr / m)
            b.sub_(e.mean(), alpha=lr)
        if data.X_val is not None:
            for lo, hi in common.batch_bounds(len(data.X_val), batch):
                e = err[:hi - lo]
                torch.mm(data.X_val[lo:hi], w, out=e)
                e.add_(b).sub_(data.y_val[lo:hi])
                loss_sum.add_(e.pow(2).mean(), alpha=0.5)
    loss_sum.item()
    return w, b


def to_numpy(params):
    w, b = (p.detach().numpy() for p in params)
    return w.reshape(-1).astype("float64"), float(b[0])


if __name__ == "__main__":
    common.run_peer(
        "torch",
        {"torch_d2l": (lambda d, s: init(d, s, True), fit_d2l),
         "torch_manual": (lambda d, s: init(d, s, False), fit_manual)},
        convert=convert, to_numpy=to_numpy,
        meta={"torch_version": torch.__version__, "torch_threads": torch.get_num_threads(),
              "torch_interop_threads": torch.get_num_interop_threads()},
        slow=lambda variant, batch: variant == "torch_d2l" and batch <= 1024)
