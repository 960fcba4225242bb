/* test_assign.c — exactness of the linear-sum assignment (src/assign.c).
 *
 * 1. Random problems, n in 1..8, against brute force over all n! permutations:
 *    uniform real costs, small-integer costs (many ties), Euclidean distances
 *    between random 2-D points (the real use, SPEC.md section 5), Euclidean
 *    distances between points on a coarse grid (identical points, equal
 *    distances), mixed signs, and magnitudes near DBL_MAX (brute force in
 *    long double, whose wider exponent keeps those sums finite), near 1e-300
 *    and subnormal.  Every answer must be a permutation whose cost, summed row by
 *    row, is bit-identical to the returned total, and the total must match the
 *    brute-force optimum to 1e-12 relative (exactly where the arithmetic is
 *    exact: integers and subnormals).
 * 2. Degenerate inputs: n = 1, all-equal costs, duplicated rows and columns,
 *    textbook examples with known optima, and NaN for every invalid input.
 * 3. n = 100: planted optima (0/1 costs and a noisy Euclidean matching) and
 *    invariance of the optimum under row permutation, column permutation and
 *    transposition.
 * All randomness is GSL's mt19937 with fixed seeds, so a failure reproduces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>

#include "assign.h"

#define NSMALL 8
#define NBIG 100

/* ---- helpers ---------------------------------------------------------- */

/* Cost of permutation col, summed row by row like ps_assign_solve does. */
static double perm_cost(int n, const double *c, const int *col)
{
    double t = 0.0;
    for (int i = 0; i < n; i++)
        t += c[i * n + col[i]];
    return t;
}

/* Next permutation in lexicographic order; 0 after the last one. */
static int next_perm(int n, int *p)
{
    int i = n - 2;
    while (i >= 0 && p[i] >= p[i + 1])
        i--;
    if (i < 0)
        return 0;
    int j = n - 1;
    while (p[j] <= p[i])
        j--;
    int t = p[i]; p[i] = p[j]; p[j] = t;
    for (int a = i + 1, b = n - 1; a < b; a++, b--) {
        t = p[a]; p[a] = p[b]; p[b] = t;
    }
    return 1;
}

/* The same in long double: on x86-64 its wider exponent range keeps sums
 * of costs near DBL_MAX finite, and its 64-bit mantissa makes the sums of
 * the test's integer and subnormal costs exact as in double. */
static long double perm_cost_wide(int n, const double *c, const int *col)
{
    long double t = 0.0L;
    for (int i = 0; i < n; i++)
        t += c[i * n + col[i]];
    return t;
}

/* Brute-force optimum; best gets an optimal permutation. */
static long double brute_force(int n, const double *c, int *best)
{
    int p[NSMALL];
    for (int i = 0; i < n; i++)
        p[i] = best[i] = i;
    long double opt = perm_cost_wide(n, c, p);
    while (next_perm(n, p)) {
        long double t = perm_cost_wide(n, c, p);
        if (t < opt) {
            opt = t;
            for (int i = 0; i < n; i++)
                best[i] = p[i];
        }
    }
    return opt;
}

static void assert_is_perm(int n, const int *col)
{
    char seen[NBIG] = {0};
    for (int i = 0; i < n; i++) {
        if (col[i] < 0 || col[i] >= n || seen[col[i]])
            fail_msg("col is not a permutation (row %d -> %d, n = %d)", i, col[i], n);
        seen[col[i]] = 1;
    }
}

/* Solve, check that col is a permutation whose row-order cost is the returned
 * total (bit for bit where it is finite), and that the total is within rel_tol of expect relative
 * to the l1 size of the expected optimum's entries (rel_tol 0: exact). */
static double solve_and_check(ps_assign_ws *ws, int n, const double *c, long double expect,
                              long double l1, double rel_tol, int *col)
{
    double t = ps_assign_solve(ws, n, c, col);
    if (!isfinite(t))
        fail_msg("non-finite total %g for n = %d", t, n);
    assert_is_perm(n, col);
    /* bit-identical to the caller's row-order sum unless that sum overflows
     * on the way (costs near DBL_MAX); always the cost of col */
    double pc = perm_cost(n, c, col);
    if (isfinite(pc) ? pc != t : !(fabsl(t - perm_cost_wide(n, c, col)) <= 1e-12L * l1))
        fail_msg("returned total %.17g != cost of returned col %.17g", t, pc);
    if (!(fabsl(t - expect) <= rel_tol * l1))
        fail_msg("n = %d: total %.17g, optimum %.17Lg (diff %.3Lg, allowed %.3Lg)",
                 n, t, expect, t - expect, rel_tol * l1);
    /* col may be NULL and must not change the answer. */
    if (ps_assign_solve(ws, n, c, NULL) != t)
        fail_msg("total with col = NULL differs");
    return t;
}

/* Euclidean cost between points (x_i, y_i) and (p_j, q_j). */
static void euclid_cost(int n, const double *x, const double *y,
                        const double *p, const double *q, double *c)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            c[i * n + j] = sqrt((x[i] - p[j]) * (x[i] - p[j]) + (y[i] - q[j]) * (y[i] - q[j]));
}

/* ---- 1. random problems against brute force --------------------------- */

enum { GEN_UNIFORM, GEN_INT, GEN_EUCLID, GEN_GRID, GEN_SIGNED,
       GEN_HUGE, GEN_DBLMAX, GEN_TINY, GEN_SUBNORMAL, GEN_COUNT };

static const char *gen_name[GEN_COUNT] = {
    "uniform", "integer 0..3", "euclid", "euclid on 3x3 grid", "signed",
    "huge (2^1019)", "+-DBL_MAX, +-DBL_MAX/2", "tiny (1e-300)", "subnormal (2^-1060)"
};

/* Fill c (n x n) from generator g; returns 1 if all arithmetic on it is
 * exact (so the optimum must be matched exactly). */
static int gen_cost(int g, int n, gsl_rng *r, double *c)
{
    double x[NSMALL], y[NSMALL], p[NSMALL], q[NSMALL];
    switch (g) {
    case GEN_EUCLID:
    case GEN_GRID:
        for (int i = 0; i < n; i++) {
            if (g == GEN_EUCLID) {
                x[i] = gsl_rng_uniform(r); y[i] = gsl_rng_uniform(r);
                p[i] = gsl_rng_uniform(r); q[i] = gsl_rng_uniform(r);
            } else {
                x[i] = 0.5 * gsl_rng_uniform_int(r, 3); y[i] = 0.5 * gsl_rng_uniform_int(r, 3);
                p[i] = 0.5 * gsl_rng_uniform_int(r, 3); q[i] = 0.5 * gsl_rng_uniform_int(r, 3);
            }
        }
        euclid_cost(n, x, y, p, q, c);
        return 0;
    default:
        break;
    }
    for (int k = 0; k < n * n; k++) {
        double u = gsl_rng_uniform(r);
        switch (g) {
        case GEN_UNIFORM:   c[k] = u; break;
        case GEN_INT:       c[k] = (double)gsl_rng_uniform_int(r, 4); break;
        case GEN_SIGNED:    c[k] = 2.0 * u - 1.0; break;
        case GEN_HUGE:      c[k] = ldexp(2.0 * u - 1.0, 1019); break;
        case GEN_DBLMAX:    c[k] = 0.5 * DBL_MAX * ((int)gsl_rng_uniform_int(r, 5) - 2); break;
        case GEN_TINY:      c[k] = 1e-300 * u; break;
        case GEN_SUBNORMAL: c[k] = ldexp((double)gsl_rng_uniform_int(r, 1000), -1060); break;
        }
    }
    return g == GEN_INT || g == GEN_SUBNORMAL;
}

static void test_random_vs_brute_force(void **state)
{
    (void)state;
    static const int cases[GEN_COUNT] = { 200, 200, 200, 200, 100, 50, 1000, 50, 50 };
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20260525UL);
    ps_assign_ws *ws = ps_assign_alloc(NSMALL);
    assert_non_null(r);
    assert_non_null(ws);
    double c[NSMALL * NSMALL];
    int col[NSMALL], best[NSMALL];
    int total_cases = 0;
    for (int g = 0; g < GEN_COUNT; g++) {
        int ties = 0;
        double worst = 0.0;
        if (g == GEN_DBLMAX && LDBL_MAX_EXP <= DBL_MAX_EXP) {
            print_message("assign: %s skipped: long double is no wider than double\n",
                          gen_name[g]);
            continue;
        }
        for (int k = 0; k < cases[g]; k++) {
            int n = 1 + (int)gsl_rng_uniform_int(r, NSMALL);
            int exact = gen_cost(g, n, r, c);
            long double opt = brute_force(n, c, best);
            /* the total must be representable, with room for its rounding */
            if (!(fabsl(opt) <= 0.5L * DBL_MAX)) {
                assert_int_equal(g, GEN_DBLMAX);
                k--;
                continue;
            }
            long double l1 = 0.0L;
            for (int i = 0; i < n; i++)
                l1 += fabsl((long double)c[i * n + best[i]]);
            double t = solve_and_check(ws, n, c, opt, l1, exact ? 0.0 : 1e-12, col);
            if (l1 > 0.0L && (double)(fabsl(t - opt) / l1) > worst)
                worst = (double)(fabsl(t - opt) / l1);
            for (int i = 0; i < n; i++)
                if (col[i] != best[i]) { ties++; break; }
            total_cases++;
        }
        print_message("assign: %-24s %4d cases ok, worst rel. diff %.2g, %3d other optimal col\n",
                      gen_name[g], cases[g], worst, ties);
    }
    print_message("assign: %d brute-force cases in all\n", total_cases);
    ps_assign_free(ws);
    gsl_rng_free(r);
}

/* ---- 2. degenerate inputs --------------------------------------------- */

static void test_n_one(void **state)
{
    (void)state;
    ps_assign_ws *ws = ps_assign_alloc(1);
    assert_non_null(ws);
    int col[1] = { -7 };
    double c = -3.5;
    assert_true(ps_assign_solve(ws, 1, &c, col) == -3.5);
    assert_int_equal(col[0], 0);
    c = 0.0;
    assert_true(ps_assign_solve(ws, 1, &c, col) == 0.0);
    c = NAN;
    assert_true(isnan(ps_assign_solve(ws, 1, &c, col)));
    ps_assign_free(ws);
}

static void test_all_equal(void **state)
{
    (void)state;
    ps_assign_ws *ws = ps_assign_alloc(NBIG);
    static double c[NBIG * NBIG];
    int col[NBIG];
    for (int k = 0; k < NBIG * NBIG; k++)
        c[k] = 7.25;
    solve_and_check(ws, NBIG, c, NBIG * 7.25, NBIG * 7.25, 0.0, col);
    for (int k = 0; k < 25; k++)
        c[k] = 0.0;
    solve_and_check(ws, 5, c, 0.0, 0.0, 0.0, col);
    ps_assign_free(ws);
}

/* Identical points: duplicated rows and columns of the Euclidean cost. */
static void test_identical_points(void **state)
{
    (void)state;
    ps_assign_ws *ws = ps_assign_alloc(NSMALL);
    double c[NSMALL * NSMALL];
    int col[NSMALL], best[NSMALL];
    /* all six originals and all six reconstructions at one point */
    double x[6] = { .3, .3, .3, .3, .3, .3 }, y[6] = { .1, .1, .1, .1, .1, .1 };
    euclid_cost(6, x, y, x, y, c);
    solve_and_check(ws, 6, c, 0.0, 0.0, 0.0, col);
    /* originals {a, a, b, b, b, d}, reconstructions {a, b, b, d, d, a}:
     * optimum a-a, a-a, b-b, b-b, b-d, d-d = |b - d| */
    double xo[6] = { 0, 0, 1, 1, 1, 4 }, yo[6] = { 0, 0, 0, 0, 0, 4 };
    double xr[6] = { 0, 1, 1, 4, 4, 0 }, yr[6] = { 0, 0, 0, 4, 4, 0 };
    euclid_cost(6, xo, yo, xr, yr, c);
    assert_true(brute_force(6, c, best) == 5.0L);
    solve_and_check(ws, 6, c, 5.0, 5.0, 0.0, col);
    ps_assign_free(ws);
}

/* Textbook examples; optima verified by hand and by brute force. */
static void test_textbook(void **state)
{
    (void)state;
    ps_assign_ws *ws = ps_assign_alloc(4);
    int col[4];
    const double a[16] = { 82, 83, 69, 92,  77, 37, 49, 92,  11, 69, 5, 86,  8, 9, 98, 23 };
    const int acol[4] = { 2, 1, 0, 3 };          /* 69 + 37 + 11 + 23 = 140 */
    solve_and_check(ws, 4, a, 140.0, 140.0, 0.0, col);
    for (int i = 0; i < 4; i++)
        assert_int_equal(col[i], acol[i]);
    const double b[9] = { 8, 4, 7,  5, 2, 3,  9, 4, 8 };
    const int bcol[3] = { 0, 2, 1 };             /* 8 + 3 + 4 = 15 */
    solve_and_check(ws, 3, b, 15.0, 15.0, 0.0, col);
    for (int i = 0; i < 3; i++)
        assert_int_equal(col[i], bcol[i]);
    const double d[9] = { 25, 40, 35,  40, 60, 35,  20, 40, 25 };
    const int dcol[3] = { 1, 2, 0 };             /* 40 + 35 + 20 = 95 */
    solve_and_check(ws, 3, d, 95.0, 95.0, 0.0, col);
    for (int i = 0; i < 3; i++)
        assert_int_equal(col[i], dcol[i]);
    ps_assign_free(ws);
}

/* Costs of magnitude DBL_MAX: differences overflow unless scaled. */
static void test_extreme_magnitude(void **state)
{
    (void)state;
    ps_assign_ws *ws = ps_assign_alloc(3);
    int col[3];
    const double m = DBL_MAX;
    const double a[4] = { m, -m,  0, m };        /* only the swap is finite: -m */
    solve_and_check(ws, 2, a, -m, m, 0.0, col);
    assert_int_equal(col[0], 1);
    assert_int_equal(col[1], 0);
    /* every permutation sum stays finite, so brute force can compare */
    const double b[9] = { m / 3, -m / 3, 0,  -m / 3, 0, m / 3,  0, m / 3, -m / 4 };
    int best[3];
    long double opt = brute_force(3, b, best);
    assert_true(isfinite(opt));
    solve_and_check(ws, 3, b, opt, m, 1e-12, col);
    ps_assign_free(ws);
}

static void test_invalid(void **state)
{
    (void)state;
    assert_null(ps_assign_alloc(0));
    assert_null(ps_assign_alloc(-3));
    ps_assign_ws *ws = ps_assign_alloc(3);
    assert_non_null(ws);
    double c[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    int col[4];
    assert_true(isnan(ps_assign_solve(ws, 4, c, col)));   /* n > nmax */
    assert_true(isnan(ps_assign_solve(ws, 0, c, col)));
    assert_true(isnan(ps_assign_solve(ws, -1, c, col)));
    assert_true(isnan(ps_assign_solve(NULL, 3, c, col)));
    assert_true(isnan(ps_assign_solve(ws, 3, NULL, col)));
    const double bad[3] = { NAN, INFINITY, -INFINITY };
    for (int b = 0; b < 3; b++) {
        c[8] = bad[b];                                     /* last entry of 3 x 3 */
        assert_true(isnan(ps_assign_solve(ws, 3, c, col)));
        c[8] = 9;
        c[0] = bad[b];                                     /* first entry */
        assert_true(isnan(ps_assign_solve(ws, 3, c, col)));
        c[0] = 1;
    }
    /* the workspace still works after rejected calls */
    assert_true(ps_assign_solve(ws, 3, c, col) == 15.0);  /* 3 + 5 + 7, all perms tie */
    ps_assign_free(ws);
}

/* ---- 3. n = 100 -------------------------------------------------------- */

static void random_perm(gsl_rng *r, int n, int *p)
{
    for (int i = 0; i < n; i++)
        p[i] = i;
    gsl_ran_shuffle(r, p, (size_t)n, sizeof *p);
}

/* A random permutation of zeros in a matrix of entries in [1, 2). */
static void test_planted_binary(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7UL);
    ps_assign_ws *ws = ps_assign_alloc(NBIG);
    static double c[NBIG * NBIG];
    int pi[NBIG], col[NBIG];
    for (int rep = 0; rep < 5; rep++) {
        random_perm(r, NBIG, pi);
        for (int k = 0; k < NBIG * NBIG; k++)
            c[k] = 1.0 + gsl_rng_uniform(r);
        for (int i = 0; i < NBIG; i++)
            c[i * NBIG + pi[i]] = 0.0;
        solve_and_check(ws, NBIG, c, 0.0, 0.0, 0.0, col);
        for (int i = 0; i < NBIG; i++)
            assert_int_equal(col[i], pi[i]);
    }
    ps_assign_free(ws);
    gsl_rng_free(r);
}

/* The real use: reconstructions are the originals (on a unit grid) shuffled
 * and moved by at most 1e-3, so the shuffle is the unique optimum. */
static void test_planted_euclid(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11UL);
    ps_assign_ws *ws = ps_assign_alloc(NBIG);
    static double c[NBIG * NBIG];
    double x[NBIG], y[NBIG], p[NBIG], q[NBIG];
    int pi[NBIG], col[NBIG];
    random_perm(r, NBIG, pi);
    for (int i = 0; i < NBIG; i++) {
        x[i] = i % 10;
        y[i] = i / 10;
    }
    for (int i = 0; i < NBIG; i++) {
        p[pi[i]] = x[i] + 1e-3 * (2.0 * gsl_rng_uniform(r) - 1.0);
        q[pi[i]] = y[i] + 1e-3 * (2.0 * gsl_rng_uniform(r) - 1.0);
    }
    euclid_cost(NBIG, x, y, p, q, c);
    double planted = perm_cost(NBIG, c, pi);
    solve_and_check(ws, NBIG, c, planted, planted, 0.0, col);
    for (int i = 0; i < NBIG; i++)
        assert_int_equal(col[i], pi[i]);
    ps_assign_free(ws);
    gsl_rng_free(r);
}

/* Permuting rows / columns permutes the answer; transposing inverts it. */
static void test_invariance(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 13UL);
    ps_assign_ws *ws = ps_assign_alloc(NBIG);
    static double c[NBIG * NBIG], c2[NBIG * NBIG];
    double x[NBIG], y[NBIG], p[NBIG], q[NBIG];
    int col[NBIG], col2[NBIG], sigma[NBIG];
    for (int i = 0; i < NBIG; i++) {
        x[i] = gsl_rng_uniform(r); y[i] = gsl_rng_uniform(r);
        p[i] = gsl_rng_uniform(r); q[i] = gsl_rng_uniform(r);
    }
    euclid_cost(NBIG, x, y, p, q, c);
    double t = ps_assign_solve(ws, NBIG, c, col);
    assert_true(isfinite(t));
    assert_is_perm(NBIG, col);
    random_perm(r, NBIG, sigma);
    /* rows: new row i is old row sigma[i] */
    for (int i = 0; i < NBIG; i++)
        for (int j = 0; j < NBIG; j++)
            c2[i * NBIG + j] = c[sigma[i] * NBIG + j];
    solve_and_check(ws, NBIG, c2, t, t, 1e-12, col2);
    for (int i = 0; i < NBIG; i++)
        assert_int_equal(col2[i], col[sigma[i]]);
    /* columns: new column j is old column sigma[j] */
    int inv[NBIG];
    for (int j = 0; j < NBIG; j++)
        inv[sigma[j]] = j;
    for (int i = 0; i < NBIG; i++)
        for (int j = 0; j < NBIG; j++)
            c2[i * NBIG + j] = c[i * NBIG + sigma[j]];
    solve_and_check(ws, NBIG, c2, t, t, 1e-12, col2);
    for (int i = 0; i < NBIG; i++)
        assert_int_equal(col2[i], inv[col[i]]);
    /* transpose: the optimal matching is the inverse permutation */
    for (int i = 0; i < NBIG; i++)
        for (int j = 0; j < NBIG; j++)
            c2[j * NBIG + i] = c[i * NBIG + j];
    solve_and_check(ws, NBIG, c2, t, t, 1e-12, col2);
    for (int i = 0; i < NBIG; i++)
        assert_int_equal(col2[col[i]], i);
    ps_assign_free(ws);
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_vs_brute_force),
        cmocka_unit_test(test_n_one),
        cmocka_unit_test(test_all_equal),
        cmocka_unit_test(test_identical_points),
        cmocka_unit_test(test_textbook),
        cmocka_unit_test(test_extreme_magnitude),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_planted_binary),
        cmocka_unit_test(test_planted_euclid),
        cmocka_unit_test(test_invariance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
