/* compare.c — the comparative builders of include/tables.h: `effect` (two
 * masks, paper Table 3), `family` (masks split by one loss term, paper
 * Table 4) and `sweep` (means along one hyper-parameter axis, paper Table 6). */
#include "tables.h"
#include "tables_impl.h"
#include "stats.h"
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- effect -------------------------------------------------------------------- */
static int effect_heads(ps_tab *t, size_t nl, const ps_table_opts *o)
{
    char b[4], v[4], name[64];
    const char *metric = ps_run_fields[o->metric].name;
    int rc = 0;
    ps_stat_mask_format(o->base, b);
    ps_stat_mask_format(o->vs, v);
    snprintf(name, sizeof name, "n %s", b);
    rc |= ps_tab_set_head(t, nl, name);
    snprintf(name, sizeof name, "n %s", v);
    rc |= ps_tab_set_head(t, nl + 1, name);
    snprintf(name, sizeof name, "%s %s", metric, b);
    rc |= ps_tab_set_head(t, nl + 2, name);
    snprintf(name, sizeof name, "%s %s", metric, v);
    rc |= ps_tab_set_head(t, nl + 3, name);
    rc |= ps_tab_set_head(t, nl + 4, "abs. red.");
    rc |= ps_tab_set_head(t, nl + 5, "rel. red. (%)");
    rc |= ps_tab_set_head(t, nl + 6, "Cohen d");
    return rc;
}

static int effect_row(ps_tab *t, const ps_runset *rs, const ps_groupset *gs, const ps_group *g,
                      const ps_table_opts *o, double *buf)
{
    unsigned vary = ps_groupset_varying(gs);
    size_t nl = ps_label_ncol(vary);
    ps_excluded exa = { 0, 0 }, exb = { 0, 0 };
    double *a = buf, *b = buf + gs->nmax;
    size_t na = ps_group_values(rs, g, o->base, o->metric, a, &exa);
    size_t nb = ps_group_values(rs, g, o->vs, o->metric, b, &exb);
    double ma = na ? gsl_stats_mean(a, 1, na) : NAN, mb = nb ? gsl_stats_mean(b, 1, nb) : NAN;
    ps_cell *row = ps_tab_add_row(t);
    if (!row)
        return PS_EFAIL;
    int dg = ps_digits(o, o->metric);
    ps_label_cells(row, g, vary);
    ps_cell_int(&row[nl], (long)na);
    ps_cell_int(&row[nl + 1], (long)nb);
    ps_cell_num(&row[nl + 2], ma, dg);
    ps_cell_num(&row[nl + 3], mb, dg);
    ps_cell_num(&row[nl + 4], ma - mb, dg);
    ps_cell_num(&row[nl + 5], ma != 0 ? 100 * (ma - mb) / ma : NAN, 1);
    ps_cell_num(&row[nl + 6], ps_stats_cohen_d(a, na, b, nb), 2);
    return ps_note_excluded(t, g, vary, o->base, &exa) | ps_note_excluded(t, g, vary, o->vs, &exb);
}

ps_tab *ps_table_effect(const ps_runset *rs, const ps_groupset *gs, const ps_table_opts *o,
                        ps_error *err)
{
    unsigned vary = ps_groupset_varying(gs);
    size_t nl = ps_label_ncol(vary);
    double *buf = ps_table_buffer(gs, err);
    ps_tab *t = buf ? ps_tab_alloc(nl + 7) : NULL;
    if (!t || ps_label_heads(t, 0, vary) || effect_heads(t, nl, o))
        return buf ? ps_table_fail(t, buf, err) : NULL;
    for (size_t i = 0; i < gs->n; i++)
        if (effect_row(t, rs, gs, &gs->g[i], o, buf))
            return ps_table_fail(t, buf, err);
    free(buf);
    return t;
}

/* ---- family -------------------------------------------------------------------- */
static const char *term_name(unsigned bit)
{
    return bit == 4 ? "Ovl" : bit == 2 ? "Cov" : "Sep";
}

/* Mean of the cell means of the masks whose term bit equals on (cells
 * without usable runs are skipped; NaN when none is left). */
static double family_mean(ps_tab *t, const ps_runset *rs, const ps_groupset *gs,
                           const ps_group *g, const ps_table_opts *o, int on, double *buf)
{
    double sum = 0;
    size_t k = 0;
    for (unsigned m = 0; m < PS_NMASK; m++) {
        if (!g->nruns[m] || ((m & o->term) != 0) != on)
            continue;
        ps_excluded ex = { 0, 0 };
        ps_cellstat s = ps_cell_stats(rs, g, m, o->metric, buf, &ex);
        ps_note_excluded(t, g, ps_groupset_varying(gs), m, &ex);
        if (s.n) {
            sum += s.mean;
            k++;
        }
    }
    return k ? sum / (double)k : NAN;
}

ps_tab *ps_table_family(const ps_runset *rs, const ps_groupset *gs, const ps_table_opts *o,
                        ps_error *err)
{
    unsigned vary = ps_groupset_varying(gs);
    size_t nl = ps_label_ncol(vary);
    const char *metric = ps_run_fields[o->metric].name;
    char name[64];
    double *buf = ps_table_buffer(gs, err);
    ps_tab *t = buf ? ps_tab_alloc(nl + 3) : NULL;
    if (!t || ps_label_heads(t, 0, vary))
        return buf ? ps_table_fail(t, buf, err) : NULL;
    snprintf(name, sizeof name, "%s (no-%s)", metric, term_name(o->term));
    int rc = ps_tab_set_head(t, nl, name);
    snprintf(name, sizeof name, "%s (with-%s)", metric, term_name(o->term));
    rc |= ps_tab_set_head(t, nl + 1, name) | ps_tab_set_head(t, nl + 2, "ratio");
    for (size_t i = 0; i < gs->n && !rc; i++) {
        ps_cell *row = ps_tab_add_row(t);
        if (!row)
            break;
        double off = family_mean(t, rs, gs, &gs->g[i], o, 0, buf);
        double on = family_mean(t, rs, gs, &gs->g[i], o, 1, buf);
        ps_label_cells(row, &gs->g[i], vary);
        ps_cell_num(&row[nl], off, ps_digits(o, o->metric));
        ps_cell_num(&row[nl + 1], on, ps_digits(o, o->metric));
        ps_cell_num(&row[nl + 2], off != 0 ? on / off : NAN, 3);
    }
    if (rc || t->nrow != gs->n)
        return ps_table_fail(t, buf, err);
    free(buf);
    return t;
}

/* ---- sweep ---------------------------------------------------------------------- */
static const char *const sweep_metrics[] = { "frac_outside", "hull_dist", "E", "rho" };
#define NSWEEP (sizeof sweep_metrics / sizeof sweep_metrics[0])

static const char *axis_name(unsigned axis)
{
    return axis == PS_GK_LAMBDA ? "lambda" : axis == PS_GK_TAU ? "tau"
         : axis == PS_GK_LR ? "lr" : "epochs";
}

static double axis_value(const ps_group *g, unsigned axis)
{
    return axis == PS_GK_LAMBDA ? g->lambda : axis == PS_GK_TAU ? g->tau
         : axis == PS_GK_LR ? g->lr : g->epochs;
}

static int sweep_row(ps_tab *t, const ps_runset *rs, const ps_groupset *gs, const ps_group *g,
                     unsigned mask, int with_mask, const ps_table_opts *o, double *buf)
{
    unsigned vary = ps_groupset_varying(gs) & ~o->axis;
    size_t c = 1 + ps_label_ncol(vary);
    char m[4], value[32];
    ps_cell *row = ps_tab_add_row(t);
    if (!row)
        return PS_EFAIL;
    snprintf(value, sizeof value, "%g", axis_value(g, o->axis)); /* 0.001 and 10 as typed */
    ps_cell_str(&row[0], value);
    ps_label_cells(&row[1], g, vary);
    if (with_mask) {
        ps_stat_mask_format(mask, m);
        ps_cell_str(&row[c++], m);
    }
    ps_excluded ex = { 0, 0 };
    ps_cell_int(&row[c], (long)ps_group_values(rs, g, mask, ps_metric_find("E"), buf, &ex));
    for (size_t j = 0; j < NSWEEP; j++) {
        int f = ps_metric_find(sweep_metrics[j]);
        ps_cell_num(&row[c + 1 + j], ps_cell_stats(rs, g, mask, f, buf, NULL).mean, ps_digits(o, f));
    }
    return ps_note_excluded(t, g, ps_groupset_varying(gs), mask, &ex);
}

ps_tab *ps_table_sweep(const ps_runset *rs, const ps_groupset *gs, const ps_table_opts *o,
                       ps_error *err)
{
    unsigned vary = ps_groupset_varying(gs) & ~o->axis, masks = ps_groupset_masks(gs);
    int with_mask = (masks & (masks - 1)) != 0;
    size_t nl = ps_label_ncol(vary), c = 1 + nl;
    double *buf = ps_table_buffer(gs, err);
    ps_tab *t = buf ? ps_tab_alloc(1 + nl + (size_t)with_mask + 1 + NSWEEP) : NULL;
    if (!t || ps_tab_set_head(t, 0, axis_name(o->axis)) || ps_label_heads(t, 1, vary))
        return buf ? ps_table_fail(t, buf, err) : NULL;
    int rc = 0;
    if (with_mask)
        rc |= ps_tab_set_head(t, c++, "mask");
    rc |= ps_tab_set_head(t, c++, "n");
    for (size_t j = 0; j < NSWEEP; j++)
        rc |= ps_tab_set_head(t, c + j, sweep_metrics[j]);
    for (size_t i = 0; i < gs->n && !rc; i++)
        for (unsigned m = 0; m < PS_NMASK && !rc; m++)
            if (gs->g[i].nruns[m])
                rc = sweep_row(t, rs, gs, &gs->g[i], m, with_mask, o, buf);
    if (rc)
        return ps_table_fail(t, buf, err);
    free(buf);
    return t;
}
