/* groups.c — the filter and group half of include/runset.h: select runs by
 * the command-line filters, group them by (N, lambda, tau, lr, epochs) and
 * hand out the usable metric values of one mask (or of two masks, paired by
 * (dataset, init)).  Groups sorted by key; runs of a mask by (dataset, init). */
#include "runset.h"
#include <gsl/gsl_statistics_double.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- filters ------------------------------------------------------------ */
static int parse_one(const char *option, const char *tok, double *v, ps_error *err)
{
    unsigned m;
    char *end;
    if (strcmp(option, "--mask") == 0) {
        if (ps_stat_mask_parse(tok, &m))
            return ps_error_set(err, PS_EINPUT, "%s: bad mask '%s' (expected three of 0/1, e.g. 010)",
                                option, tok);
        *v = m;
        return 0;
    }
    errno = 0;
    *v = strtod(tok, &end);
    if (end == tok || *end || errno || !isfinite(*v))
        return ps_error_set(err, PS_EINPUT, "%s: bad number '%s'", option, tok);
    return 0;
}

int ps_filter_parse(ps_filter_list *l, const char *option, const char *text, ps_error *err)
{
    char tok[64];
    const char *p = text;
    l->n = 0;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof tok)
            return ps_error_set(err, PS_EINPUT, "%s: bad list '%s'", option, text);
        if (l->n == PS_FILTER_MAX)
            return ps_error_set(err, PS_EINPUT, "%s: more than %d values", option, PS_FILTER_MAX);
        memcpy(tok, p, len);
        tok[len] = '\0';
        int rc = parse_one(option, tok, &l->v[l->n], err);
        if (rc)
            return rc;
        l->n++;
        if (!p[len])
            return 0;
        p += len + 1;
    }
}

static int list_has(const ps_filter_list *l, double x)
{
    if (l->n == 0)
        return 1;
    for (size_t i = 0; i < l->n; i++)
        if (fabs(l->v[i] - x) <= 1e-9 * fmax(fabs(l->v[i]), fabs(x)))
            return 1;
    return 0;
}

int ps_filter_match(const ps_filter *f, const ps_run_row *r)
{
    return !f || (list_has(&f->N, r->N) && list_has(&f->mask, r->mask) &&
                  list_has(&f->lambda, r->lambda) && list_has(&f->tau, r->tau) &&
                  list_has(&f->lr, r->lr) && list_has(&f->epochs, r->epochs));
}

/* ---- groups ------------------------------------------------------------- */
static int cmp3(double a, double b) { return (a > b) - (a < b); }

static int cmp_group_key(const ps_run_row *a, const ps_run_row *b)
{
    int c = cmp3(a->N, b->N);
    if (!c) c = cmp3(a->lambda, b->lambda);
    if (!c) c = cmp3(a->tau, b->tau);
    if (!c) c = cmp3(a->lr, b->lr);
    if (!c) c = cmp3(a->epochs, b->epochs);
    return c;
}

/* qsort has no context argument: sort pointers to the rows, then turn them
 * back into indices by pointer difference. */
static int cmp_run_ptr(const void *pa, const void *pb)
{
    const ps_run_row *a = *(const ps_run_row *const *)pa, *b = *(const ps_run_row *const *)pb;
    int c = cmp_group_key(a, b);
    if (!c) c = cmp3(a->mask, b->mask);
    if (!c) c = cmp3(a->dataset, b->dataset);
    if (!c) c = cmp3(a->init, b->init);
    return c;
}

/* Cut the sorted indices into groups and, inside them, per-mask runs. */
static int cut_groups(const ps_runset *rs, size_t *idx, size_t n, ps_groupset *gs, ps_error *err)
{
    size_t ng = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || cmp_group_key(&rs->rows[idx[i - 1]], &rs->rows[idx[i]]))
            ng++;
    gs->g = calloc(ng ? ng : 1, sizeof *gs->g);
    if (!gs->g)
        return ps_error_set(err, PS_EFAIL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const ps_run_row *r = &rs->rows[idx[i]];
        if (i == 0 || cmp_group_key(&rs->rows[idx[i - 1]], r)) {
            ps_group *g = &gs->g[gs->n++];
            g->N = r->N; g->lambda = r->lambda; g->tau = r->tau;
            g->lr = r->lr; g->epochs = r->epochs;
        }
        ps_group *g = &gs->g[gs->n - 1];
        unsigned m = r->mask & 7u;
        if (!g->runs[m])
            g->runs[m] = &idx[i];
        g->nruns[m]++;
        if (g->nruns[m] > gs->nmax)
            gs->nmax = g->nruns[m];
    }
    return 0;
}

int ps_groupset_build(const ps_runset *rs, const ps_filter *f, ps_groupset *gs, ps_error *err)
{
    memset(gs, 0, sizeof *gs);
    gs->pool_ = malloc((rs->n ? rs->n : 1) * sizeof *gs->pool_);
    if (!gs->pool_)
        return ps_error_set(err, PS_EFAIL, "out of memory");
    const ps_run_row **ptr = malloc((rs->n ? rs->n : 1) * sizeof *ptr);
    if (!ptr) {
        ps_groupset_free(gs);
        return ps_error_set(err, PS_EFAIL, "out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < rs->n; i++)
        if (rs->rows[i].mask < PS_NMASK && ps_filter_match(f, &rs->rows[i]))
            ptr[n++] = &rs->rows[i];
    qsort(ptr, n, sizeof *ptr, cmp_run_ptr);
    for (size_t i = 0; i < n; i++)
        gs->pool_[i] = (size_t)(ptr[i] - rs->rows);
    free(ptr);
    int rc = cut_groups(rs, gs->pool_, n, gs, err);
    if (rc)
        ps_groupset_free(gs);
    return rc;
}

void ps_groupset_free(ps_groupset *gs)
{
    free(gs->g);
    free(gs->pool_);
    memset(gs, 0, sizeof *gs);
}

unsigned ps_groupset_varying(const ps_groupset *gs)
{
    unsigned bits = 0;
    for (size_t i = 1; i < gs->n; i++) {
        const ps_group *a = &gs->g[0], *b = &gs->g[i];
        if (a->N != b->N) bits |= PS_GK_N;
        if (a->lambda != b->lambda) bits |= PS_GK_LAMBDA;
        if (a->tau != b->tau) bits |= PS_GK_TAU;
        if (a->lr != b->lr) bits |= PS_GK_LR;
        if (a->epochs != b->epochs) bits |= PS_GK_EPOCHS;
    }
    return bits;
}

unsigned ps_groupset_masks(const ps_groupset *gs)
{
    unsigned bits = 0;
    for (size_t i = 0; i < gs->n; i++)
        for (unsigned m = 0; m < PS_NMASK; m++)
            if (gs->g[i].nruns[m])
                bits |= 1u << m;
    return bits;
}

/* Is run r usable for metric m?  Counts it in ex when not. */
static int usable(const ps_run_row *r, int m, ps_excluded *ex)
{
    if (r->status != PS_STATUS_OK) {
        if (ex) ex->diverged++;
        return 0;
    }
    if (!isfinite(ps_field_get(r, m))) {
        if (ex) ex->nonfinite++;
        return 0;
    }
    return 1;
}

size_t ps_group_values(const ps_runset *rs, const ps_group *g, unsigned mask, int m,
                       double *out, ps_excluded *ex)
{
    size_t n = 0;
    if (mask >= PS_NMASK)
        return 0;
    for (size_t i = 0; i < g->nruns[mask]; i++) {
        const ps_run_row *r = &rs->rows[g->runs[mask][i]];
        if (usable(r, m, ex))
            out[n++] = ps_field_get(r, m);
    }
    return n;
}

/* Merge-walk of the two (dataset, init)-sorted run lists. */
size_t ps_group_pairs(const ps_runset *rs, const ps_group *g, unsigned ma, unsigned mb, int m,
                      double *a, double *b, ps_excluded *ex)
{
    size_t i = 0, j = 0, n = 0;
    if (ma >= PS_NMASK || mb >= PS_NMASK)
        return 0;
    while (i < g->nruns[ma] || j < g->nruns[mb]) {
        const ps_run_row *ra = i < g->nruns[ma] ? &rs->rows[g->runs[ma][i]] : NULL;
        const ps_run_row *rb = j < g->nruns[mb] ? &rs->rows[g->runs[mb][j]] : NULL;
        int c = !ra ? 1 : !rb ? -1 : cmp3(ra->dataset, rb->dataset);
        if (ra && rb && !c)
            c = cmp3(ra->init, rb->init);
        int ua = (c <= 0) ? usable(ra, m, ex) : 0;
        int ub = (c >= 0) ? usable(rb, m, ex) : 0;
        if (c == 0 && ua && ub) {
            a[n] = ps_field_get(ra, m);
            b[n] = ps_field_get(rb, m);
            n++;
        }
        i += c <= 0;
        j += c >= 0;
    }
    return n;
}

ps_summary ps_summarize(const double *x, size_t n)
{
    ps_summary s = {NAN, NAN, n};
    if (n >= 1)
        s.mean = gsl_stats_mean(x, 1, n);
    if (n >= 2)
        s.sd = gsl_stats_sd_m(x, 1, n, s.mean);
    return s;
}
