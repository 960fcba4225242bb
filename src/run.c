/* run.c — one run from its spec; see include/run.h. */
#include "run.h"
#include "dataset.h"
#include "model.h"
#include "seed.h"
#include <stdlib.h>
#include <time.h>

ps_runner *ps_runner_alloc(int nmax)
{
    ps_runner *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->nmax = nmax;
    r->ws = ps_workspace_alloc(nmax);
    r->rng = ps_rng_alloc();
    r->x = malloc((size_t)nmax * sizeof *r->x);
    r->y = malloc((size_t)nmax * sizeof *r->y);
    r->theta0 = malloc(3 * (size_t)nmax * sizeof *r->theta0);
    r->theta = malloc(3 * (size_t)nmax * sizeof *r->theta);
    if (!r->ws || !r->rng || !r->x || !r->y || !r->theta0 || !r->theta) {
        ps_runner_free(r);
        return NULL;
    }
    return r;
}

void ps_runner_free(ps_runner *r)
{
    if (!r)
        return;
    ps_workspace_free(r->ws);
    if (r->rng)
        gsl_rng_free(r->rng);
    free(r->x); free(r->y); free(r->theta0); free(r->theta);
    free(r);
}

int ps_runner_dataset(ps_runner *r, const ps_config *c, int N, int dataset)
{
    if (N > r->nmax)
        return -1;
    r->data_seed = ps_seed_data(c->master_seed, N, dataset);
    ps_rng_seed(r->rng, r->data_seed);
    return ps_dataset_sample(r->rng, N, ps_config_min_sep(c, N), r->x, r->y);
}

int ps_runner_execute(ps_runner *r, const ps_config *c, const ps_run_spec *s, ps_metrics *m)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (ps_runner_dataset(r, c, s->N, s->dataset) != 0)
        return -1;
    r->init_seed = ps_seed_init(c->master_seed, s->N, s->dataset, s->init);
    ps_rng_seed(r->rng, r->init_seed);
    ps_model_init_draw(r->rng, s->N, c->w_std, c->b, c->v_std, r->theta0);
    ps_hparams hp = ps_grid_hparams(c, s);
    if (ps_train_run(r->ws, &hp, r->x, r->y, r->theta0, r->theta, m) != 0)
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->wall_s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return 0;
}
