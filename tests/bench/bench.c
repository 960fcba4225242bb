/* bench.c — timings of the core trainer, printed for `make bench` (never a test).
 *
 *   us_per_step N=<n> <us>           one Adam step (forward, loss, backward, step,
 *                                    projection), mask 111, best of 3 runs
 *   matvec_us N=<n> plain <us> blas <us> ratio <blas/plain>
 *                                    the two matrix-vector variants side by side
 *   grid_seconds N=<n> <s>           the 80 runs (8 masks x 10 datasets, 500
 *                                    epochs, metrics) of one N of the paper grid,
 *                                    one thread
 */
#include "config.h"
#include "grid.h"
#include "model.h"
#include "progress.h"
#include "run.h"
#include <stdio.h>
#include <stdlib.h>

static volatile double sink;

static double us_per_step(const ps_config *c, int N, int epochs)
{
    ps_runner *r = ps_runner_alloc(N);
    ps_run_spec s = {.N = N, .dataset = 0, .init = 0, .mask = 7, .lambda = 0.05, .tau = 0.01,
                     .lr = 1e-3, .epochs = epochs};
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        ps_metrics m;
        double t0 = ps_now();
        ps_runner_execute(r, c, &s, &m);
        double t = ps_now() - t0;
        best = t < best ? t : best;
        sink = m.E;
    }
    ps_runner_free(r);
    return 1e6 * best / epochs;
}

static void matvec(int n)
{
    double *M = malloc((size_t)n * n * sizeof *M), *u = malloc(n * sizeof *u), *y = malloc(n * sizeof *y);
    for (int k = 0; k < n * n; k++) M[k] = 1.0 / (1 + k % 7);
    for (int k = 0; k < n; k++) u[k] = 0.5 + k % 3;
    int reps = 20000000 / (n * n) + 100;
    double t[2];
    for (int v = 0; v < 2; v++) {
        double t0 = ps_now();
        for (int r = 0; r < reps; r++) {
            (v ? ps_matvec_blas : ps_matvec_plain)(n, r & 1, M, u, y);
            u[0] += y[n - 1] * 1e-300;   /* keep the calls dependent */
        }
        t[v] = 1e6 * (ps_now() - t0) / reps;
    }
    printf("matvec_us N=%d plain %.3f blas %.3f ratio %.2f\n", n, t[0], t[1], t[1] / t[0]);
    free(M); free(u); free(y);
}

static double grid_seconds(const ps_config *c, int N)
{
    ps_runner *r = ps_runner_alloc(N);
    double t0 = ps_now();
    for (int d = 0; d < 10; d++)
        for (int mask = 0; mask < 8; mask++) {
            ps_run_spec s = {.N = N, .dataset = d, .init = 0, .mask = (uint8_t)mask,
                             .lambda = 0.05, .tau = 0.01, .lr = 1e-3, .epochs = 500};
            ps_metrics m;
            ps_runner_execute(r, c, &s, &m);
            sink = m.E;
        }
    ps_runner_free(r);
    return ps_now() - t0;
}

int main(void)
{
    ps_config c;
    ps_error e;
    if (ps_config_load_string(&c, ps_default_config, "<embedded>", &e)) {
        fprintf(stderr, "bench: %s\n", e.msg);
        return 1;
    }
    const int Ns[] = {3, 10, 30, 100};
    for (int k = 0; k < 4; k++)
        printf("us_per_step N=%d %.3f\n", Ns[k], us_per_step(&c, Ns[k], Ns[k] < 50 ? 4000 : 1000));
    matvec(10);
    matvec(30);
    matvec(100);
    printf("grid_seconds N=30 %.3f\n", grid_seconds(&c, 30));
    printf("grid_seconds N=100 %.3f\n", grid_seconds(&c, 100));
    fflush(stdout);
    ps_config_free(&c);
    return 0;
}
