#!/bin/sh
# run_all.sh BUILD BINDIR: run every cmocka binary BUILD/tests/test_* and every
# command-line test tests/cli/*.sh; print one closing line "N passed, N failed".
# Exit status 1 if anything failed.
BUILD=$1; BINDIR=$2
export PROTOSWEEP="$(cd "$BINDIR" && pwd)/protosweep"
export PROTOSTAT="$(cd "$BINDIR" && pwd)/protostat"
export PYTHON="${PYTHON:-/usr/bin/python3}"
pass=0; fail=0; failed=""
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    echo "== $t"
    if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed $t"; fi
done
for t in tests/cli/*.sh; do
    [ -f "$t" ] || continue
    echo "== $t"
    if sh "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed $t"; fi
done
[ -n "$failed" ] && echo "FAILED:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
