/* rankdist.c — the rank workspace and the null distributions of the
 * Mann-Whitney and signed-rank statistics; see rankdist.h.
 *
 * Exact laws are counted by dynamic programming with non-negative additions
 * only (no cancellation; counts up to C(98, 49) ~ 2.5e28 keep ~1e-15
 * relative precision in doubles).  Normal approximations follow R 4.2's
 * wilcox.test: z = (S - E[S] - sign(S - E[S]) / 2) / sigma with the
 * tie-corrected sigma, p = 2 min(Phi(z), 1 - Phi(z)).
 */
#include "rankdist.h"
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

ps_rank_ws *ps_rank_alloc(size_t nmax)
{
    if (nmax == 0 || nmax > ((size_t)-1) / (4 * sizeof(double)))
        return NULL;
    ps_rank_ws *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    ws->nmax = nmax;
    ws->emax = nmax < PS_RANK_EXACT_MAX ? nmax : PS_RANK_EXACT_MAX;
    ws->val = malloc(2 * nmax * sizeof *ws->val);
    ws->rank = malloc(2 * nmax * sizeof *ws->rank);
    ws->perm = malloc(2 * nmax * sizeof *ws->perm);
    ws->cnt = malloc((ws->emax + 1) * (ws->emax * ws->emax + 1) * sizeof *ws->cnt);
    ws->sr = malloc((ws->emax * (ws->emax + 1) / 2 + 1) * sizeof *ws->sr);
    if (!ws->val || !ws->rank || !ws->perm || !ws->cnt || !ws->sr) {
        ps_rank_free(ws);
        return NULL;
    }
    return ws;
}

void ps_rank_free(ps_rank_ws *ws)
{
    if (!ws)
        return;
    free(ws->val);
    free(ws->rank);
    free(ws->perm);
    free(ws->cnt);
    free(ws->sr);
    free(ws);
}

/* Counts of U = (rank sum of an m-subset of 1..m+n) - m(m+1)/2, m <= n,
 * returned as row m of ws->cnt (length m n + 1).  Row k after item j holds
 * the k-subsets of 1..j; adding item j to a (k-1)-subset raises U by j - k.
 * Rows with j - k > n can no longer grow into an m-subset and are skipped,
 * which also keeps every index below m n + 1. */
static const double *mw_counts(ps_rank_ws *ws, size_t m, size_t n)
{
    size_t len = m * n + 1;
    if (ws->cm == m && ws->cn == n)
        return ws->cnt + m * len;
    for (size_t i = 0; i < (m + 1) * len; i++)
        ws->cnt[i] = 0.0;
    ws->cnt[0] = 1.0;
    for (size_t j = 1; j <= m + n; j++) {
        size_t khi = j < m ? j : m, klo = j > n ? j - n : 1;
        for (size_t k = khi; k >= klo; k--) { /* descending: row k-1 is still "after j-1" */
            const double *src = ws->cnt + (k - 1) * len;
            double *dst = ws->cnt + k * len + (j - k);
            size_t umax = (k - 1) * (j - k); /* support of row k-1 after j-1 items */
            for (size_t u = 0; u <= umax; u++)
                dst[u] += src[u];
        }
    }
    ws->cm = m;
    ws->cn = n;
    return ws->cnt + m * len;
}

/* Counts of V = a sum of distinct elements of 1..n (length n(n+1)/2 + 1). */
static const double *sr_counts(ps_rank_ws *ws, size_t n)
{
    if (ws->csr == n)
        return ws->sr;
    size_t vmax = n * (n + 1) / 2;
    for (size_t v = 0; v <= vmax; v++)
        ws->sr[v] = 0.0;
    ws->sr[0] = 1.0;
    for (size_t j = 1; j <= n; j++)
        for (size_t v = j * (j + 1) / 2; v >= j; v--)
            ws->sr[v] += ws->sr[v - j];
    ws->csr = n;
    return ws->sr;
}

/* sum c[0..floor(q)] / total for counts c[0..smax]; 0 below, 1 above. */
static double lower_tail(const double *c, size_t smax, double q, double total)
{
    if (q < 0.0)
        return 0.0;
    if (q >= (double)smax)
        return 1.0;
    double s = 0.0;
    for (size_t u = 0, qi = (size_t)floor(q); u <= qi; u++)
        s += c[u];
    return s / total;
}

double ps_rank_pwilcox(ps_rank_ws *ws, double q, size_t m, size_t n)
{
    if (!ws || isnan(q) || m == 0 || n == 0 || m > ws->emax || n > ws->emax)
        return NAN;
    const double *c = m <= n ? mw_counts(ws, m, n) : mw_counts(ws, n, m); /* law symmetric in (m, n) */
    double total = 0.0;
    for (size_t u = 0; u <= m * n; u++)
        total += c[u];
    return lower_tail(c, m * n, q, total);
}

double ps_rank_psignrank(ps_rank_ws *ws, double q, size_t n)
{
    if (!ws || isnan(q) || n == 0 || n > ws->emax)
        return NAN;
    return lower_tail(sr_counts(ws, n), n * (n + 1) / 2, q, ldexp(1.0, (int)n));
}

/* Two-sided p with continuity correction; dev = S - E[S]. */
static double normal_p(double dev, double sigma)
{
    if (!(sigma > 0.0))
        return NAN;
    double corr = dev > 0.0 ? 0.5 : (dev < 0.0 ? -0.5 : 0.0);
    double z = (dev - corr) / sigma;
    double lo = gsl_cdf_ugaussian_P(z), hi = gsl_cdf_ugaussian_Q(z);
    return 2.0 * (lo < hi ? lo : hi);
}

double ps_rank_mw_normal_p(double W, size_t m, size_t n, double ties)
{
    double dm = (double)m, dn = (double)n, N = dm + dn;
    if (m == 0 || n == 0)
        return NAN;
    double sigma = sqrt((dm * dn / 12.0) * ((N + 1.0) - ties / (N * (N - 1.0))));
    return normal_p(W - dm * dn / 2.0, sigma);
}

double ps_rank_sr_normal_p(double V, size_t n, double ties)
{
    double dn = (double)n;
    if (n == 0)
        return NAN;
    return normal_p(V - dn * (dn + 1.0) / 4.0, sqrt(dn * (dn + 1.0) * (2.0 * dn + 1.0) / 24.0 - ties / 48.0));
}
