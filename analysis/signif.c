/* signif.c — pairwise tests of one group with the choice rule and Holm
 * correction of SPEC.md section 10.  See include/signif.h. */
#include "signif.h"
#include "stats.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ps_signif_ws {
    size_t nmax;
    double *a, *b, *d;   /* sample buffers (d: paired differences) */
    ps_rank_ws *rank;
};

ps_signif_ws *ps_signif_alloc(size_t nmax)
{
    ps_signif_ws *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    size_t n = nmax ? nmax : 1;
    ws->nmax = nmax;
    ws->a = malloc(n * sizeof *ws->a);
    ws->b = malloc(n * sizeof *ws->b);
    ws->d = malloc(n * sizeof *ws->d);
    ws->rank = ps_rank_alloc(n);
    if (!ws->a || !ws->b || !ws->d || !ws->rank) {
        ps_signif_free(ws);
        return NULL;
    }
    return ws;
}

void ps_signif_free(ps_signif_ws *ws)
{
    if (!ws)
        return;
    free(ws->a);
    free(ws->b);
    free(ws->d);
    ps_rank_free(ws->rank);
    free(ws);
}

const char *ps_test_name(ps_test_kind k)
{
    switch (k) {
    case PS_TEST_WELCH: return "welch";
    case PS_TEST_MANNWHITNEY: return "mannwhitney";
    case PS_TEST_PAIRED_T: return "paired_t";
    case PS_TEST_WILCOXON: return "wilcoxon";
    case PS_TEST_NA: break;
    }
    return "NA";
}

static double mean_of(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return n ? s / (double)n : NAN;
}

/* Shapiro-Wilk p, NaN when undefined (then the sample counts as not normal). */
static double sw_p(const double *x, size_t n)
{
    double W, p;
    return ps_stats_shapiro(x, n, &W, &p) ? NAN : p;
}

static void pair_init(ps_pair_test *o, size_t na, size_t nb, double ma, double mb)
{
    o->na = na;
    o->nb = nb;
    o->mean_a = ma;
    o->mean_b = mb;
    o->sw_pa = o->sw_pb = NAN;
    o->test = PS_TEST_NA;
    o->exact = -1;
    o->stat = o->df = o->p = o->p_holm = NAN;
    o->sig = -1;
}

/* Record the test outcome: NA when the test refused (rc != 0). */
static void pair_finish(ps_pair_test *o, ps_test_kind k, int rc)
{
    if (rc || isnan(o->p)) {
        o->test = PS_TEST_NA;
        o->stat = o->df = o->p = NAN;
        o->exact = -1;
    } else {
        o->test = k;
    }
    o->p_holm = o->p;
}

void ps_signif_pair(ps_signif_ws *ws, const double *a, size_t na, const double *b, size_t nb,
                    double alpha, ps_pair_test *o)
{
    pair_init(o, na, nb, mean_of(a, na), mean_of(b, nb));
    if (na == 0 || nb == 0 || na > ws->nmax || nb > ws->nmax)
        return;
    o->sw_pa = sw_p(a, na);
    o->sw_pb = sw_p(b, nb);
    if (o->sw_pa > alpha && o->sw_pb > alpha) { /* false for NaN */
        int rc = ps_stats_welch(a, na, b, nb, &o->stat, &o->df, &o->p);
        pair_finish(o, PS_TEST_WELCH, rc);
    } else {
        int rc = ps_stats_mannwhitney(ws->rank, a, na, b, nb, &o->stat, &o->p, &o->exact);
        pair_finish(o, PS_TEST_MANNWHITNEY, rc);
    }
}

void ps_signif_pair_paired(ps_signif_ws *ws, const double *a, const double *b, size_t n,
                           double alpha, ps_pair_test *o)
{
    pair_init(o, n, n, mean_of(a, n), mean_of(b, n));
    if (n == 0 || n > ws->nmax)
        return;
    for (size_t i = 0; i < n; i++)
        ws->d[i] = a[i] - b[i];
    o->sw_pa = sw_p(ws->d, n);
    if (o->sw_pa > alpha) {
        int rc = ps_stats_paired_t(a, b, n, &o->stat, &o->df, &o->p);
        pair_finish(o, PS_TEST_PAIRED_T, rc);
    } else {
        int rc = ps_stats_wilcoxon_signed(ws->rank, a, b, n, &o->stat, &o->p, &o->exact);
        pair_finish(o, PS_TEST_WILCOXON, rc);
    }
}

/* Holm over the pairs of one group; NaN p-values stay NA. */
static void holm_group(ps_signif *s, double alpha)
{
    double p[PS_NPAIR_MAX];
    for (size_t i = 0; i < s->npair; i++)
        p[i] = s->pair[i].p;
    ps_stats_holm(p, s->npair, p);
    for (size_t i = 0; i < s->npair; i++) {
        s->pair[i].p_holm = p[i];
        s->pair[i].sig = isnan(p[i]) ? -1 : p[i] < alpha;
    }
}

static void test_one_pair(ps_signif_ws *ws, const ps_runset *rs, const ps_group *g, int m,
                          unsigned ma, unsigned mb, double alpha, int paired, ps_pair_test *o)
{
    if (paired) {
        size_t n = ps_group_pairs(rs, g, ma, mb, m, ws->a, ws->b, NULL);
        ps_signif_pair_paired(ws, ws->a, ws->b, n, alpha, o);
    } else {
        size_t na = ps_group_values(rs, g, ma, m, ws->a, NULL);
        size_t nb = ps_group_values(rs, g, mb, m, ws->b, NULL);
        ps_signif_pair(ws, ws->a, na, ws->b, nb, alpha, o);
    }
    o->ma = ma;
    o->mb = mb;
}

int ps_signif_group(ps_signif_ws *ws, const ps_runset *rs, const ps_group *g, int m,
                    double alpha, int paired, ps_signif *out, ps_error *err)
{
    memset(out, 0, sizeof *out);
    for (unsigned k = 0; k < PS_NMASK; k++) {
        if (!g->nruns[k])
            continue;
        if (g->nruns[k] > ws->nmax)
            return ps_error_set(err, PS_EFAIL, "N=%d mask %u: %zu runs, workspace holds %zu",
                                (int)g->N, k, g->nruns[k], ws->nmax);
        out->masks |= 1u << k;
        ps_group_values(rs, g, k, m, ws->a, &out->ex[k]);
    }
    for (unsigned a = 0; a < PS_NMASK; a++)
        for (unsigned b = a + 1; b < PS_NMASK; b++)
            if ((out->masks >> a & 1) && (out->masks >> b & 1))
                test_one_pair(ws, rs, g, m, a, b, alpha, paired, &out->pair[out->npair++]);
    holm_group(out, alpha);
    return 0;
}

char ps_signif_symbol(const ps_signif *s, unsigned a, unsigned b)
{
    if (a >= PS_NMASK || b >= PS_NMASK || !(s->masks >> a & 1) || !(s->masks >> b & 1))
        return '?';
    if (a == b)
        return '=';
    unsigned lo = a < b ? a : b, hi = a < b ? b : a;
    for (size_t i = 0; i < s->npair; i++)
        if (s->pair[i].ma == lo && s->pair[i].mb == hi)
            return s->pair[i].sig < 0 ? '?' : s->pair[i].sig ? '+' : '-';
    return '?';
}
