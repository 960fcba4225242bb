/* loss.c — the four loss terms and their gradients; see include/loss.h.
 * Shapes: a[i*N + j] (input i, unit j); dA likewise; p, gp, v, gv: N. */
#include "loss.h"
#include <math.h>
#include <string.h>

static double npairs(int N) { return 0.5 * N * (N - 1); }

/* L_fit = (1/N) sum_i (f_i - y_i)^2 */
static double fit_forward(ps_loss_ctx *c)
{
    double s = 0.0;
    for (int i = 0; i < c->N; i++) {
        double r = c->f[i] - c->y[i];
        s += r * r;
    }
    return s / c->N;
}

/* dL/da_ij = (2/N) r_i v_j;  dL/dv_j = (2/N) sum_i r_i a_ij */
static void fit_backward(const ps_loss_ctx *c, double coef, ps_loss_grad *g)
{
    int N = c->N;
    for (int i = 0; i < N; i++) {
        double ri = coef * 2.0 / N * (c->f[i] - c->y[i]);
        for (int j = 0; j < N; j++) {
            g->dA[i * N + j] += ri * c->v[j];
            g->gv[j] += ri * c->a[i * N + j];
        }
    }
}

/* L_ovl = (1/P) sum_i ((sum_j a_ij)^2 - sum_j a_ij^2) / 2 */
static double ovl_forward(ps_loss_ctx *c)
{
    int N = c->N;
    if (N < 2)
        return 0.0;
    double s = 0.0;
    for (int i = 0; i < N; i++) {
        double S = 0.0, Q = 0.0;
        for (int j = 0; j < N; j++) {
            double aij = c->a[i * N + j];
            S += aij;
            Q += aij * aij;
        }
        s += 0.5 * (S * S - Q);
    }
    return s / npairs(N);
}

/* dL/da_ij = (1/P) (S_i - a_ij) */
static void ovl_backward(const ps_loss_ctx *c, double coef, ps_loss_grad *g)
{
    int N = c->N;
    if (N < 2)
        return;
    double k = coef / npairs(N);
    for (int i = 0; i < N; i++) {
        double S = 0.0;
        for (int j = 0; j < N; j++)
            S += c->a[i * N + j];
        for (int j = 0; j < N; j++)
            g->dA[i * N + j] += k * (S - c->a[i * N + j]);
    }
}

/* L_cov = (1/N) sum_i min_j (x_i - p_j)^2; records j*(i), ties to the lowest j. */
static double cov_forward(ps_loss_ctx *c)
{
    double s = 0.0;
    for (int i = 0; i < c->N; i++) {
        int best = 0;
        double dbest = (c->x[i] - c->p[0]) * (c->x[i] - c->p[0]);
        for (int j = 1; j < c->N; j++) {
            double d = (c->x[i] - c->p[j]) * (c->x[i] - c->p[j]);
            if (d < dbest) {
                dbest = d;
                best = j;
            }
        }
        c->jstar[i] = best;
        s += dbest;
    }
    return s / c->N;
}

/* dL/dp_j = (1/N) sum_{i: j*(i) = j} 2 (p_j - x_i) */
static void cov_backward(const ps_loss_ctx *c, double coef, ps_loss_grad *g)
{
    for (int i = 0; i < c->N; i++) {
        int j = c->jstar[i];
        g->gp[j] += coef / c->N * 2.0 * (c->p[j] - c->x[i]);
    }
}

/* L_sep = (1/P) sum_{j<k} exp(-(p_j - p_k)^2 / tau); caches each pair's exp. */
static double sep_forward(ps_loss_ctx *c)
{
    int N = c->N;
    if (N < 2)
        return 0.0;
    double s = 0.0;
    for (int j = 0; j < N; j++)
        for (int k = j + 1; k < N; k++) {
            double d = c->p[j] - c->p[k];
            double e = exp(-d * d / c->tau);
            c->pair_exp[j * N + k] = e;
            s += e;
        }
    return s / npairs(N);
}

/* dL/dp_j = (1/P) sum_{k != j} (-2 (p_j - p_k) / tau) exp(-(p_j - p_k)^2 / tau) */
static void sep_backward(const ps_loss_ctx *c, double coef, ps_loss_grad *g)
{
    int N = c->N;
    if (N < 2)
        return;
    double k0 = coef / npairs(N);
    for (int j = 0; j < N; j++)
        for (int k = j + 1; k < N; k++) {
            double d = c->p[j] - c->p[k];
            double t = k0 * (-2.0 * d / c->tau) * c->pair_exp[j * N + k];
            g->gp[j] += t;
            g->gp[k] -= t;
        }
}

const ps_loss_term ps_loss_terms[PS_NTERMS] = {
    [PS_TERM_FIT] = {"fit", fit_forward, fit_backward},
    [PS_TERM_OVL] = {"overlap", ovl_forward, ovl_backward},
    [PS_TERM_COV] = {"coverage", cov_forward, cov_backward},
    [PS_TERM_SEP] = {"separation", sep_forward, sep_backward},
};

void ps_loss_coefs(uint8_t mask, double lambda, double coef[PS_NTERMS])
{
    coef[PS_TERM_FIT] = 1.0;
    coef[PS_TERM_OVL] = (mask & 4) ? lambda : 0.0;
    coef[PS_TERM_COV] = (mask & 2) ? lambda : 0.0;
    coef[PS_TERM_SEP] = (mask & 1) ? lambda : 0.0;
}

double ps_loss_forward(ps_loss_ctx *c, const double coef[PS_NTERMS], int all_terms,
                       double val[PS_NTERMS])
{
    double L = 0.0;
    for (int t = 0; t < PS_NTERMS; t++) {
        val[t] = 0.0;
        if (coef[t] != 0.0 || all_terms)
            val[t] = ps_loss_terms[t].forward(c);
        if (coef[t] != 0.0)
            L += coef[t] * val[t];
    }
    return L;
}

void ps_loss_backward(const ps_loss_ctx *c, const double coef[PS_NTERMS], ps_loss_grad *g)
{
    int N = c->N;
    memset(g->dA, 0, (size_t)N * N * sizeof *g->dA);
    memset(g->gv, 0, (size_t)N * sizeof *g->gv);
    memset(g->gp, 0, (size_t)N * sizeof *g->gp);
    for (int t = 0; t < PS_NTERMS; t++)
        if (coef[t] != 0.0)
            ps_loss_terms[t].backward(c, coef[t], g);
}
