/* signif.h — the pairwise significance procedure of SPEC.md section 10.
 *
 * For one group and one metric: for every pair of the masks present, choose
 * the test by Shapiro-Wilk on each sample (both p > alpha: Welch; otherwise,
 * including Shapiro-Wilk NA for n < 3, n > 5000 or a constant sample:
 * Mann-Whitney), then Holm-correct the pairs of the group together.
 * With paired = 1 (beyond the paper) the samples are matched by
 * (dataset, init) and the test is chosen by Shapiro-Wilk on the differences:
 * paired t if p > alpha, else Wilcoxon signed-rank.
 *
 * Defined degenerate results: a test that cannot be computed (a sample with
 * fewer usable runs than the test needs, both samples constant and equal,
 * all differences zero) gives test PS_TEST_NA, p = p_holm = NaN, sig = -1
 * (printed "NA"), and does not count in the Holm family (as in R).
 * Invariants: the matrix is symmetric, the diagonal is "=", p and p_holm are
 * NaN or in [0, 1], p_holm >= p and Holm is monotone in p.
 */
#ifndef PS_SIGNIF_H
#define PS_SIGNIF_H
#include "runset.h"

typedef enum {
    PS_TEST_NA, PS_TEST_WELCH, PS_TEST_MANNWHITNEY, PS_TEST_PAIRED_T, PS_TEST_WILCOXON
} ps_test_kind;
const char *ps_test_name(ps_test_kind k); /* "welch", "mannwhitney", "paired_t", "wilcoxon", "NA" */

typedef struct {
    unsigned ma, mb;       /* masks, ma < mb */
    size_t na, nb;         /* usable sample sizes (paired: both = number of pairs) */
    double mean_a, mean_b;
    double sw_pa, sw_pb;   /* Shapiro-Wilk p of each sample (paired: of the differences, in sw_pa) */
    ps_test_kind test;
    int exact;             /* rank tests: 1 exact distribution, 0 normal approximation; -1 otherwise */
    double stat, df, p, p_holm; /* stat: t, W (Mann-Whitney) or V (signed-rank); df NaN unless t */
    int sig;               /* 1 "+", 0 "-", -1 NA */
} ps_pair_test;

#define PS_NPAIR_MAX (PS_NMASK * (PS_NMASK - 1) / 2)
typedef struct {
    unsigned masks;                 /* bit m: mask m is in the matrix */
    size_t npair;
    ps_pair_test pair[PS_NPAIR_MAX];
    ps_excluded ex[PS_NMASK];       /* runs left out per mask (unpaired count) */
} ps_signif;

/* Sample buffers and the rank workspace, for samples up to nmax. */
typedef struct ps_signif_ws ps_signif_ws;
ps_signif_ws *ps_signif_alloc(size_t nmax);
void ps_signif_free(ps_signif_ws *ws);

/* One pair from plain arrays (finite values; na, nb <= nmax).  Fills every
 * field of out but ma, mb and p_holm (= p). */
void ps_signif_pair(ps_signif_ws *ws, const double *a, size_t na, const double *b, size_t nb,
                    double alpha, ps_pair_test *out);
void ps_signif_pair_paired(ps_signif_ws *ws, const double *a, const double *b, size_t n,
                           double alpha, ps_pair_test *out);

/* Every pair of group g for metric m, Holm-corrected.  PS_EINPUT if a mask has
 * more runs than the workspace holds. */
int ps_signif_group(ps_signif_ws *ws, const ps_runset *rs, const ps_group *g, int m,
                    double alpha, int paired, ps_signif *out, ps_error *err);

/* '=' for a == b, '+' / '-' by Holm p, '?' when NA or a mask is absent. */
char ps_signif_symbol(const ps_signif *s, unsigned a, unsigned b);

#endif
