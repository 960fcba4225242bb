/* model.c — Gaussian MLP forward / backward over plain arrays; see include/model.h.
 *
 * Matrix-vector products go through PS_MATVEC (src/matvec.c), whichever of
 * plain loops / OpenBLAS won in `make bench` at the paper's sizes.
 */
#include "model.h"
#include <gsl/gsl_randist.h>
#include <math.h>

#ifndef PS_MATVEC
#define PS_MATVEC ps_matvec_plain
#endif

void ps_model_init_draw(gsl_rng *r, int N, double w_std, double b0, double v_std, double *theta)
{
    double *w = ps_w(theta, N), *b = ps_b(theta, N), *v = ps_v(theta, N);
    for (int j = 0; j < N; j++)
        w[j] = gsl_ran_gaussian(r, w_std);
    for (int j = 0; j < N; j++)
        v[j] = gsl_ran_gaussian(r, v_std);
    for (int j = 0; j < N; j++)
        b[j] = b0;
}

void ps_model_forward(int N, const double *x, const double *theta, double *z, double *a, double *f)
{
    const double *w = theta, *b = theta + N, *v = theta + 2 * N;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            double zij = w[j] * x[i] + b[j];
            z[i * N + j] = zij;
            a[i * N + j] = exp(-zij * zij);
        }
    }
    PS_MATVEC(N, 0, a, v, f);
}

void ps_model_prototypes(int N, const double *theta, double *p)
{
    for (int j = 0; j < N; j++)
        p[j] = -theta[N + j] / theta[j];
}

void ps_model_backward(int N, const double *x, const double *theta, const double *z,
                       const double *a, double *dA, const double *gp, const double *gv,
                       double *grad)
{
    const double *w = theta, *b = theta + N;
    double *gw = grad, *gb = grad + N, *gvo = grad + 2 * N;
    /* da/dz = -2 z a: dA becomes dL/dz in place. */
    for (int k = 0; k < N * N; k++)
        dA[k] *= -2.0 * z[k] * a[k];
    PS_MATVEC(N, 1, dA, x, gw);              /* dw_j = sum_i dz_ij x_i */
    for (int j = 0; j < N; j++)
        gb[j] = 0.0;
    for (int i = 0; i < N; i++)              /* db_j = sum_i dz_ij */
        for (int j = 0; j < N; j++)
            gb[j] += dA[i * N + j];
    for (int j = 0; j < N; j++) {            /* chain through p_j = -b_j / w_j */
        gb[j] += -gp[j] / w[j];
        gw[j] += gp[j] * b[j] / (w[j] * w[j]);
        gvo[j] = gv[j];
    }
}
