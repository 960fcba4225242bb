/* metrics.c — E, rho, prototype placement and final losses; see include/metrics.h. */
#include "metrics.h"
#include "loss.h"
#include <math.h>

/* Nearest prototype of x_i by |x_i - p_j|, ties to the lowest j. */
static int nearest(int N, double xi, const double *p)
{
    int best = 0;
    double dbest = fabs(xi - p[0]);
    for (int j = 1; j < N; j++) {
        double d = fabs(xi - p[j]);
        if (d < dbest) {
            dbest = d;
            best = j;
        }
    }
    return best;
}

double ps_metrics_rho(int N, const double *x, const double *p, int *scratch)
{
    for (int j = 0; j < N; j++)
        scratch[j] = 0;
    int used = 0;
    for (int i = 0; i < N; i++) {
        int j = nearest(N, x[i], p);
        used += !scratch[j];
        scratch[j] = 1;
    }
    return (double)used / N;
}

double ps_metrics_frac_outside(int N, const double *p)
{
    int out = 0;
    for (int j = 0; j < N; j++)
        out += (p[j] < 0.0 || p[j] > 1.0);
    return (double)out / N;
}

void ps_metrics_hull(int N, const double *x, const double *p, double *dist, double *sdist)
{
    double lo = x[0], hi = x[N - 1], d = 0.0, sd = 0.0;
    for (int j = 0; j < N; j++) {
        double o;
        if (p[j] < lo)
            o = lo - p[j];
        else if (p[j] > hi)
            o = p[j] - hi;
        else
            o = -fmin(p[j] - lo, hi - p[j]);
        d += fmax(o, 0.0);
        sd += o;
    }
    *dist = d / N;
    *sdist = sd / N;
}

static double reconstruction_error(ps_workspace *ws, int N, const double *x, const double *y)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double dx = x[i] - ws->p[j], dy = y[i] - ws->yhat[j];
            ws->cost[i * N + j] = sqrt(dx * dx + dy * dy);
        }
    return ps_assign_solve(ws->assign, N, ws->cost, ws->match) / N;
}

void ps_metrics_compute(ps_workspace *ws, const ps_hparams *hp, const double *x,
                        const double *y, const double *theta, ps_metrics *m)
{
    int N = hp->N;
    double coef[PS_NTERMS], val[PS_NTERMS];
    ps_loss_coefs(hp->mask, hp->lambda, coef);
    ps_loss_ctx c = ps_train_forward(ws, hp, x, y, theta);
    m->L = ps_loss_forward(&c, coef, 1, val);
    m->L_fit = val[PS_TERM_FIT];
    m->L_ovl = val[PS_TERM_OVL];
    m->L_cov = val[PS_TERM_COV];
    m->L_sep = val[PS_TERM_SEP];
    for (int j = 0; j < N; j++)
        ws->yhat[j] = theta[2 * N + j];     /* yhat_j = v_j [cal] */
    m->E = reconstruction_error(ws, N, x, y);
    m->rho = ps_metrics_rho(N, x, ws->p, ws->jstar);
    m->frac_outside = ps_metrics_frac_outside(N, ws->p);
    ps_metrics_hull(N, x, ws->p, &m->hull_dist, &m->hull_sdist);
}

void ps_metrics_set_nan(ps_metrics *m)
{
    m->E = m->rho = m->frac_outside = m->hull_dist = m->hull_sdist = NAN;
    m->L_fit = m->L_ovl = m->L_cov = m->L_sep = m->L = NAN;
}
