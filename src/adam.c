/* adam.c — Adam step and |w| projection; see include/adam.h. */
#include "adam.h"
#include <math.h>
#include <string.h>

void ps_adam_reset(ps_adam *s, int n, double lr, double beta1, double beta2, double eps,
                   double *m, double *v)
{
    s->lr = lr; s->beta1 = beta1; s->beta2 = beta2; s->eps = eps;
    s->t = 0; s->n = n; s->m = m; s->v = v;
    memset(m, 0, (size_t)n * sizeof *m);
    memset(v, 0, (size_t)n * sizeof *v);
}

void ps_adam_step(ps_adam *s, double *theta, const double *grad)
{
    s->t++;
    /* pow() rather than a running product: the same rounding as b1**t in the
     * float64 reference, so trajectories agree to the last bits. */
    double bc1 = 1.0 - pow(s->beta1, s->t);
    double bc2 = 1.0 - pow(s->beta2, s->t);
    for (int k = 0; k < s->n; k++) {
        double g = grad[k];
        s->m[k] = s->beta1 * s->m[k] + (1.0 - s->beta1) * g;
        s->v[k] = s->beta2 * s->v[k] + (1.0 - s->beta2) * g * g;
        theta[k] -= s->lr * (s->m[k] / bc1) / (sqrt(s->v[k] / bc2) + s->eps);
    }
}

void ps_adam_project(int N, double *w, double w_min)
{
    for (int j = 0; j < N; j++) {
        double a = fabs(w[j]);
        if (a < w_min)          /* false for NaN: NaN stays NaN and is caught */
            w[j] = (w[j] < 0.0) ? -w_min : w_min;   /* sign(0) = +1 */
    }
}
