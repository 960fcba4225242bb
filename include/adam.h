/* adam.h — full-batch Adam with PyTorch's bias correction, and the |w| projection
 * (SPEC.md section 4).
 *
 * theta -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), elementwise over
 * plain arrays; the moment arrays belong to the caller's workspace.
 */
#ifndef PS_ADAM_H
#define PS_ADAM_H

typedef struct {
    double lr, beta1, beta2, eps;
    int t;          /* steps taken */
    int n;          /* parameter count */
    double *m, *v;  /* n each, caller-owned */
} ps_adam;

/* Zero the moments and the step count. */
void ps_adam_reset(ps_adam *s, int n, double lr, double beta1, double beta2, double eps,
                   double *m, double *v);
void ps_adam_step(ps_adam *s, double *theta, const double *grad);

/* w_j <- sign(w_j) max(|w_j|, w_min), sign(0) = +1.  NaN stays NaN. */
void ps_adam_project(int N, double *w, double w_min);

#endif
