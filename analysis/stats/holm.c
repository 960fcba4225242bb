/* holm.c — Holm's step-down adjustment, R's p.adjust(p, "holm").
 *
 * With the m non-NaN p-values sorted ascending, p_(1) <= ... <= p_(m):
 * adj_(i) = min(1, max_{k <= i} (m - k + 1) p_(k)), returned in input order.
 * NaN entries stay NaN and are not counted in m.  The order among equal
 * p-values does not matter (the running max gives ties the same value), so
 * GSL's unstable heapsort index is fine.  adj may alias p: each entry is
 * read before it is written, in sorted order.
 */
#include "stats.h"
#include <gsl/gsl_sort_double.h>
#include <math.h>
#include <stdlib.h>

void ps_stats_holm(const double *p, size_t m, double *adj)
{
    if (m == 0)
        return;
    /* One block: the compacted non-NaN values, their positions, the sort order. */
    double *v = malloc(m * (sizeof(double) + 2 * sizeof(size_t)));
    if (!v) { /* cannot adjust: report every entry as NA rather than unadjusted */
        for (size_t i = 0; i < m; i++)
            adj[i] = NAN;
        return;
    }
    size_t *pos = (size_t *)(v + m), *ord = pos + m, k = 0;
    for (size_t i = 0; i < m; i++)
        if (!isnan(p[i])) {
            v[k] = p[i];
            pos[k++] = i;
        }
    gsl_sort_index(ord, v, 1, k);
    double run = 0.0;
    for (size_t i = 0; i < k; i++) {
        double x = (double)(k - i) * v[ord[i]];
        if (x > run)
            run = x;
        adj[pos[ord[i]]] = run < 1.0 ? run : 1.0;
    }
    for (size_t i = 0; i < m; i++) /* NaN positions (only they are left) */
        if (isnan(p[i]))
            adj[i] = NAN;
    free(v);
}
