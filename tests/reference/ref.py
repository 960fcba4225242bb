#!/usr/bin/python3
"""ref.py -- independent float64 reference of one protosweep run (SPEC.md sections 2-5).

What it is for: the C trainer is checked against fixtures made with this file
(make_fixtures.py) and against `protosweep replay --json` (replay_check.py).
It is written to be read, not to be fast.

Independence: the gradients used for training come from the small reverse-mode
autograd below, applied to the loss *definitions* (pair sums written as pair
sums), never from SPEC's hand-derived gradient formulas.  Those formulas are
implemented separately in `grad_spec` and are only compared with the autograd
in `--selftest`, which also checks the autograd against central differences.

Conventions (SPEC.md, restated where a choice matters):
  - mask "abg" = weights (alpha, beta, gamma) of overlap, coverage, separation.
  - coverage uses a hard min over j of (x_i - p_j)^2, ties -> lowest j
    (np.argmin returns the first minimum); its gradient flows to that j only.
  - w0, b0, v0 are the raw initial draws; training projects w0 first, then per
    epoch t = 1..epochs: loss + gradient at the current parameters, Adam step
    with bias correction using t, finiteness check, projection.
  - projection: w <- sign(w) max(|w|, w_min) with sign(0) = +1 (also for -0.0).
  - divergence: a non-finite loss (before a step, or at the final parameters)
    or non-finite parameters after a step stop the run with status 1; the
    parameters are kept as they were when it was noticed and every metric is NaN.
  - terms whose mask weight is 0 are left out of the training loss (so they
    can neither contribute nor poison it), but all four are reported unweighted.

Usage:  /usr/bin/python3 ref.py --selftest
"""
import argparse
import itertools
import sys

import numpy as np


# ---------------------------------------------------------------------------
# A tiny reverse-mode autograd on numpy arrays.  Each Var holds its value and,
# for each parent, a function mapping the gradient of the output to the
# gradient contribution of that parent (before undoing numpy broadcasting).
# ---------------------------------------------------------------------------

def _unbroadcast(g, shape):
    """Sum g over the axes numpy broadcast to reach g.shape from shape."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for ax, n in enumerate(shape):
        if n == 1 and g.shape[ax] != 1:
            g = g.sum(axis=ax, keepdims=True)
    return g


def _lift(u):
    return u if isinstance(u, Var) else Var(u)


class Var:
    __array_ufunc__ = None              # make `ndarray op Var` use Var's reflected operators

    def __init__(self, value, parents=(), leaf_needs_grad=False):
        self.value = np.asarray(value, dtype=np.float64)
        # keep only the parents a gradient must reach (constants are left out)
        self.parents = tuple((p, vjp) for p, vjp in parents if p.needs_grad)
        self.needs_grad = leaf_needs_grad or bool(self.parents)
        self.grad = None

    def __add__(self, o):
        o = _lift(o)
        return Var(self.value + o.value, ((self, lambda g: g), (o, lambda g: g)))

    def __sub__(self, o):
        o = _lift(o)
        return Var(self.value - o.value, ((self, lambda g: g), (o, lambda g: -g)))

    def __mul__(self, o):
        o = _lift(o)
        return Var(self.value * o.value,
                   ((self, lambda g: g * o.value), (o, lambda g: g * self.value)))

    def __truediv__(self, o):
        o = _lift(o)
        return Var(self.value / o.value,
                   ((self, lambda g: g / o.value),
                    (o, lambda g: -g * self.value / (o.value * o.value))))

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, o):
        return _lift(o) - self

    def __neg__(self):
        return Var(-self.value, ((self, lambda g: -g),))

    def __matmul__(self, o):            # 2-D only: (n, m) @ (m, k)
        o = _lift(o)
        return Var(self.value @ o.value,
                   ((self, lambda g: g @ o.value.T), (o, lambda g: self.value.T @ g)))

    def sum(self, axis=None):
        shape = self.value.shape
        if axis is None:
            return Var(self.value.sum(), ((self, lambda g: np.broadcast_to(g, shape)),))
        return Var(self.value.sum(axis=axis),
                   ((self, lambda g: np.broadcast_to(np.expand_dims(g, axis), shape)),))

    def reshape(self, *shape):
        old = self.value.shape
        return Var(self.value.reshape(*shape), ((self, lambda g: g.reshape(old)),))

    def pick(self, cols):
        """out[i] = self[i, cols[i]] (a gather; the gradient goes to the picked entries only)."""
        rows = np.arange(len(cols))
        shape = self.value.shape

        def vjp(g):
            full = np.zeros(shape)
            np.add.at(full, (rows, cols), g)
            return full
        return Var(self.value[rows, cols], ((self, vjp),))

    def backward(self):
        """Fill .grad of every Var with needs_grad this one depends on (self: a scalar)."""
        order, seen = [], set()

        def visit(u):
            if id(u) not in seen:
                seen.add(id(u))
                for p, _ in u.parents:
                    visit(p)
                order.append(u)
        visit(self)
        for u in order:
            u.grad = None
        self.grad = np.ones_like(self.value)
        for u in reversed(order):
            for p, vjp in u.parents:
                g = _unbroadcast(np.asarray(vjp(u.grad)), p.value.shape)
                p.grad = g if p.grad is None else p.grad + g


def vexp(u):
    out = np.exp(u.value)
    return Var(out, ((u, lambda g: g * out),))


# ---------------------------------------------------------------------------
# Model and losses (SPEC.md sections 2-3), written on Vars so that the same
# code gives values (for metrics) and gradients (for training).
# ---------------------------------------------------------------------------

def mask_weights(mask):
    """'abg' -> (alpha, beta, gamma) as floats, e.g. '010' -> (0, 1, 0)."""
    if len(mask) != 3 or any(c not in "01" for c in mask):
        raise ValueError("mask must be 3 characters of 0/1, got %r" % (mask,))
    return tuple(float(c) for c in mask)


def prototypes(w, b):
    return -b / w


def build_losses(x, y, w, b, v, tau):
    """Unweighted loss terms as Vars.  x, y: (N,) arrays; w, b, v: (N,) Vars."""
    n = len(x)
    pairs = n * (n - 1) / 2.0
    upper = np.triu(np.ones((n, n)), k=1)          # upper[j, k] = 1 iff j < k
    xc = x.reshape(n, 1)                           # rows i, columns j below

    z = xc * w + b                                 # z_ij = w_j x_i + b_j
    a = vexp(-(z * z))                             # a_ij
    f = (a * v).sum(axis=1)                        # f(x_i) = sum_j v_j a_ij
    r = f - y
    l_fit = (r * r).sum() / n

    # sum_i sum_{j<k} a_ij a_ik, as a pair sum: t_ik = sum_{j<k} a_ij
    t = a @ upper
    l_ovl = (a * t).sum() / pairs

    p = prototypes(w, b)
    d2 = (xc - p) * (xc - p)                       # (x_i - p_j)^2
    jstar = np.argmin(d2.value, axis=1)            # first minimum = lowest j
    l_cov = d2.pick(jstar).sum() / n

    dp = p.reshape(n, 1) - p.reshape(1, n)         # p_j - p_k
    l_sep = (vexp(-(dp * dp) / tau) * upper).sum() / pairs
    return {"L_fit": l_fit, "L_ovl": l_ovl, "L_cov": l_cov, "L_sep": l_sep}


def total_loss(terms, lam, mask):
    """L = L_fit + lambda (alpha L_ovl + beta L_cov + gamma L_sep), zero-weight terms left out."""
    reg = None
    for wt, name in zip(mask_weights(mask), ("L_ovl", "L_cov", "L_sep")):
        if wt != 0.0:
            reg = terms[name] * wt if reg is None else reg + terms[name] * wt
    return terms["L_fit"] if reg is None else terms["L_fit"] + reg * lam


def loss_and_grad(x, y, w, b, v, hp):
    """(L, dL/dw, dL/db, dL/dv) by the autograd."""
    wv, bv, vv = (Var(u, leaf_needs_grad=True) for u in (w, b, v))
    loss = total_loss(build_losses(x, y, wv, bv, vv, hp["tau"]), hp["lambda"], hp["mask"])
    loss.backward()
    return float(loss.value), wv.grad, bv.grad, vv.grad


def loss_values(x, y, w, b, v, hp):
    """The four unweighted terms and the weighted L, as floats."""
    terms = build_losses(x, y, Var(w), Var(b), Var(v), hp["tau"])
    out = {k: float(t.value) for k, t in terms.items()}
    out["L"] = float(total_loss(terms, hp["lambda"], hp["mask"]).value)
    return out


# ---------------------------------------------------------------------------
# SPEC.md section 3's hand-derived gradient, used ONLY by the self-test to
# verify those formulas against the autograd.  Written straight from the text.
# ---------------------------------------------------------------------------

def grad_spec(x, y, w, b, v, hp):
    n = len(x)
    P = n * (n - 1) / 2.0
    lam, tau = hp["lambda"], hp["tau"]
    alpha, beta, gamma = mask_weights(hp["mask"])
    z = np.outer(x, w) + b
    a = np.exp(-z * z)
    r = a @ v - y
    S = a.sum(axis=1, keepdims=True)
    dA = (2.0 / n) * np.outer(r, v) + lam * alpha * (1.0 / P) * (S - a)
    dZ = dA * (-2.0 * z * a)
    gw = dZ.T @ x
    gb = dZ.sum(axis=0)
    gv = (2.0 / n) * (a.T @ r)
    p = -b / w
    jstar = np.argmin((x[:, None] - p[None, :]) ** 2, axis=1)
    g = np.zeros(n)
    for i in range(n):
        g[jstar[i]] += lam * beta * (1.0 / n) * 2.0 * (p[jstar[i]] - x[i])
    for j in range(n):
        for k in range(n):
            if k != j:
                dpk = p[j] - p[k]
                g[j] += lam * gamma * (1.0 / P) * (-2.0 * dpk / tau) * np.exp(-dpk * dpk / tau)
    gb = gb - g / w
    gw = gw + g * b / (w * w)
    return gw, gb, gv


# ---------------------------------------------------------------------------
# Training (SPEC.md section 4).
# ---------------------------------------------------------------------------

def project(w, w_min):
    """w_j <- sign(w_j) max(|w_j|, w_min), sign(0) = +1 (w >= 0 is true for -0.0)."""
    return np.where(np.abs(w) >= w_min, w, np.where(w >= 0.0, w_min, -w_min))


def _finite(*arrays):
    return all(np.all(np.isfinite(u)) for u in arrays)


def train(x, y, w0, b0, v0, hp, grad=None):
    """Return (w, b, v, status).  grad: optional replacement for the autograd
    (the self-test passes grad_spec); signature (x, y, w, b, v, hp) -> (gw, gb, gv)."""
    b1, b2, eps, lr = hp["beta1"], hp["beta2"], hp["adam_eps"], hp["lr"]
    w, b, v = project(np.array(w0, float), hp["w_min"]), np.array(b0, float), np.array(v0, float)
    m = [np.zeros_like(w) for _ in range(3)]
    s = [np.zeros_like(w) for _ in range(3)]
    for t in range(1, hp["epochs"] + 1):
        loss, gw, gb, gv = loss_and_grad(x, y, w, b, v, hp)
        if grad is not None:
            gw, gb, gv = grad(x, y, w, b, v, hp)
        if not np.isfinite(loss):
            return w, b, v, 1
        params = [w, b, v]
        for k, g in enumerate((gw, gb, gv)):
            m[k] = b1 * m[k] + (1.0 - b1) * g
            s[k] = b2 * s[k] + (1.0 - b2) * g * g
            mhat = m[k] / (1.0 - b1 ** t)
            shat = s[k] / (1.0 - b2 ** t)
            params[k] = params[k] - lr * mhat / (np.sqrt(shat) + eps)
        w, b, v = params
        if not _finite(w, b, v):
            return w, b, v, 1
        w = project(w, hp["w_min"])
    return w, b, v, 0


# ---------------------------------------------------------------------------
# Metrics (SPEC.md section 5).
# ---------------------------------------------------------------------------

def assign_brute(cost):
    """Minimal sum_i cost[i, perm[i]] over all permutations (for n <= 8)."""
    n = cost.shape[0]
    perms = np.array(list(itertools.permutations(range(n))))
    return float(cost[np.arange(n), perms].sum(axis=1).min())


def assign_hungarian(cost):
    """O(n^3) Hungarian with potentials (shortest augmenting paths); returns
    (minimal total, col) with col[i] the column assigned to row i."""
    n = cost.shape[0]
    inf = float("inf")
    u, v = [0.0] * (n + 1), [0.0] * (n + 1)
    match = [0] * (n + 1)               # match[j] = row (1-based) holding column j
    way = [0] * (n + 1)
    for i in range(1, n + 1):
        match[0] = i
        j0 = 0
        minv = [inf] * (n + 1)
        used = [False] * (n + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = match[j0], inf, 0
            for j in range(1, n + 1):
                if not used[j]:
                    cur = cost[i0 - 1, j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(n + 1):
                if used[j]:
                    u[match[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if match[j0] == 0:
                break
        while j0:                        # flip the augmenting path
            j1 = way[j0]
            match[j0] = match[j1]
            j0 = j1
    col = [0] * n
    for j in range(1, n + 1):
        col[match[j] - 1] = j - 1
    return float(cost[np.arange(n), col].sum()), col


def assignment_min(cost):
    return assign_brute(cost) if cost.shape[0] <= 8 else assign_hungarian(cost)[0]


METRIC_NAMES = ("E", "rho", "frac_outside", "hull_dist", "hull_sdist",
                "L_fit", "L_ovl", "L_cov", "L_sep", "L")


def metrics(x, y, w, b, v, hp):
    n = len(x)
    p, yhat = prototypes(w, b), v
    cost = np.sqrt((x[:, None] - p[None, :]) ** 2 + (y[:, None] - yhat[None, :]) ** 2)
    out = {"E": assignment_min(cost) / n}
    nearest = np.argmin(np.abs(x[:, None] - p[None, :]), axis=1)   # ties -> lowest j
    out["rho"] = len(set(nearest.tolist())) / n
    out["frac_outside"] = float(np.mean((p < 0.0) | (p > 1.0)))
    below, above = x[0] - p, p - x[-1]
    outside = np.maximum(np.maximum(below, above), 0.0)
    out["hull_dist"] = float(np.mean(outside))
    inside = (p >= x[0]) & (p <= x[-1])
    out["hull_sdist"] = float(np.mean(np.where(inside, -np.minimum(p - x[0], x[-1] - p), outside)))
    out.update(loss_values(x, y, w, b, v, hp))
    return out


def run(x, y, w0, b0, v0, hp):
    """One run: train from the raw draws, then metrics.  Returns a dict with
    w, b, v, p, yhat, status and every metric (NaN if diverged)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    with np.errstate(all="ignore"):         # overflow is how a divergence shows up
        w, b, v, status = train(x, y, w0, b0, v0, hp)
        if status == 0:
            met = metrics(x, y, w, b, v, hp)
            if not np.isfinite(met["L"]):
                status = 1
    if status == 1:
        met = {k: float("nan") for k in METRIC_NAMES}
    with np.errstate(all="ignore"):
        p = prototypes(w, b)
    out = {"w": w, "b": b, "v": v, "p": p, "yhat": v.copy(), "status": status}
    out.update(met)
    return out


DEFAULT_HP = {"lambda": 0.05, "tau": 0.01, "lr": 1e-3, "epochs": 500, "beta1": 0.9,
              "beta2": 0.999, "adam_eps": 1e-8, "w_min": 0.1}


# ---------------------------------------------------------------------------
# Self-test: autograd vs central differences, SPEC formulas vs autograd,
# Hungarian vs brute force, and how far a whole run moves when the gradient
# is computed by the SPEC formulas instead (a measure of rounding growth).
# ---------------------------------------------------------------------------

def _random_point(rng, n, b_scale):
    x = np.sort(rng.uniform(0, 1, n))
    y = rng.uniform(0, 1, n)
    w = project(rng.normal(0, 1, n), 0.1)
    return x, y, w, rng.normal(0, b_scale, n), rng.normal(0, 0.5, n)


def _coverage_argmin(x, w, b):
    return np.argmin((x[:, None] - prototypes(w, b)[None, :]) ** 2, axis=1)


def check_fd(rng, masks, sizes, trials=3):
    """Max relative error (normwise and componentwise) of the autograd vs central FD."""
    worst_norm = worst_comp = 0.0
    skipped = 0
    for n, mask, _ in itertools.product(sizes, masks, range(trials)):
        hp = dict(DEFAULT_HP, mask=mask, tau=0.1, **{"lambda": 0.5})
        x, y, w, b, v = _random_point(rng, n, 0.5)
        _, gw, gb, gv = loss_and_grad(x, y, w, b, v, hp)
        ag = np.concatenate([gw, gb, gv])
        theta = np.concatenate([w, b, v])
        fd = np.zeros_like(theta)
        ok = np.ones_like(theta, dtype=bool)
        for k in range(len(theta)):
            h = 1e-6 * max(1.0, abs(theta[k]))
            tp, tm = theta.copy(), theta.copy()
            tp[k] += h
            tm[k] -= h
            parts_p, parts_m = np.split(tp, 3), np.split(tm, 3)
            # a hard-min switch inside [-h, h] makes FD meaningless there: skip
            jp, jm = _coverage_argmin(x, *parts_p[:2]), _coverage_argmin(x, *parts_m[:2])
            if not np.array_equal(jp, jm):
                ok[k] = False
                skipped += 1
                continue
            lp = loss_values(x, y, *parts_p, hp)["L"]
            lm = loss_values(x, y, *parts_m, hp)["L"]
            fd[k] = (lp - lm) / (2 * h)
        err = np.abs(ag - fd)[ok]
        worst_norm = max(worst_norm, err.max() / np.abs(ag).max())
        worst_comp = max(worst_comp, np.max(err / np.maximum(np.abs(ag[ok]), 1e-3)))
    return worst_norm, worst_comp, skipped


def check_spec(rng, masks, sizes, trials=5):
    """Max relative error of SPEC's formulas vs the autograd at generic points,
    at the degenerate start (b = 0: all prototypes equal, coverage ties) and
    at points with |w| = w_min exactly."""
    worst_norm = worst_comp = 0.0
    for n, mask, kind, _ in itertools.product(sizes, masks, ("generic", "b0", "wmin"), range(trials)):
        hp = dict(DEFAULT_HP, mask=mask)
        if kind == "generic":
            hp.update(tau=0.1, **{"lambda": 0.5})
        x, y, w, b, v = _random_point(rng, n, 0.5)
        if kind == "b0":
            b = np.zeros(n)
        if kind == "wmin":
            w = np.where(rng.uniform(size=n) < 0.5, 0.1, -0.1)
        _, *ag = loss_and_grad(x, y, w, b, v, hp)
        ag = np.concatenate(ag)
        sp = np.concatenate(grad_spec(x, y, w, b, v, hp))
        err = np.abs(ag - sp)
        worst_norm = max(worst_norm, err.max() / max(np.abs(ag).max(), 1e-300))
        worst_comp = max(worst_comp, np.max(err / np.maximum(np.abs(ag), 1e-12 * np.abs(ag).max())))
    return worst_norm, worst_comp


def check_assign(rng):
    worst = 0.0
    for n in range(1, 9):
        for trial in range(20):
            c = rng.uniform(0, 1, (n, n))
            if trial % 4 == 0:              # many ties
                c = np.round(c * 3) / 3
            brute = assign_brute(c)
            hung, col = assign_hungarian(c)
            assert sorted(col) == list(range(n))
            worst = max(worst, abs(brute - hung))
    return worst


def check_trajectory(rng, masks, n=10, epochs=500):
    """Max relative difference of the final parameters of a run trained with
    the autograd vs one trained with SPEC's formulas (same start)."""
    worst = 0.0
    for mask in masks:
        hp = dict(DEFAULT_HP, mask=mask, epochs=epochs)
        x = np.sort(rng.uniform(0, 1, n))
        y = rng.uniform(0, 1, n)
        w0, b0, v0 = rng.normal(0, 1, n), np.zeros(n), rng.normal(0, 0.1, n)
        ra = train(x, y, w0, b0, v0, hp)
        rs = train(x, y, w0, b0, v0, hp, grad=lambda *a: grad_spec(*a))
        for pa, ps in zip(ra[:3], rs[:3]):
            worst = max(worst, np.max(np.abs(pa - ps) / np.maximum(np.maximum(np.abs(pa), np.abs(ps)), 1e-300)))
    return worst


def selftest():
    rng = np.random.default_rng(12345)
    masks = ["000", "001", "010", "011", "100", "101", "110", "111"]
    fails = 0

    def report(name, value, limit):
        nonlocal fails
        ok = value <= limit
        fails += not ok
        print("%-52s %.3e  (limit %.0e) %s" % (name, value, limit, "ok" if ok else "FAIL"))

    fn, fc, skipped = check_fd(rng, masks, (3, 7, 12))
    report("autograd vs central FD, normwise rel", fn, 1e-7)
    report("autograd vs central FD, componentwise rel", fc, 1e-5)
    print("  (FD components skipped at a hard-min switch: %d)" % skipped)
    sn, sc = check_spec(rng, masks, (2, 3, 5, 10, 30))
    report("SPEC formulas vs autograd, normwise rel", sn, 1e-13)
    report("SPEC formulas vs autograd, componentwise rel", sc, 1e-10)
    report("Hungarian vs brute force, abs", check_assign(rng), 1e-12)
    report("final params, autograd vs SPEC-grad training, rel", check_trajectory(rng, masks), 1e-8)
    print("selftest: %s" % ("FAILED (%d)" % fails if fails else "all ok"))
    return 1 if fails else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--selftest", action="store_true", help="run the self-test and exit")
    args = ap.parse_args()
    if args.selftest:
        sys.exit(selftest())
    ap.print_help()
