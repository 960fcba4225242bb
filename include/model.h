/* model.h — the one-hidden-layer Gaussian MLP (SPEC.md section 2).
 *
 * Parameters live in one array theta of length 3N: w = theta[0..N), b =
 * theta[N..2N), v = theta[2N..3N), so the optimiser sees plain arrays.
 * Shapes: x[N] inputs; z[N*N], a[N*N] row-major by input: z[i*N + j] =
 * w_j x_i + b_j, a[i*N + j] = exp(-z^2); f[N] = A v.
 *
 * The backward pass takes the loss's gradient with respect to the activations
 * (dA, N*N), to the prototypes p_j = -b_j / w_j (gp, N) and to v (gv, N), and
 * returns dL/dtheta; the loss terms never see w or b (see loss.h).
 */
#ifndef PS_MODEL_H
#define PS_MODEL_H
#include <gsl/gsl_rng.h>

static inline double *ps_w(double *theta, int N) { (void)N; return theta; }
static inline double *ps_b(double *theta, int N) { return theta + N; }
static inline double *ps_v(double *theta, int N) { return theta + 2 * N; }

/* Raw initial draw (SPEC.md section 4): w ~ N(0, w_std^2), b = b0, v ~ N(0, v_std^2);
 * w first, then v.  The trainer projects w afterwards. */
void ps_model_init_draw(gsl_rng *r, int N, double w_std, double b0, double v_std, double *theta);

/* z, a (N*N) and f (N) at theta. */
void ps_model_forward(int N, const double *x, const double *theta, double *z, double *a, double *f);

/* p_j = -b_j / w_j. */
void ps_model_prototypes(int N, const double *theta, double *p);

/* grad (3N) = dL/dtheta from dA (N*N, overwritten with dL/dz), gp (N), gv (N). */
void ps_model_backward(int N, const double *x, const double *theta, const double *z,
                       const double *a, double *dA, const double *gp, const double *gv,
                       double *grad);

/* y = M u or y = M^T u for a row-major n x n matrix: plain loops and CBLAS
 * variants, both kept so that `make bench` can compare them side by side. */
void ps_matvec_plain(int n, int trans, const double *M, const double *u, double *y);
void ps_matvec_blas(int n, int trans, const double *M, const double *u, double *y);

#endif
