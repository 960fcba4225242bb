#!/usr/bin/python3
"""replay_check.py -- check one `protosweep replay ... --json` run against ref.py.

Usage:
    protosweep replay CONFIG --N 10 --dataset 0 --init 0 --mask 010 --json > run.json
    /usr/bin/python3 tests/reference/replay_check.py run.json     (or: ... | replay_check.py -)

Re-runs the run from the JSON's x, y, w0, b0, v0 and hyper-parameters (N, mask,
lambda, tau, lr, epochs, beta1, beta2, adam_eps, w_min) with the independent
reference, then compares (|a - b| <= rtol max(|a|, |b|) + 1e-12; nan == nan):
  status                 exactly (0/1, or "ok"/"diverged"),
  final w, b, v          rtol 1e-9   (skipped for a diverged run: its nan/inf
                                      pattern is implementation-dependent),
  E, rho                 rtol 1e-12  (both nan for a diverged run).
Exit 0 if all match; else print the worst mismatch and exit 1 (2 on bad input).
The other metrics are printed for information (worst relative difference).
w0 may be the raw draw or already projected: projection is idempotent.
"""
import json
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ref  # noqa: E402

HP_KEYS = ("lambda", "tau", "lr", "epochs", "beta1", "beta2", "adam_eps", "w_min")
ATOL = 1e-12


def load(text):
    """json.loads that also accepts bare nan / inf / -inf tokens (C printf style)."""
    text = re.sub(r"(?<![\w\"])(-?)inf(inity)?(?![\w\"])", lambda m: m.group(1) + "Infinity",
                  text, flags=re.IGNORECASE)
    text = re.sub(r"(?<![\w\"])-?nan(?![\w\"])", "NaN", text, flags=re.IGNORECASE)
    return json.loads(text)


def as_mask(value):
    if isinstance(value, int):
        return format(value, "03b")
    return str(value)


def as_status(value):
    return {"ok": 0, "diverged": 1}.get(value, value) if isinstance(value, str) else int(value)


def rel_excess(a, b, rtol):
    """Per-element |a-b| / (rtol max(|a|,|b|) + ATOL): > 1 means a mismatch; nan == nan."""
    a, b = np.atleast_1d(np.asarray(a, float)), np.atleast_1d(np.asarray(b, float))
    both_nan = np.isnan(a) & np.isnan(b)
    with np.errstate(invalid="ignore"):
        same_inf = np.isinf(a) & (a == b)
        r = np.abs(a - b) / (rtol * np.maximum(np.abs(a), np.abs(b)) + ATOL)
    r = np.where(both_nan | same_inf, 0.0, r)
    return np.where(np.isnan(r), np.inf, r)


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        js = load(sys.stdin.read() if argv[1] == "-" else open(argv[1]).read())
        hp = {k: js[k] for k in HP_KEYS}
        hp["epochs"] = int(hp["epochs"])
        hp["mask"] = as_mask(js["mask"])
        arrays = {k: np.asarray(js[k], float) for k in ("x", "y", "w0", "b0", "v0", "w", "b", "v")}
        if any(len(arr) != int(js["N"]) for arr in arrays.values()):
            raise ValueError("an array's length differs from N = %s" % js["N"])
        status = as_status(js["status"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        print("replay_check: bad input: %r" % (err,), file=sys.stderr)
        return 2

    res = ref.run(arrays["x"], arrays["y"], arrays["w0"], arrays["b0"], arrays["v0"], hp)
    if status != res["status"]:
        print("MISMATCH status: replay %s, reference %s" % (status, res["status"]))
        return 1
    checks = [(k, 1e-12) for k in ("E", "rho")]
    if status == 0:
        checks = [(k, 1e-9) for k in ("w", "b", "v")] + checks
    worst = (0.0, None)
    for key, rtol in checks:
        got = arrays[key] if key in arrays else js[key]
        exc = rel_excess(got, res[key], rtol)
        j = int(np.argmax(exc))
        if exc[j] > worst[0]:
            worst = (exc[j], "%s[%d]: replay %r, reference %r (rtol %g)"
                     % (key, j, float(np.atleast_1d(got)[j]), float(np.atleast_1d(res[key])[j]), rtol))
    info = max(float(rel_excess(js[k], res[k], 1.0)[0]) for k in ref.METRIC_NAMES if k in js)
    print("info: worst relative difference over all metrics: %.3g" % info)
    if worst[0] > 1.0:
        print("MISMATCH (%.3g x tolerance) %s" % worst)
        return 1
    print("replay matches the reference (N=%s mask=%s status=%d; worst %.3g x tolerance)"
          % (js["N"], hp["mask"], status, worst[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
