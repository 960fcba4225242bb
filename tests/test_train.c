/* test_train.c — the run set and one run (src/grid.c, src/run.c, src/train.c),
 * SPEC.md sections 6 and 8.
 *
 * 1. ps_grid_expand: the paper grid has 480 runs, data/smoke.cfg 144, in general
 *    the product of the axis lengths; every (N, dataset, init, mask, lambda, tau,
 *    lr, epochs) appears once; keys are unique and recomputable.
 * 2. Keys depend only on a run's coordinates: every run of smoke.cfg has the
 *    same key in a config with extra, reordered axis values; changing any one
 *    coordinate changes the key.
 * 3. Shards, nshards 1..7, paper and smoke grids: every run is in exactly one
 *    shard; the loads reported equal the kept runs' costs; the partition does
 *    not depend on the input order; the paper grid's 4 shards are balanced.
 * 4. ps_runner_execute: twice (with another run in between) -> bit-identical
 *    dataset, initial and final parameters and metrics; the same run on a
 *    runner sized for N = 5 and one sized for N = 100 -> bit-identical; the
 *    paired design: every mask / lambda of one (N, dataset, init) sees the same
 *    data and initial parameters; the runner's data and raw initial draw are
 *    those of ps_seed_data / ps_seed_init (SPEC.md section 6); N > nmax is refused.
 * Run from the repository root (make check does): reads data/smoke.cfg.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "config.h"
#include "dataset.h"
#include "grid.h"
#include "model.h"
#include "run.h"
#include "seed.h"

/* smoke.cfg with extra values on every axis, in another order. */
static const char wider[] =
    "master_seed = 7;\n"
    "grid:  { N = [10, 7, 3, 5]; datasets = 4; inits = 3;\n"
    "         masks = [\"111\", \"001\", \"100\", \"010\", \"000\"];\n"
    "         lambda = [0.2, 0.1, 0.05]; tau = [0.02, 0.01]; };\n"
    "train: { epochs = [100, 200]; lr = [1e-2, 1e-3]; };\n";

static void load_file(ps_config *c, const char *path)
{
    ps_error e = {0};
    if (ps_config_load_file(c, path, &e) != 0)
        fail_msg("%s (run from the repository root)", e.msg);
}

static void load_text(ps_config *c, const char *text)
{
    ps_error e = {0};
    if (ps_config_load_string(c, text, "t.cfg", &e) != 0)
        fail_msg("%s", e.msg);
}

static size_t expand(const ps_config *c, ps_run_spec **s)
{
    size_t n;
    ps_error e = {0};
    if (ps_grid_expand(c, s, &n, &e) != 0)
        fail_msg("%s", e.msg);
    return n;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int same_coords(const ps_run_spec *a, const ps_run_spec *b)
{
    return a->N == b->N && a->dataset == b->dataset && a->init == b->init && a->mask == b->mask &&
           a->lambda == b->lambda && a->tau == b->tau && a->lr == b->lr && a->epochs == b->epochs;
}

/* ---- 1. expansion ----------------------------------------------------------- */

static void check_expansion(const ps_config *c, size_t want)
{
    ps_run_spec *s;
    size_t n = expand(c, &s);
    assert_int_equal(n, want);
    assert_int_equal(n, c->nN * c->nmasks * c->nlambda * c->ntau * c->nlr * c->nepochs *
                        (size_t)c->datasets * (size_t)c->inits);
    uint64_t *k = malloc(n * sizeof *k);
    assert_non_null(k);
    for (size_t r = 0; r < n; r++) {
        k[r] = s[r].key;
        assert_true(s[r].key == ps_grid_key(&s[r]));
        assert_true(s[r].cost == ps_grid_cost(s[r].N, s[r].epochs));
        assert_true(s[r].dataset >= 0 && s[r].dataset < c->datasets);
        assert_true(s[r].init >= 0 && s[r].init < c->inits);
    }
    /* all coordinates distinct (checked pairwise: these grids are small) */
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++)
            if (same_coords(&s[a], &s[b]))
                fail_msg("runs %zu and %zu have the same coordinates", a, b);
    qsort(k, n, sizeof *k, cmp_u64);
    for (size_t r = 1; r < n; r++)
        assert_true(k[r] != k[r - 1]);
    free(k);
    free(s);
}

static void test_expand_counts(void **state)
{
    (void)state;
    ps_config paper, smoke, w;
    load_text(&paper, ps_default_config);
    load_file(&smoke, "data/smoke.cfg");
    load_text(&w, wider);
    check_expansion(&paper, 480);
    check_expansion(&smoke, 3 * 4 * 3 * 2 * 2);
    check_expansion(&w, 4 * 4 * 3 * 5 * 3 * 2 * 2 * 2);
    assert_int_equal(ps_grid_nmax(&paper), 100);
    assert_int_equal(ps_grid_nmax(&w), 10);
    ps_config_free(&paper);
    ps_config_free(&smoke);
    ps_config_free(&w);
}

/* ---- 2. keys ------------------------------------------------------------------- */

static void test_key_independent_of_grid(void **state)
{
    (void)state;
    ps_config smoke, w;
    load_file(&smoke, "data/smoke.cfg");
    load_text(&w, wider);
    ps_run_spec *a, *b;
    size_t na = expand(&smoke, &a), nb = expand(&w, &b);
    for (size_t i = 0; i < na; i++) {
        size_t j;
        for (j = 0; j < nb && !same_coords(&a[i], &b[j]); j++) {}
        if (j == nb)
            fail_msg("run %zu of smoke.cfg is missing from the wider grid", i);
        assert_true(a[i].key == b[j].key);
    }
    /* each coordinate matters */
    ps_run_spec s = a[0], t;
    uint64_t k0 = ps_grid_key(&s);
    t = s; t.N++;                     assert_true(ps_grid_key(&t) != k0);
    t = s; t.dataset++;               assert_true(ps_grid_key(&t) != k0);
    t = s; t.init++;                  assert_true(ps_grid_key(&t) != k0);
    t = s; t.mask ^= 1;               assert_true(ps_grid_key(&t) != k0);
    t = s; t.lambda *= 1.5;           assert_true(ps_grid_key(&t) != k0);
    t = s; t.tau *= 1.5;              assert_true(ps_grid_key(&t) != k0);
    t = s; t.lr *= 1.5;               assert_true(ps_grid_key(&t) != k0);
    t = s; t.epochs++;                assert_true(ps_grid_key(&t) != k0);
    t = s; t.cost *= 2; t.key = 0;    assert_true(ps_grid_key(&t) == k0);  /* not coordinates */
    free(a);
    free(b);
    ps_config_free(&smoke);
    ps_config_free(&w);
}

/* ---- 3. shards ------------------------------------------------------------------ */

/* Keys of shard `index` of s (a copy is partitioned), sorted; returns the count. */
static size_t shard_keys(const ps_run_spec *s, size_t n, int index, int nshards, double *load,
                         uint64_t *keys)
{
    ps_run_spec *c = malloc(n * sizeof *c);
    assert_non_null(c);
    memcpy(c, s, n * sizeof *c);
    size_t kept = ps_grid_shard(c, n, index, nshards, load);
    double cost = 0.0;
    for (size_t r = 0; r < kept; r++) {
        keys[r] = c[r].key;
        cost += c[r].cost;
        if (r > 0)    /* kept in the workers' order: most expensive first */
            assert_true(c[r].cost <= c[r - 1].cost);
    }
    /* the costs are integers well below 2^53: the sums are exact */
    assert_true(cost == load[index]);
    free(c);
    qsort(keys, kept, sizeof *keys, cmp_u64);
    return kept;
}

static void check_shards(const ps_config *cfg, double *paper_ratio4)
{
    ps_run_spec *s;
    size_t n = expand(cfg, &s);
    ps_run_spec *shuf = malloc(n * sizeof *shuf);
    uint64_t *all = malloc(n * sizeof *all), *k1 = malloc(n * sizeof *k1), *k2 = malloc(n * sizeof *k2);
    assert_true(shuf && all && k1 && k2);
    /* a fixed shuffle of the input order */
    memcpy(shuf, s, n * sizeof *s);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = gsl_rng_uniform_int(r, i + 1);
        ps_run_spec t = shuf[i]; shuf[i] = shuf[j]; shuf[j] = t;
    }
    gsl_rng_free(r);
    for (int ns = 1; ns <= 7; ns++) {
        double load[7], load2[7], first[7];
        size_t total = 0;
        for (int i = 0; i < ns; i++) {
            size_t m = shard_keys(s, n, i, ns, load, k1);
            size_t m2 = shard_keys(shuf, n, i, ns, load2, k2);
            assert_int_equal(m, m2);                          /* order-independent */
            assert_memory_equal(k1, k2, m * sizeof *k1);
            assert_memory_equal(load, load2, (size_t)ns * sizeof *load);
            if (i == 0)
                memcpy(first, load, sizeof load);
            assert_memory_equal(load, first, (size_t)ns * sizeof *load);
            memcpy(all + total, k1, m * sizeof *k1);
            total += m;
        }
        assert_int_equal(total, n);             /* every run in exactly one shard */
        qsort(all, n, sizeof *all, cmp_u64);
        for (size_t k = 1; k < n; k++)
            assert_true(all[k] != all[k - 1]);
        double lo = INFINITY, hi = 0.0;
        for (int i = 0; i < ns; i++) {
            lo = fmin(lo, load[i]);
            hi = fmax(hi, load[i]);
        }
        if (ns == 4 && paper_ratio4)
            *paper_ratio4 = hi / lo;
    }
    free(shuf); free(all); free(k1); free(k2); free(s);
}

static void test_shards(void **state)
{
    (void)state;
    ps_config paper, smoke;
    load_text(&paper, ps_default_config);
    load_file(&smoke, "data/smoke.cfg");
    double ratio = 0.0;
    check_shards(&paper, &ratio);
    check_shards(&smoke, NULL);
    print_message("shards: paper grid, 4 shards: max/min cost %.6f\n", ratio);
    /* 80 N=100 runs dominate the cost and split 20/20/20/20; the rest fills in */
    assert_true(ratio >= 1.0 && ratio < 1.01);
    ps_config_free(&paper);
    ps_config_free(&smoke);
}

/* ---- 4. runs ---------------------------------------------------------------------- */

static void assert_same_metrics(const ps_metrics *a, const ps_metrics *b)
{
    const double va[10] = {a->E, a->rho, a->frac_outside, a->hull_dist, a->hull_sdist,
                           a->L_fit, a->L_ovl, a->L_cov, a->L_sep, a->L};
    const double vb[10] = {b->E, b->rho, b->frac_outside, b->hull_dist, b->hull_sdist,
                           b->L_fit, b->L_ovl, b->L_cov, b->L_sep, b->L};
    assert_memory_equal(va, vb, sizeof va);
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->epochs_done, b->epochs_done);
}

typedef struct {
    double x[100], y[100], th0[300], th[300];
    ps_metrics m;
} snapshot;

static void execute(ps_runner *r, const ps_config *c, const ps_run_spec *s, snapshot *o)
{
    assert_int_equal(ps_runner_execute(r, c, s, &o->m), 0);
    int N = s->N;
    memcpy(o->x, r->x, (size_t)N * sizeof *r->x);
    memcpy(o->y, r->y, (size_t)N * sizeof *r->y);
    memcpy(o->th0, r->theta0, 3 * (size_t)N * sizeof *r->theta0);
    memcpy(o->th, r->theta, 3 * (size_t)N * sizeof *r->theta);
    assert_true(r->data_seed == ps_seed_data(c->master_seed, N, s->dataset));
    assert_true(r->init_seed == ps_seed_init(c->master_seed, N, s->dataset, s->init));
    /* the data and the raw initial draw come from exactly those seeds */
    double x[100], y[100], th0[300];
    gsl_rng *g = ps_rng_alloc();
    ps_rng_seed(g, r->data_seed);
    assert_int_equal(ps_dataset_sample(g, N, ps_config_min_sep(c, N), x, y), 0);
    ps_rng_seed(g, r->init_seed);
    ps_model_init_draw(g, N, c->w_std, c->b, c->v_std, th0);
    gsl_rng_free(g);
    assert_memory_equal(x, o->x, (size_t)N * sizeof *x);
    assert_memory_equal(y, o->y, (size_t)N * sizeof *y);
    assert_memory_equal(th0, o->th0, 3 * (size_t)N * sizeof *th0);
}

static void assert_same_run(const snapshot *a, const snapshot *b, int N)
{
    assert_memory_equal(a->x, b->x, (size_t)N * sizeof *a->x);
    assert_memory_equal(a->y, b->y, (size_t)N * sizeof *a->y);
    assert_memory_equal(a->th0, b->th0, 3 * (size_t)N * sizeof *a->th0);
    assert_memory_equal(a->th, b->th, 3 * (size_t)N * sizeof *a->th);
    assert_same_metrics(&a->m, &b->m);
}

static const ps_run_spec *find(const ps_run_spec *s, size_t n, int N, int dataset, int init,
                               int mask, double lambda)
{
    for (size_t r = 0; r < n; r++)
        if (s[r].N == N && s[r].dataset == dataset && s[r].init == init && s[r].mask == mask &&
            s[r].lambda == lambda)
            return &s[r];
    fail_msg("no run N=%d dataset=%d init=%d mask=%d lambda=%g", N, dataset, init, mask, lambda);
    return NULL;
}

static void test_runner_reproducible(void **state)
{
    (void)state;
    ps_config c;
    load_file(&c, "data/smoke.cfg");
    ps_run_spec *s;
    size_t n = expand(&c, &s);
    static snapshot a, b, other, small, big;
    ps_runner *r = ps_runner_alloc(ps_grid_nmax(&c));
    assert_non_null(r);
    const ps_run_spec *run = find(s, n, 10, 2, 1, 7, 0.2);

    execute(r, &c, run, &a);
    assert_int_equal(a.m.status, PS_RUN_OK);
    assert_int_equal(a.m.epochs_done, run->epochs);
    assert_true(isfinite(a.m.E));
    execute(r, &c, find(s, n, 5, 0, 0, 2, 0.05), &other);   /* dirty the buffers */
    execute(r, &c, run, &b);
    assert_same_run(&a, &b, 10);
    /* training moved the parameters (the test would be vacuous otherwise) */
    assert_memory_not_equal(a.th0, a.th, 30 * sizeof *a.th);

    /* workspace size does not matter */
    const ps_run_spec *r5 = find(s, n, 5, 1, 0, 7, 0.2);
    ps_runner *rs = ps_runner_alloc(5), *rb = ps_runner_alloc(100);
    assert_true(rs && rb);
    execute(rs, &c, r5, &small);
    execute(rb, &c, r5, &big);
    assert_same_run(&small, &big, 5);
    assert_int_equal(ps_runner_execute(rs, &c, run, &small.m), -1);   /* N = 10 > 5 */

    /* paired design: other masks and lambda share the data and initial draw */
    const ps_run_spec *pair[3] = {find(s, n, 10, 2, 1, 0, 0.2), find(s, n, 10, 2, 1, 4, 0.05),
                                  find(s, n, 10, 2, 1, 2, 0.05)};
    for (int k = 0; k < 3; k++) {
        execute(r, &c, pair[k], &other);
        assert_memory_equal(other.x, a.x, 10 * sizeof *a.x);
        assert_memory_equal(other.y, a.y, 10 * sizeof *a.y);
        assert_memory_equal(other.th0, a.th0, 30 * sizeof *a.th0);
        assert_memory_not_equal(other.th, a.th, 30 * sizeof *a.th);
    }
    /* the hyper-parameters a run trains with */
    ps_hparams hp = ps_grid_hparams(&c, run);
    assert_true(hp.N == 10 && hp.mask == 7 && hp.lambda == 0.2 && hp.tau == 0.01 &&
                hp.lr == 1e-2 && hp.epochs == 200 && hp.beta1 == 0.9 && hp.beta2 == 0.999 &&
                hp.adam_eps == 1e-8 && hp.w_min == 0.1);
    ps_runner_free(r);
    ps_runner_free(rs);
    ps_runner_free(rb);
    free(s);
    ps_config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand_counts),
        cmocka_unit_test(test_key_independent_of_grid),
        cmocka_unit_test(test_shards),
        cmocka_unit_test(test_runner_reproducible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
