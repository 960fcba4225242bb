/* dataset.c — the constructive minimum-separation sampler; see include/dataset.h. */
#include "dataset.h"
#include <gsl/gsl_sort.h>

int ps_dataset_sample(gsl_rng *r, int N, double d, double *x, double *y)
{
    double span = 1.0 - (N - 1) * d;
    if (N < 1 || !(span > 0.0))
        return -1;
    for (int i = 0; i < N; i++)
        x[i] = span * gsl_rng_uniform(r);
    gsl_sort(x, 1, (size_t)N);
    /* Shifting the i-th order statistic by i*d turns sorted uniforms into a
     * uniform draw among configurations with gaps >= d. */
    for (int i = 0; i < N; i++)
        x[i] += i * d;
    for (int i = 0; i < N; i++)
        y[i] = gsl_rng_uniform(r);
    return 0;
}
