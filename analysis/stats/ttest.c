/* ttest.c — Welch two-sample and paired t-tests, two-sided (R's t.test).
 *
 * p = P(|T_df| >= |t|) is taken from the incomplete beta function, as R's pt
 * does: GSL's gsl_cdf_tdist_Q switches to a Cornish-Fisher expansion for
 * df > 30, which loses up to ~3e-10 relative in the tail; the beta route
 * stays within ~1e-14 of the exact value for the df protostat sees.
 *
 * R's "data are essentially constant" rule: NA when the standard error is
 * below 10 * DBL_EPSILON * (largest |mean|), or zero.
 */
#include "stats.h"
#include "error.h"
#include "stats_util.h"
#include <float.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

/* Two-sided p of t with df degrees of freedom (df > 0, t finite). */
static double t_two_sided(double t, double df)
{
    double t2 = t * t;
    if (t2 < df) /* upper tail of Beta(1/2, df/2) at t^2/(df+t^2): no cancellation */
        return gsl_cdf_beta_Q(t2 / (df + t2), 0.5, 0.5 * df);
    return gsl_cdf_beta_P(df / (df + t2), 0.5 * df, 0.5);
}

/* Common tail of both tests: t from the mean difference and its standard error. */
static int t_finish(double diff, double se, double scale, double dfv,
                    double *t, double *df, double *p)
{
    if (!(se > 0.0) || se < 10.0 * DBL_EPSILON * scale || !isfinite(se))
        return PS_EFAIL;
    double tv = diff / se;
    if (t) *t = tv;
    if (df) *df = dfv;
    if (p) *p = t_two_sided(tv, dfv);
    return 0;
}

int ps_stats_welch(const double *a, size_t na, const double *b, size_t nb,
                   double *t, double *df, double *p)
{
    ps_stats_set_na(t, df, p);
    if (!a || !b || na < 2 || nb < 2 || !ps_stats_all_finite(a, na) || !ps_stats_all_finite(b, nb))
        return PS_EFAIL;
    double ma = gsl_stats_mean(a, 1, na), mb = gsl_stats_mean(b, 1, nb);
    double sa = sqrt(gsl_stats_variance_m(a, 1, na, ma) / (double)na); /* SE of each mean */
    double sb = sqrt(gsl_stats_variance_m(b, 1, nb, mb) / (double)nb);
    double se = sqrt(sa * sa + sb * sb);
    double sa4 = sa * sa * sa * sa, sb4 = sb * sb * sb * sb;
    double dfv = (se * se * se * se) / (sa4 / (double)(na - 1) + sb4 / (double)(nb - 1));
    return t_finish(ma - mb, se, fmax(fabs(ma), fabs(mb)), dfv, t, df, p);
}

/* Mean and variance of d_i = a_i - b_i by two passes (the API gives no buffer
 * to store the differences in, so GSL's array functions cannot be used). */
static void diff_moments(const double *a, const double *b, size_t n, double *mean, double *var)
{
    double s = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++)
        s += a[i] - b[i];
    double m = s / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = (a[i] - b[i]) - m;
        ss += d * d;
    }
    *mean = m;
    *var = ss / (double)(n - 1);
}

int ps_stats_paired_t(const double *a, const double *b, size_t n,
                      double *t, double *df, double *p)
{
    ps_stats_set_na(t, df, p);
    if (!a || !b || n < 2 || !ps_stats_all_finite(a, n) || !ps_stats_all_finite(b, n))
        return PS_EFAIL;
    double m, v;
    diff_moments(a, b, n, &m, &v);
    return t_finish(m, sqrt(v / (double)n), fabs(m), (double)(n - 1), t, df, p);
}
