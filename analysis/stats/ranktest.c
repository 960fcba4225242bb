/* ranktest.c — Mann-Whitney U and Wilcoxon signed-rank tests, two-sided,
 * with R 4.2's wilcox.test semantics (correct = TRUE, exact = NULL).
 *
 * Ranks are average ranks, ties by exact equality (as R's rank).  Exact
 * branch (sizes < 50, no ties, and for signed-rank no zero difference):
 * the laws are symmetric, so p = min(1, 2 P(S <= min(s, smax - s))) — the
 * smaller tail summed directly, never 1 - (something close to 1).  Else the
 * normal approximation of rankdist.c.  All state lives in the workspace.
 */
#include "rankdist.h"
#include "error.h"
#include "stats_util.h"
#include <gsl/gsl_sort_double.h>

/* Average ranks (1-based) of ws->val[0..n) into ws->rank[0..n); returns the
 * tie term sum(t^3 - t) over groups of t equal values (0: no ties). */
static double rank_average(ps_rank_ws *ws, size_t n)
{
    double ties = 0.0;
    gsl_sort_index(ws->perm, ws->val, 1, n);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && ws->val[ws->perm[j + 1]] == ws->val[ws->perm[i]])
            j++;
        double r = 0.5 * (double)(i + j + 2), t = (double)(j - i + 1);
        for (size_t k = i; k <= j; k++)
            ws->rank[ws->perm[k]] = r;
        ties += t * t * t - t;
        i = j + 1;
    }
    return ties;
}

int ps_stats_mannwhitney(ps_rank_ws *ws, const double *a, size_t na,
                         const double *b, size_t nb, double *W, double *p, int *exact)
{
    ps_stats_set_na(W, p, NULL);
    if (exact) *exact = 0;
    if (!ws || !a || !b || na == 0 || nb == 0 || na > ws->nmax || nb > ws->nmax ||
        !ps_stats_all_finite(a, na) || !ps_stats_all_finite(b, nb))
        return PS_EFAIL;
    for (size_t i = 0; i < na; i++) ws->val[i] = a[i];
    for (size_t i = 0; i < nb; i++) ws->val[na + i] = b[i];
    double ties = rank_average(ws, na + nb), ra = 0.0;
    for (size_t i = 0; i < na; i++)
        ra += ws->rank[i];
    double w = ra - (double)na * ((double)na + 1.0) / 2.0, mn = (double)na * (double)nb, pv;
    int ex = na <= ws->emax && nb <= ws->emax && ties == 0.0;
    if (ex)
        pv = fmin(1.0, 2.0 * ps_rank_pwilcox(ws, fmin(w, mn - w), na, nb));
    else
        pv = ps_rank_mw_normal_p(w, na, nb, ties);
    if (isnan(pv))
        return PS_EFAIL; /* every value equal: no variance */
    if (W) *W = w;
    if (p) *p = pv;
    if (exact) *exact = ex;
    return 0;
}

int ps_stats_wilcoxon_signed(ps_rank_ws *ws, const double *a, const double *b, size_t n,
                             double *V, double *p, int *exact)
{
    ps_stats_set_na(V, p, NULL);
    if (exact) *exact = 0;
    if (!ws || !a || !b || n == 0 || n > ws->nmax ||
        !ps_stats_all_finite(a, n) || !ps_stats_all_finite(b, n))
        return PS_EFAIL;
    /* val[0..k) = |d| of the non-zero differences; their signs go to the
     * second half of rank[], which rank_average (k <= nmax) never touches. */
    size_t k = 0;
    double *sign = ws->rank + ws->nmax;
    for (size_t i = 0; i < n; i++) {
        double d = a[i] - b[i];
        if (d == 0.0)
            continue;
        ws->val[k] = fabs(d);
        sign[k++] = d > 0.0 ? 1.0 : -1.0;
    }
    if (k == 0)
        return PS_EFAIL;
    double ties = rank_average(ws, k), v = 0.0, vmax = (double)k * ((double)k + 1.0) / 2.0, pv;
    for (size_t i = 0; i < k; i++)
        if (sign[i] > 0.0)
            v += ws->rank[i];
    int ex = k <= ws->emax && ties == 0.0 && k == n;
    if (ex)
        pv = fmin(1.0, 2.0 * ps_rank_psignrank(ws, fmin(v, vmax - v), k));
    else
        pv = ps_rank_sr_normal_p(v, k, ties);
    if (V) *V = v;
    if (p) *p = pv;
    if (exact) *exact = ex;
    return 0;
}
