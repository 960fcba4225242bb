/* test_dataset.c — the minimum-separation sampler (src/dataset.c) and the seeds
 * (src/seed.c), SPEC.md sections 1 and 6.
 *
 * 1. Invariants over many draws (N in 1..200, the paper's d = min(0.05, 0.5/N)
 *    and a few tight d): x strictly increasing, x_{i+1} - x_i >= d - 4u, x and y
 *    inside [0, 1].  Slack: x_i = u_(i) + i*d is two roundings (i*d, then the
 *    sum) of values <= 1, so each x_i is within ulp(1) = 2u of its exact value
 *    and a gap within 4u of d (u = DBL_EPSILON / 2; 4u = 2 DBL_EPSILON).
 * 2. Infeasible N (1 - (N-1) d <= 0) returns -1; N = 1 works.
 * 3. Draw order and generator: x then y, re-drawn by hand from a GSL mt19937
 *    seeded by ps_rng_seed (N uniforms scaled by 1-(N-1)d, sorted, shifted by
 *    i*d, then N uniforms) — bit-identical; ps_rng_seed is GSL's mt19937 seeded
 *    with the folded seed hi ^ lo (include/seed.h); the initial draw is w (N
 *    Gaussians of w_std) then v (N Gaussians of v_std), b constant.
 * 4. Determinism: the same seed gives bit-identical data; different (N, dataset)
 *    tuples give different data.
 * 5. Seeds: ps_seed_data / ps_seed_init have no collisions over 10000 tuples
 *    each (nor between the two families), depend on the master seed, and the
 *    paper grid's 60 datasets and 60 inits get distinct 32-bit generator seeds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "dataset.h"
#include "model.h"
#include "seed.h"

#define NBIG 1000

static double paper_d(int N)
{
    return fmin(0.05, 0.5 / N);
}

static void check_invariants(int N, double d, const double *x, const double *y)
{
    const double slack = 2.0 * DBL_EPSILON;   /* 4u, see the header comment */
    for (int i = 0; i < N; i++) {
        if (!(x[i] >= 0.0 && x[i] <= 1.0 && y[i] >= 0.0 && y[i] <= 1.0))
            fail_msg("N=%d d=%g: x[%d] = %.17g, y[%d] = %.17g outside [0, 1]", N, d, i, x[i], i, y[i]);
        if (i > 0 && !(x[i] > x[i - 1] && x[i] - x[i - 1] >= d - slack))
            fail_msg("N=%d d=%.17g: gap x[%d] - x[%d] = %.17g", N, d, i, i - 1, x[i] - x[i - 1]);
    }
}

/* ---- 1, 2 ----------------------------------------------------------------- */

static void test_invariants(void **state)
{
    (void)state;
    gsl_rng *r = ps_rng_alloc();
    static double x[NBIG], y[NBIG];
    long draws = 0;
    for (int N = 1; N <= 200; N++)
        for (int k = 0; k < 20; k++) {
            ps_rng_seed(r, ps_seed_data(1, N, k));
            assert_int_equal(ps_dataset_sample(r, N, paper_d(N), x, y), 0);
            check_invariants(N, paper_d(N), x, y);
            draws++;
        }
    /* tight separations: almost no room left, gaps must still hold */
    const int Ns[] = {2, 10, 100, 1000};
    for (size_t a = 0; a < sizeof Ns / sizeof Ns[0]; a++) {
        int N = Ns[a];
        const double dd[] = {0.5 / (N - 0.5), 0.999 / (N - 1), 1.0 / N, 1e-3 / N};
        for (size_t b = 0; b < sizeof dd / sizeof dd[0]; b++)
            for (int k = 0; k < 50; k++) {
                ps_rng_seed(r, ps_seed_data(2, N, k));
                assert_int_equal(ps_dataset_sample(r, N, dd[b], x, y), 0);
                check_invariants(N, dd[b], x, y);
                draws++;
            }
    }
    print_message("dataset: %ld draws satisfy the invariants\n", draws);
    gsl_rng_free(r);
}

static void test_infeasible_and_n1(void **state)
{
    (void)state;
    gsl_rng *r = ps_rng_alloc();
    double x[8], y[8];
    ps_rng_seed(r, 5);
    assert_int_equal(ps_dataset_sample(r, 3, 0.5, x, y), -1);    /* 1 - 2*0.5 = 0 */
    assert_int_equal(ps_dataset_sample(r, 3, 0.6, x, y), -1);
    assert_int_equal(ps_dataset_sample(r, 5, 0.25, x, y), -1);   /* 1 - 4*0.25 = 0 */
    assert_int_equal(ps_dataset_sample(r, 2, 1.0, x, y), -1);
    assert_int_equal(ps_dataset_sample(r, 0, 0.01, x, y), -1);
    /* N = 1: any d is feasible (no gap), one x and one y in [0, 1) */
    for (int k = 0; k < 100; k++) {
        x[0] = y[0] = -1.0;
        assert_int_equal(ps_dataset_sample(r, 1, 0.9, x, y), 0);
        assert_true(x[0] >= 0.0 && x[0] < 1.0 && y[0] >= 0.0 && y[0] < 1.0);
    }
    gsl_rng_free(r);
}

/* ---- 3. draw order ------------------------------------------------------------ */

static void test_draw_order(void **state)
{
    (void)state;
    gsl_rng *r = ps_rng_alloc(), *g = gsl_rng_alloc(gsl_rng_mt19937);
    double x[100], y[100], ex[100], ey[100];
    const int Ns[] = {1, 3, 30, 100};
    for (size_t a = 0; a < sizeof Ns / sizeof Ns[0]; a++)
        for (int k = 0; k < 10; k++) {
            int N = Ns[a];
            double d = paper_d(N), span = 1.0 - (N - 1) * d;
            uint64_t seed = ps_seed_data(20260525, N, k);
            ps_rng_seed(r, seed);
            assert_int_equal(ps_dataset_sample(r, N, d, x, y), 0);
            /* the documented generator: mt19937 seeded with hi ^ lo of the seed */
            gsl_rng_set(g, (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffu));
            for (int i = 0; i < N; i++)
                ex[i] = span * gsl_rng_uniform(g);
            gsl_sort(ex, 1, (size_t)N);
            for (int i = 0; i < N; i++)
                ex[i] += i * d;
            for (int i = 0; i < N; i++)
                ey[i] = gsl_rng_uniform(g);
            assert_memory_equal(x, ex, (size_t)N * sizeof *x);
            assert_memory_equal(y, ey, (size_t)N * sizeof *y);
            /* and the generator is left exactly after the 2N uniforms */
            assert_int_equal(gsl_rng_get(r), gsl_rng_get(g));
        }
    gsl_rng_free(r);
    gsl_rng_free(g);
}

static void test_init_draw_order(void **state)
{
    (void)state;
    gsl_rng *r = ps_rng_alloc(), *g = ps_rng_alloc();
    enum { N = 7 };
    double th[3 * N], w[N], v[N];
    uint64_t seed = ps_seed_init(20260525, N, 3, 0);
    ps_rng_seed(r, seed);
    ps_model_init_draw(r, N, 1.5, 0.25, 0.1, th);
    ps_rng_seed(g, seed);
    for (int j = 0; j < N; j++)
        w[j] = gsl_ran_gaussian(g, 1.5);
    for (int j = 0; j < N; j++)
        v[j] = gsl_ran_gaussian(g, 0.1);
    assert_memory_equal(th, w, sizeof w);
    assert_memory_equal(th + 2 * N, v, sizeof v);
    for (int j = 0; j < N; j++)
        assert_true(th[N + j] == 0.25);
    gsl_rng_free(r);
    gsl_rng_free(g);
}

/* ---- 4. determinism ---------------------------------------------------------- */

static void draw(gsl_rng *r, uint64_t master, int N, int k, double *x, double *y)
{
    ps_rng_seed(r, ps_seed_data(master, N, k));
    assert_int_equal(ps_dataset_sample(r, N, paper_d(N), x, y), 0);
}

static void test_deterministic(void **state)
{
    (void)state;
    gsl_rng *r = ps_rng_alloc(), *r2 = ps_rng_alloc();
    double x1[30], y1[30], x2[30], y2[30];
    for (int k = 0; k < 10; k++) {
        /* same seed, different generator objects and histories: identical */
        draw(r, 7, 30, k, x1, y1);
        gsl_rng_uniform(r2);
        draw(r2, 7, 30, k, x2, y2);
        assert_memory_equal(x1, x2, sizeof x1);
        assert_memory_equal(y1, y2, sizeof y1);
        /* another dataset index, another N, another master: different */
        draw(r2, 7, 30, k + 1, x2, y2);
        assert_memory_not_equal(x1, x2, sizeof x1);
        assert_memory_not_equal(y1, y2, sizeof y1);
        draw(r2, 7, 29, k, x2, y2);
        assert_memory_not_equal(x1, x2, 29 * sizeof *x1);
        assert_memory_not_equal(y1, y2, 29 * sizeof *y1);
        draw(r2, 8, 30, k, x2, y2);
        assert_memory_not_equal(y1, y2, sizeof y1);
    }
    gsl_rng_free(r);
    gsl_rng_free(r2);
}

/* ---- 5. seeds ------------------------------------------------------------------ */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static size_t duplicates(uint64_t *s, size_t n)
{
    qsort(s, n, sizeof *s, cmp_u64);
    size_t d = 0;
    for (size_t i = 1; i < n; i++)
        d += s[i] == s[i - 1];
    return d;
}

static void test_seed_collisions(void **state)
{
    (void)state;
    const size_t n = 10000;
    uint64_t *s = malloc(2 * n * sizeof *s);
    assert_non_null(s);
    size_t k = 0;
    for (int N = 1; N <= 100; N++)
        for (int d = 0; d < 100; d++)
            s[k++] = ps_seed_data(20260525, N, d);
    for (int N = 1; N <= 10; N++)
        for (int d = 0; d < 10; d++)
            for (int i = 0; i < 100; i++)
                s[k++] = ps_seed_init(20260525, N, d, i);
    assert_int_equal(duplicates(s, n), 0);          /* data seeds */
    assert_int_equal(duplicates(s + n, n), 0);      /* init seeds */
    k = 0;                                          /* both families together */
    for (int N = 1; N <= 100; N++)
        for (int d = 0; d < 100; d++)
            s[k++] = ps_seed_data(20260525, N, d);
    for (int N = 1; N <= 10; N++)
        for (int d = 0; d < 10; d++)
            for (int i = 0; i < 100; i++)
                s[k++] = ps_seed_init(20260525, N, d, i);
    assert_int_equal(duplicates(s, 2 * n), 0);
    /* swapped coordinates are different tuples */
    assert_true(ps_seed_data(1, 3, 5) != ps_seed_data(1, 5, 3));
    assert_true(ps_seed_init(1, 3, 0, 1) != ps_seed_init(1, 3, 1, 0));
    /* the master seed matters; the init seed depends on the dataset too */
    assert_true(ps_seed_data(1, 10, 0) != ps_seed_data(2, 10, 0));
    assert_true(ps_seed_init(1, 10, 0, 0) != ps_seed_init(2, 10, 0, 0));
    /* the paper grid: 6 N x 10 datasets, each with its own 32-bit stream */
    const int Ns[] = {3, 5, 10, 30, 50, 100};
    k = 0;
    for (int a = 0; a < 6; a++)
        for (int d = 0; d < 10; d++) {
            uint64_t x = ps_seed_data(20260525, Ns[a], d), y = ps_seed_init(20260525, Ns[a], d, 0);
            s[k++] = (x ^ (x >> 32)) & 0xffffffffu;
            s[k++] = (y ^ (y >> 32)) & 0xffffffffu;
        }
    assert_int_equal(duplicates(s, k), 0);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invariants),
        cmocka_unit_test(test_infeasible_and_n1),
        cmocka_unit_test(test_draw_order),
        cmocka_unit_test(test_init_draw_order),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_seed_collisions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
