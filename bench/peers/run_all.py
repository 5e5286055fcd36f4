"""Run every peer benchmark and print one table, with ratios to clnum.

Each peer runs in its own subprocess so that a missing or failing framework
only loses its own rows.  With --clnum-json (written by `clnum-bench --json`)
every row gets ratio = peer time / clnum time, so > 1 means clnum is faster.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = ("numpy", "torch", "jax")
IMPLEMENTATIONS = (
    ("numpy", "NumPy, hand-written grads"),
    ("torch_d2l", "PyTorch d2l (autograd, .item() per batch)"),
    ("torch_manual", "PyTorch manual grads, in-place"),
    ("jax_d2l", "JAX d2l (eager value_and_grad)"),
    ("jax_jit", "JAX jit per batch"),
    ("jax_scan", "JAX jit lax.scan per epoch"),
)
# clnum-bench's other rows: each training path of the library (the headline row is the
# path it picks, "auto"), and the same training through CLBlast alone.
CLNUM_PATHS = (
    ("stepwise", "clnum stepwise path (4 kernels a batch)"),
    ("fused", "clnum fused path (1 kernel a batch)"),
    ("epoch", "clnum epoch path (1 kernel an epoch, 1 work-group)"),
    ("persistent", "clnum persistent path (1 kernel an epoch, every work-group)"),
)
WORKLOADS = (
    ("w1_fit", "W1 chapter fit (3 epochs)"),
    ("w2_b1024_epoch", "W2 epoch, batch 1024"),
    ("w2_b65536_epoch", "W2 epoch, batch 65536"),
    ("w3_epoch", "W3 softmax epoch + validation"),
)
# W3's sanity figures, shown beside its times: every implementation must learn.
W3_SANITY = (("train_loss", "train loss"), ("val_loss", "val loss"), ("val_acc", "val accuracy"))
META_KEYS = ("python_version", "numpy_version", "numpy_blas", "torch_version", "torch_threads",
             "jax_version", "cpu_count")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--peers", default=",".join(PEERS), help="comma-separated subset of: " + ", ".join(PEERS))
    p.add_argument("--workload", choices=("w1", "w2", "w3", "all"), default="all")
    p.add_argument("--batch", type=int, action="append", help="W2 batch size (repeatable; default: both)")
    p.add_argument("--repeats", type=int, help="timed runs per figure (default: 5 for W1, 3 for W2 and W3)")
    p.add_argument("--skip-slow", action="store_true", help="skip the very slow eager variants on W2")
    p.add_argument("--clnum-json", metavar="FILE", help="flat JSON from `clnum-bench --json FILE`")
    p.add_argument("--peers-json", metavar="FILE",
                   help="reuse the figures of an earlier --json instead of running the peers")
    p.add_argument("--json", metavar="OUT", help="write all figures as flat JSON")
    p.add_argument("--markdown", metavar="OUT", help="write the table as Markdown")
    return p.parse_args()


def run_peers(args):
    """Run each peer, merging the flat JSON each writes; never stop on failure."""
    passthrough = ["--workload", args.workload]
    passthrough += [f"--batch={b}" for b in args.batch or ()]
    passthrough += [f"--repeats={args.repeats}"] if args.repeats else []
    passthrough += ["--skip-slow"] if args.skip_slow else []
    results, start = {}, time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for peer in args.peers.split(","):
            out = os.path.join(tmp, f"{peer}.json")
            cmd = [sys.executable, os.path.join(HERE, f"peer_{peer}.py"), *passthrough, "--json", out]
            print(f"== peer_{peer} ==", flush=True)
            t0 = time.perf_counter()
            rc = subprocess.run(cmd).returncode
            took = time.perf_counter() - t0
            if rc == 3:
                print(f"== peer_{peer}: SKIPPED, framework not installed ==", flush=True)
            elif rc != 0:
                why = f"killed by signal {-rc}" if rc < 0 else f"exit {rc}"
                print(f"== peer_{peer}: FAILED ({why}); keeping what it measured, going on ==", flush=True)
            else:
                print(f"== peer_{peer}: done in {took:.1f} s ==", flush=True)
            if os.path.exists(out):
                with open(out) as f:
                    results.update(json.load(f))
    results["peers_wall_s"] = round(time.perf_counter() - start, 1)
    return results


def fmt_ms(ms):
    return f"{ms:,.2f}" if ms < 1000 else f"{ms:,.0f}"


def fmt_ratio(r):
    return f"{r:.0f}x" if r >= 100 else f"{r:.1f}x" if r >= 10 else f"{r:.2f}x" if r >= 0.1 else f"{r:.3f}x"


def clnum_rows(clnum, wkey, wname, base):
    """Rows of clnum-bench's per-path and CLBlast figures of one workload, when measured.

    clnum-bench names them w1_<path>_fit_ms, w2_b1024_<path>_epoch_ms and clblast_<wkey>_ms;
    a path the library lacks is null there and has no row here.
    """
    head, unit = wkey.rsplit("_", 1)
    variants = [(f"{head}_{p}_{unit}", label) for p, label in CLNUM_PATHS]
    variants.append((f"clblast_{wkey}", "CLBlast only (gemv, gemv^T, axpy)"))
    rows = []
    for key, label in variants:
        ms, med = clnum.get(f"{key}_ms"), clnum.get(f"{key}_median_ms")
        if ms:
            rows.append([wname, label, fmt_ms(ms), fmt_ms(med) if med else "",
                         fmt_ratio(ms / base) if base else "-"])
    return rows


def table_rows(results, clnum):
    """[workload, implementation, min ms, median ms, ratio] for every figure present."""
    rows = []
    for wkey, wname in WORKLOADS:
        base = clnum.get(f"{wkey}_ms")
        if base:
            med = clnum.get(f"{wkey}_median_ms")
            # The path auto chose, where clnum-bench says (W3: w3_path).
            chose = clnum.get(f"{wkey.rsplit('_', 1)[0]}_path")
            auto = f"auto path = {chose}" if chose else "auto path"
            rows.append([wname, f"clnum, {auto} ({clnum.get('device', '?')})", fmt_ms(base),
                         fmt_ms(med) if med else "", "1.00x"])
        rows += clnum_rows(clnum, wkey, wname, base)
        for ikey, iname in IMPLEMENTATIONS:
            ms = results.get(f"{ikey}_{wkey}_ms")
            if ms is None:
                continue
            if base:
                results[f"{ikey}_{wkey}_ratio"] = round(ms / base, 4)
            rows.append([wname, iname, fmt_ms(ms), fmt_ms(results[f"{ikey}_{wkey}_median_ms"]),
                         fmt_ratio(ms / base) if base else "-"])
    return rows


def w3_sanity_rows(results, clnum):
    """[implementation, train loss, val loss, val accuracy] of W3, for every figure present."""
    rows = []
    impls = [("w3", f"clnum, auto path ({clnum.get('w3_path', '?')})", clnum)]
    impls += [(f"w3_{p}", f"clnum {p} path", clnum) for p, _ in CLNUM_PATHS]
    impls += [(f"{ikey}_w3_epoch", iname, results) for ikey, iname in IMPLEMENTATIONS]
    for key, name, src in impls:
        vals = [src.get(f"{key}_{k}") for k, _ in W3_SANITY]
        if all(v is not None for v in vals):
            rows.append([name] + [f"{v:.4f}" for v in vals])
    return rows


def header(with_ratio):
    return ["workload", "implementation", "time (ms, min)", "median (ms)"] + (
        ["ratio peer/clnum"] if with_ratio else [])


def text_table(rows, head, left=2):
    """Columns before `left` left-aligned, the rest right-aligned."""
    rows = [r[:len(head)] for r in rows]
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    line = lambda r: "  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(head), line(["-" * w for w in widths])] + [line(r) for r in rows])


W3_HEAD = ["W3 implementation"] + [label for _, label in W3_SANITY]


def markdown_table(rows, head, results, w3_rows=()):
    meta = ", ".join(f"{k} {results[k]}" for k in META_KEYS if k in results)
    out = [f"Peers measured with {meta}.",
           "Time is the best of the repeats after one warm-up run"
           + ("; ratio = peer time / clnum time, so > 1 means clnum is faster." if len(head) > 4 else "."),
           "", "| " + " | ".join(head) + " |", "|---|---" + "|--:" * (len(head) - 2) + "|"]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in r[:len(head)]) + " |" for r in rows]
    if w3_rows:
        out += ["", "W3 learns in every implementation (one epoch; chance accuracy is 0.1; the "
                "validation loss and accuracy are over all 10000 rows):", "",
                "| " + " | ".join(W3_HEAD) + " |", "|---" + "|--:" * (len(W3_HEAD) - 1) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in w3_rows]
    return "\n".join(out) + "\n"


def main():
    args = parse_args()
    if args.peers_json:
        with open(args.peers_json) as f:
            results = json.load(f)
    else:
        results = run_peers(args)
    clnum = {}
    if args.clnum_json:
        with open(args.clnum_json) as f:
            clnum = json.load(f)
        results.update({f"clnum_{k}": v for k, v in clnum.items()})
    rows, head = table_rows(results, clnum), header(bool(clnum))
    w3_rows = w3_sanity_rows(results, clnum)
    print()
    print(text_table(rows, head) if rows else "no figures measured")
    if w3_rows:
        print()
        print(text_table(w3_rows, W3_HEAD, left=1))
    if "peers_wall_s" in results and not args.peers_json:
        print(f"\nall peers took {results['peers_wall_s']:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown_table(rows, head, results, w3_rows))


if __name__ == "__main__":
    main()
