#!/bin/sh
# The file layout of SPEC.md section 9, read by independent readers: h5dump
# (HDF5's own tool), h5py/numpy and pandas.
. tests/cli/lib.inc
$PROTOSWEEP run data/smoke.cfg -o "$T/r.h5" --quiet || fail "smoke run"
command -v h5dump >/dev/null || fail "h5dump missing (Debian package hdf5-tools)"
h5dump -H "$T/r.h5" >"$T/h" || fail "h5dump cannot read the file"
for f in key N dataset init mask lambda tau lr epochs data_seed init_seed E rho frac_outside \
         hull_dist hull_sdist L_fit L_ovl L_cov L_sep L status wall_s proto_offset j p yhat w b v i x y; do
    grep -q "\"$f\";" "$T/h" || fail "h5dump: field $f missing"
done
for a in format format_version program_version config config_hash created; do
    grep -q "ATTRIBUTE \"$a\"" "$T/h" || fail "h5dump: root attribute $a missing"
done
$PYTHON - "$T/r.h5" data/smoke.cfg <<'PY' || fail "h5py layout check"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
want = {
 "runs": dict(key="u8", N="i4", dataset="i4", init="i4", mask="u1", **{k: "f8" for k in
          ["lambda", "tau", "lr"]}, epochs="i4", data_seed="u8", init_seed="u8",
          **{k: "f8" for k in ["E", "rho", "frac_outside", "hull_dist", "hull_sdist", "L_fit",
          "L_ovl", "L_cov", "L_sep", "L"]}, status="u1", wall_s="f8", proto_offset="u8"),
 "prototypes": dict(key="u8", j="i4", p="f8", yhat="f8", w="f8", b="f8", v="f8"),
 "datasets": dict(N="i4", dataset="i4", i="i4", x="f8", y="f8"),
}
for table, fields in want.items():
    d = f[table]
    assert d.ndim == 1 and d.chunks is not None and d.compression == "gzip", table
    assert d.maxshape == (None,), table
    for name, t in fields.items():
        got = d.dtype[name]
        assert got.kind + str(got.itemsize) == t[0] + t[1], (table, name, got)
a = f.attrs
assert (a["format"].decode() if isinstance(a["format"], bytes) else a["format"]) == "protosweep-results"
assert int(a["format_version"]) == 1
cfg = a["config"].decode() if isinstance(a["config"], bytes) else a["config"]
assert cfg == open(sys.argv[2]).read(), "config text differs from the file"
assert str(a["created"] if not isinstance(a["created"], bytes) else a["created"].decode()).endswith("Z")
runs, protos, data = f["runs"][:], f["prototypes"][:], f["datasets"][:]
assert len(runs) == 144 and len(set(runs["key"].tolist())) == 144
# every run's N prototype rows sit at proto_offset, in j order, with p = -b/w and yhat = v
for r in runs:
    o, N = int(r["proto_offset"]), int(r["N"])
    blk = protos[o:o + N]
    assert (blk["key"] == r["key"]).all() and (blk["j"] == np.arange(N)).all()
    assert np.array_equal(blk["p"], -blk["b"] / blk["w"]) and np.array_equal(blk["yhat"], blk["v"])
    d = data[(data["N"] == N) & (data["dataset"] == r["dataset"])]
    assert len(d) == N and (np.diff(d["x"]) > 0).all()
# /datasets holds each (N, dataset) once
pairs = {(int(n), int(k)) for n, k in zip(data["N"], data["dataset"])}
assert len(data) == sum(n for n, _ in pairs)
import pandas as pd          # the README's recipe, literally
df = pd.DataFrame(f["runs"][:])
assert len(df) == 144 and set(want["runs"]) <= set(df.columns)
means = df.groupby(["N", "mask"]).E.mean().unstack()
assert means.shape == (3, 4) and np.isfinite(means.values).all()
PY
ok "SPEC.md section 9 layout: h5dump and h5py agree"
