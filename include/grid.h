/* grid.h — the run set of a config: Cartesian product of the sweep axes,
 * stable run keys, cost estimates and the shard partition (SPEC.md sections 6, 8).
 *
 * A run's key hashes its own coordinates (N, dataset, init, mask, lambda, tau,
 * lr, epochs), not its position in the grid, so keys stay the same when a
 * config gains axis values, and shards / resumes agree on them.
 */
#ifndef PS_GRID_H
#define PS_GRID_H
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "train.h"

typedef struct {
    uint64_t key;
    int N, dataset, init;
    uint8_t mask;
    double lambda, tau, lr;
    int epochs;
    double cost;     /* relative cost estimate */
} ps_run_spec;

uint64_t ps_grid_key(const ps_run_spec *s);

/* Relative cost of one run: epochs * N^2 (forward/backward) + N^3 (assignment). */
double ps_grid_cost(int N, int epochs);

/* All runs of c, in config order, keys and costs filled.  *out is malloc'd. */
int ps_grid_expand(const ps_config *c, ps_run_spec **out, size_t *n, ps_error *err);

/* Sort most expensive first (ties by key): the order the workers take runs. */
void ps_grid_sort_by_cost(ps_run_spec *s, size_t n);

/* Sort s by cost and assign each run a shard: greedy longest-processing-time,
 * ties to the lowest shard.  shard_of: n entries; load: nshards totals. */
void ps_grid_partition(ps_run_spec *s, size_t n, int nshards, int *shard_of, double *load);

/* Deterministic cost-balanced partition into nshards: greedy longest-processing-
 * time over the cost-sorted runs, ties to the lowest shard.  Keeps, in place,
 * only the runs of shard `index` (sorted by cost); returns their count.
 * cost_per_shard (nshards entries, may be NULL) receives every shard's total. */
size_t ps_grid_shard(ps_run_spec *s, size_t n, int index, int nshards, double *cost_per_shard);

/* The training hyper-parameters of a run under c. */
ps_hparams ps_grid_hparams(const ps_config *c, const ps_run_spec *s);

/* The largest N of the grid (workspace size). */
int ps_grid_nmax(const ps_config *c);

#endif
