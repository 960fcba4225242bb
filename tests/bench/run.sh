#!/bin/sh
# make bench: core timings (bench.c), the numpy reference timed in the same
# invocation when numpy is installed (ratios printed), and the paper grid's
# wall time with 1 thread and with all threads through `protosweep run`.
# The machine may be shared: compare the ratios, not the absolute figures.
BUILD=$1; BINDIR=$2; PYTHON=${PYTHON:-/usr/bin/python3}
set -e
export OPENBLAS_NUM_THREADS=1
echo "== core (one thread)"
"$BUILD/bench" | tee "$BUILD/bench.out"
if $PYTHON -c "import numpy" 2>/dev/null; then
    echo "== numpy reference (tests/reference), same invocation"
    $PYTHON tests/reference/bench_ref.py | tee "$BUILD/bench_ref.out"
    awk '
      FNR == NR && $1 == "us_per_step" { c[$2] = $3; next }
      FNR == NR && $1 == "grid_seconds" { g[$2] = $3; next }
      $1 == "ref_us_per_step" && ($2 in c) { printf "ratio us_per_step %s reference/C %.1fx\n", $2, $3 / c[$2] }
      $1 == "ref_grid_seconds" && ($2 in g) { printf "ratio grid_seconds %s reference/C %.1fx\n", $2, $3 / g[$2] }
    ' "$BUILD/bench.out" "$BUILD/bench_ref.out"
else
    echo "== numpy not installed: reference timing skipped"
fi
echo "== paper grid (480 runs) through protosweep run"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
nproc=$(nproc)
for j in 1 $nproc; do
    start=$(date +%s.%N)
    "$BINDIR/protosweep" run data/paper.cfg -o "$tmp/p$j.h5" -j $j 2>"$tmp/log$j" || { cat "$tmp/log$j"; exit 1; }
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }' >"$tmp/t$j"
    echo "paper_grid threads=$j seconds $(cat "$tmp/t$j")  $(tail -1 "$tmp/log$j" | sed 's/.*diverged, //')"
done
awk -v a="$(cat "$tmp/t1")" -v b="$(cat "$tmp/t$nproc")" -v n="$nproc" \
    'BEGIN { printf "paper_grid speedup %d threads: %.2fx\n", n, a / b }'
"$BINDIR/protosweep" compare "$tmp/p1.h5" "$tmp/p$nproc.h5"
