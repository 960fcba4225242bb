/* train.h — one run, from raw initial parameters to final parameters and metrics.
 *
 * Reads top to bottom like llm.c's training loop: project the initial w; for
 * each epoch forward, loss, backward, Adam step, projection.  Every buffer lives
 * in a ps_workspace allocated once per thread for the largest N of the sweep:
 * no allocation inside the epoch loop.  Knows nothing of HDF5 or argv.
 *
 * Divergence: when the loss or a parameter becomes non-finite the run stops
 * with status PS_RUN_DIVERGED and every metric NaN (the sweep goes on).
 */
#ifndef PS_TRAIN_H
#define PS_TRAIN_H
#include <stdint.h>
#include "assign.h"
#include "loss.h"

enum { PS_RUN_OK = 0, PS_RUN_DIVERGED = 1 };

typedef struct {
    int N;
    uint8_t mask;
    double lambda, tau, lr;
    int epochs;
    double beta1, beta2, adam_eps, w_min;
} ps_hparams;

typedef struct {
    double E, rho, frac_outside, hull_dist, hull_sdist;
    double L_fit, L_ovl, L_cov, L_sep, L;
    int status;
    int epochs_done;
} ps_metrics;

typedef struct {
    int nmax;
    double *z, *a, *dA, *cost, *pair; /* nmax*nmax */
    double *f, *p, *gp, *gv, *yhat;   /* nmax */
    int *jstar, *match;               /* nmax */
    double *grad, *m, *v;             /* 3*nmax */
    ps_assign_ws *assign;
} ps_workspace;

ps_workspace *ps_workspace_alloc(int nmax);
void ps_workspace_free(ps_workspace *ws);

/* Train one run.  theta0: raw initial parameters (3N); theta: final (3N, out).
 * Fills m (metrics on the final parameters, or NaN if diverged).  Returns 0,
 * or -1 when hp->N exceeds the workspace. */
int ps_train_run(ps_workspace *ws, const ps_hparams *hp, const double *x, const double *y,
                 const double *theta0, double *theta, ps_metrics *m);

/* Model forward and prototypes at theta into ws; returns the loss context over
 * them (shared by the training step and the final metrics). */
ps_loss_ctx ps_train_forward(ps_workspace *ws, const ps_hparams *hp, const double *x,
                             const double *y, const double *theta);

/* Total loss and gradient at theta (no projection): the function the trainer
 * descends, exposed for the gradient tests.  val: the four unweighted terms. */
double ps_train_loss_grad(ps_workspace *ws, const ps_hparams *hp, const double *x,
                          const double *y, const double *theta, double *grad,
                          double val[4]);

#endif
