/* stats_util.h — helpers shared by the files of analysis/stats/ (private to them).
 *
 * Kept as static inline functions so that every statistics file decides the
 * "NA" cases the same way: a sample with a non-finite value is never tested.
 */
#ifndef PS_STATS_UTIL_H
#define PS_STATS_UTIL_H
#include <math.h>
#include <stddef.h>

/* 1 when x[0..n) are all finite (no NaN, no +-Inf). */
static inline int ps_stats_all_finite(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

/* Set up to three outputs (any may be NULL) to NaN: the "NA" result. */
static inline void ps_stats_set_na(double *a, double *b, double *c)
{
    if (a) *a = NAN;
    if (b) *b = NAN;
    if (c) *c = NAN;
}

#endif
