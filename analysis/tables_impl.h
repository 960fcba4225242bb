/* tables_impl.h — helpers shared by the table builders of include/tables.h
 * (tables.c, compare.c, signif_tab.c); not part of the public API. */
#ifndef PS_TABLES_IMPL_H
#define PS_TABLES_IMPL_H
#include "tables.h"

/* Label columns of a group row: N, then each varying key of lambda..epochs
 * (heads from column col on). */
size_t ps_label_ncol(unsigned varying);
int ps_label_heads(ps_tab *t, size_t col, unsigned varying);
void ps_label_cells(ps_cell *row, const ps_group *g, unsigned varying);

/* Decimals for field (o->digits unless -1). */
int ps_digits(const ps_table_opts *o, int field);

/* n, mean and sample SD of metric m over the usable runs of mask in g
 * (NaN when n < 1, resp. n < 2); buf holds gs->nmax values. */
typedef struct {
    size_t n;
    double mean, sd;
} ps_cellstat;
ps_cellstat ps_cell_stats(const ps_runset *rs, const ps_group *g, unsigned mask, int m,
                          double *buf, ps_excluded *ex);

/* Add a note to t when ex counts any excluded run. */
int ps_note_excluded(ps_tab *t, const ps_group *g, unsigned varying, unsigned mask,
                     const ps_excluded *ex);

/* A work buffer of 2 * gs->nmax doubles (NULL + err on out of memory). */
double *ps_table_buffer(const ps_groupset *gs, ps_error *err);
/* Free t and buf, set err to "out of memory", return NULL. */
ps_tab *ps_table_fail(ps_tab *t, double *buf, ps_error *err);

#endif
