/* train.c — one run: init projection, epochs of forward/backward/Adam/projection,
 * final metrics.  See include/train.h. */
#include "train.h"
#include "adam.h"
#include "loss.h"
#include "metrics.h"
#include "model.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

ps_workspace *ps_workspace_alloc(int nmax)
{
    ps_workspace *ws = calloc(1, sizeof *ws);
    if (!ws || nmax < 1)
        goto fail;
    size_t nn = (size_t)nmax * nmax, n = (size_t)nmax;
    ws->nmax = nmax;
    ws->z = malloc(nn * sizeof(double));
    ws->a = malloc(nn * sizeof(double));
    ws->dA = malloc(nn * sizeof(double));
    ws->cost = malloc(nn * sizeof(double));
    ws->pair = malloc(nn * sizeof(double));
    ws->f = malloc(n * sizeof(double));
    ws->p = malloc(n * sizeof(double));
    ws->gp = malloc(n * sizeof(double));
    ws->gv = malloc(n * sizeof(double));
    ws->yhat = malloc(n * sizeof(double));
    ws->jstar = malloc(n * sizeof(int));
    ws->match = malloc(n * sizeof(int));
    ws->grad = malloc(3 * n * sizeof(double));
    ws->m = malloc(3 * n * sizeof(double));
    ws->v = malloc(3 * n * sizeof(double));
    ws->assign = ps_assign_alloc(nmax);
    if (!ws->z || !ws->a || !ws->dA || !ws->cost || !ws->pair || !ws->f || !ws->p || !ws->gp || !ws->gv ||
        !ws->yhat || !ws->jstar || !ws->match || !ws->grad || !ws->m || !ws->v || !ws->assign)
        goto fail;
    return ws;
fail:
    ps_workspace_free(ws);
    return NULL;
}

void ps_workspace_free(ps_workspace *ws)
{
    if (!ws)
        return;
    free(ws->z); free(ws->a); free(ws->dA); free(ws->cost); free(ws->pair);
    free(ws->f); free(ws->p); free(ws->gp); free(ws->gv); free(ws->yhat);
    free(ws->jstar); free(ws->match);
    free(ws->grad); free(ws->m); free(ws->v);
    ps_assign_free(ws->assign);
    free(ws);
}

ps_loss_ctx ps_train_forward(ps_workspace *ws, const ps_hparams *hp, const double *x,
                             const double *y, const double *theta)
{
    int N = hp->N;
    ps_model_forward(N, x, theta, ws->z, ws->a, ws->f);
    ps_model_prototypes(N, theta, ws->p);
    ps_loss_ctx c = {.N = N, .x = x, .y = y, .a = ws->a, .f = ws->f, .v = theta + 2 * N,
                     .p = ws->p, .tau = hp->tau, .jstar = ws->jstar, .pair_exp = ws->pair};
    return c;
}

double ps_train_loss_grad(ps_workspace *ws, const ps_hparams *hp, const double *x,
                          const double *y, const double *theta, double *grad,
                          double val[4])
{
    int N = hp->N;
    double coef[PS_NTERMS];
    ps_loss_coefs(hp->mask, hp->lambda, coef);
    ps_loss_ctx c = ps_train_forward(ws, hp, x, y, theta);
    double L = ps_loss_forward(&c, coef, 0, val);
    ps_loss_grad g = {.dA = ws->dA, .gv = ws->gv, .gp = ws->gp};
    ps_loss_backward(&c, coef, &g);
    ps_model_backward(N, x, theta, ws->z, ws->a, ws->dA, ws->gp, ws->gv, grad);
    return L;
}

static int all_finite(int n, const double *v)
{
    for (int k = 0; k < n; k++)
        if (!isfinite(v[k]))
            return 0;
    return 1;
}

int ps_train_run(ps_workspace *ws, const ps_hparams *hp, const double *x, const double *y,
                 const double *theta0, double *theta, ps_metrics *m)
{
    int N = hp->N, n = 3 * N;
    if (N < 1 || N > ws->nmax)
        return -1;
    memcpy(theta, theta0, (size_t)n * sizeof *theta);
    ps_adam_project(N, theta, hp->w_min);

    ps_adam opt;
    ps_adam_reset(&opt, n, hp->lr, hp->beta1, hp->beta2, hp->adam_eps, ws->m, ws->v);
    m->status = PS_RUN_OK;
    m->epochs_done = 0;
    for (int t = 0; t < hp->epochs; t++) {
        double val[4];
        double L = ps_train_loss_grad(ws, hp, x, y, theta, ws->grad, val);
        if (!isfinite(L) || !all_finite(n, ws->grad)) {
            m->status = PS_RUN_DIVERGED;
            break;
        }
        ps_adam_step(&opt, theta, ws->grad);
        ps_adam_project(N, theta, hp->w_min);
        m->epochs_done = t + 1;
        if (!all_finite(n, theta)) {
            m->status = PS_RUN_DIVERGED;
            break;
        }
    }
    if (m->status == PS_RUN_OK) {
        ps_metrics_compute(ws, hp, x, y, theta, m);
        if (!isfinite(m->L))
            m->status = PS_RUN_DIVERGED;
    }
    if (m->status != PS_RUN_OK)
        ps_metrics_set_nan(m);
    return 0;
}
