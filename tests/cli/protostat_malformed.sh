#!/bin/sh
# protostat_malformed.sh — malformed results files and bad usage give a
# one-line error naming the file or option and exit status 2:
# not HDF5, HDF5 without /runs, /runs missing a field, wrong format_version,
# conflicting duplicate keys across shards; bad option, bad filter, no file.
set -u
: "${PROTOSWEEP:?}" "${PROTOSTAT:?}" "${PYTHON:=/usr/bin/python3}"
d=$(mktemp -d /tmp/protostat_malformed.XXXXXX)
trap 'rm -rf "$d"' EXIT
fail() { echo "protostat_malformed: $*"; exit 1; }

"$PROTOSWEEP" run data/smoke.cfg -o "$d/good.h5" >/dev/null 2>&1 || fail "protosweep run failed"
echo "not an hdf5 file" > "$d/text.h5"
"$PYTHON" - "$d" <<'PY' || fail "could not build the malformed files"
import sys, h5py, numpy as np
d = sys.argv[1]
src = h5py.File(d + "/good.h5", "r")
runs = src["runs"][:]
def copy_attrs(f, version=None):
    for k, v in src.attrs.items():
        f.attrs[k] = v
    if version is not None:
        f.attrs["format_version"] = np.int32(version)
with h5py.File(d + "/noruns.h5", "w") as f:
    copy_attrs(f)
    f["prototypes"] = src["prototypes"][:]
    f["datasets"] = src["datasets"][:]
with h5py.File(d + "/nofield.h5", "w") as f:
    copy_attrs(f)
    names = [n for n in runs.dtype.names if n != "E"]
    f.create_dataset("runs", data=runs[names], maxshape=(None,), chunks=True)
    f["prototypes"] = src["prototypes"][:]
    f["datasets"] = src["datasets"][:]
with h5py.File(d + "/version.h5", "w") as f:
    copy_attrs(f, 2)
    for t in ("runs", "prototypes", "datasets"):
        f.create_dataset(t, data=src[t][:], maxshape=(None,), chunks=True)
# same keys as good.h5, one result changed: a conflicting shard
with h5py.File(d + "/conflict.h5", "w") as f:
    copy_attrs(f)
    r = runs.copy()
    r["E"][5] += 1.0
    f.create_dataset("runs", data=r, maxshape=(None,), chunks=True)
    for t in ("prototypes", "datasets"):
        f.create_dataset(t, data=src[t][:], maxshape=(None,), chunks=True)
PY

# expect_2 NAME PATTERN ARGS...: exit status 2, one line on stderr matching PATTERN
expect_2() {
    name=$1; pat=$2; shift 2
    "$PROTOSTAT" "$@" >"$d/out" 2>"$d/err"
    rc=$?
    [ "$rc" -eq 2 ] || fail "$name: exit status $rc, expected 2"
    [ "$(wc -l < "$d/err")" -eq 1 ] || fail "$name: expected one line on stderr, got: $(cat "$d/err")"
    [ -n "${SHOW:-}" ] && cat "$d/err"
    grep -q -- "$pat" "$d/err" || fail "$name: stderr lacks '$pat': $(cat "$d/err")"
    [ ! -s "$d/out" ] || fail "$name: printed on stdout"
}
expect_2 "not HDF5" "text.h5" table "$d/text.h5"
expect_2 "no /runs" "noruns.h5" table "$d/noruns.h5"
expect_2 "missing field" "nofield.h5" summary "$d/nofield.h5"
expect_2 "format_version" "version.h5" signif "$d/version.h5"
expect_2 "missing file" "absent.h5" query "$d/absent.h5"
expect_2 "conflicting shards" "different values" table "$d/good.h5" "$d/conflict.h5"
expect_2 "bad option" "--bogus" table "$d/good.h5" --bogus
expect_2 "option of another verb" "--axis" table "$d/good.h5" --axis tau
expect_2 "bad mask" "--mask" table "$d/good.h5" --mask 012
expect_2 "bad metric" "--metric" table "$d/good.h5" --metric nope
expect_2 "bad format" "--format" table "$d/good.h5" --format html
expect_2 "missing value" "--N" table "$d/good.h5" --N
expect_2 "no file" "no results file" signif
expect_2 "unknown verb" "unknown verb" frobnicate "$d/good.h5"
expect_2 "bad where" "--where" query "$d/good.h5" --where "E~1"
expect_2 "empty selection" "no run matches" table "$d/good.h5" --N 7
# identical shards are fine
"$PROTOSTAT" table "$d/good.h5" "$d/good.h5" >/dev/null 2>&1 || fail "identical shards refused"
expect_2 "figures without -o" "-o DIR" figures "$d/good.h5"
for v in table summary signif effect family sweep query figures report; do
    "$PROTOSTAT" $v --help >/dev/null 2>&1 || fail "$v --help failed"
done
echo "protostat_malformed: ok"
