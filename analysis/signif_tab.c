/* signif_tab.c — the `signif` builders of include/tables.h: the paper's
 * "+/-/=" matrix of one group, and the long list of every tested pair. */
#include "tables.h"
#include "tables_impl.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

ps_tab *ps_table_signif_matrix(const ps_group *g, unsigned varying, const ps_signif *s,
                               ps_error *err)
{
    char label[128], m[4], sym[3];
    size_t nm = 0;
    for (unsigned k = 0; k < PS_NMASK; k++)
        nm += s->masks >> k & 1;
    ps_tab *t = ps_tab_alloc(1 + nm);
    ps_group_label(g, varying, label, sizeof label);
    int rc = !t || ps_tab_set_title(t, "%s", label) || ps_tab_set_head(t, 0, "");
    for (unsigned a = 0, c = 1; a < PS_NMASK && !rc; a++)
        if (s->masks >> a & 1) {
            ps_stat_mask_format(a, m);
            rc = ps_tab_set_head(t, c++, m);
        }
    for (unsigned a = 0; a < PS_NMASK && !rc; a++) {
        if (!(s->masks >> a & 1))
            continue;
        ps_cell *row = ps_tab_add_row(t);
        if (!row)
            return ps_table_fail(t, NULL, err);
        ps_stat_mask_format(a, m);
        ps_cell_str(&row[0], m);
        for (unsigned b = 0, c = 1; b < PS_NMASK; b++)
            if (s->masks >> b & 1) {
                char x = ps_signif_symbol(s, a, b);
                snprintf(sym, sizeof sym, "%s", x == '?' ? "NA" : (char[]){ x, 0 });
                ps_cell_str(&row[c++], sym);
            }
        rc = ps_note_excluded(t, g, varying, a, &s->ex[a]);
    }
    return rc ? ps_table_fail(t, NULL, err) : t;
}

static const char *const pair_heads[] = {
    "mask_a", "mask_b", "n_a", "n_b", "mean_a", "mean_b", "sw_p_a", "sw_p_b", "test",
    "method", "statistic", "df", "p", "p_holm", "significant"
};
#define NPAIR_HEADS (sizeof pair_heads / sizeof pair_heads[0])

static void pair_cells(ps_cell *c, const ps_pair_test *p)
{
    char m[4];
    ps_stat_mask_format(p->ma, m);
    ps_cell_str(&c[0], m);
    ps_stat_mask_format(p->mb, m);
    ps_cell_str(&c[1], m);
    ps_cell_int(&c[2], (long)p->na);
    ps_cell_int(&c[3], (long)p->nb);
    ps_cell_num(&c[4], p->mean_a, 4);
    ps_cell_num(&c[5], p->mean_b, 4);
    ps_cell_num(&c[6], p->sw_pa, 4);
    ps_cell_num(&c[7], p->sw_pb, 4);
    ps_cell_str(&c[8], ps_test_name(p->test));
    ps_cell_str(&c[9], p->exact < 0 ? "NA" : p->exact ? "exact" : "normal");
    ps_cell_num(&c[10], p->stat, 4);
    ps_cell_num(&c[11], p->df, 2);
    ps_cell_num(&c[12], p->p, 4);
    ps_cell_num(&c[13], p->p_holm, 4);
    ps_cell_str(&c[14], p->sig < 0 ? "NA" : p->sig ? "1" : "0");
}

ps_tab *ps_table_signif_pairs(const ps_runset *rs, const ps_groupset *gs, int metric,
                              double alpha, int paired, ps_error *err)
{
    unsigned vary = ps_groupset_varying(gs);
    size_t nl = ps_label_ncol(vary);
    ps_signif_ws *ws = ps_signif_alloc(gs->nmax);
    ps_signif *s = malloc(sizeof *s);
    ps_tab *t = ws && s ? ps_tab_alloc(nl + NPAIR_HEADS) : NULL;
    int rc = !t || ps_label_heads(t, 0, vary);
    for (size_t c = 0; c < NPAIR_HEADS && !rc; c++)
        rc = ps_tab_set_head(t, nl + c, pair_heads[c]);
    if (rc)
        rc = ps_error_set(err, PS_EFAIL, "out of memory");
    for (size_t i = 0; i < gs->n && !rc; i++) {
        rc = ps_signif_group(ws, rs, &gs->g[i], metric, alpha, paired, s, err);
        for (size_t k = 0; k < s->npair && !rc; k++) {
            ps_cell *row = ps_tab_add_row(t);
            if (!row) {
                rc = ps_error_set(err, PS_EFAIL, "out of memory");
                break;
            }
            ps_label_cells(row, &gs->g[i], vary);
            pair_cells(&row[nl], &s->pair[k]);
        }
        for (unsigned m = 0; m < PS_NMASK && !rc; m++)
            if (ps_note_excluded(t, &gs->g[i], vary, m, &s->ex[m]))
                rc = ps_error_set(err, PS_EFAIL, "out of memory");
    }
    ps_signif_free(ws);
    free(s);
    if (rc) {
        ps_tab_free(t);
        return NULL;
    }
    return t;
}
