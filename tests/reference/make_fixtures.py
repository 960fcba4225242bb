#!/usr/bin/python3
"""make_fixtures.py -- write the reference fixtures tests/reference/fixtures/*.txt.

Regenerate (from the repository root):
    /usr/bin/python3 tests/reference/make_fixtures.py            # (re)write the files
    /usr/bin/python3 tests/reference/make_fixtures.py --check    # exit 1 if a file differs

Each fixture is one run of ref.py (the independent float64 reference, SPEC.md
sections 2-5) on data drawn here with numpy's PCG64 from the seed
[SEED, fixture number] -- so adding a fixture never changes the others.  Draw
order: u (N, sorted; x by SPEC section 1 with d = min(0.05, 0.5/N)), y ~ U[0,1]
(N), w0 ~ N(0,1) (N), v0 ~ N(0, 0.1^2) (N), then b0 ~ N(0, 0.5^2) (N) for the
fixture that asks for a random b0 (b0 = 0 otherwise).  These are NOT the C
program's GSL draws; the fixtures carry x, y, w0, b0, v0 explicitly.

File format (parsed by the C test; keep it): plain text, one item per line,
`name value [value ...]`, floats printed with Python repr (round-trips exactly;
NaN is `nan`, infinities `inf`/`-inf`).  Items, in this order:
  N, mask (3-char string), lambda, tau, lr, epochs, beta1, beta2, adam_eps, w_min,
  x, y, w0, b0, v0 (raw initial draws: training projects w0 first),
  w, b, v (final), p, yhat, E, rho, frac_outside, hull_dist, hull_sdist,
  L_fit, L_ovl, L_cov, L_sep, L, status (0 ok, 1 diverged),
  grad_w0, grad_b0, grad_v0 (autograd gradient of L at (project(w0), b0, v0)).
For a diverged run (status 1) every metric is nan and w, b, v are the
parameters at the moment the divergence was noticed (implementation-dependent
pattern of nan/inf: compare status and the nan metrics only).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ref  # noqa: E402

SEED = 20260525

# (number, N, mask, overrides of ref.DEFAULT_HP, random b0?)
FIXTURES = [
    (1, 3, "000", {}, False),
    (2, 3, "011", {}, False),
    (3, 5, "001", {}, False),
    (4, 5, "100", {}, False),
    (5, 10, "010", {}, False),
    (6, 10, "111", {}, False),
    (7, 10, "001", {}, False),
    (8, 10, "011", {}, False),
    (9, 30, "000", {}, False),
    (10, 30, "010", {}, False),
    (11, 30, "100", {}, False),
    (12, 30, "111", {}, False),
    (13, 10, "111", {"lambda": 0.5, "tau": 0.1}, False),
    (14, 10, "111", {}, True),
    # lr = 1e6 does not diverge (Adam steps are bounded by ~lr, parameters stay
    # ~1e6-1e7, every a_ij underflows to 0 and the loss stays finite); 1e308
    # overflows the parameters at step 2.
    (15, 5, "111", {"lr": 1e308, "epochs": 20}, False),
]

HP_ORDER = ("lambda", "tau", "lr", "epochs", "beta1", "beta2", "adam_eps", "w_min")


def sample(number, n, random_b0):
    """Data and raw initial parameters of one fixture (see the module comment)."""
    rng = np.random.default_rng([SEED, number])
    d = min(0.05, 0.5 / n)
    span = 1.0 - (n - 1) * d
    if span <= 0.0:
        raise ValueError("N = %d leaves no room for the minimum separation" % n)
    x = np.sort(rng.uniform(0.0, span, n)) + np.arange(n) * d
    y = rng.uniform(0.0, 1.0, n)
    w0 = rng.normal(0.0, 1.0, n)
    v0 = rng.normal(0.0, 0.1, n)
    b0 = rng.normal(0.0, 0.5, n) if random_b0 else np.zeros(n)
    return x, y, w0, b0, v0


def fixture_name(number, n, mask, over, random_b0):
    name = "n%02d_m%s" % (n, mask)
    if "lambda" in over or "tau" in over:
        name += "_lam%g_tau%g" % (over.get("lambda", ref.DEFAULT_HP["lambda"]),
                                  over.get("tau", ref.DEFAULT_HP["tau"]))
    if "lr" in over:
        name += "_diverge"
    if random_b0:
        name += "_b0rand"
    return name + ".txt"


def fmt(value):
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if np.ndim(value) == 0:
        return repr(float(value))
    return " ".join(repr(float(t)) for t in value)


def fixture_text(number, n, mask, over, random_b0):
    hp = dict(ref.DEFAULT_HP, mask=mask, **over)
    x, y, w0, b0, v0 = sample(number, n, random_b0)
    res = ref.run(x, y, w0, b0, v0, hp)
    _, gw, gb, gv = ref.loss_and_grad(x, y, ref.project(w0, hp["w_min"]), b0, v0, hp)
    items = [("N", n), ("mask", mask)] + [(k, hp[k]) for k in HP_ORDER]
    items += [("x", x), ("y", y), ("w0", w0), ("b0", b0), ("v0", v0)]
    items += [(k, res[k]) for k in ("w", "b", "v", "p", "yhat") + ref.METRIC_NAMES]
    items += [("status", res["status"]), ("grad_w0", gw), ("grad_b0", gb), ("grad_v0", gv)]
    return "".join("%s %s\n" % (k, fmt(val)) for k, val in items)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--outdir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "fixtures"))
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if a file is missing or differs")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    bad = 0
    for fx in FIXTURES:
        path = os.path.join(args.outdir, fixture_name(*fx))
        text = fixture_text(*fx)
        if args.check:
            same = os.path.exists(path) and open(path).read() == text
            bad += not same
            print("%s %s" % ("same   " if same else "DIFFERS", path))
        else:
            with open(path, "w") as fh:
                fh.write(text)
            print("wrote", path)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
