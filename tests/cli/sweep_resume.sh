#!/bin/sh
# Crash safety and resume: kill -9 a sweep while it writes, check that what was
# flushed is intact (after `protosweep repair`, read by h5py), resume, and
# require the result to equal an uninterrupted run, each run exactly once.
# Then: a second writer is refused; SIGTERM closes the file cleanly (readable
# without repair) with exit 1, and the resume completes it.
. tests/cli/lib.inc
# ~3 s on one thread, ~1.5 s on two: long enough to interrupt.
cat >"$T/k.cfg" <<'CFG'
master_seed = 12;
grid:  { N = [50, 100]; datasets = 4; inits = 1; masks = ["000", "010", "100", "111"]; };
CFG
$PROTOSWEEP run "$T/k.cfg" -o "$T/full.h5" -j 2 --quiet || fail "uninterrupted run"
count() { $PYTHON -c "import h5py,sys; f=h5py.File(sys.argv[1],'r'); r=f['runs'][:]; k=r['key']; assert len(set(k.tolist()))==len(k), 'duplicate keys'; print(len(k))" "$1"; }
total=$(count "$T/full.h5") || fail "reading the full file"

n=0
for delay in 1.0 0.7 1.4 0.5 1.8 2.6 3.6 5.0; do   # until a kill lands between flushes (ASan: slower)
    rm -f "$T/k.h5" "$T/k.h5.lock"
    $PROTOSWEEP run "$T/k.cfg" -o "$T/k.h5" -j 2 --flush 2 --quiet &
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null || continue
    wait $pid 2>/dev/null
    [ -s "$T/k.h5" ] || continue
    $PROTOSWEEP repair "$T/k.h5" >/dev/null || fail "repair of the killed file"
    n=$(count "$T/k.h5") || fail "h5py cannot read the killed file after repair"
    [ "$n" -gt 0 ] && [ "$n" -lt "$total" ] && break
    n=0
done
[ "$n" -gt 0 ] || fail "could not kill the sweep between two flushes in 8 tries"
$PROTOSWEEP run "$T/k.cfg" -o "$T/k.h5" -j 2 --quiet || fail "resume after kill -9"
$PROTOSWEEP compare "$T/full.h5" "$T/k.h5" >/dev/null || fail "resumed file differs from uninterrupted"
[ "$(count "$T/k.h5")" = "$total" ] || fail "resumed file has the wrong run count"
ok "kill -9 after $n of $total runs; resumed file equals the uninterrupted one"

# A second writer on the same file is refused while the first runs.
$PROTOSWEEP run "$T/k.cfg" -o "$T/c.h5" -j 1 --quiet &
pid=$!
sleep 0.5
expect_error 2 $PROTOSWEEP run "$T/k.cfg" -o "$T/c.h5" --quiet
grep -q "c.h5" "$T/err" || fail "the refusal does not name the file"
kill -TERM $pid; wait $pid; st=$?
[ $st = 1 ] || fail "SIGTERM: exit status $st, wanted 1"
n=$(count "$T/c.h5") || fail "after SIGTERM the file is not readable without repair"
$PROTOSWEEP run "$T/k.cfg" -o "$T/c.h5" -j 2 --quiet || fail "resume after SIGTERM"
$PROTOSWEEP compare "$T/full.h5" "$T/c.h5" >/dev/null || fail "file resumed after SIGTERM differs"
ok "second writer refused; SIGTERM after $n runs: clean file, exit 1, resume completes"
