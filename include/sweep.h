/* sweep.h — the main job: every run of a grid (or of one shard) on all cores,
 * streamed into one results file (SPEC.md sections 6, 8, 9).
 *
 * OpenMP workers take runs most-expensive-first (dynamic schedule), each with
 * its own ps_runner; finished runs are handed, under one critical section, to
 * the single ps_writer, which flushes in batches.  Runs already in the file are
 * skipped (resume).  SIGINT / SIGTERM stop the hand-out of new runs; finished
 * runs are flushed and the file closed before returning PS_EFAIL.
 * Results do not depend on the thread count, the shard split or the resume
 * history: each run depends only on the config and its key.
 */
#ifndef PS_SWEEP_H
#define PS_SWEEP_H
#include "config.h"
#include "error.h"

typedef struct {
    int threads;                 /* 0: OpenMP default */
    int shard_index, nshards;    /* 0 / 1 for the whole grid */
    int quiet;                   /* no progress output */
    double log_interval_s;       /* batch-mode log line period (0: default 5 s) */
    int flush_runs;              /* flush after this many runs (0: default 256) */
} ps_sweep_opts;

typedef struct {
    size_t total, skipped, done, diverged;
    double wall_s, hdf5_s;       /* whole sweep; time inside the writer */
    int interrupted;
} ps_sweep_stats;

int ps_sweep_run(const ps_config *c, const char *path, const ps_sweep_opts *o,
                 ps_sweep_stats *st, ps_error *err);

/* Union of shard files of one config into out (which must not exist). */
int ps_sweep_merge(const char *out, char **inputs, int ninputs, ps_error *err);

/* 0 when a and b hold the same runs, prototypes and datasets with bit-identical
 * values (wall_s and row order aside); PS_EFAIL with the first difference in err. */
int ps_sweep_compare(const char *a, const char *b, ps_error *err);

#endif
