/* effect.c — Cohen's d with the pooled standard deviation (SPEC.md section 10):
 * d = (mean_a - mean_b) / sqrt(((na-1) s_a^2 + (nb-1) s_b^2) / (na + nb - 2)).
 * A sample of size 1 contributes no variance term (its (n-1) s^2 is 0).
 */
#include "stats.h"
#include "stats_util.h"
#include <gsl/gsl_statistics_double.h>

/* (n - 1) s^2 of x, 0 for n = 1. */
static double sum_sq_dev(const double *x, size_t n, double mean)
{
    return n < 2 ? 0.0 : (double)(n - 1) * gsl_stats_variance_m(x, 1, n, mean);
}

double ps_stats_cohen_d(const double *a, size_t na, const double *b, size_t nb)
{
    if (!a || !b || na == 0 || nb == 0 || na + nb < 3 ||
        !ps_stats_all_finite(a, na) || !ps_stats_all_finite(b, nb))
        return NAN;
    double ma = gsl_stats_mean(a, 1, na), mb = gsl_stats_mean(b, 1, nb);
    double pooled = sqrt((sum_sq_dev(a, na, ma) + sum_sq_dev(b, nb, mb)) / (double)(na + nb - 2));
    if (!(pooled > 0.0))
        return NAN;
    return (ma - mb) / pooled;
}
