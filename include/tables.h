/* tables.h — protostat's reductions of grouped runs into printable tables
 * (the paper's Tables 1-8 and the significance matrices).
 *
 * Every builder reads a ps_runset through a ps_groupset (see runset.h) and
 * returns a new ps_tab (tabfmt.h) that the caller prints and frees, or NULL
 * with err set.  Rows are groups in ps_groupset order; a group is labelled by
 * N and by each other group key (lambda, tau, lr, epochs) that varies in the
 * groupset.  Masks appear in the paper's order (000 ... 111), only those
 * present.  Means and the like are over the usable runs (runset.h); runs left
 * out are reported as notes ("N=30 mask 100: 2 diverged runs excluded").
 * A cell with no usable run is NA; std/sem need n >= 2, Shapiro-Wilk
 * n in 3..5000 and a non-constant sample, else NA.
 */
#ifndef PS_TABLES_H
#define PS_TABLES_H
#include "runset.h"
#include "signif.h"
#include "tabfmt.h"

typedef struct {
    int metric;          /* ps_run_fields index (table, signif, effect, family) */
    int digits;          /* decimals in md/tex; -1: the field's default */
    int std;             /* table: mean ± std cells */
    int transpose;       /* table: masks as rows, groups as columns (paper Tables 7-8) */
    unsigned base, vs;   /* effect: masks compared (reduction = base - vs) */
    unsigned term;       /* family: mask bit that splits the families (4 = overlap) */
    unsigned axis;       /* sweep: one PS_GK_* bit */
    const int *metrics;  /* summary: fields to summarise (NULL: every result metric) */
    size_t nmetrics;
} ps_table_opts;

/* Defaults: metric E, digits -1, base 000, vs 010, term overlap, axis tau. */
void ps_table_opts_init(ps_table_opts *o);

ps_tab *ps_table_means(const ps_runset *rs, const ps_groupset *gs, const ps_table_opts *o,
                       ps_error *err);
ps_tab *ps_table_summary(const ps_runset *rs, const ps_groupset *gs, const ps_table_opts *o,
                         ps_error *err);
ps_tab *ps_table_effect(const ps_runset *rs, const ps_groupset *gs, const ps_table_opts *o,
                        ps_error *err);
ps_tab *ps_table_family(const ps_runset *rs, const ps_groupset *gs, const ps_table_opts *o,
                        ps_error *err);
ps_tab *ps_table_sweep(const ps_runset *rs, const ps_groupset *gs, const ps_table_opts *o,
                       ps_error *err);

/* The 8x8 "+/-/=" matrix of one group (title: the group label). */
ps_tab *ps_table_signif_matrix(const ps_group *g, unsigned varying, const ps_signif *s,
                               ps_error *err);
/* Every pair of every group with its test (csv of `signif`). */
ps_tab *ps_table_signif_pairs(const ps_runset *rs, const ps_groupset *gs, int metric,
                              double alpha, int paired, ps_error *err);

/* "N=30" or "N=30 tau=0.1" (the keys in varying, plus N always). */
void ps_group_label(const ps_group *g, unsigned varying, char *buf, size_t n);

#endif
