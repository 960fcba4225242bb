/* tabfmt.h — a small table of typed cells, printed as Markdown, CSV or LaTeX.
 *
 * protostat's verbs build a ps_tab (header, rows of cells, notes) and print it
 * in the format asked for; the numbers keep full precision until printing:
 * md and tex round to the cell's digits, csv prints 12 significant digits.
 * A NaN number prints as "NA" (tex: "--").  A "mean ± std" cell (PS_CELL_PM)
 * prints as one column in md/tex and as two columns (NAME, NAME_std) in csv,
 * so every cell of a PM column must be PM or empty.  Notes (e.g. runs
 * excluded) follow the table in md/tex and go to the separate notes stream in
 * csv, so that the csv stays machine-readable.
 */
#ifndef PS_TABFMT_H
#define PS_TABFMT_H
#include <stdio.h>
#include "error.h"

typedef enum { PS_FMT_MD, PS_FMT_CSV, PS_FMT_TEX } ps_format;
/* "md", "csv" or "tex"; PS_EINPUT otherwise. */
int ps_format_parse(const char *text, ps_format *f);

typedef enum { PS_CELL_EMPTY, PS_CELL_STR, PS_CELL_NUM, PS_CELL_PM } ps_cell_kind;
typedef struct {
    ps_cell_kind kind;
    double v, s;     /* value; std for PM */
    int digits;      /* decimals in md/tex */
    char str[48];    /* text for STR (truncated) */
} ps_cell;

typedef struct {
    size_t ncol, nrow, cap;
    char **head;      /* ncol column names */
    ps_cell *cells;   /* nrow * ncol, row-major */
    char *title;      /* NULL or a line printed before the table */
    char **notes;
    size_t nnotes;
} ps_tab;

#define PS_TAB_MAXCOL 64
/* NULL on out of memory or ncol > PS_TAB_MAXCOL. */
ps_tab *ps_tab_alloc(size_t ncol);
void ps_tab_free(ps_tab *t);
int ps_tab_set_head(ps_tab *t, size_t col, const char *name);
int ps_tab_set_title(ps_tab *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ps_tab_add_note(ps_tab *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append an empty row; returns its ncol cells, or NULL on out of memory. */
ps_cell *ps_tab_add_row(ps_tab *t);

void ps_cell_str(ps_cell *c, const char *text);
void ps_cell_num(ps_cell *c, double v, int digits);
void ps_cell_int(ps_cell *c, long v);
void ps_cell_pm(ps_cell *c, double mean, double std, int digits);

/* Print t to out (notes of a csv table go to notes, which may be NULL). */
void ps_tab_print(const ps_tab *t, ps_format f, FILE *out, FILE *notes);

#endif
