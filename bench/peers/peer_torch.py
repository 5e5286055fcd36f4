"""PyTorch CPU peer, two styles.

d2l:    exactly as d2l chapter 3.4 writes it: parameters with requires_grad,
        autograd loss.backward(), manual SGD under torch.no_grad(), and
        loss.item() on every batch (the ProgressBoard pulls each loss to host).
        W3 as chapter 4.4's softmax regression from scratch: softmax by
        exp / sum (not stabilised), cross_entropy as
        -log(y_hat[list(range(len(y_hat))), y]).mean(), d2l's Trainer step
        (zero_grad, then backward and SGD under torch.no_grad()), and the
        validation loss and accuracy (Classifier.accuracy) of every batch pulled.
manual: hand-written gradients, no autograd, in-place ops into reused buffers
        (W3: a stable softmax and its gradient (softmax - onehot) / B).
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


def convert3(data):
    # Labels as int64: what torch indexes with.
    return common.ClassData(torch.from_numpy(data.X_train), torch.from_numpy(data.y_train).long(),
                            torch.from_numpy(data.X_val), torch.from_numpy(data.y_val).long(),
                            data.num_classes)


def init3(d, k, seed, requires_grad):
    W, b = (torch.from_numpy(a).requires_grad_(requires_grad) for a in common.init_params(d, seed, k))
    return (W, b), torch.Generator().manual_seed(seed)


def softmax(X):                                          # d2l 4.4
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdims=True)
    return X_exp / partition                             # broadcasting


def cross_entropy(y_hat, y):                             # d2l 4.4
    return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()


def accuracy(Y_hat, Y):                                  # d2l's Classifier.accuracy
    preds = Y_hat.argmax(axis=1).type(Y.dtype)
    return (preds == Y.reshape(-1)).type(torch.float32).mean()


def fit3_d2l(data, params, gen, *, batch, lr):
    W, b = params
    net = lambda X: softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)
    n = len(data.X_train)
    order = torch.randperm(n, generator=gen)             # a shuffled DataLoader's order
    train_loss = []
    for lo, hi in common.batch_bounds(n, batch):
        idx = order[lo:hi]
        X, y = data.X_train[idx], data.y_train[idx]
        loss = cross_entropy(net(X), y)                  # training_step
        train_loss.append(loss.item())                   # d2l plots every loss
        for p in (W, b):                                 # d2l's SGD.zero_grad
            if p.grad is not None:
                p.grad.zero_()
        with torch.no_grad():                            # d2l's Trainer.fit_epoch
            loss.backward()
            for p in (W, b):                             # d2l's SGD.step
                p -= lr * p.grad
    val_loss = correct = 0.0
    for lo, hi in common.batch_bounds(len(data.X_val), batch):
        with torch.no_grad():                            # validation_step: loss and accuracy
            y_hat, y = net(data.X_val[lo:hi]), data.y_val[lo:hi]
            val_loss += cross_entropy(y_hat, y).item() * (hi - lo)
            correct += accuracy(y_hat, y).item() * (hi - lo)
    n_val = len(data.X_val)
    return sum(train_loss) / len(train_loss), val_loss / n_val, correct / n_val


def fit3_manual(data, params, gen, *, batch, lr):
    W, b = params
    n, d = data.X_train.shape
    k = W.shape[1]
    X, y = torch.empty(batch, d), torch.empty(batch, dtype=torch.long)
    O, g_W = torch.empty(batch, k), torch.empty(d, k)
    lse, mx = torch.empty(batch, 1), torch.empty(batch, 1)
    loss_sum, batches = torch.zeros(()), 0

    def logits(Xb, Ob, mb, lb):
        torch.addmm(b, Xb, W, out=Ob)
        torch.amax(Ob, 1, keepdim=True, out=mb)
        Ob.sub_(mb)                                      # the row's largest taken out
        torch.logsumexp(Ob, 1, keepdim=True, out=lb)

    order = torch.randperm(n, generator=gen)
    for lo, hi in common.batch_bounds(n, batch):
        m = hi - lo
        Xb, yb, Ob, lb = X[:m], y[:m], O[:m], lse[:m]
        torch.index_select(data.X_train, 0, order[lo:hi], out=Xb)
        torch.index_select(data.y_train, 0, order[lo:hi], out=yb)
        logits(Xb, Ob, mx[:m], lb)
        loss_sum.add_(lb.sum() - Ob.gather(1, yb[:, None]).sum(), alpha=1.0 / m)
        Ob.sub_(lb).exp_()                               # softmax
        Ob[torch.arange(m), yb] -= 1
        torch.mm(Xb.t(), Ob, out=g_W)
        W.sub_(g_W, alpha=lr / m)
        b.sub_(Ob.sum(0), alpha=lr / m)
        batches += 1
    val_loss, correct = torch.zeros(()), torch.zeros((), dtype=torch.long)
    for lo, hi in common.batch_bounds(len(data.X_val), batch):
        m = hi - lo
        Ob, lb, yv = O[:m], lse[:m], data.y_val[lo:hi]
        logits(data.X_val[lo:hi], Ob, mx[:m], lb)
        val_loss.add_(lb.sum() - Ob.gather(1, yv[:, None]).sum())
        correct.add_((Ob.argmax(1) == yv).sum())
    n_val = len(data.X_val)
    return loss_sum.item() / batches, val_loss.item() / n_val, correct.item() / n_val


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
        slow=lambda variant, batch: variant == "torch_d2l" and batch <= 1024,
        w3_variants={"torch_d2l": (lambda d, k, s: init3(d, k, s, True), fit3_d2l),
                     "torch_manual": (lambda d, k, s: init3(d, k, s, False), fit3_manual)},
        w3_convert=convert3)
