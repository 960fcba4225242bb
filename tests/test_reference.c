/* test_reference.c — the C trainer against the independent float64 reference.
 *
 * Every file in tests/reference/fixtures/ (made by tests/reference/make_fixtures.py
 * with a numpy implementation of SPEC.md whose gradients come from its own
 * autograd) holds a dataset, raw initial parameters, the reference's gradient
 * at the projected initial parameters, its final parameters after `epochs` Adam
 * steps and its metrics.  The C trainer must reproduce: the initial gradient to
 * 1e-10 relative, the final parameters to 1e-9 relative, E and rho to 1e-12,
 * the other metrics to 1e-9, and the status (diverged runs: NaN metrics).
 * A fixture directory with no fixture fails the test: it can't pass vacuously.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "adam.h"
#include "config.h"
#include "train.h"
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NMAX 128
#define MAXFIX 64

typedef struct {
    char path[512];
    int N, epochs, status;
    char mask[8];
    double lambda, tau, lr, beta1, beta2, adam_eps, w_min;
    double x[NMAX], y[NMAX], w0[NMAX], b0[NMAX], v0[NMAX], w[NMAX], b[NMAX], v[NMAX];
    double gw0[NMAX], gb0[NMAX], gv0[NMAX];
    double E, rho, frac_outside, hull_dist, hull_sdist, L_fit, L_ovl, L_cov, L_sep, L;
} fixture;

static int read_vec(char *rest, double *out, int n)
{
    for (int k = 0; k < n; k++) {
        char *end;
        out[k] = strtod(rest, &end);
        if (end == rest)
            return -1;
        rest = end;
    }
    return 0;
}

static int load_fixture(const char *path, fixture *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    char line[1 << 16];
    int seen = 0;
    while (fgets(line, sizeof line, fp)) {
        char name[32];
        int off = 0;
        if (sscanf(line, "%31s %n", name, &off) != 1)
            continue;
        char *rest = line + off;
        struct { const char *n; double *dst; } sc[] = {
            {"lambda", &f->lambda}, {"tau", &f->tau}, {"lr", &f->lr}, {"beta1", &f->beta1},
            {"beta2", &f->beta2}, {"adam_eps", &f->adam_eps}, {"w_min", &f->w_min},
            {"E", &f->E}, {"rho", &f->rho}, {"frac_outside", &f->frac_outside},
            {"hull_dist", &f->hull_dist}, {"hull_sdist", &f->hull_sdist}, {"L_fit", &f->L_fit},
            {"L_ovl", &f->L_ovl}, {"L_cov", &f->L_cov}, {"L_sep", &f->L_sep}, {"L", &f->L}};
        struct { const char *n; double *dst; } vc[] = {
            {"x", f->x}, {"y", f->y}, {"w0", f->w0}, {"b0", f->b0}, {"v0", f->v0},
            {"w", f->w}, {"b", f->b}, {"v", f->v}, {"grad_w0", f->gw0}, {"grad_b0", f->gb0},
            {"grad_v0", f->gv0}};
        if (!strcmp(name, "N")) { f->N = atoi(rest); seen++; }
        else if (!strcmp(name, "epochs")) f->epochs = atoi(rest);
        else if (!strcmp(name, "status")) f->status = atoi(rest);
        else if (!strcmp(name, "mask")) sscanf(rest, "%7s", f->mask);
        for (size_t k = 0; k < sizeof sc / sizeof sc[0]; k++)
            if (!strcmp(name, sc[k].n)) { *sc[k].dst = strtod(rest, NULL); seen++; }
        for (size_t k = 0; k < sizeof vc / sizeof vc[0]; k++)
            if (!strcmp(name, vc[k].n)) {
                if (f->N < 1 || f->N > NMAX || read_vec(rest, vc[k].dst, f->N)) { fclose(fp); return -1; }
                seen++;
            }
    }
    fclose(fp);
    return seen >= 1 + 17 + 11 ? 0 : -1;
}

static int close_rel(double a, double b, double rel)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return fabs(a - b) <= rel * fmax(fabs(a), fabs(b)) + 1e-300;
}

#define EXPECT_CLOSE(got, want, rel, what, idx)                                               \
    do {                                                                                      \
        if (!close_rel((got), (want), (rel)))                                                 \
            fail_msg("%s: %s[%d]: C %.17g vs reference %.17g (rel tol %g)", f->path, (what), \
                     (idx), (got), (want), (rel));                                            \
    } while (0)

static ps_hparams hparams(const fixture *f)
{
    uint8_t m = 0;
    assert_int_equal(ps_mask_parse(f->mask, &m), 0);
    ps_hparams hp = {.N = f->N, .mask = m, .lambda = f->lambda, .tau = f->tau, .lr = f->lr,
                     .epochs = f->epochs, .beta1 = f->beta1, .beta2 = f->beta2,
                     .adam_eps = f->adam_eps, .w_min = f->w_min};
    return hp;
}

static void check_initial_gradient(const fixture *f, ps_workspace *ws, const ps_hparams *hp)
{
    int N = f->N;
    double theta[3 * NMAX], grad[3 * NMAX], val[4];
    memcpy(theta, f->w0, N * sizeof(double));
    memcpy(theta + N, f->b0, N * sizeof(double));
    memcpy(theta + 2 * N, f->v0, N * sizeof(double));
    ps_adam_project(N, theta, hp->w_min);
    ps_train_loss_grad(ws, hp, f->x, f->y, theta, grad, val);
    for (int j = 0; j < N; j++) {
        /* an absolute floor of 1e-14 for components that cancel to ~0 */
        if (fabs(grad[j] - f->gw0[j]) > 1e-14) EXPECT_CLOSE(grad[j], f->gw0[j], 1e-10, "grad_w0", j);
        if (fabs(grad[N + j] - f->gb0[j]) > 1e-14) EXPECT_CLOSE(grad[N + j], f->gb0[j], 1e-10, "grad_b0", j);
        if (fabs(grad[2 * N + j] - f->gv0[j]) > 1e-14) EXPECT_CLOSE(grad[2 * N + j], f->gv0[j], 1e-10, "grad_v0", j);
    }
}

static void test_fixture(void **state)
{
    const fixture *f = *state;
    int N = f->N;
    ps_hparams hp = hparams(f);
    ps_workspace *ws = ps_workspace_alloc(N);
    assert_non_null(ws);
    if (f->status == 0)
        check_initial_gradient(f, ws, &hp);

    double theta0[3 * NMAX], theta[3 * NMAX];
    memcpy(theta0, f->w0, N * sizeof(double));
    memcpy(theta0 + N, f->b0, N * sizeof(double));
    memcpy(theta0 + 2 * N, f->v0, N * sizeof(double));
    ps_metrics m;
    assert_int_equal(ps_train_run(ws, &hp, f->x, f->y, theta0, theta, &m), 0);
    ps_workspace_free(ws);
    if (m.status != f->status)
        fail_msg("%s: status C %d vs reference %d", f->path, m.status, f->status);
    if (f->status != 0) {
        assert_true(isnan(m.E) && isnan(m.rho) && isnan(m.L) && isnan(m.hull_dist));
        return;
    }
    for (int j = 0; j < N; j++) {
        EXPECT_CLOSE(theta[j], f->w[j], 1e-9, "w", j);
        EXPECT_CLOSE(theta[N + j], f->b[j], 1e-9, "b", j);
        EXPECT_CLOSE(theta[2 * N + j], f->v[j], 1e-9, "v", j);
    }
    EXPECT_CLOSE(m.E, f->E, 1e-12, "E", 0);
    EXPECT_CLOSE(m.rho, f->rho, 1e-12, "rho", 0);
    const double got[] = {m.frac_outside, m.hull_dist, m.hull_sdist, m.L_fit, m.L_ovl, m.L_cov, m.L_sep, m.L};
    const double want[] = {f->frac_outside, f->hull_dist, f->hull_sdist, f->L_fit, f->L_ovl, f->L_cov, f->L_sep, f->L};
    const char *names[] = {"frac_outside", "hull_dist", "hull_sdist", "L_fit", "L_ovl", "L_cov", "L_sep", "L"};
    for (int k = 0; k < 8; k++)
        EXPECT_CLOSE(got[k], want[k], 1e-9, names[k], 0);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const fixture *)a)->path, ((const fixture *)b)->path);
}

int main(void)
{
    const char *dir = getenv("PS_FIXTURES") ? getenv("PS_FIXTURES") : "tests/reference/fixtures";
    static fixture fx[MAXFIX];
    struct CMUnitTest tests[MAXFIX];
    int n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "test_reference: cannot open fixture directory %s\n", dir);
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d)) && n < MAXFIX) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".txt"))
            continue;
        char path[600];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (load_fixture(path, &fx[n])) {
            fprintf(stderr, "test_reference: %s: malformed fixture\n", path);
            closedir(d);
            return 1;
        }
        n++;
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "test_reference: no fixtures in %s\n", dir);
        return 1;
    }
    qsort(fx, (size_t)n, sizeof fx[0], by_name);
    for (int k = 0; k < n; k++)
        tests[k] = (struct CMUnitTest){fx[k].path, test_fixture, NULL, NULL, &fx[k]};
    return _cmocka_run_group_tests("reference", tests, (size_t)n, NULL, NULL);
}
