#!/bin/sh
# replay.sh — `protosweep replay` (SPEC.md section 8), run from the repository root
# with $PROTOSWEEP and $PYTHON (/usr/bin/python3 with numpy, h5py) set.
#   1. the same arguments twice give byte-identical JSON;
#   2. the JSON parses and has every key of SPEC.md section 8 plus the
#      hyper-parameters, with N-long vectors and matching coordinates;
#   3. its E, rho, L and key equal (exactly: %.17g round-trips) those of the same
#      run in `protosweep run data/smoke.cfg` read with h5py;
#   4. bad arguments exit 2 with exactly one line on stderr and nothing on stdout;
#   5. tests/reference/replay_check.py (an independent numpy re-run), if present,
#      accepts the JSON of a few masks.
# Exit 1 with a one-line reason on the first failure.
set -u
: "${PROTOSWEEP:?set PROTOSWEEP}" "${PYTHON:=/usr/bin/python3}"
CFG=data/smoke.cfg
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
fail() { echo "replay.sh: $*"; exit 1; }

replay() {   # replay MASK OUT [more args]: N=5 dataset 1 init 1 lambda 0.2
    m=$1; out=$2; shift 2
    "$PROTOSWEEP" replay "$CFG" --N 5 --dataset 1 --init 1 --mask "$m" --lambda 0.2 --json "$@" \
        >"$out" 2>"$T/err" || fail "replay --mask $m exited $?: $(head -n 1 "$T/err")"
}

# 1. determinism
replay 111 "$T/a.json"
replay 111 "$T/b.json"
cmp -s "$T/a.json" "$T/b.json" || fail "two identical replays printed different JSON"

# 2. keys and shapes
"$PYTHON" - "$T/a.json" <<'EOF' || fail "replay JSON is incomplete or inconsistent (see above)"
import json, sys
d = json.load(open(sys.argv[1]))
vec = "x y w0 b0 v0 w b v p yhat".split()
num = "E rho frac_outside hull_dist hull_sdist L_fit L_ovl L_cov L_sep L".split()
hyp = "N dataset init mask lambda tau lr epochs".split()
missing = [k for k in vec + num + hyp + ["status"] if k not in d]
assert not missing, f"missing keys {missing}"
assert (d["N"], d["dataset"], d["init"], d["mask"], d["lambda"]) == (5, 1, 1, "111", 0.2), d
assert d["tau"] == 0.01 and d["lr"] == 0.01 and d["epochs"] == 200, d
assert d["status"] == "ok", d["status"]
isnum = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)   # %.17g: 0 -> "0"
for k in vec:
    assert len(d[k]) == 5 and all(isnum(v) for v in d[k]), k
for k in num:
    assert isnum(d[k]), k
assert d["x"] == sorted(d["x"]) and all(0 <= v <= 1 for v in d["x"] + d["y"])
assert all(b == 0.0 for b in d["b0"])                     # init: b = 0
assert d["yhat"] == d["v"]                                 # yhat_j = v_j
assert all(abs(p + b / w) <= 1e-15 * max(1, abs(p)) for p, w, b in zip(d["p"], d["w"], d["b"]))
assert all(abs(w) >= 0.1 for w in d["w"])                  # projected
assert 0 < d["rho"] <= 1 and d["E"] > 0
EOF

# 3. the same run inside a sweep
"$PROTOSWEEP" run "$CFG" -o "$T/smoke.h5" -j 2 --quiet >/dev/null 2>"$T/err" ||
    fail "protosweep run $CFG failed: $(head -n 1 "$T/err")"
"$PYTHON" - "$T/a.json" "$T/smoke.h5" <<'EOF' || fail "replay disagrees with the sweep's HDF5 row (see above)"
import json, sys
import h5py
d = json.load(open(sys.argv[1]))
with h5py.File(sys.argv[2], "r") as f:
    runs = f["runs"][:]
sel = runs[(runs["N"] == 5) & (runs["dataset"] == 1) & (runs["init"] == 1) &
           (runs["mask"] == 7) & (runs["lambda"] == 0.2)]
assert len(sel) == 1, f"{len(sel)} rows for the replayed run"
row = sel[0]
assert int(row["key"]) == d["key"], (int(row["key"]), d["key"])
for k in ("E", "rho", "frac_outside", "hull_dist", "hull_sdist", "L_fit", "L_cov", "L"):
    assert float(row[k]) == d[k], f"{k}: hdf5 {float(row[k])!r} replay {d[k]!r}"
assert int(row["status"]) == 0
EOF

# 4. bad arguments: exit 2, one line on stderr, nothing on stdout
bad() {   # bad WHAT ARGS...
    what=$1; shift
    "$PROTOSWEEP" replay "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq 2 ] || fail "$what: exit $rc, expected 2"
    [ "$(wc -l <"$T/err")" -eq 1 ] && [ -s "$T/err" ] ||
        fail "$what: stderr has $(wc -l <"$T/err") lines, expected exactly 1"
    [ -s "$T/out" ] && fail "$what: printed on stdout"
    return 0
}
bad "mask 012" "$CFG" --N 5 --dataset 0 --init 0 --mask 012 --lambda 0.2
bad "mask 01" "$CFG" --N 5 --dataset 0 --init 0 --mask 01 --lambda 0.2
bad "N not in the config" "$CFG" --N 4 --dataset 0 --init 0 --mask 010 --lambda 0.2
bad "dataset out of range" "$CFG" --N 5 --dataset 3 --init 0 --mask 010 --lambda 0.2
bad "init out of range" "$CFG" --N 5 --dataset 0 --init 2 --mask 010 --lambda 0.2
bad "unreadable config" "$T/none.cfg" --N 5 --dataset 0 --init 0 --mask 010 --lambda 0.2
bad "missing --mask" "$CFG" --N 5 --dataset 0 --init 0 --lambda 0.2
bad "swept lambda not given" "$CFG" --N 5 --dataset 0 --init 0 --mask 010

# 5. the independent reference, when present
CHECK=tests/reference/replay_check.py
if [ -f "$CHECK" ]; then
    for m in 000 010 111; do
        replay "$m" "$T/r$m.json"
        "$PYTHON" "$CHECK" "$T/r$m.json" >"$T/check" 2>&1 ||
            fail "replay_check.py rejects mask $m: $(tail -n 1 "$T/check")"
    done
fi
exit 0
