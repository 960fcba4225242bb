#!/bin/sh
# run.sh BINDIR: the real-cluster test of slurm/ (`make check-slurm`).
#
# Starts a private single-node SLURM cluster (tests/slurm/cluster.sh, all
# state in one temp folder), then through slurm/submit:
#   1. a bad config is refused (exit 2) before anything is queued;
#   2. data/smoke.cfg as a 4-task array + merge: every task COMPLETED 0:0,
#      the merged file equals an unsharded local run value for value, each
#      shard holds its planned share of the runs, the tables are written;
#   3. a requeued task resumes its shard (runs kept, not recomputed);
#   4. a failing task (PROTOSWEEP_FAIL_TASK=1) fails with its own status and
#      the merge job is cancelled (DependencyNeverSatisfied), not left pending;
#   5. resubmitting the same command resumes the good shards, redoes the
#      failed one with 2 CPUs a task, and the merged file equals the local run.
# Jobs are waited for by polling squeue every 0.25 s, each wait with a
# timeout.  On exit (also on failure or a signal) it cancels its jobs and
# stops exactly the daemons it started.  Not root or no SLURM packages: one
# "SKIP: reason" line, exit 0.  Last line: "N passed, N failed".
set -u

skip() { echo "SKIP: $*"; exit 0; }
[ $# -eq 1 ] || { echo "usage: sh tests/slurm/run.sh BINDIR" >&2; exit 2; }
[ "$(id -u)" = 0 ] || skip "not root (the test starts munged, slurmctld and slurmd)"
for c in munged mungekey slurmctld slurmd sbatch squeue scontrol scancel sinfo runuser; do
    command -v "$c" >/dev/null 2>&1 ||
        skip "no $c (Debian packages munge slurmctld slurmd slurm-client: scripts/deps.sh slurm)"
done
id munge >/dev/null 2>&1 || skip "no munge user (package munge not configured)"

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1
. tests/slurm/cluster.sh

npass=0; nfail=0; T=""
ok() { npass=$((npass + 1)); echo "ok   - $*"; }
bad() { nfail=$((nfail + 1)); echo "FAIL - $*"; }
# check DESCRIPTION CMD...: one check from a command's exit status.
check() { _d=$1; shift; if "$@"; then ok "$_d"; else bad "$_d"; fi; }

finish() {
    _rc=$?
    trap - EXIT INT TERM
    _t=$(now)
    cluster_stop
    echo "cluster stopped: $(elapsed "$_t") s"
    if [ -n "$T" ]; then
        if [ "$nfail" -eq 0 ] && [ "$_rc" -eq 0 ]; then rm -rf "$T"
        else echo "logs kept in $T (slurm/log, */logs)"; fi
    fi
    echo "$npass passed, $nfail failed"
    [ "$nfail" -eq 0 ] && [ "$_rc" -eq 0 ]
    exit $?
}
trap finish EXIT
trap 'bad "interrupted"; exit 130' INT TERM
# abort REASON: a failed precondition; nothing after it can be checked.
abort() { bad "$*"; exit 1; }

PROTOSWEEP=$(cd "$1" 2>/dev/null && pwd)/protosweep
PROTOSTAT=$(cd "$1" 2>/dev/null && pwd)/protostat
PYTHON=${PYTHON:-/usr/bin/python3}
export PROTOSWEEP PROTOSTAT
[ -x "$PROTOSWEEP" ] && [ -x "$PROTOSTAT" ] || abort "no protosweep/protostat in '$1' (run make)"
[ -f data/smoke.cfg ] || abort "no data/smoke.cfg"
T=$(mktemp -d /tmp/protosweep-slurm.XXXXXX) || abort "mktemp failed"
chmod 755 "$T"    # munged runs as user munge and must reach its folder inside
unset PROTOSWEEP_FAIL_TASK

t=$(now)
timeout 120 "$PROTOSWEEP" run data/smoke.cfg -o "$T/local.h5" > "$T/local.log" 2>&1 ||
    abort "local run of data/smoke.cfg failed (see $T/local.log)"
echo "local unsharded run: $(elapsed "$t") s"

t=$(now)
cluster_start "$T/cluster" || abort "cluster did not start (see $T/cluster/slurm/log)"
echo "cluster up: $(elapsed "$t") s ($CL_PIDS )"

# submit_jobs LABEL ARGS...: slurm/submit; sets ARRAY and MERGE, tracks both.
submit_jobs() {
    _label=$1; shift
    ARRAY=""; MERGE=""
    timeout 60 slurm/submit "$@" > "$T/submit-$_label.log" 2>&1
    _rc=$?
    ARRAY=$(awk '/^array job [0-9]+:/ { sub(":", "", $3); print $3 }' "$T/submit-$_label.log")
    MERGE=$(awk '/^merge job [0-9]+:/ { sub(":", "", $3); print $3 }' "$T/submit-$_label.log")
    [ -n "$ARRAY" ] && cluster_track "$ARRAY"
    [ -n "$MERGE" ] && cluster_track "$MERGE"
    [ "$_rc" -eq 0 ] && [ -n "$ARRAY" ] && [ -n "$MERGE" ] ||
        { cat "$T/submit-$_label.log"; abort "$_label: slurm/submit failed (exit $_rc)"; }
}

# wait_jobs LABEL [SECS]: wait for ARRAY (at most SECS, default 60 s), then
# MERGE (30 s: a merge left pending after a failed task is reported, not
# waited for).
wait_jobs() {
    _t=$(now)
    _secs=${2:-60}
    cluster_wait "$_secs" "$ARRAY" || abort "$1: array job $ARRAY still queued after $_secs s"
    cluster_wait 30 "$MERGE" ||
        abort "$1: merge job $MERGE still queued 30 s after the array: $(cluster_tasks "$MERGE")"
    echo "$1: submit to last job end $(elapsed "$_t") s"
}

# tasks_are JOB EXPECTED: the "task state exit" lines of JOB equal EXPECTED.
tasks_are() {
    _got=$(cluster_tasks "$1" | awk '{ print $1, $2, $3 }')
    [ "$_got" = "$2" ] || { printf 'expected:\n%s\ngot:\n%s\n' "$2" "$_got"; return 1; }
}
all_done="0 COMPLETED 0:0
1 COMPLETED 0:0
2 COMPLETED 0:0
3 COMPLETED 0:0"

# comments_of JOB: the Comment= field of each record of JOB.
comments_of() { timeout 10 scontrol -o show job "$1" | grep -o 'Comment=[^ ]*' | sort -u; }
same_runs() { "$PROTOSWEEP" compare "$1" "$2" > "$T/compare.log" 2>&1 || { cat "$T/compare.log"; return 1; }; }

# runs_of FILE: the (key, wall_s) pairs of /runs; a resumed shard keeps them,
# a recomputed one would not (wall_s is measured anew).
runs_of() {
    "$PYTHON" -c 'import sys, h5py
r = h5py.File(sys.argv[1], "r")["runs"][:]
print(sorted(zip(r["key"].tolist(), r["wall_s"].tolist())))' "$1" 2>> "$T/h5py.log"
}
# snapshot DIR I...: runs_of those shards of DIR, one line each; fails (and
# prints nothing) when one cannot be read, so that two failures never compare
# equal.
snapshot() {
    _dir=$1; shift
    _all=""
    for _i in "$@"; do
        _one=$(runs_of "$(shard "$_dir" "$_i")") || { echo "unreadable shard $_i of $_dir (see $T/h5py.log)" >&2; return 1; }
        _all="$_all$_one
"
    done
    printf '%s' "$_all"
}
# same_snapshot BEFORE DIR I...: BEFORE is non-empty and equals a new snapshot.
same_snapshot() {
    _before=$1; shift
    _after=$(snapshot "$@") || return 1
    [ -n "$_before" ] && [ "$_before" = "$_after" ]
}
# runs_in FILE: the row count of /runs.
runs_in() {
    "$PYTHON" -c 'import sys, h5py; print(len(h5py.File(sys.argv[1], "r")["runs"]))' "$1" 2>> "$T/h5py.log"
}
# shards_as_planned DIR: shard I of DIR holds as many runs as `protosweep plan
# --shards 4` gives shard I; with the merged file equal to the whole grid,
# every run was then computed exactly once.
shards_as_planned() {
    _plan=$("$PROTOSWEEP" plan data/smoke.cfg --shards 4 | awk '$1 == "shard" { print $4 }')
    _held=$(for _i in 0 1 2 3; do runs_in "$(shard "$1" "$_i")"; done)
    [ -n "$_plan" ] && [ "$_held" = "$_plan" ] ||
        { echo "planned runs per shard:" $_plan "; held:" $_held; return 1; }
}
shard() { printf '%s/shards/shard-%03d-of-004.h5' "$1" "$2"; }

# 1. A bad config: exit 2, nothing queued.
printf 'master_seed = 1;\nno_such_key = 3;\n' > "$T/bad.cfg"
timeout 60 slurm/submit "$T/bad.cfg" --tasks 4 --out "$T/bad" > "$T/submit-bad.log" 2>&1
rc=$?
check "bad config refused with exit 2 (got $rc)" [ "$rc" -eq 2 ]
nothing_queued() { _q=$(timeout 10 squeue -h) && [ -z "$_q" ]; }
check "bad config: nothing queued" nothing_queued

# 2. The smoke grid as a 4-task array + merge.
submit_jobs ok data/smoke.cfg --tasks 4 --out "$T/ok" -- --comment=passed-through
wait_jobs ok
check "ok: sbatch options after -- reach both jobs" test \
    "$(comments_of "$ARRAY") $(comments_of "$MERGE")" = "Comment=passed-through Comment=passed-through"
check "ok: 4 tasks COMPLETED exit 0:0" tasks_are "$ARRAY" "$all_done"
check "ok: merge COMPLETED exit 0:0" tasks_are "$MERGE" "- COMPLETED 0:0"
check "ok: merged results == unsharded local run" same_runs "$T/ok/results.h5" "$T/local.h5"
check "ok: each shard holds its planned share of the runs" shards_as_planned "$T/ok"
if [ -f tests/read_results.py ]; then
    "$PYTHON" tests/read_results.py --ignore created --ignore wall_s "$T/ok/results.h5" > "$T/ok.dump" 2>&1
    "$PYTHON" tests/read_results.py --ignore created --ignore wall_s "$T/local.h5" > "$T/local.dump" 2>&1
    check "ok: independent h5py dumps identical" cmp -s "$T/ok.dump" "$T/local.dump"
fi
check "ok: tables/table.md and tables/signif.md written" \
    test -s "$T/ok/tables/table.md" -a -s "$T/ok/tables/signif.md"

# 3. Requeue task 0: it must resume its shard, not recompute it.
before=$(snapshot "$T/ok" 0)
timeout 10 scontrol requeue "${ARRAY}_0" &&
    timeout 10 scontrol update JobId="${ARRAY}_0" StartTime=now ||
    abort "requeue: scontrol refused to requeue ${ARRAY}_0"
# (a requeued job waits cred_expire = 120 s unless its start time is reset)
t=$(now)
cluster_wait 60 "$ARRAY" || abort "requeue: task still queued after 60 s"
echo "requeue: requeue to task end $(elapsed "$t") s"
check "requeue: task 0 COMPLETED 0:0 with Restarts=1" \
    test "$(cluster_tasks "$ARRAY" | awk '$1 == 0 { print $2, $3, $4 }')" = "COMPLETED 0:0 1"
check "requeue: shard 0 resumed (same runs, same wall_s)" same_snapshot "$before" "$T/ok" 0

# 4. Task 1 fails: its status is kept and the merge is cancelled, not pending.
export PROTOSWEEP_FAIL_TASK=1
submit_jobs fail data/smoke.cfg --tasks 4 --out "$T/fail"
unset PROTOSWEEP_FAIL_TASK
wait_jobs fail
check "fail: task 1 FAILED 3:0, the others COMPLETED 0:0" tasks_are "$ARRAY" "0 COMPLETED 0:0
1 FAILED 3:0
2 COMPLETED 0:0
3 COMPLETED 0:0"
check "fail: merge CANCELLED (DependencyNeverSatisfied)" \
    test "$(cluster_tasks "$MERGE" | awk '{ print $2, $5 }')" = "CANCELLED DependencyNeverSatisfied"
check "fail: no results.h5" test ! -e "$T/fail/results.h5"

# 5. The same command again: good shards resume, the failed one runs.
before=$(snapshot "$T/fail" 0 2 3)
submit_jobs retry data/smoke.cfg --tasks 4 --cpus-per-task 2 --out "$T/fail"
wait_jobs retry
check "retry: 4 tasks COMPLETED exit 0:0" tasks_are "$ARRAY" "$all_done"
check "retry: merge COMPLETED exit 0:0" tasks_are "$MERGE" "- COMPLETED 0:0"
check "retry: merged results == unsharded local run" same_runs "$T/fail/results.h5" "$T/local.h5"
check "retry: shards 0, 2, 3 resumed (same runs, same wall_s)" same_snapshot "$before" "$T/fail" 0 2 3
check "retry: tasks ran with OMP_NUM_THREADS=2" \
    grep -q "OMP_NUM_THREADS=2" "$T/fail/logs/sweep-${ARRAY}_1.out"

# 6. The README's cluster example end to end: data/lambda_sweep.cfg (2160 runs,
#    ~45 s on 2 cores) as 4 tasks of 2 CPUs, merged and tabulated.
submit_jobs lambda data/lambda_sweep.cfg --tasks 4 --cpus-per-task 2 --out "$T/lambda"
wait_jobs lambda 900
planned=$("$PROTOSWEEP" plan data/lambda_sweep.cfg | awk '$1 == "runs" { print $2 }')
check "lambda: 4 tasks COMPLETED exit 0:0" tasks_are "$ARRAY" "$all_done"
check "lambda: merge COMPLETED exit 0:0" tasks_are "$MERGE" "- COMPLETED 0:0"
check "lambda: merged file holds all $planned planned runs" \
    test "$(runs_in "$T/lambda/results.h5")" = "$planned"
check "lambda: table per lambda written" grep -q "0.00889" "$T/lambda/tables/table.md"
