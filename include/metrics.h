/* metrics.h — what a trained network reveals (SPEC.md section 5).
 *
 * All metrics are computed from the final parameters and the dataset:
 * E (exact assignment of (x_i, y_i) to (p_j, yhat_j = v_j)), rho (distinct
 * nearest prototypes / N, ties to the lowest j), frac_outside (p outside
 * [0, 1]), hull_dist / hull_sdist (distance outside [x_1, x_N], signed), and
 * the final losses.  Inputs x must be sorted (the sampler guarantees it).
 */
#ifndef PS_METRICS_H
#define PS_METRICS_H
#include "train.h"

/* Fill every field of m except status / epochs_done; uses ws buffers. */
void ps_metrics_compute(ps_workspace *ws, const ps_hparams *hp, const double *x,
                        const double *y, const double *theta, ps_metrics *m);

/* The geometric pieces, on plain arrays (for tests). */
double ps_metrics_rho(int N, const double *x, const double *p, int *scratch);
double ps_metrics_frac_outside(int N, const double *p);
void ps_metrics_hull(int N, const double *x, const double *p, double *dist, double *sdist);

/* Set every metric to NaN. */
void ps_metrics_set_nan(ps_metrics *m);

#endif
