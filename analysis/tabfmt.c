/* tabfmt.c — see include/tabfmt.h. */
#include "tabfmt.h"
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int ps_format_parse(const char *text, ps_format *f)
{
    if (strcmp(text, "md") == 0) *f = PS_FMT_MD;
    else if (strcmp(text, "csv") == 0) *f = PS_FMT_CSV;
    else if (strcmp(text, "tex") == 0) *f = PS_FMT_TEX;
    else return PS_EINPUT;
    return 0;
}

ps_tab *ps_tab_alloc(size_t ncol)
{
    ps_tab *t = ncol <= PS_TAB_MAXCOL ? calloc(1, sizeof *t) : NULL;
    if (!t)
        return NULL;
    t->ncol = ncol;
    t->head = calloc(ncol ? ncol : 1, sizeof *t->head);
    if (!t->head) {
        free(t);
        return NULL;
    }
    return t;
}

void ps_tab_free(ps_tab *t)
{
    if (!t)
        return;
    for (size_t c = 0; c < t->ncol; c++)
        free(t->head[c]);
    for (size_t i = 0; i < t->nnotes; i++)
        free(t->notes[i]);
    free(t->notes);
    free(t->head);
    free(t->cells);
    free(t->title);
    free(t);
}

int ps_tab_set_head(ps_tab *t, size_t col, const char *name)
{
    free(t->head[col]);
    t->head[col] = strdup(name);
    return t->head[col] ? 0 : PS_EFAIL;
}

static char *vformat(const char *fmt, va_list ap)
{
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    return strdup(buf);
}

int ps_tab_set_title(ps_tab *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(t->title);
    t->title = vformat(fmt, ap);
    va_end(ap);
    return t->title ? 0 : PS_EFAIL;
}

int ps_tab_add_note(ps_tab *t, const char *fmt, ...)
{
    char **grown = realloc(t->notes, (t->nnotes + 1) * sizeof *grown);
    if (!grown)
        return PS_EFAIL;
    t->notes = grown;
    va_list ap;
    va_start(ap, fmt);
    t->notes[t->nnotes] = vformat(fmt, ap);
    va_end(ap);
    return t->notes[t->nnotes] ? (t->nnotes++, 0) : PS_EFAIL;
}

ps_cell *ps_tab_add_row(ps_tab *t)
{
    if (t->nrow == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        ps_cell *grown = realloc(t->cells, cap * (t->ncol ? t->ncol : 1) * sizeof *grown);
        if (!grown)
            return NULL;
        t->cells = grown;
        t->cap = cap;
    }
    ps_cell *row = &t->cells[t->nrow++ * t->ncol];
    memset(row, 0, t->ncol * sizeof *row);
    return row;
}

void ps_cell_str(ps_cell *c, const char *text)
{
    c->kind = PS_CELL_STR;
    snprintf(c->str, sizeof c->str, "%s", text);
}

void ps_cell_num(ps_cell *c, double v, int digits)
{
    c->kind = PS_CELL_NUM;
    c->v = v;
    c->digits = digits;
}

void ps_cell_int(ps_cell *c, long v)
{
    ps_cell_num(c, (double)v, 0);
}

void ps_cell_pm(ps_cell *c, double mean, double std, int digits)
{
    c->kind = PS_CELL_PM;
    c->v = mean;
    c->s = std;
    c->digits = digits;
}

/* ---- printing ------------------------------------------------------------ */
static int column_is_pm(const ps_tab *t, size_t col)
{
    for (size_t r = 0; r < t->nrow; r++)
        if (t->cells[r * t->ncol + col].kind == PS_CELL_PM)
            return 1;
    return 0;
}

static void put_text(const char *s, ps_format f, FILE *out)
{
    if (f == PS_FMT_CSV && strpbrk(s, ",\"\n")) {
        fputc('"', out);
        for (; *s; s++) {
            if (*s == '"') fputc('"', out);
            fputc(*s, out);
        }
        fputc('"', out);
        return;
    }
    for (; *s; s++) {
        if (f == PS_FMT_TEX && strchr("_%&#$", *s)) fputc('\\', out);
        fputc(*s, out);
    }
}

static void put_num(double v, int digits, ps_format f, FILE *out)
{
    if (isnan(v)) fputs(f == PS_FMT_TEX ? "--" : "NA", out);
    else if (f == PS_FMT_CSV) fprintf(out, "%.12g", v);
    else fprintf(out, "%.*f", digits, v);
}

static void put_cell(const ps_cell *c, int pm_col, ps_format f, FILE *out)
{
    switch (c->kind) {
    case PS_CELL_EMPTY: if (f == PS_FMT_CSV && pm_col) fputc(',', out); break;
    case PS_CELL_STR: put_text(c->str, f, out); if (f == PS_FMT_CSV && pm_col) fputc(',', out); break;
    case PS_CELL_NUM: put_num(c->v, c->digits, f, out); if (f == PS_FMT_CSV && pm_col) fputc(',', out); break;
    case PS_CELL_PM:
        if (f == PS_FMT_TEX) fputc('$', out);
        put_num(c->v, c->digits, f, out);
        fputs(f == PS_FMT_CSV ? "," : f == PS_FMT_TEX ? " \\pm " : " ± ", out);
        put_num(c->s, c->digits, f, out);
        if (f == PS_FMT_TEX) fputc('$', out);
        break;
    }
}

static void put_row(const ps_tab *t, const ps_cell *row, const int *pm, ps_format f, FILE *out)
{
    const char *sep = f == PS_FMT_CSV ? "," : f == PS_FMT_TEX ? " & " : " | ";
    if (f == PS_FMT_MD) fputs("| ", out);
    for (size_t c = 0; c < t->ncol; c++) {
        if (c) fputs(sep, out);
        if (row) {
            put_cell(&row[c], pm[c], f, out);
        } else {
            put_text(t->head[c] ? t->head[c] : "", f, out);
            if (f == PS_FMT_CSV && pm[c]) {
                fputc(',', out);
                put_text(t->head[c] ? t->head[c] : "", f, out);
                fputs("_std", out);
            }
        }
    }
    fputs(f == PS_FMT_MD ? " |\n" : f == PS_FMT_TEX ? " \\\\\n" : "\n", out);
}

void ps_tab_print(const ps_tab *t, ps_format f, FILE *out, FILE *notes)
{
    int pm[PS_TAB_MAXCOL] = {0};
    for (size_t c = 0; c < t->ncol; c++)
        pm[c] = column_is_pm(t, c);
    if (t->title)
        fprintf(f == PS_FMT_CSV ? (notes ? notes : stderr) : out,
                f == PS_FMT_TEX ? "%% %s\n" : f == PS_FMT_MD ? "%s\n\n" : "# %s\n", t->title);
    if (f == PS_FMT_TEX) {
        fputs("\\begin{tabular}{l", out);
        for (size_t c = 1; c < t->ncol; c++) fputc('r', out);
        fputs("}\n\\hline\n", out);
    }
    put_row(t, NULL, pm, f, out);
    if (f == PS_FMT_MD) {
        for (size_t c = 0; c < t->ncol; c++) fputs(c ? "---|" : "|---|", out);
        fputc('\n', out);
    }
    if (f == PS_FMT_TEX) fputs("\\hline\n", out);
    for (size_t r = 0; r < t->nrow; r++)
        put_row(t, &t->cells[r * t->ncol], pm, f, out);
    if (f == PS_FMT_TEX) fputs("\\hline\n\\end{tabular}\n", out);
    for (size_t i = 0; i < t->nnotes; i++) {
        if (f == PS_FMT_CSV) { if (notes) fprintf(notes, "note: %s\n", t->notes[i]); }
        else fprintf(out, f == PS_FMT_TEX ? "%% note: %s\n" : "%sNote: %s\n", i ? "" : "\n", t->notes[i]);
    }
}
