/* dataset.h — the constructive minimum-separation sampler (SPEC.md section 1).
 *
 * u_1..u_N ~ U[0, 1-(N-1)d], sorted, x_i = u_(i) + (i-1) d; y_i ~ U[0, 1].
 * Invariants of the output: x strictly increasing, x_{i+1} - x_i >= d (up to
 * one rounding), x inside [0, 1].  Requires 1 - (N-1) d > 0 (the config
 * rejects the rest).
 */
#ifndef PS_DATASET_H
#define PS_DATASET_H
#include <gsl/gsl_rng.h>

/* Draw x (sorted) then y, N values each, from r.  Returns -1 if infeasible. */
int ps_dataset_sample(gsl_rng *r, int N, double d, double *x, double *y);

#endif
