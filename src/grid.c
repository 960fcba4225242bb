/* grid.c — run expansion, keys, costs and shards; see include/grid.h. */
#include "grid.h"
#include "seed.h"
#include <stdlib.h>
#include <string.h>

static uint64_t bits(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

uint64_t ps_grid_key(const ps_run_spec *s)
{
    uint64_t h = ps_seed_mix(0x72756e6b65790000ULL, (uint64_t)(uint32_t)s->N); /* "runkey" */
    h = ps_seed_mix(h, (uint64_t)(uint32_t)s->dataset);
    h = ps_seed_mix(h, (uint64_t)(uint32_t)s->init);
    h = ps_seed_mix(h, s->mask);
    h = ps_seed_mix(h, bits(s->lambda));
    h = ps_seed_mix(h, bits(s->tau));
    h = ps_seed_mix(h, bits(s->lr));
    return ps_seed_mix(h, (uint64_t)(uint32_t)s->epochs);
}

double ps_grid_cost(int N, int epochs)
{
    return (double)epochs * N * N + (double)N * N * N;
}

int ps_grid_expand(const ps_config *c, ps_run_spec **out, size_t *n, ps_error *err)
{
    size_t total = c->nN * c->nlambda * c->ntau * c->nlr * c->nepochs * (size_t)c->datasets *
                   (size_t)c->inits * c->nmasks;
    ps_run_spec *s = malloc((total ? total : 1) * sizeof *s);
    if (!s)
        return ps_error_set(err, PS_EFAIL, "out of memory for %zu runs", total);
    size_t k = 0;
    for (size_t a = 0; a < c->nN; a++)
    for (size_t l = 0; l < c->nlambda; l++)
    for (size_t t = 0; t < c->ntau; t++)
    for (size_t r = 0; r < c->nlr; r++)
    for (size_t e = 0; e < c->nepochs; e++)
    for (int d = 0; d < c->datasets; d++)
    for (int i = 0; i < c->inits; i++)
    for (size_t m = 0; m < c->nmasks; m++) {
        ps_run_spec *p = &s[k++];
        p->N = c->N[a]; p->dataset = d; p->init = i; p->mask = c->masks[m];
        p->lambda = c->lambda[l]; p->tau = c->tau[t]; p->lr = c->lr[r];
        p->epochs = c->epochs[e];
        p->key = ps_grid_key(p);
        p->cost = ps_grid_cost(p->N, p->epochs);
    }
    *out = s;
    *n = total;
    return 0;
}

static int by_cost_desc(const void *pa, const void *pb)
{
    const ps_run_spec *a = pa, *b = pb;
    if (a->cost != b->cost)
        return a->cost > b->cost ? -1 : 1;
    return (a->key > b->key) - (a->key < b->key);
}

void ps_grid_sort_by_cost(ps_run_spec *s, size_t n)
{
    qsort(s, n, sizeof *s, by_cost_desc);
}

void ps_grid_partition(ps_run_spec *s, size_t n, int nshards, int *shard_of, double *load)
{
    for (int k = 0; k < nshards; k++)
        load[k] = 0.0;
    ps_grid_sort_by_cost(s, n);
    for (size_t r = 0; r < n; r++) {
        int best = 0;   /* linear scan: shard counts are small next to run counts */
        for (int k = 1; k < nshards; k++)
            if (load[k] < load[best])
                best = k;
        load[best] += s[r].cost;
        shard_of[r] = best;
    }
}

size_t ps_grid_shard(ps_run_spec *s, size_t n, int index, int nshards, double *cost_per_shard)
{
    int *shard_of = malloc((n ? n : 1) * sizeof *shard_of);
    double *load = cost_per_shard ? cost_per_shard : malloc((size_t)nshards * sizeof *load);
    size_t kept = 0;
    if (shard_of && load) {
        ps_grid_partition(s, n, nshards, shard_of, load);
        for (size_t r = 0; r < n; r++)
            if (shard_of[r] == index)
                s[kept++] = s[r];
    }
    free(shard_of);
    if (load != cost_per_shard)
        free(load);
    return kept;
}

ps_hparams ps_grid_hparams(const ps_config *c, const ps_run_spec *s)
{
    ps_hparams hp = {.N = s->N, .mask = s->mask, .lambda = s->lambda, .tau = s->tau,
                     .lr = s->lr, .epochs = s->epochs, .beta1 = c->beta1, .beta2 = c->beta2,
                     .adam_eps = c->adam_eps, .w_min = c->w_min};
    return hp;
}

int ps_grid_nmax(const ps_config *c)
{
    int m = 1;
    for (size_t i = 0; i < c->nN; i++)
        if (c->N[i] > m)
            m = c->N[i];
    return m;
}
