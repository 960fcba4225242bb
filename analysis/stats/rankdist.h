/* rankdist.h — null distributions of the rank statistics (private to
 * analysis/stats/ and its tests; protostat uses only include/stats.h).
 *
 * The workspace (struct ps_rank_ws of include/stats.h) owns the ranking
 * buffers and the exact count tables; the last table built is kept, so
 * repeated tests with the same sample sizes do not rebuild it.
 */
#ifndef PS_RANKDIST_H
#define PS_RANKDIST_H
#include "stats.h"
#include <stddef.h>

#define PS_RANK_EXACT_MAX 49 /* R: exact only when every sample size is < 50 */

struct ps_rank_ws {
    size_t nmax;   /* largest sample size accepted */
    double *val;   /* [2 nmax] values to rank */
    double *rank;  /* [2 nmax] their average ranks, in input order */
    size_t *perm;  /* [2 nmax] sort permutation */
    size_t emax;   /* min(nmax, PS_RANK_EXACT_MAX): largest size of an exact table */
    double *cnt;   /* rank-sum counts: rows k = 0..m of length m n + 1 */
    size_t cm, cn; /* sizes (m <= n) the rank-sum table holds; 0 = none */
    double *sr;    /* signed-rank counts, length emax (emax + 1) / 2 + 1 */
    size_t csr;    /* n the signed-rank table holds; 0 = none */
};

/* P(U <= q) for U the Mann-Whitney statistic of samples of sizes m and n
 * under H0 (R's pwilcox(q, m, n)).  NaN when m or n is 0 or above ws->emax. */
double ps_rank_pwilcox(ps_rank_ws *ws, double q, size_t m, size_t n);

/* P(V <= q) for V the signed-rank statistic of n non-zero differences
 * (R's psignrank(q, n)).  NaN when n is 0 or above ws->emax. */
double ps_rank_psignrank(ps_rank_ws *ws, double q, size_t n);

/* Two-sided normal-approximation p of the Mann-Whitney W with continuity
 * correction and tie term ties = sum(t^3 - t) (R's wilcox.test(exact = FALSE)).
 * NaN when the variance is 0 (every value equal). */
double ps_rank_mw_normal_p(double W, size_t m, size_t n, double ties);

/* The same for the signed-rank V of n non-zero differences. */
double ps_rank_sr_normal_p(double V, size_t n, double ties);

#endif
