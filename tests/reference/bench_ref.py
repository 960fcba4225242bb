#!/usr/bin/python3
"""bench_ref.py -- speed of the float64 reference (ref.py), as a yardstick for the C trainer.

Usage: /usr/bin/python3 tests/reference/bench_ref.py
Prints (parsed by the lead's bench script; keep the format):
    ref_us_per_step N=<n> <microseconds>      n in 3, 10, 30, 100: one Adam step
                                              (forward + autograd backward + step +
                                              projection), mask 111, via ref.train
    ref_grid_seconds N=30 <seconds>           wall time of 80 full runs (8 masks x 10
                                              datasets, 500 epochs, metrics included)
OpenBLAS is held to one thread (unless OPENBLAS_NUM_THREADS is set) so the
figures compare with one C thread; the per-step figure is the best of 3 trainings.
"""
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")     # before numpy is imported

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ref  # noqa: E402
from make_fixtures import sample  # noqa: E402

MASKS = ("000", "001", "010", "011", "100", "101", "110", "111")


def us_per_step(n, epochs):
    x, y, w0, b0, v0 = sample(1000 + n, n, False)
    hp = dict(ref.DEFAULT_HP, mask="111", epochs=epochs)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        ref.train(x, y, w0, b0, v0, hp)
        best = min(best, time.perf_counter() - t0)
    return 1e6 * best / epochs


def grid_seconds(n=30, datasets=10):
    data = [sample(2000 + k, n, False) for k in range(datasets)]
    t0 = time.perf_counter()
    for mask in MASKS:
        for x, y, w0, b0, v0 in data:
            ref.run(x, y, w0, b0, v0, dict(ref.DEFAULT_HP, mask=mask))
    return time.perf_counter() - t0


def main():
    for n in (3, 10, 30, 100):
        print("ref_us_per_step N=%d %.1f" % (n, us_per_step(n, 200)), flush=True)
    print("ref_grid_seconds N=30 %.2f" % grid_seconds(), flush=True)


if __name__ == "__main__":
    main()
