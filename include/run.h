/* run.h — one run from its spec: seeds, dataset, initial draw, training.
 *
 * A ps_runner is one thread's everything: the training workspace, a GSL
 * generator and the x, y, theta0, theta buffers, all sized for the largest N.
 * After ps_runner_execute the buffers hold the run's dataset, raw initial and
 * final parameters (replay prints them, the sweep writes them).
 */
#ifndef PS_RUN_H
#define PS_RUN_H
#include <gsl/gsl_rng.h>
#include "config.h"
#include "grid.h"
#include "train.h"

typedef struct {
    int nmax;
    ps_workspace *ws;
    gsl_rng *rng;
    double *x, *y;            /* nmax */
    double *theta0, *theta;   /* 3 * nmax: raw initial and final (w, b, v) */
    uint64_t data_seed, init_seed;
    double wall_s;            /* of the last execute */
} ps_runner;

ps_runner *ps_runner_alloc(int nmax);
void ps_runner_free(ps_runner *r);

/* Draw the dataset (N, dataset) of c into r->x, r->y; returns -1 if infeasible. */
int ps_runner_dataset(ps_runner *r, const ps_config *c, int N, int dataset);

/* Run spec s under c; m receives the metrics.  Returns 0, or -1 on N > nmax
 * or an infeasible dataset. */
int ps_runner_execute(ps_runner *r, const ps_config *c, const ps_run_spec *s, ps_metrics *m);

#endif
