#!/bin/sh
# protostat_e2e.sh — protostat end to end on a real results file (the smoke
# grid of data/smoke.cfg, 4 masks x 3 N x 2 lambda, 6 runs per cell):
#  1. `table --format csv` equals the means numpy computes from h5py;
#  2. a fixture made from it with E set so the answer is known (masks without
#     the overlap bit get 0.5 + 0.001 * a permutation of 0..5, masks with it the
#     same around 1.0): `signif` gives "+" for every cross-family pair and "-"
#     within, symmetric, "=" on the diagonal; csv p and p_holm in [0, 1];
#  3. a diverged run (status 1, NaN metrics) is excluded and counted;
#  4. `query --prototypes` returns exactly the matching runs' prototype rows;
#  5. effect, family, sweep, summary run in md, csv and tex.
set -u
: "${PROTOSWEEP:?}" "${PROTOSTAT:?}" "${PYTHON:=/usr/bin/python3}"
d=$(mktemp -d /tmp/protostat_e2e.XXXXXX)
trap 'rm -rf "$d"' EXIT
fail() { echo "protostat_e2e: $*"; exit 1; }

"$PROTOSWEEP" run data/smoke.cfg -o "$d/smoke.h5" >/dev/null 2>&1 || fail "protosweep run failed"

# 1. table means against numpy
"$PROTOSTAT" table "$d/smoke.h5" --format csv > "$d/table.csv" || fail "table failed"
"$PYTHON" - "$d" <<'PY' || fail "table means differ from numpy"
import sys, csv, h5py, numpy as np
d = sys.argv[1]
r = h5py.File(d + "/smoke.h5", "r")["runs"][:]
rows = list(csv.DictReader(open(d + "/table.csv")))
assert len(rows) == 6, len(rows)
for row in rows:
    for m in ("000", "010", "100", "111"):
        sel = (r["N"] == int(row["N"])) & (r["lambda"] == float(row["lambda"])) & (r["mask"] == int(m, 2))
        want = r["E"][sel].mean()
        got = float(row[m])
        assert abs(got - want) <= 1e-10 * abs(want), (row, m, got, want)
PY

# 2. + 3. the known-matrix fixture, with one diverged run
cp "$d/smoke.h5" "$d/known.h5"
"$PYTHON" - "$d" <<'PY' || fail "could not build the known-matrix fixture"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1] + "/known.h5", "r+") as f:
    r = f["runs"][:]
    idx = r["dataset"] * 2 + r["init"]
    base = np.where(r["mask"] & 4, 1.0, 0.5)
    r["E"] = base + 0.001 * ((idx + r["mask"]) % 6)
    # one diverged run: N=10, lambda=0.2, mask 111, dataset 0, init 0
    k = np.flatnonzero((r["N"] == 10) & (r["lambda"] == 0.2) & (r["mask"] == 7) & (idx == 0))[0]
    r["status"][k] = 1
    for m in ("E", "rho", "frac_outside", "hull_dist", "hull_sdist", "L_fit", "L"):
        r[m][k] = np.nan
    f["runs"][:] = r
PY
"$PROTOSTAT" signif "$d/known.h5" > "$d/signif.md" || fail "signif failed"
"$PYTHON" - "$d/signif.md" <<'PY' || fail "signif matrix is not the known one: $(cat "$d/signif.md")"
import sys
masks = ["000", "010", "100", "111"]
text = open(sys.argv[1]).read()
mats = [b for b in text.split("\n\n") if b.startswith("|  |")]
assert len(mats) == 6, len(mats)
for m in mats:
    lines = [l for l in m.splitlines() if l.startswith("| 0") or l.startswith("| 1")]
    cells = {}
    for l in lines:
        parts = [p.strip() for p in l.strip("|").split("|")]
        for j, c in enumerate(parts[1:]):
            cells[parts[0], masks[j]] = c
    for a in masks:
        for b in masks:
            want = "=" if a == b else "+" if a[0] != b[0] else "-"
            assert cells[a, b] == want, (a, b, cells[a, b])
            assert cells[a, b] == cells[b, a]
assert "N=10 lambda=0.2 mask 111: 1 diverged and 0 non-finite runs excluded" in text, text
PY
"$PROTOSTAT" signif "$d/known.h5" --format csv > "$d/signif.csv" 2> "$d/signif.err" || fail "signif csv failed"
"$PYTHON" - "$d" <<'PY' || fail "signif csv is wrong"
import sys, csv
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/signif.csv")))
assert len(rows) == 6 * 6, len(rows)
for r in rows:
    p, q = float(r["p"]), float(r["p_holm"])
    assert 0 <= p <= q <= 1, r
    assert r["test"] in ("welch", "mannwhitney"), r
    cross = r["mask_a"][0] != r["mask_b"][0]
    assert r["significant"] == ("1" if cross else "0"), r
    if r["N"] == "10" and r["lambda"] == "0.2" and "111" in (r["mask_a"], r["mask_b"]):
        assert "5" in (r["n_a"], r["n_b"]), r
assert "1 diverged" in open(d + "/signif.err").read()
PY
"$PROTOSTAT" summary "$d/known.h5" --metric E --N 10 --lambda 0.2 --mask 111 --format csv \
    2>/dev/null | grep -q '^10,111,E,5,1,' || fail "summary does not count the diverged run"

# 4. query --prototypes reads the matching runs' prototypes
"$PROTOSTAT" query "$d/smoke.h5" --where "N=5 mask=010 dataset=1" --prototypes > "$d/q.csv" \
    || fail "query failed"
"$PYTHON" - "$d" <<'PY' || fail "query --prototypes rows differ from h5py"
import sys, csv, h5py
d = sys.argv[1]
f = h5py.File(d + "/smoke.h5", "r")
r, p = f["runs"][:], f["prototypes"][:]
sel = r[(r["N"] == 5) & (r["mask"] == 2) & (r["dataset"] == 1)]
want = sorted((int(x["key"]), int(q["j"]), float(q["p"])) for x in sel
              for q in p[int(x["proto_offset"]):int(x["proto_offset"]) + 5])
rows = list(csv.DictReader(open(d + "/q.csv")))
got = sorted((int(x["key"]), int(x["j"]), float(x["p"])) for x in rows)
assert len(want) == 4 * 5 and got == want, (got, want)
PY

# 5. the other verbs in every format
for fmt in md csv tex; do
    for cmd in "table --std" "table --metric rho --std --mask 000,010,111 --transpose" \
               "summary" "effect --base 000 --vs 010" "family" "family --term coverage" \
               "sweep --axis lambda --mask 010" "signif --paired" "query --where N=3"; do
        # shellcheck disable=SC2086
        "$PROTOSTAT" $cmd "$d/smoke.h5" --format $fmt > "$d/out" 2>/dev/null \
            || fail "'$cmd --format $fmt' failed"
        [ -s "$d/out" ] || fail "'$cmd --format $fmt' printed nothing"
    done
done
echo "protostat_e2e: ok"
