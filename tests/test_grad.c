/* test_grad.c — analytic gradients of the loss registry and the model (src/loss.c,
 * src/model.c, src/train.c) against central finite differences.
 *
 * 1. Every term alone, through ps_loss_terms[t].forward/backward on a hand-built
 *    ps_loss_ctx chained by ps_model_backward (coefficient 1), and every one of
 *    the 8 masks through ps_train_loss_grad (lambda 0.3 so the structural terms
 *    matter, tau 0.05), for N in {3, 10, 30} and several random problems: x
 *    sorted in [0, 1], y in [0, 1], w ~ N(0, 1) pushed to |w| >= 0.2, b such that
 *    the prototypes p = -b/w are spread over [-0.2, 1.2], v ~ N(0, 0.5^2).
 *    Step per coordinate h = 1e-6 max(1, |theta_k|) (the step actually taken is
 *    recomputed from the rounded theta +- h).  Criterion:
 *        |g - fd| <= 1e-6 max(|g|, |fd|, floor),   floor = 3e-3 max(|L|, 1e-3).
 *    Why the floor: the rounding error of (L+ - L-) / 2h is about
 *    u |L| / h = 1.1e-16 |L| / 1e-6 = 1.1e-10 |L| (u = 2^-53), so a relative
 *    1e-6 is unreachable for a coordinate whose gradient is below ~1e-4 |L|
 *    (measured: |g - fd| up to 4.5e-10 |L|; e.g. 7.7e-9 at L = 48, g = 4.5e-5).
 *    Such coordinates are checked to the absolute 1e-6 floor = 3e-9 |L|,
 *    about 6.5x the worst noise seen.  The truncation error h^2 L''' / 6 is
 *    below 1e-9 for these problems (|dp/db| <= 5, 1/tau = 20).
 *    Coverage's hard argmin makes L_cov non-smooth where the nearest prototype
 *    of an input switches; a coordinate whose step changes the argmin pattern
 *    between theta + h and theta - h is skipped and counted (it must be rare),
 *    and a constructed exact tie proves that the detector fires.
 * 2. The degenerate paper start b = 0 (all prototypes at 0) gives finite
 *    gradients for every mask, and coverage's tie rule (lowest j) sends its
 *    whole pull to unit 0.
 * 3. Registry consistency: for every mask, ps_train_loss_grad's loss, term values
 *    and gradient equal sum_t coef_t * (term t alone), with the coefficients read
 *    from the mask string "alpha beta gamma" = overlap, coverage, separation.
 * Randomness: GSL mt19937 with fixed seeds, so a failure reproduces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "loss.h"
#include "model.h"
#include "train.h"

#define NMAX 30
#define LAMBDA 0.3
#define TAU 0.05
#define REL 1e-6
#define DRAWS 4             /* random problems per N */

static const int sizes[] = {3, 10, 30};
static const char *mask_str[8] = {"000", "001", "010", "011", "100", "101", "110", "111"};

typedef struct {
    int N;
    double x[NMAX], y[NMAX], theta[3 * NMAX];
} problem;

/* Buffers of the term-by-term path (kept apart from the trainer's workspace). */
typedef struct {
    double z[NMAX * NMAX], a[NMAX * NMAX], dA[NMAX * NMAX], f[NMAX], p[NMAX];
    double gp[NMAX], gv[NMAX];
    int jstar[NMAX];
    double pair_exp[NMAX * NMAX];
} term_buf;

typedef struct {
    double max_rel;     /* worst |g - fd| / max(|g|, |fd|) where that is above the floor */
    double max_abs;     /* worst |g - fd| / |L| where it is not */
    int checked, skipped;
    int floored;        /* coordinates with max(|g|, |fd|) below the floor */
} fd_stats;

/* ---- problems ------------------------------------------------------------ */

static void make_problem(gsl_rng *r, int N, int zero_b, problem *P)
{
    P->N = N;
    for (int i = 0; i < N; i++)
        P->x[i] = gsl_rng_uniform(r);
    gsl_sort(P->x, 1, (size_t)N);
    for (int i = 0; i < N; i++)
        P->y[i] = gsl_rng_uniform(r);
    double *w = P->theta, *b = P->theta + N, *v = P->theta + 2 * N;
    for (int j = 0; j < N; j++) {
        double g = gsl_ran_gaussian(r, 1.0);
        w[j] = (g < 0 ? -1.0 : 1.0) * fmax(fabs(g), 0.2);
        double p = -0.2 + 1.4 * gsl_rng_uniform(r);   /* distinct prototypes */
        b[j] = zero_b ? 0.0 : -p * w[j];
        v[j] = gsl_ran_gaussian(r, 0.5);
    }
}

/* The coverage argmin of every input, written independently of src/loss.c. */
static void argmin_pattern(int N, const double *x, const double *theta, int *js)
{
    for (int i = 0; i < N; i++) {
        int best = 0;
        double db = INFINITY;
        for (int j = 0; j < N; j++) {
            double p = -theta[N + j] / theta[j], d = (x[i] - p) * (x[i] - p);
            if (d < db) {
                db = d;
                best = j;
            }
        }
        js[i] = best;
    }
}

/* ---- the two paths --------------------------------------------------------- */

static void term_ctx(const problem *P, const double *theta, term_buf *B, ps_loss_ctx *c)
{
    int N = P->N;
    ps_model_forward(N, P->x, theta, B->z, B->a, B->f);
    ps_model_prototypes(N, theta, B->p);
    *c = (ps_loss_ctx){.N = N, .x = P->x, .y = P->y, .a = B->a, .f = B->f,
                       .v = theta + 2 * N, .p = B->p, .tau = TAU, .jstar = B->jstar,
                       .pair_exp = B->pair_exp};
}

static double term_value(int t, const problem *P, const double *theta, term_buf *B)
{
    ps_loss_ctx c;
    term_ctx(P, theta, B, &c);
    return ps_loss_terms[t].forward(&c);
}

/* Gradient of term t alone (coefficient 1), chained through the model. */
static double term_grad(int t, const problem *P, const double *theta, term_buf *B, double *grad)
{
    int N = P->N;
    ps_loss_ctx c;
    term_ctx(P, theta, B, &c);
    double L = ps_loss_terms[t].forward(&c);
    memset(B->dA, 0, sizeof B->dA);
    memset(B->gv, 0, sizeof B->gv);
    memset(B->gp, 0, sizeof B->gp);
    ps_loss_grad g = {.dA = B->dA, .gv = B->gv, .gp = B->gp};
    ps_loss_terms[t].backward(&c, 1.0, &g);
    ps_model_backward(N, P->x, theta, B->z, B->a, B->dA, B->gp, B->gv, grad);
    return L;
}

typedef struct {
    const problem *P;
    int term;                 /* >= 0: term path */
    uint8_t mask;             /* term < 0: ps_train_loss_grad with this mask */
    term_buf *B;
    ps_workspace *ws;
    double scratch[3 * NMAX];
} loss_fn;

static ps_hparams hparams(int N, uint8_t mask)
{
    return (ps_hparams){.N = N, .mask = mask, .lambda = LAMBDA, .tau = TAU};
}

static double eval(loss_fn *F, const double *theta)
{
    if (F->term >= 0)
        return term_value(F->term, F->P, theta, F->B);
    double val[4];
    ps_hparams hp = hparams(F->P->N, F->mask);
    return ps_train_loss_grad(F->ws, &hp, F->P->x, F->P->y, theta, F->scratch, val);
}

static double eval_grad(loss_fn *F, const double *theta, double *grad)
{
    if (F->term >= 0)
        return term_grad(F->term, F->P, theta, F->B, grad);
    double val[4];
    ps_hparams hp = hparams(F->P->N, F->mask);
    return ps_train_loss_grad(F->ws, &hp, F->P->x, F->P->y, theta, grad, val);
}

static int uses_coverage(const loss_fn *F)
{
    return F->term >= 0 ? F->term == PS_TERM_COV : (F->mask & 2) != 0;
}

/* Compare eval_grad with central differences at P->theta; accumulate into st. */
static void fd_check(loss_fn *F, fd_stats *st, const char *what)
{
    const problem *P = F->P;
    int N = P->N, n = 3 * N;
    double g[3 * NMAX], th[3 * NMAX];
    int jp[NMAX], jm[NMAX];
    double L = eval_grad(F, P->theta, g);
    double floor_ = 3e-3 * fmax(fabs(L), 1e-3);
    for (int k = 0; k < n; k++) {
        assert_true(isfinite(g[k]));
        double t0 = P->theta[k], h = 1e-6 * fmax(1.0, fabs(t0));
        memcpy(th, P->theta, (size_t)n * sizeof *th);
        th[k] = t0 + h;
        double tp = th[k], Lp = eval(F, th);
        argmin_pattern(N, P->x, th, jp);
        th[k] = t0 - h;
        double tm = th[k], Lm = eval(F, th);
        argmin_pattern(N, P->x, th, jm);
        if (uses_coverage(F) && memcmp(jp, jm, (size_t)N * sizeof *jp) != 0) {
            st->skipped++;
            continue;
        }
        double fd = (Lp - Lm) / (tp - tm);
        double den = fmax(fmax(fabs(g[k]), fabs(fd)), floor_), rel = fabs(g[k] - fd) / den;
        if (rel > REL)
            fail_msg("%s N=%d coordinate %d (%s_%d): analytic %.17g, finite difference %.17g, "
                     "rel %.3g > %g", what, N, k, k < N ? "w" : k < 2 * N ? "b" : "v", k % N,
                     g[k], fd, rel, REL);
        if (den == floor_) {
            st->floored++;
            st->max_abs = fmax(st->max_abs, fabs(g[k] - fd) / fmax(fabs(L), 1e-3));
        } else {
            st->max_rel = fmax(st->max_rel, rel);
        }
        st->checked++;
    }
}

/* ---- 1. finite differences ------------------------------------------------- */

static void run_fd(int terms)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    ps_workspace *ws = ps_workspace_alloc(NMAX);
    static term_buf B;
    assert_non_null(ws);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int N = sizes[s];
        fd_stats st = {0};
        gsl_rng_set(r, 1000u + (unsigned)N + (terms ? 0u : 77u));
        for (int d = 0; d < DRAWS; d++) {
            problem P;
            make_problem(r, N, 0, &P);
            int nf = terms ? PS_NTERMS : 8;
            for (int k = 0; k < nf; k++) {
                loss_fn F = {.P = &P, .term = terms ? k : -1, .mask = (uint8_t)k, .B = &B, .ws = ws};
                char what[64];
                snprintf(what, sizeof what, terms ? "term %s" : "mask %s",
                         terms ? ps_loss_terms[k].name : mask_str[k]);
                fd_check(&F, &st, what);
            }
        }
        print_message("grad %s N=%2d: %5d coordinates, max rel error %.2e; %4d below the floor, "
                      "max |g - fd| / |L| %.2e; %d skipped (argmin switch)\n",
                      terms ? "terms" : "masks", N, st.checked, st.max_rel, st.floored,
                      st.max_abs, st.skipped);
        /* an argmin switch inside a 2e-6 step is a measure-zero event for random data */
        assert_true(st.skipped * 100 <= st.checked);
        assert_true(st.checked > 0);
    }
    ps_workspace_free(ws);
    gsl_rng_free(r);
}

static void test_fd_terms(void **state)
{
    (void)state;
    run_fd(1);
}

static void test_fd_masks(void **state)
{
    (void)state;
    run_fd(0);
}

/* An input exactly midway between two prototypes: the detector must skip the
 * coordinates that move those prototypes, the rest must still pass. */
static void test_fd_tie_detected(void **state)
{
    (void)state;
    static term_buf B;
    problem P = {.N = 3, .x = {0.125, 0.5, 0.875}, .y = {0.1, 0.7, 0.4}};
    const double w[3] = {1.0, 1.0, 1.0}, p[3] = {0.25, 0.75, 2.0}, v[3] = {0.3, -0.2, 0.5};
    for (int j = 0; j < 3; j++) {
        P.theta[j] = w[j];
        P.theta[3 + j] = -p[j] * w[j];
        P.theta[6 + j] = v[j];
    }
    fd_stats st = {0};
    loss_fn F = {.P = &P, .term = PS_TERM_COV, .B = &B};
    fd_check(&F, &st, "tie coverage");
    /* w_0, w_1, b_0, b_1 move p_0 or p_1 off the tie at x = 0.5 */
    assert_int_equal(st.skipped, 4);
    assert_int_equal(st.checked, 5);
}

/* ---- 2. degenerate start ------------------------------------------------------ */

static void test_zero_b_finite(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    ps_workspace *ws = ps_workspace_alloc(NMAX);
    assert_non_null(ws);
    gsl_rng_set(r, 4242);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int N = sizes[s];
        problem P;
        make_problem(r, N, 1, &P);
        for (int m = 0; m < 8; m++) {
            double g[3 * NMAX], val[4];
            ps_hparams hp = hparams(N, (uint8_t)m);
            double L = ps_train_loss_grad(ws, &hp, P.x, P.y, P.theta, g, val);
            assert_true(isfinite(L));
            for (int k = 0; k < 3 * N; k++)
                if (!isfinite(g[k]))
                    fail_msg("b = 0, N=%d mask %s: gradient %d is %g", N, mask_str[m], k, g[k]);
            /* all prototypes coincide: separation's pair terms are at their
             * maximum exp(0) = 1 and its gradient is exactly zero there */
            if (m & 1)
                assert_true(fabs(val[3] - 1.0) < 1e-15);
        }
        /* coverage ties (every prototype equally near every input) go to the
         * lowest j: only unit 0 is pulled, b_j and w_j of j >= 1 get nothing */
        static term_buf B;
        double g[3 * NMAX];
        term_grad(PS_TERM_COV, &P, P.theta, &B, g);
        for (int i = 0; i < N; i++)
            assert_int_equal(B.jstar[i], 0);
        assert_true(g[N] != 0.0);
        for (int j = 1; j < N; j++)
            assert_true(g[j] == 0.0 && g[N + j] == 0.0);
    }
    ps_workspace_free(ws);
    gsl_rng_free(r);
}

/* ---- 3. registry consistency ----------------------------------------------------- */

/* Coefficient of term t under a mask string, from the SPEC's reading of the string. */
static double spec_coef(const char *mask, int t)
{
    switch (t) {
    case PS_TERM_FIT: return 1.0;
    case PS_TERM_OVL: return mask[0] == '1' ? LAMBDA : 0.0;
    case PS_TERM_COV: return mask[1] == '1' ? LAMBDA : 0.0;
    default:          return mask[2] == '1' ? LAMBDA : 0.0;
    }
}

static void test_mask_is_sum_of_terms(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    ps_workspace *ws = ps_workspace_alloc(NMAX);
    static term_buf B;
    assert_non_null(ws);
    gsl_rng_set(r, 99);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int N = sizes[s], n = 3 * N;
        problem P;
        make_problem(r, N, 0, &P);
        double gt[PS_NTERMS][3 * NMAX], Lt[PS_NTERMS];
        for (int t = 0; t < PS_NTERMS; t++)
            Lt[t] = term_grad(t, &P, P.theta, &B, gt[t]);
        for (int m = 0; m < 8; m++) {
            uint8_t mask = (uint8_t)m;
            /* the integer of the binary string: "100" -> 4 */
            assert_int_equal(mask, (mask_str[m][0] - '0') * 4 + (mask_str[m][1] - '0') * 2 +
                                   (mask_str[m][2] - '0'));
            double g[3 * NMAX], val[4], coef[PS_NTERMS];
            ps_hparams hp = hparams(N, mask);
            double L = ps_train_loss_grad(ws, &hp, P.x, P.y, P.theta, g, val);
            ps_loss_coefs(mask, LAMBDA, coef);
            double Lsum = 0.0;
            for (int t = 0; t < PS_NTERMS; t++) {
                double c = spec_coef(mask_str[m], t);
                assert_true(coef[t] == c);
                if (c != 0.0)        /* active terms report their value, bit for bit */
                    assert_true(val[t] == Lt[t]);
                Lsum += c * Lt[t];
            }
            assert_true(fabs(L - Lsum) <= 1e-14 * fabs(Lsum));
            for (int k = 0; k < n; k++) {
                double sum = 0.0, mag = 0.0;
                for (int t = 0; t < PS_NTERMS; t++) {
                    sum += spec_coef(mask_str[m], t) * gt[t][k];
                    mag += fabs(spec_coef(mask_str[m], t) * gt[t][k]);
                }
                if (fabs(g[k] - sum) > 1e-12 * mag + 1e-300)
                    fail_msg("N=%d mask %s coordinate %d: mask gradient %.17g, sum of terms %.17g",
                             N, mask_str[m], k, g[k], sum);
            }
        }
    }
    ps_workspace_free(ws);
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fd_terms),
        cmocka_unit_test(test_fd_masks),
        cmocka_unit_test(test_fd_tie_detected),
        cmocka_unit_test(test_zero_b_finite),
        cmocka_unit_test(test_mask_is_sum_of_terms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
