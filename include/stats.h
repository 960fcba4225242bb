/* stats.h — the statistical tests of protostat (SPEC.md section 10).
 *
 * Pure functions over plain double arrays: no HDF5, no globals, thread-safe
 * (the only state lives in a caller-owned workspace).  Hand-written where no
 * Debian library has the algorithm (Shapiro-Wilk AS R94, exact Mann-Whitney and
 * Wilcoxon signed-rank distributions, Holm); GSL supplies CDFs and moments.
 * Semantics follow R 4.2 (shapiro.test, t.test(var.equal=FALSE), wilcox.test,
 * p.adjust("holm")); tests/test_stats.c checks each against quoted R output.
 *
 * Degenerate input never crashes and never returns a silent wrong number:
 * a function that cannot compute its result returns non-zero (PS_EFAIL, 1,
 * of error.h) and sets its outputs to NaN ("NA"); *exact is then 0.
 * Non-finite inputs (NaN, +-Inf) are the caller's job to drop (protostat
 * excludes diverged runs and counts them); these functions return NA on them
 * (R's wilcox.test would drop them silently).  No GSL error is raised on any
 * input, so the caller's GSL error handler never fires from here.
 */
#ifndef PS_STATS_H
#define PS_STATS_H
#include <stddef.h>

/* Shapiro-Wilk W and p (Royston 1995, AS R94).  NA (returns 1) when n < 3,
 * n > 5000, a value is not finite, or max - min < 1e-10 (R's absolute
 * threshold for "all 'x' values are identical").  Allocates n + n/2 doubles
 * per call (n <= 5000). */
int ps_stats_shapiro(const double *x, size_t n, double *W, double *p);

/* Welch two-sample t-test, two-sided.  NA when na < 2, nb < 2 or both
 * samples are constant (R: "data are essentially constant", i.e. the standard
 * error is 0 or below 10 DBL_EPSILON max(|mean_a|, |mean_b|)).  One constant
 * sample is fine (df = n - 1 of the other). */
int ps_stats_welch(const double *a, size_t na, const double *b, size_t nb,
                   double *t, double *df, double *p);

/* Paired t-test on a[i] - b[i], two-sided (df = n - 1).  NA when n < 2 or the
 * differences are constant (standard error 0 or below 10 DBL_EPSILON |mean|). */
int ps_stats_paired_t(const double *a, const double *b, size_t n,
                      double *t, double *df, double *p);

/* Workspace of the exact rank-sum / signed-rank distributions: allocated for
 * sample sizes up to nmax (no allocation while testing); one per thread.
 * About 1 MB for nmax >= 49 (the exact table of sizes 49 x 49) plus 40 nmax
 * bytes.  ps_rank_alloc returns NULL for nmax = 0 or out of memory. */
typedef struct ps_rank_ws ps_rank_ws;
ps_rank_ws *ps_rank_alloc(size_t nmax);
void ps_rank_free(ps_rank_ws *ws);

/* Mann-Whitney U (R's wilcox.test(a, b), two-sided, correct = TRUE).
 * W = R_a - na(na+1)/2 with average ranks.  Exact when na < 50, nb < 50 and
 * no ties; otherwise the normal approximation with tie-corrected variance and
 * continuity correction.  *exact (may be NULL) tells which.  NA when a sample
 * is empty, larger than the workspace, or all values (both samples) are equal. */
int ps_stats_mannwhitney(ps_rank_ws *ws, const double *a, size_t na,
                         const double *b, size_t nb, double *W, double *p, int *exact);

/* Wilcoxon signed-rank on a[i] - b[i] (R's wilcox.test(a, b, paired = TRUE)):
 * zero differences dropped; exact when n < 50 and no ties/zeros; else normal
 * approximation with tie correction and continuity correction.  V = sum of
 * positive ranks.  NA when no non-zero difference remains. */
int ps_stats_wilcoxon_signed(ps_rank_ws *ws, const double *a, const double *b, size_t n,
                             double *V, double *p, int *exact);

/* Holm step-down adjustment (R's p.adjust(p, "holm")) of m p-values into adj
 * (may alias p).  NaN p-values stay NaN and do not count in m (as in R).
 * Allocates O(m) scratch; if that fails every adj is NaN. */
void ps_stats_holm(const double *p, size_t m, double *adj);

/* Cohen's d with pooled SD: (mean_a - mean_b) / s_pooled.  NaN if a sample
 * is empty, na + nb < 3, a value is not finite or the pooled SD is 0. */
double ps_stats_cohen_d(const double *a, size_t na, const double *b, size_t nb);

#endif
