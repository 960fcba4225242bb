#!/usr/bin/python3
"""read_results.py -- an independent reader of protosweep results files (h5py).

Prints a canonical text dump of FILE: the root attributes, then each table
with its rows sorted (runs by key, prototypes by (key, j), datasets by
(N, dataset, i)); integers in decimal, floats exactly as float.hex()
(-0.0 stays "-0x0.0p+0"; NaN is "nan", or "nan:0x<bits>" for a non-default
payload).  Two files with the same results give the same dump whatever their
row order or shard history, so `diff` compares them.

It also checks the layout of SPEC.md section 9 on its own (it shares no code
with src/results.c): every attribute and field with its exact type, unique
run keys, each run's N prototype rows at proto_offset (key, j = 0..N-1) and no
prototype row claimed twice, each (N, dataset) once with rows i = 0..N-1, and
every run's dataset present.  A malformed file exits 2 with one line on stderr.

    /usr/bin/python3 tests/read_results.py [--offsets] [--ignore NAME]... FILE

--offsets prints proto_offset (layout-dependent; left out by default, it is
checked instead).  --ignore NAME leaves out an attribute or field (e.g.
created, program_version, wall_s) when comparing files made at other times.
"""
import argparse
import signal
import struct
import sys

import h5py
import numpy as np

FORMAT = "protosweep-results"
VERSION = 1
U8, I4, U1, F8 = np.dtype("<u8"), np.dtype("<i4"), np.dtype("u1"), np.dtype("<f8")
ATTRS = ["format", "format_version", "program_version", "config", "config_hash", "created"]
TABLES = {
    "runs": [("key", U8), ("N", I4), ("dataset", I4), ("init", I4), ("mask", U1),
             ("lambda", F8), ("tau", F8), ("lr", F8), ("epochs", I4),
             ("data_seed", U8), ("init_seed", U8), ("E", F8), ("rho", F8),
             ("frac_outside", F8), ("hull_dist", F8), ("hull_sdist", F8),
             ("L_fit", F8), ("L_ovl", F8), ("L_cov", F8), ("L_sep", F8), ("L", F8),
             ("status", U1), ("wall_s", F8), ("proto_offset", U8)],
    "prototypes": [("key", U8), ("j", I4), ("p", F8), ("yhat", F8), ("w", F8),
                   ("b", F8), ("v", F8)],
    "datasets": [("N", I4), ("dataset", I4), ("i", I4), ("x", F8), ("y", F8)],
}
SORT = {"runs": ["key"], "prototypes": ["key", "j"], "datasets": ["N", "dataset", "i"]}
DEFAULT_NAN = 0x7FF8000000000000


class Malformed(Exception):
    pass


def fmt_float(x):
    x = float(x)
    if x != x:
        bits = struct.unpack("<Q", struct.pack("<d", x))[0]
        return "nan" if bits == DEFAULT_NAN else "nan:0x%016x" % bits
    return x.hex()


def fmt_value(v):
    if isinstance(v, (np.floating, float)):
        return fmt_float(v)
    if isinstance(v, (np.integer, int)):
        return str(int(v))
    if isinstance(v, bytes):
        return repr(v.decode("utf-8", "replace"))
    return repr(v)


def check_attrs(f):
    for name in ATTRS:
        if name not in f.attrs:
            raise Malformed("root attribute '%s' missing" % name)
    a = f.attrs
    fmt = a["format"].decode() if isinstance(a["format"], bytes) else a["format"]
    if fmt != FORMAT:
        raise Malformed("format is %r, expected %r" % (fmt, FORMAT))
    if not isinstance(a["format_version"], np.integer) or int(a["format_version"]) != VERSION:
        raise Malformed("format_version is %r, expected %d" % (a["format_version"], VERSION))
    if not isinstance(a["config_hash"], np.integer):
        raise Malformed("config_hash is not an integer")
    for name in ["program_version", "config", "created"]:
        if not isinstance(a[name], (str, bytes)):
            raise Malformed("root attribute '%s' is not a string" % name)


def load_table(f, name):
    if name not in f or not isinstance(f[name], h5py.Dataset):
        raise Malformed("/%s missing" % name)
    ds = f[name]
    if ds.ndim != 1 or ds.dtype.names is None:
        raise Malformed("/%s is not a 1-D compound table" % name)
    for field, want in TABLES[name]:
        if field not in ds.dtype.names:
            raise Malformed("/%s lacks field '%s'" % (name, field))
        got = ds.dtype.fields[field][0]
        if got != want:
            raise Malformed("/%s field '%s' is %s, expected %s" % (name, field, got.str, want.str))
    return ds[:]


def check_layout(runs, protos, data):
    keys = runs["key"]
    if len(np.unique(keys)) != len(keys):
        raise Malformed("/runs has a key more than once")
    if (runs["N"] <= 0).any():
        raise Malformed("/runs has a run with N <= 0")
    claimed = np.zeros(len(protos), dtype=np.int64)
    for r in runs:
        off, n = int(r["proto_offset"]), int(r["N"])
        if off + n > len(protos):
            raise Malformed("run %d: prototypes %d..%d beyond /prototypes (%d rows)"
                            % (r["key"], off, off + n, len(protos)))
        rows = protos[off:off + n]
        if (rows["key"] != r["key"]).any() or (rows["j"] != np.arange(n)).any():
            raise Malformed("run %d: /prototypes rows %d..%d are not its units 0..%d"
                            % (r["key"], off, off + n, n - 1))
        claimed[off:off + n] += 1
    if (claimed != 1).any():
        raise Malformed("/prototypes row %d is claimed by %d runs"
                        % (int(np.argmax(claimed != 1)), claimed[claimed != 1][0]))
    groups = {}
    for d in data:
        groups.setdefault((int(d["N"]), int(d["dataset"])), []).append(int(d["i"]))
    for (n, k), idx in groups.items():
        if sorted(idx) != list(range(n)):
            raise Malformed("dataset (N %d, dataset %d) does not have rows i = 0..%d once"
                            % (n, k, n - 1))
    for r in runs:
        if (int(r["N"]), int(r["dataset"])) not in groups:
            raise Malformed("run %d: dataset (N %d, dataset %d) missing from /datasets"
                            % (r["key"], r["N"], r["dataset"]))


def dump_table(name, rows, ignore, out):
    fields = [n for n in rows.dtype.names if n not in ignore]
    out.write("table %s rows=%d fields=%s\n" % (name, len(rows), ",".join(fields)))
    order = np.lexsort([rows[k] for k in reversed(SORT[name])])
    for row in rows[order]:
        out.write(" ".join("%s=%s" % (n, fmt_value(row[n])) for n in fields) + "\n")


def dump(path, offsets, ignore, out):
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        hint = "; a writer crashed or is running: try `protosweep repair FILE`" \
            if "already open for write" in str(e) else ""
        raise Malformed("cannot open (%s)%s" % (str(e).split("\n")[0], hint))
    with f:
        check_attrs(f)
        tables = {name: load_table(f, name) for name in TABLES}
        check_layout(tables["runs"], tables["prototypes"], tables["datasets"])
        for name in sorted(f.attrs):
            if name not in ignore:
                out.write("attr %s = %s\n" % (name, fmt_value(f.attrs[name])))
        hidden = set(ignore) | (set() if offsets else {"proto_offset"})
        for name in TABLES:
            dump_table(name, tables[name], hidden, out)


def main():
    ap = argparse.ArgumentParser(description="Canonical text dump of a protosweep results file.")
    ap.add_argument("file")
    ap.add_argument("--offsets", action="store_true", help="print proto_offset too")
    ap.add_argument("--ignore", action="append", default=[], metavar="NAME",
                    help="leave out this attribute or field (repeatable)")
    args = ap.parse_args()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under `| head`
    try:
        dump(args.file, args.offsets, args.ignore, sys.stdout)
    except Malformed as e:
        sys.stderr.write("read_results.py: %s: %s\n" % (args.file, e))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
