/* test_metrics.c — metrics (src/metrics.c), the Adam step and the |w| projection
 * (src/adam.c), and divergence handling (src/train.c) on hand-made cases.
 *
 * 1. rho / frac_outside / hull on cases worked out by hand: prototypes exactly on
 *    inputs, all prototypes outside on one side, exact ties in the nearest
 *    prototype (the lowest j wins, which changes rho), prototypes on the hull
 *    boundary and on the [0, 1] boundary, negative hull_sdist inside.
 * 2. E through ps_metrics_compute: a permuted copy of the data (E = 0 exactly),
 *    a translated permuted copy (E = |shift|: by the triangle inequality no
 *    matching beats the translation), a two-point case where the crossing
 *    matching is optimal; with the losses that follow from the same geometry.
 * 3. Projection: 0 and -0.0 -> +w_min (sign(0) = +1), small negatives -> -w_min,
 *    NaN stays NaN, |w| >= w_min and infinities untouched (bitwise).
 * 4. Adam on L = 1/2 sum c_k theta_k^2 for 3 steps against PyTorch's formula
 *    written out with explicit numbers (eps = 1e-3 so that eps outside the
 *    sqrt is distinguishable from eps inside it; bias correction from step 1).
 * 5. Divergence: lr = 1e308 and a huge v0 end with status PS_RUN_DIVERGED and
 *    every metric NaN (isnan must work: no -ffast-math), not a crash; a normal
 *    run of the same data ends ok with finite metrics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "adam.h"
#include "metrics.h"
#include "train.h"

#ifdef __FAST_MATH__
#error "protosweep must not be built with -ffast-math: NaN checks rely on IEEE semantics"
#endif

static void assert_close(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.17g, want %.17g (tolerance %g)", got, want, tol);
}

/* ---- 1. geometry ------------------------------------------------------------ */

static void test_prototype_on_input(void **state)
{
    (void)state;
    const double x[3] = {0.1, 0.5, 0.9}, p[3] = {0.9, 0.1, 0.5};
    int scratch[3];
    double d, sd;
    assert_true(ps_metrics_rho(3, x, p, scratch) == 1.0);
    assert_true(ps_metrics_frac_outside(3, p) == 0.0);
    ps_metrics_hull(3, x, p, &d, &sd);
    assert_true(d == 0.0);
    /* 0.9 and 0.1 are on the hull (0), 0.5 is 0.4 inside: sdist = -0.4 / 3 */
    assert_close(sd, -0.4 / 3, 1e-16);
}

static void test_all_outside_one_side(void **state)
{
    (void)state;
    const double x[3] = {0.2, 0.5, 0.8}, p[3] = {1.5, 3.0, 2.0};
    int scratch[3];
    double d, sd;
    assert_true(ps_metrics_frac_outside(3, p) == 1.0);
    ps_metrics_hull(3, x, p, &d, &sd);
    double want = ((1.5 - 0.8) + (3.0 - 0.8) + (2.0 - 0.8)) / 3;
    assert_close(d, want, 1e-15);
    assert_close(sd, want, 1e-15);          /* nothing inside: signed = unsigned */
    /* every input's nearest prototype is p_0 = 1.5 */
    assert_close(ps_metrics_rho(3, x, p, scratch), 1.0 / 3, 0);
    /* and on the left side */
    const double q[3] = {-0.5, -0.25, -1.0};
    ps_metrics_hull(3, x, q, &d, &sd);
    want = (0.7 + 0.45 + 1.2) / 3;
    assert_close(d, want, 1e-15);
    assert_close(sd, want, 1e-15);
    assert_true(ps_metrics_frac_outside(3, q) == 1.0);
}

static void test_rho_ties(void **state)
{
    (void)state;
    int scratch[3];
    /* x = 0.5 is exactly 0.25 from 0.25 and from 0.75 (all exact in binary) */
    const double x[3] = {0.5, 0.9, 1.0};
    const double p_low_unused[3] = {0.25, 0.75, 9.0};   /* tie -> j=0, otherwise unused */
    const double p_low_used[3] = {0.75, 0.25, 9.0};     /* tie -> j=0, also used by 0.9, 1.0 */
    assert_close(ps_metrics_rho(3, x, p_low_unused, scratch), 2.0 / 3, 0);
    assert_close(ps_metrics_rho(3, x, p_low_used, scratch), 1.0 / 3, 0);
    /* all prototypes identical: every input goes to j = 0 */
    const double same[3] = {0.4, 0.4, 0.4};
    assert_close(ps_metrics_rho(3, x, same, scratch), 1.0 / 3, 0);
}

static void test_boundaries(void **state)
{
    (void)state;
    /* exactly 0 and 1 are inside [0, 1]; a hair beyond is outside */
    const double p[4] = {0.0, 1.0, -1e-12, 1.0 + 1e-12};
    assert_true(ps_metrics_frac_outside(4, p) == 0.5);
    /* prototypes exactly on x_1 and x_N: distance 0 both ways */
    const double x[2] = {0.25, 0.75}, q[2] = {0.75, 0.25};
    double d, sd;
    ps_metrics_hull(2, x, q, &d, &sd);
    assert_true(d == 0.0 && sd == 0.0);
    /* hull_sdist negative inside: -min(p - x_1, x_N - p) */
    const double x3[3] = {0.0, 0.5, 1.0}, r[3] = {0.1, 0.5, 0.8};
    ps_metrics_hull(3, x3, r, &d, &sd);
    assert_true(d == 0.0);
    assert_close(sd, -(0.1 + 0.5 + 0.2) / 3, 1e-16);
    /* mixed: one outside (+0.3), one inside (-0.25) */
    const double x2[2] = {0.0, 0.5}, s[2] = {0.8, 0.25};
    ps_metrics_hull(2, x2, s, &d, &sd);
    assert_close(d, 0.3 / 2, 1e-16);
    assert_close(sd, (0.3 - 0.25) / 2, 1e-16);
}

/* ---- 2. E ---------------------------------------------------------------------- */

/* theta with w = 1, b = -p, v = yhat: prototypes p exactly (-(-p)/1 = p). */
static void set_theta(int N, const double *p, const double *yhat, double *theta)
{
    for (int j = 0; j < N; j++) {
        theta[j] = 1.0;
        theta[N + j] = -p[j];
        theta[2 * N + j] = yhat[j];
    }
}

static void test_E_hand(void **state)
{
    (void)state;
    ps_workspace *ws = ps_workspace_alloc(4);
    assert_non_null(ws);
    const double x[3] = {0.1, 0.5, 0.9}, y[3] = {0.7, 0.2, 0.4};
    const int perm[3] = {2, 0, 1};
    double p[3], yh[3], theta[9];
    ps_metrics m;
    ps_hparams hp = {.N = 3, .mask = 2, .lambda = 0.5, .tau = 0.01};

    for (int j = 0; j < 3; j++) { p[j] = x[perm[j]]; yh[j] = y[perm[j]]; }
    set_theta(3, p, yh, theta);
    ps_metrics_compute(ws, &hp, x, y, theta, &m);
    assert_true(m.E == 0.0);
    assert_true(m.rho == 1.0 && m.frac_outside == 0.0 && m.hull_dist == 0.0);
    assert_true(m.L_cov == 0.0);          /* every input carries a prototype */
    assert_close(m.hull_sdist, -0.4 / 3, 1e-16);

    /* translated by (0.03, -0.04): E = 0.05, L_cov = 0.03^2 (neighbours are 0.4 apart) */
    for (int j = 0; j < 3; j++) { p[j] = x[perm[j]] + 0.03; yh[j] = y[perm[j]] - 0.04; }
    set_theta(3, p, yh, theta);
    ps_metrics_compute(ws, &hp, x, y, theta, &m);
    assert_close(m.E, 0.05, 1e-15);
    assert_close(m.L_cov, 0.03 * 0.03, 1e-16);
    assert_close(m.L, m.L_fit + 0.5 * m.L_cov, 1e-15);    /* mask 010 */
    assert_true(m.L_ovl > 0.0 && m.L_sep > 0.0);           /* all terms are reported */

    /* a larger translation (0.3, 0.4): E = 0.5 still, whatever the matching */
    for (int j = 0; j < 3; j++) { p[j] = x[perm[j]] + 0.3; yh[j] = y[perm[j]] + 0.4; }
    set_theta(3, p, yh, theta);
    ps_metrics_compute(ws, &hp, x, y, theta, &m);
    assert_close(m.E, 0.5, 1e-15);

    /* two points: the crossing matching (0 -> 0.1, 1 -> 0.9) costs 0.2, the other 1.8 */
    const double x2[2] = {0.0, 1.0}, y2[2] = {0.0, 0.0}, p2[2] = {0.9, 0.1}, v2[2] = {0.0, 0.0};
    double th2[6];
    hp.N = 2;
    set_theta(2, p2, v2, th2);
    ps_metrics_compute(ws, &hp, x2, y2, th2, &m);
    assert_close(m.E, 0.1, 1e-16);
    assert_true(m.rho == 1.0);
    ps_workspace_free(ws);
}

/* ---- 3. projection ------------------------------------------------------------ */

static void test_projection(void **state)
{
    (void)state;
    double w[10] = {0.0, -0.0, -0.05, 0.05, NAN, 5.0, -7.25, 0.1, -0.1, INFINITY};
    double keep[10];
    memcpy(keep, w, sizeof w);
    ps_adam_project(10, w, 0.1);
    assert_true(w[0] == 0.1);
    assert_true(w[1] == 0.1 && !signbit(w[1]));   /* sign(-0.0) = +1 */
    assert_true(w[2] == -0.1);
    assert_true(w[3] == 0.1);
    assert_true(isnan(w[4]));
    assert_memory_equal(&w[5], &keep[5], 5 * sizeof *w);  /* 5, -7.25, +-w_min, inf */
    /* idempotent */
    memcpy(keep, w, sizeof w);
    ps_adam_project(10, w, 0.1);
    assert_memory_equal(w, keep, 4 * sizeof *w);
}

/* ---- 4. Adam ---------------------------------------------------------------------- */

static void test_adam_quadratic(void **state)
{
    (void)state;
    const double c[3] = {2.0, 0.5, 3.0};
    double theta[3] = {1.0, -2.0, 0.0}, mm[3], vv[3], g[3];
    ps_adam s;
    ps_adam_reset(&s, 3, 0.1, 0.9, 0.999, 1e-3, mm, vv);

    /* PyTorch: m = .9 m + .1 g; v = .999 v + .001 g^2;
     * theta -= .1 (m / (1 - .9^t)) / (sqrt(v / (1 - .999^t)) + 1e-3) */
    const double bc1[3] = {0.1, 0.19, 0.271}, bc2[3] = {0.001, 0.001999, 0.002997001};
    double e[3] = {1.0, -2.0, 0.0}, em[3] = {0}, ev[3] = {0};
    for (int t = 0; t < 3; t++) {
        for (int k = 0; k < 3; k++)
            g[k] = c[k] * theta[k];
        ps_adam_step(&s, theta, g);
        for (int k = 0; k < 3; k++) {
            double gk = c[k] * e[k];
            em[k] = 0.9 * em[k] + 0.1 * gk;
            ev[k] = 0.999 * ev[k] + 0.001 * gk * gk;
            e[k] -= 0.1 * (em[k] / bc1[t]) / (sqrt(ev[k] / bc2[t]) + 1e-3);
        }
        for (int k = 0; k < 3; k++)
            assert_close(theta[k], e[k], 1e-14);
        if (t == 0) {
            /* step 1 closed form: m-hat = g, v-hat = g^2, step = lr g / (|g| + eps) */
            assert_close(theta[0], 1.0 - 0.1 * 2.0 / (2.0 + 1e-3), 1e-16);
            assert_close(theta[1], -2.0 + 0.1 * 1.0 / (1.0 + 1e-3), 1e-16);
        }
    }
    assert_int_equal(s.t, 3);
    assert_true(theta[2] == 0.0);   /* zero gradient, zero moments: never moves */
    /* eps inside the sqrt would differ by ~4e-5 after one step; bias correction
     * left out would differ by ~0.1: the 1e-14 tolerance above excludes both */
}

/* ---- 5. divergence ------------------------------------------------------------------ */

static void check_all_nan(const ps_metrics *m)
{
    const double v[10] = {m->E, m->rho, m->frac_outside, m->hull_dist, m->hull_sdist,
                          m->L_fit, m->L_ovl, m->L_cov, m->L_sep, m->L};
    for (int k = 0; k < 10; k++)
        if (!isnan(v[k]))
            fail_msg("metric %d of a diverged run is %g, not NaN", k, v[k]);
}

static void test_divergence(void **state)
{
    (void)state;
    enum { N = 5 };
    ps_workspace *ws = ps_workspace_alloc(N);
    assert_non_null(ws);
    const double x[N] = {0.05, 0.3, 0.5, 0.72, 0.95}, y[N] = {0.4, 0.9, 0.1, 0.6, 0.3};
    double th0[3 * N] = {0.8, -1.2, 0.3, 1.7, -0.5, 0, 0, 0, 0, 0, 0.05, -0.1, 0.02, 0.07, -0.03};
    double th[3 * N];
    ps_metrics m;
    ps_hparams hp = {.N = N, .mask = 7, .lambda = 0.05, .tau = 0.01, .lr = 1e-3, .epochs = 50,
                     .beta1 = 0.9, .beta2 = 0.999, .adam_eps = 1e-8, .w_min = 0.1};

    assert_int_equal(ps_train_run(ws, &hp, x, y, th0, th, &m), 0);   /* the sane run */
    assert_int_equal(m.status, PS_RUN_OK);
    assert_int_equal(m.epochs_done, 50);
    assert_true(isfinite(m.E) && isfinite(m.L) && isfinite(m.rho));

    hp.lr = 1e308;                 /* parameters overflow within a few steps */
    hp.epochs = 20;
    assert_int_equal(ps_train_run(ws, &hp, x, y, th0, th, &m), 0);
    assert_int_equal(m.status, PS_RUN_DIVERGED);
    assert_true(m.epochs_done < 20);
    check_all_nan(&m);

    hp.lr = 1e-3;                  /* f = A v overflows: the very first loss is inf */
    for (int j = 0; j < N; j++)
        th0[2 * N + j] = 1e200;
    assert_int_equal(ps_train_run(ws, &hp, x, y, th0, th, &m), 0);
    assert_int_equal(m.status, PS_RUN_DIVERGED);
    assert_int_equal(m.epochs_done, 0);
    check_all_nan(&m);

    hp.N = N + 1;                  /* larger than the workspace: refused */
    assert_int_equal(ps_train_run(ws, &hp, x, y, th0, th, &m), -1);
    ps_workspace_free(ws);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prototype_on_input),
        cmocka_unit_test(test_all_outside_one_side),
        cmocka_unit_test(test_rho_ties),
        cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_E_hand),
        cmocka_unit_test(test_projection),
        cmocka_unit_test(test_adam_quadratic),
        cmocka_unit_test(test_divergence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
