/* shapiro.c — Shapiro-Wilk W and its p-value (Royston 1995, Applied
 * Statistics algorithm AS R94; Royston 1992, Statistics and Computing 2:117).
 *
 * Written from the published algorithm: the coefficients a_i come from the
 * approximate expected normal order statistics m_i = Phi^-1((i - 3/8)/(n + 1/4)),
 * with Royston's polynomial in u = 1/sqrt(n) for the largest one (n > 5: the
 * largest two) and the rest rescaled so that sum a_i^2 = 1; a is antisymmetric
 * (a_i = -a_{n+1-i}).  The p-value is exact for n = 3 and otherwise a normal
 * upper tail of a transform of 1 - W whose mean and SD are polynomials in n
 * (n <= 11) or log(n) (n >= 12).
 *
 * R's rules: valid for 3 <= n <= 5000; a range below 1e-10 means "all 'x'
 * values are identical" (NA).  The sample is centred on its median and scaled
 * by its range first; W is invariant to that and it avoids precision loss.
 */
#include "stats.h"
#include "error.h"
#include "stats_util.h"
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_sort.h>
#include <stdlib.h>

/* Royston's polynomial coefficients (constant term first). */
static const double C_AN[6]  = {0.0, 0.221157, -0.147981, -2.071190, 4.434685, -2.706056};
static const double C_AN1[6] = {0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633};
/* 4 <= n <= 11: polynomials in n of gamma, mu and log(sigma). */
static const double C_GAMMA[2]    = {-2.273, 0.459};
static const double C_MU_SMALL[4] = {0.544, -0.39978, 0.025054, -6.714e-4};
static const double C_LS_SMALL[4] = {1.3822, -0.77857, 0.062767, -2.0322e-3};
/* n >= 12: polynomials in log(n) of mu and log(sigma). */
static const double C_MU_LARGE[4] = {-1.5861, -0.31082, -0.083751, 0.0038915};
static const double C_LS_LARGE[3] = {-0.4803, -0.082676, 0.0030302};

static double poly(const double *c, int nc, double x)
{
    double r = c[nc - 1];
    for (int i = nc - 2; i >= 0; i--)
        r = r * x + c[i];
    return r;
}

/* The upper half of the coefficients: a[j] = a_{n-j} (1-based a), j < n/2,
 * so a[0] is the largest.  The lower half is -a by antisymmetry. */
static void sw_coefficients(size_t n, double *a)
{
    size_t h = n / 2;
    if (n == 3) {
        a[0] = sqrt(0.5);
        return;
    }
    double mm = 0.0; /* m'm, using the symmetry m_i = -m_{n+1-i} */
    for (size_t j = 0; j < h; j++) {
        a[j] = -gsl_cdf_ugaussian_Pinv(((double)(j + 1) - 0.375) / ((double)n + 0.25));
        mm += 2.0 * a[j] * a[j];
    }
    double u = 1.0 / sqrt((double)n), rs = sqrt(mm);
    double m0 = a[0], m1 = a[1];
    a[0] = m0 / rs + poly(C_AN, 6, u);
    size_t first = 1;
    double phi;
    if (n > 5) {
        a[1] = m1 / rs + poly(C_AN1, 6, u);
        phi = (mm - 2.0 * m0 * m0 - 2.0 * m1 * m1) / (1.0 - 2.0 * a[0] * a[0] - 2.0 * a[1] * a[1]);
        first = 2;
    } else {
        phi = (mm - 2.0 * m0 * m0) / (1.0 - 2.0 * a[0] * a[0]);
    }
    double rphi = sqrt(phi);
    for (size_t j = first; j < h; j++)
        a[j] /= rphi;
}

/* W of the sorted, centred sample x with upper-half coefficients a. */
static double sw_statistic(const double *x, size_t n, const double *a)
{
    double mean = 0.0, ss = 0.0, num = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += x[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    /* Pairwise differences of order statistics are >= 0: no cancellation. */
    for (size_t j = 0; j < n / 2; j++)
        num += a[j] * (x[n - 1 - j] - x[j]);
    double W = num * num / ss;
    return W > 1.0 ? 1.0 : W; /* sum a^2 = 1 bounds W by 1 up to rounding */
}

static double sw_pvalue(double W, size_t n)
{
    double dn = (double)n;
    if (n == 3) {
        double p = (6.0 / M_PI) * (asin(sqrt(W)) - asin(sqrt(0.75)));
        return p < 0.0 ? 0.0 : p;
    }
    if (W >= 1.0)
        return 1.0;
    double y = log(1.0 - W), mu, sigma;
    if (n <= 11) {
        double gamma = poly(C_GAMMA, 2, dn);
        if (y >= gamma) /* unreachable for attainable W; R reports p = 1e-99 */
            return 1e-99;
        y = -log(gamma - y);
        mu = poly(C_MU_SMALL, 4, dn);
        sigma = exp(poly(C_LS_SMALL, 4, dn));
    } else {
        double ln = log(dn);
        mu = poly(C_MU_LARGE, 4, ln);
        sigma = exp(poly(C_LS_LARGE, 3, ln));
    }
    return gsl_cdf_ugaussian_Q((y - mu) / sigma);
}

int ps_stats_shapiro(const double *x, size_t n, double *W, double *p)
{
    ps_stats_set_na(W, p, NULL);
    if (!x || n < 3 || n > 5000 || !ps_stats_all_finite(x, n))
        return PS_EFAIL;
    double *buf = malloc((n + n / 2) * sizeof *buf); /* sorted sample + half of a */
    if (!buf)
        return PS_EFAIL;
    double *xs = buf, *a = buf + n;
    for (size_t i = 0; i < n; i++)
        xs[i] = x[i];
    gsl_sort(xs, 1, n);
    double range = xs[n - 1] - xs[0];
    if (range < 1e-10) {
        free(buf);
        return PS_EFAIL;
    }
    double med = (n % 2) ? xs[n / 2] : 0.5 * (xs[n / 2 - 1] + xs[n / 2]);
    for (size_t i = 0; i < n; i++)
        xs[i] = (xs[i] - med) / range;
    sw_coefficients(n, a);
    double w = sw_statistic(xs, n, a);
    free(buf);
    if (W) *W = w;
    if (p) *p = sw_pvalue(w, n);
    return 0;
}
