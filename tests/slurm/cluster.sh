# cluster.sh: start, wait on and stop a private single-node SLURM cluster
# (munged + slurmctld + slurmd) whose whole state lives in one folder.
# Sourced by tests/slurm/run.sh (POSIX sh); needs root.
#
# Invariants:
# - Nothing outside $CL_DIR is read or written: munge gets its own key, socket
#   and pid file; slurm its own conf, spool, state and logs; the ports are
#   picked free, so a site's own munged/slurmd on this machine is untouched.
# - cluster_stop ends exactly the daemons cluster_start recorded (pid files
#   read right after start, checked against /proc/PID/comm before a signal),
#   after cancelling the jobs recorded by cluster_track, because job
#   processes outlive the daemons.
# - Every wait has a timeout and every SLURM client call runs under
#   timeout(1): without a controller, scancel and squeue retry for minutes.
#
# Interface:  cluster_start DIR     -> exports SLURM_CONF, sets CL_PIDS
#                                    (DIR's parents must be searchable by
#                                    user munge: munged runs as munge)
#             cluster_track JOBID   -> remember a job to cancel at stop
#             cluster_wait SECS ID...  -> 0 when none of the jobs is queued
#             cluster_tasks ID      -> "ArrayTaskId JobState ExitCode Restarts
#                                       Reason" per record, array tasks sorted
#             cluster_stop          -> cancel jobs, stop daemons (idempotent)

CL_DIR=""; CL_PIDS=""; CL_JOBS=""

# now: seconds since the epoch with sub-second precision.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# poll_until SECS CMD...: run CMD every 0.1 s until it succeeds; 1 on timeout.
poll_until() {
    _deadline=$(awk -v t="$1" -v s="$(now)" 'BEGIN { printf "%.2f", s + t }'); shift
    until "$@"; do
        awk -v d="$_deadline" -v n="$(now)" 'BEGIN { exit !(n > d) }' && return 1
        sleep 0.1
    done
}

# port_free PORT: nobody listens on PORT (assume free when ss is missing).
port_free() {
    command -v ss >/dev/null 2>&1 || return 0
    [ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
}

# cl_ports: set CL_CTLD_PORT/CL_SLURMD_PORT to a free pair (never the site's
# default 6817/6818, so a real cluster on this machine is not disturbed).
cl_ports() {
    _p=16817
    while [ "$_p" -lt 16917 ]; do
        if port_free "$_p" && port_free $((_p + 1)); then
            CL_CTLD_PORT=$_p; CL_SLURMD_PORT=$((_p + 1)); return 0
        fi
        _p=$((_p + 2))
    done
    echo "cluster: no free port pair in 16817..16916" >&2; return 1
}

# cl_munge_start: private key and socket; munged refuses a socket folder
# without o+x and a key folder readable by others, hence the two folders.
cl_munge_start() {
    mkdir -p "$CL_DIR/munge/etc" "$CL_DIR/munge/run"
    chmod 755 "$CL_DIR" "$CL_DIR/munge" "$CL_DIR/munge/run"
    chmod 700 "$CL_DIR/munge/etc"
    mungekey --create --keyfile="$CL_DIR/munge/etc/munge.key" || return 1
    chown -R munge:munge "$CL_DIR/munge"
    runuser -u munge -- munged --socket="$CL_DIR/munge/run/munge.socket" \
        --key-file="$CL_DIR/munge/etc/munge.key" \
        --log-file="$CL_DIR/munge/etc/munged.log" \
        --seed-file="$CL_DIR/munge/etc/munged.seed" \
        --pid-file="$CL_DIR/munge/run/munged.pid" || return 1
    cl_record munged "$CL_DIR/munge/run/munged.pid"
}

# cl_conf: slurm.conf with everything under $CL_DIR/slurm (see
# /work/shared/notes/slurm-local.md for why each line is there).
cl_conf() {
    _host=$(hostname -s)
    _node=$(slurmd -C | head -n 1)
    mkdir -p "$CL_DIR/slurm/state" "$CL_DIR/slurm/spool" "$CL_DIR/slurm/log"
    cat > "$CL_DIR/slurm/slurm.conf" <<EOF
ClusterName=protosweep-test
SlurmctldHost=$_host(127.0.0.1)
SlurmctldPort=$CL_CTLD_PORT
SlurmdPort=$CL_SLURMD_PORT
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$CL_DIR/munge/run/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$CL_DIR/slurm/state
SlurmdSpoolDir=$CL_DIR/slurm/spool
SlurmctldPidFile=$CL_DIR/slurm/slurmctld.pid
SlurmdPidFile=$CL_DIR/slurm/slurmd.pid
SlurmctldLogFile=$CL_DIR/slurm/log/slurmctld.log
SlurmdLogFile=$CL_DIR/slurm/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
MinJobAge=600
$_node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

# cl_record NAME PIDFILE: wait for the daemon's pid file, remember "name:pid".
cl_record() {
    poll_until 10 test -s "$2" || { echo "cluster: $1 wrote no pid file $2" >&2; return 1; }
    _pid=$(tr -dc 0-9 < "$2")
    CL_PIDS="$CL_PIDS $1:$_pid"
}

cl_idle() { [ "$(timeout 5 sinfo -h -o %T 2>/dev/null)" = idle ]; }

cluster_start() {
    CL_DIR=$1
    cl_ports || return 1
    cl_munge_start || { echo "cluster: munged did not start" >&2; return 1; }
    cl_conf || return 1
    export SLURM_CONF="$CL_DIR/slurm/slurm.conf"
    slurmctld -c -f "$SLURM_CONF" || { echo "cluster: slurmctld did not start" >&2; return 1; }
    cl_record slurmctld "$CL_DIR/slurm/slurmctld.pid" || return 1
    slurmd -N "$(hostname -s)" -f "$SLURM_CONF" || { echo "cluster: slurmd did not start" >&2; return 1; }
    cl_record slurmd "$CL_DIR/slurm/slurmd.pid" || return 1
    poll_until 20 cl_idle || { echo "cluster: node not idle after 20 s (see $CL_DIR/slurm/log)" >&2; return 1; }
    cl_probe
}

# cl_probe: a trivial job must run to completion.  An idle node is not yet
# a working cluster: the first scheduling pass comes about 3 s after start,
# and munge/credential problems only show when a job is launched.
cl_probe() {
    _job=$(timeout 10 sbatch --parsable --job-name=probe --output=/dev/null --wrap true) ||
        { echo "cluster: sbatch refused the probe job" >&2; return 1; }
    cluster_track "$_job"
    cluster_wait 30 "$_job" || { echo "cluster: probe job $_job still queued after 30 s" >&2; return 1; }
    [ "$(cluster_tasks "$_job" | awk '{ print $2, $3 }')" = "COMPLETED 0:0" ] ||
        { echo "cluster: probe job $_job did not complete: $(cluster_tasks "$_job")" >&2; return 1; }
}

cluster_track() { CL_JOBS="$CL_JOBS $1"; }

# cluster_wait SECS ID...: poll squeue every 0.25 s (sbatch --wait polls at
# 2, 8, then 32 s); 0 once squeue answers and lists none of the jobs, 1 if
# that has not happened after SECS.  A failing squeue (controller gone) is
# never taken for "finished".
cluster_wait() {
    _deadline=$(awk -v t="$1" -v s="$(now)" 'BEGIN { printf "%.2f", s + t }'); shift
    _ids=$(echo "$*" | tr ' ' ',')
    while :; do
        _q=$(timeout 5 squeue -h -j "$_ids" 2>/dev/null) && [ -z "$_q" ] && return 0
        awk -v d="$_deadline" -v n="$(now)" 'BEGIN { exit !(n > d) }' && return 1
        sleep 0.25
    done
}

# cluster_tasks ID: one line per job record; "-" as task id for a plain job.
cluster_tasks() {
    timeout 10 scontrol -o show job "$1" 2>/dev/null | awk '{
        t = "-"; s = e = r = why = "?"
        for (i = 1; i <= NF; i++) {
            split($i, kv, "=")
            if (kv[1] == "ArrayTaskId") t = kv[2]
            else if (kv[1] == "JobState") s = kv[2]
            else if (kv[1] == "ExitCode") e = kv[2]
            else if (kv[1] == "Restarts") r = kv[2]
            else if (kv[1] == "Reason") why = kv[2]
        }
        print t, s, e, r, why }' | sort -n
}

# cl_gone PID: exited (a zombie counts: without a reaping init it stays).
cl_gone() { ! grep -qs '^State:[[:space:]]*[^Z]' "/proc/$1/status"; }

# cl_ours NAME PID: PID is still the daemon we started (its comm matches),
# never a recycled pid.
cl_ours() { [ "$(cat "/proc/$2/comm" 2>/dev/null)" = "$1" ]; }

# cl_stop NAMES...: TERM the recorded daemons of those names together, wait
# up to 10 s for each, then KILL the ones that ignored TERM.
cl_stop() {
    _sent=""
    for _d in $CL_PIDS; do
        for _name in "$@"; do
            [ "${_d%%:*}" = "$_name" ] && cl_ours "$_name" "${_d#*:}" &&
                kill -TERM "${_d#*:}" 2>/dev/null && _sent="$_sent $_d"
        done
    done
    for _d in $_sent; do
        poll_until 10 cl_gone "${_d#*:}" && continue
        echo "cluster: ${_d%%:*} (${_d#*:}) ignored TERM, sending KILL" >&2
        cl_ours "${_d%%:*}" "${_d#*:}" && kill -KILL "${_d#*:}" 2>/dev/null
    done
}

cluster_stop() {
    if [ -n "$CL_JOBS" ] && [ -n "${SLURM_CONF:-}" ]; then
        # shellcheck disable=SC2086
        timeout 10 scancel $CL_JOBS 2>/dev/null
        # shellcheck disable=SC2086
        cluster_wait 15 $CL_JOBS || echo "cluster: jobs still queued after scancel (or no controller)" >&2
    fi
    CL_JOBS=""
    # The slurm daemons first, then munged which they talk to.
    cl_stop slurmd slurmctld
    cl_stop munged
    CL_PIDS=""
}
