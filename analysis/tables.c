/* tables.c — group labels, the shared cell statistics, and the two
 * descriptive builders of include/tables.h: `table` (N x mask means, paper
 * Tables 1/2, 5, 7/8) and `summary` (one row per group, mask and metric). */
#include "tables.h"
#include "tables_impl.h"
#include "stats.h"
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void ps_table_opts_init(ps_table_opts *o)
{
    memset(o, 0, sizeof *o);
    o->metric = ps_metric_find("E");
    o->digits = -1;
    o->base = 0;
    o->vs = 2;
    o->term = 4;
    o->axis = PS_GK_TAU;
}

/* ---- group labels ---------------------------------------------------------- */
static const struct { unsigned bit; const char *name; } gkeys[] = {
    { PS_GK_LAMBDA, "lambda" }, { PS_GK_TAU, "tau" }, { PS_GK_LR, "lr" }, { PS_GK_EPOCHS, "epochs" },
};

static double gkey_value(const ps_group *g, unsigned bit)
{
    return bit == PS_GK_N ? g->N : bit == PS_GK_LAMBDA ? g->lambda : bit == PS_GK_TAU ? g->tau
         : bit == PS_GK_LR ? g->lr : g->epochs;
}

void ps_group_label(const ps_group *g, unsigned varying, char *buf, size_t n)
{
    int len = snprintf(buf, n, "N=%d", (int)g->N);
    for (size_t k = 0; k < sizeof gkeys / sizeof gkeys[0]; k++)
        if ((varying & gkeys[k].bit) && len >= 0 && (size_t)len < n)
            len += snprintf(buf + len, n - (size_t)len, " %s=%g", gkeys[k].name,
                            gkey_value(g, gkeys[k].bit));
}

size_t ps_label_ncol(unsigned varying)
{
    size_t n = 1;
    for (size_t k = 0; k < sizeof gkeys / sizeof gkeys[0]; k++)
        n += (varying & gkeys[k].bit) != 0;
    return n;
}

int ps_label_heads(ps_tab *t, size_t col, unsigned varying)
{
    size_t c = col;
    int rc = ps_tab_set_head(t, c++, "N");
    for (size_t k = 0; k < sizeof gkeys / sizeof gkeys[0]; k++)
        if (varying & gkeys[k].bit)
            rc |= ps_tab_set_head(t, c++, gkeys[k].name);
    return rc;
}

void ps_label_cells(ps_cell *row, const ps_group *g, unsigned varying)
{
    char buf[32];
    size_t c = 0;
    ps_cell_int(&row[c++], g->N);
    for (size_t k = 0; k < sizeof gkeys / sizeof gkeys[0]; k++)
        if (varying & gkeys[k].bit) {
            snprintf(buf, sizeof buf, "%g", gkey_value(g, gkeys[k].bit));
            ps_cell_str(&row[c++], buf);
        }
}

/* ---- cell statistics --------------------------------------------------------- */
int ps_digits(const ps_table_opts *o, int field)
{
    return o->digits >= 0 ? o->digits : ps_run_fields[field].digits;
}

ps_cellstat ps_cell_stats(const ps_runset *rs, const ps_group *g, unsigned mask, int m,
                          double *buf, ps_excluded *ex)
{
    ps_summary sm = ps_summarize(buf, ps_group_values(rs, g, mask, m, buf, ex));
    ps_cellstat s = {sm.n, sm.mean, sm.sd};
    return s;
}

int ps_note_excluded(ps_tab *t, const ps_group *g, unsigned varying, unsigned mask,
                     const ps_excluded *ex)
{
    char label[128], m[4];
    if (!ex->diverged && !ex->nonfinite)
        return 0;
    ps_group_label(g, varying, label, sizeof label);
    ps_stat_mask_format(mask, m);
    return ps_tab_add_note(t, "%s mask %s: %zu diverged and %zu non-finite runs excluded",
                           label, m, ex->diverged, ex->nonfinite);
}

double *ps_table_buffer(const ps_groupset *gs, ps_error *err)
{
    double *buf = malloc((gs->nmax ? gs->nmax : 1) * 2 * sizeof *buf);
    if (!buf)
        ps_error_set(err, PS_EFAIL, "out of memory");
    return buf;
}

ps_tab *ps_table_fail(ps_tab *t, double *buf, ps_error *err)
{
    ps_tab_free(t);
    free(buf);
    ps_error_set(err, PS_EFAIL, "out of memory");
    return NULL;
}

/* ---- table ------------------------------------------------------------------ */
static void means_cell(ps_cell *c, ps_cellstat s, const ps_table_opts *o)
{
    if (o->std)
        ps_cell_pm(c, s.mean, s.sd, ps_digits(o, o->metric));
    else
        ps_cell_num(c, s.mean, ps_digits(o, o->metric));
}

/* Masks as columns, one row per group. */
static ps_tab *means_by_group(const ps_runset *rs, const ps_groupset *gs, const ps_table_opts *o,
                              double *buf, ps_error *err)
{
    unsigned vary = ps_groupset_varying(gs), masks = ps_groupset_masks(gs);
    size_t nl = ps_label_ncol(vary), nc = nl;
    char m[4];
    for (unsigned k = 0; k < PS_NMASK; k++)
        nc += masks >> k & 1;
    ps_tab *t = ps_tab_alloc(nc);
    if (!t || ps_label_heads(t, 0, vary))
        return ps_table_fail(t, buf, err);
    for (unsigned k = 0, c = nl; k < PS_NMASK; k++)
        if (masks >> k & 1) {
            ps_stat_mask_format(k, m);
            if (ps_tab_set_head(t, c++, m))
                return ps_table_fail(t, buf, err);
        }
    for (size_t i = 0; i < gs->n; i++) {
        ps_cell *row = ps_tab_add_row(t);
        if (!row)
            return ps_table_fail(t, buf, err);
        ps_label_cells(row, &gs->g[i], vary);
        for (unsigned k = 0, c = nl; k < PS_NMASK; k++) {
            if (!(masks >> k & 1))
                continue;
            ps_excluded ex = { 0, 0 };
            if (gs->g[i].nruns[k])
                means_cell(&row[c], ps_cell_stats(rs, &gs->g[i], k, o->metric, buf, &ex), o);
            c++;
            if (ps_note_excluded(t, &gs->g[i], vary, k, &ex))
                return ps_table_fail(t, buf, err);
        }
    }
    return t;
}

/* Groups as columns, one row per mask (the layout of the paper's Tables 7-8). */
static ps_tab *means_by_mask(const ps_runset *rs, const ps_groupset *gs, const ps_table_opts *o,
                             double *buf, ps_error *err)
{
    unsigned vary = ps_groupset_varying(gs), masks = ps_groupset_masks(gs);
    char label[128], m[4];
    ps_tab *t = ps_tab_alloc(1 + gs->n);
    if (!t || ps_tab_set_head(t, 0, "mask"))
        return ps_table_fail(t, buf, err);
    for (size_t i = 0; i < gs->n; i++) {
        ps_group_label(&gs->g[i], vary, label, sizeof label);
        if (ps_tab_set_head(t, 1 + i, label))
            return ps_table_fail(t, buf, err);
    }
    for (unsigned k = 0; k < PS_NMASK; k++) {
        if (!(masks >> k & 1))
            continue;
        ps_cell *row = ps_tab_add_row(t);
        if (!row)
            return ps_table_fail(t, buf, err);
        ps_stat_mask_format(k, m);
        ps_cell_str(&row[0], m);
        for (size_t i = 0; i < gs->n; i++) {
            ps_excluded ex = { 0, 0 };
            if (gs->g[i].nruns[k])
                means_cell(&row[1 + i], ps_cell_stats(rs, &gs->g[i], k, o->metric, buf, &ex), o);
            if (ps_note_excluded(t, &gs->g[i], vary, k, &ex))
                return ps_table_fail(t, buf, err);
        }
    }
    return t;
}

ps_tab *ps_table_means(const ps_runset *rs, const ps_groupset *gs, const ps_table_opts *o,
                       ps_error *err)
{
    double *buf = ps_table_buffer(gs, err);
    if (!buf)
        return NULL;
    if (o->transpose && 1 + gs->n > PS_TAB_MAXCOL) {
        free(buf);
        ps_error_set(err, PS_EINPUT, "--transpose: %zu groups, at most %d columns",
                     gs->n, PS_TAB_MAXCOL - 1);
        return NULL;
    }
    ps_tab *t = o->transpose ? means_by_mask(rs, gs, o, buf, err)
                             : means_by_group(rs, gs, o, buf, err);
    if (t)
        free(buf);
    return t;
}

/* ---- summary ------------------------------------------------------------------ */
static const char *const summary_heads[] = {
    "mask", "metric", "n", "excluded", "mean", "std", "sem", "median", "min", "max", "W", "p"
};
#define NSUMMARY (sizeof summary_heads / sizeof summary_heads[0])

/* x (the caller's buffer) is sorted in place, after the Shapiro-Wilk test. */
static void summary_cells(ps_cell *c, double *x, size_t n, const ps_excluded *ex, int dg)
{
    double *sorted = x;
    double mean = n ? gsl_stats_mean(x, 1, n) : NAN, sd = n >= 2 ? gsl_stats_sd_m(x, 1, n, mean) : NAN;
    double W = NAN, p = NAN;
    ps_stats_shapiro(x, n, &W, &p); /* NA (NaN) outside its domain */
    gsl_sort(sorted, 1, n);
    ps_cell_int(&c[0], (long)n);
    ps_cell_int(&c[1], (long)(ex->diverged + ex->nonfinite));
    ps_cell_num(&c[2], mean, dg);
    ps_cell_num(&c[3], sd, dg);
    ps_cell_num(&c[4], n >= 2 ? sd / sqrt((double)n) : NAN, dg);
    ps_cell_num(&c[5], n ? gsl_stats_median_from_sorted_data(sorted, 1, n) : NAN, dg);
    ps_cell_num(&c[6], n ? sorted[0] : NAN, dg);
    ps_cell_num(&c[7], n ? sorted[n - 1] : NAN, dg);
    ps_cell_num(&c[8], W, 4);
    ps_cell_num(&c[9], p, 4);
}

/* The result metrics summarised when --metric is not given. */
static const char *const default_metrics[] = {
    "E", "rho", "frac_outside", "hull_dist", "hull_sdist", "L_fit", "L_ovl", "L_cov", "L_sep", "L"
};

static int summary_group(ps_tab *t, const ps_runset *rs, const ps_groupset *gs, size_t i,
                         const int *metrics, size_t nm, const ps_table_opts *o, double *buf)
{
    unsigned vary = ps_groupset_varying(gs);
    size_t nl = ps_label_ncol(vary);
    char m[4];
    for (unsigned k = 0; k < PS_NMASK; k++) {
        if (!gs->g[i].nruns[k])
            continue;
        ps_stat_mask_format(k, m);
        for (size_t j = 0; j < nm; j++) {
            ps_cell *row = ps_tab_add_row(t);
            if (!row)
                return PS_EFAIL;
            ps_excluded ex = { 0, 0 };
            size_t n = ps_group_values(rs, &gs->g[i], k, metrics[j], buf, &ex);
            ps_label_cells(row, &gs->g[i], vary);
            ps_cell_str(&row[nl], m);
            ps_cell_str(&row[nl + 1], ps_run_fields[metrics[j]].name);
            summary_cells(&row[nl + 2], buf, n, &ex, ps_digits(o, metrics[j]));
        }
    }
    return 0;
}

ps_tab *ps_table_summary(const ps_runset *rs, const ps_groupset *gs, const ps_table_opts *o,
                         ps_error *err)
{
    int defaults[sizeof default_metrics / sizeof default_metrics[0]];
    const int *metrics = o->metrics;
    size_t nm = o->nmetrics;
    if (!metrics) {
        for (nm = 0; nm < sizeof defaults / sizeof defaults[0]; nm++)
            defaults[nm] = ps_metric_find(default_metrics[nm]);
        metrics = defaults;
    }
    unsigned vary = ps_groupset_varying(gs);
    size_t nl = ps_label_ncol(vary);
    double *buf = ps_table_buffer(gs, err);
    ps_tab *t = buf ? ps_tab_alloc(nl + NSUMMARY) : NULL;
    if (!t || ps_label_heads(t, 0, vary))
        return buf ? ps_table_fail(t, buf, err) : NULL;
    for (size_t c = 0; c < NSUMMARY; c++)
        if (ps_tab_set_head(t, nl + c, summary_heads[c]))
            return ps_table_fail(t, buf, err);
    for (size_t i = 0; i < gs->n; i++)
        if (summary_group(t, rs, gs, i, metrics, nm, o, buf))
            return ps_table_fail(t, buf, err);
    free(buf);
    return t;
}
