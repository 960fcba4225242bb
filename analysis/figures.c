/* figures.c — the paper's seven figures as gnuplot scripts + data files, and
 * the selections they share with the report (main setting, tau sweep,
 * median-error runs).  See include/figures.h for the rules.
 *
 * Every figure is written the same way: its data as plain columns into
 * DIR/<stem>.dat, a script DIR/<stem>.gp whose body is emitted once per
 * terminal (PNG, then SVG: multiplot figures cannot be `replot`ted), then
 * gnuplot is run on the script with DIR as working directory so that the
 * script only names files relative to itself and can be re-run by hand.
 *
 * Invariant: a figure is either made (its PNG exists, gnuplot exited 0) or
 * has a note saying why not; only an unusable DIR or a failing gnuplot is an
 * error.
 */
#include "figures.h"
#include "assign.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- shared helpers ----------------------------------------------------- */
static const char *const mask_labels[PS_NMASK] = {
    "000 (fit only)", "001 (sep)",     "010 (cov)",     "011 (cov+sep)",
    "100 (ovl)",      "101 (ovl+sep)", "110 (ovl+cov)", "111 (all)",
};

const char *ps_figures_mask_label(unsigned mask)
{
    return mask < PS_NMASK ? mask_labels[mask] : "?";
}

ps_summary ps_group_summary(const ps_runset *rs, const ps_group *g, unsigned mask, int m,
                            double *buf)
{
    return ps_summarize(buf, ps_group_values(rs, g, mask, m, buf, NULL));
}

static int close_rel(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

int ps_setting_match(const ps_setting *s, const ps_group *g)
{
    return close_rel(s->lambda, g->lambda) && close_rel(s->tau, g->tau) &&
           close_rel(s->lr, g->lr) && s->epochs == g->epochs;
}

static ps_setting setting_of(const ps_group *g)
{
    ps_setting s = { g->lambda, g->tau, g->lr, g->epochs };
    return s;
}

/* A run counts for figures when it finished and has a finite E. */
static int usable(const ps_run_row *r)
{
    return r->status == PS_STATUS_OK && isfinite(r->E);
}

static size_t usable_count(const ps_runset *rs, const ps_group *g, unsigned mask)
{
    size_t n = 0;
    for (size_t i = 0; i < g->nruns[mask]; i++)
        n += usable(&rs->rows[g->runs[mask][i]]);
    return n;
}

/* (N, mask) cells with a usable run at setting s. */
static size_t setting_cells(const ps_runset *rs, const ps_groupset *gs, const ps_setting *s)
{
    size_t cells = 0;
    for (size_t k = 0; k < gs->n; k++)
        for (unsigned m = 0; ps_setting_match(s, &gs->g[k]) && m < PS_NMASK; m++)
            cells += usable_count(rs, &gs->g[k], m) > 0;
    return cells;
}

static int is_default(const ps_setting *s)
{
    return close_rel(s->lambda, 0.05) && close_rel(s->tau, 0.01);
}

int ps_figures_setting(const ps_runset *rs, const ps_groupset *gs, ps_setting *best,
                       ps_error *err)
{
    size_t best_cells = 0;
    for (size_t k = 0; k < gs->n; k++) {
        ps_setting s = setting_of(&gs->g[k]);
        size_t cells = setting_cells(rs, gs, &s);
        if (cells > best_cells || (cells == best_cells && cells > 0 && is_default(&s) &&
                                   !is_default(best))) {
            *best = s;
            best_cells = cells;
        }
    }
    if (best_cells == 0)
        return ps_error_set(err, PS_EINPUT, "no usable run (status ok, finite E) to show");
    return 0;
}

/* Groups of the same (N, lambda, lr, epochs) as g holding mask, in tau order. */
static size_t sweep_of(const ps_runset *rs, const ps_groupset *gs, const ps_group *g,
                       unsigned mask, const ps_group **out, size_t nmax)
{
    size_t n = 0;
    for (size_t k = 0; k < gs->n; k++) {
        const ps_group *h = &gs->g[k];
        if (h->N == g->N && close_rel(h->lambda, g->lambda) && close_rel(h->lr, g->lr) &&
            h->epochs == g->epochs && usable_count(rs, h, mask) > 0) {
            if (out && n < nmax)
                out[n] = h;
            n++;
        }
    }
    return n;
}

/* Better sweep: more tau values, then N = 30 (the paper's), then larger N. */
static int sweep_better(size_t n, int32_t N, size_t best_n, int32_t best_N)
{
    if (n != best_n)
        return n > best_n;
    if ((N == 30) != (best_N == 30))
        return N == 30;
    return N > best_N;
}

static const ps_group *best_sweep(const ps_runset *rs, const ps_groupset *gs, unsigned mask)
{
    const ps_group *best = NULL;
    size_t best_n = 1;
    for (size_t k = 0; k < gs->n; k++) {
        size_t n = sweep_of(rs, gs, &gs->g[k], mask, NULL, 0);
        if (n >= 2 && sweep_better(n, gs->g[k].N, best_n, best ? best->N : -1)) {
            best = &gs->g[k];
            best_n = n;
        }
    }
    return best;
}

size_t ps_figures_tau_sweep(const ps_runset *rs, const ps_groupset *gs, unsigned *mask,
                            const ps_group **out, size_t nmax)
{
    static const unsigned order[PS_NMASK] = { 1, 0, 2, 3, 4, 5, 6, 7 }; /* 001 first */
    for (unsigned i = 0; i < PS_NMASK; i++) {
        const ps_group *g = best_sweep(rs, gs, order[i]);
        if (g) {
            *mask = order[i];
            size_t n = sweep_of(rs, gs, g, order[i], out, nmax);
            return n < nmax ? n : nmax;
        }
    }
    return 0;
}

/* ---- the rendering context ---------------------------------------------- */
typedef struct {
    const ps_runset *rs;
    const ps_groupset *gs;
    const ps_figures_opts *o;
    const char *gnuplot;
    ps_setting main;
    const ps_group *byN[64];   /* groups of the main setting, increasing N */
    size_t nN;
    double *buf;               /* PS_NMASK * gs->nmax values */
    ps_error *err;
} fig_ctx;

typedef struct {
    double e;
    size_t row;
} e_row;

static int cmp_e_row(const void *a, const void *b)
{
    const e_row *x = a, *y = b;
    if (x->e != y->e)
        return x->e < y->e ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* Row index of the lower-median-E usable run of mask in g; SIZE_MAX if none. */
static size_t median_run(const fig_ctx *c, const ps_group *g, unsigned mask)
{
    e_row *v = (e_row *)c->buf; /* buf holds PS_NMASK * nmax doubles >= nmax e_rows */
    size_t n = 0;
    for (size_t i = 0; i < g->nruns[mask]; i++) {
        size_t row = g->runs[mask][i];
        if (usable(&c->rs->rows[row]))
            v[n++] = (e_row){ c->rs->rows[row].E, row };
    }
    if (n == 0)
        return SIZE_MAX;
    qsort(v, n, sizeof *v, cmp_e_row);
    return v[(n - 1) / 2].row;
}

/* The main-setting group whose N is nearest to N (ties: larger N) holding
 * every mask of the bit set masks; NULL if none. */
static const ps_group *group_near(const fig_ctx *c, int32_t N, unsigned masks)
{
    const ps_group *best = NULL;
    for (size_t k = 0; k < c->nN; k++) {
        const ps_group *g = c->byN[k];
        int ok = 1;
        for (unsigned m = 0; m < PS_NMASK; m++)
            if ((masks >> m & 1) && usable_count(c->rs, g, m) == 0)
                ok = 0;
        if (ok && (!best || abs(g->N - N) <= abs(best->N - N)))
            best = g;
    }
    return best;
}

/* ---- files and gnuplot ---------------------------------------------------- */
static FILE *open_out(const fig_ctx *c, const char *stem, const char *ext)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.%s", c->o->outdir, stem, ext);
    FILE *f = fopen(path, "w");
    if (!f)
        ps_error_set(c->err, PS_EFAIL, "cannot write %s: %s", path, strerror(errno));
    return f;
}

/* Run gnuplot on stem.gp inside DIR, its messages into stem.log. */
static int run_gnuplot(const fig_ctx *c, const char *stem)
{
    char script[96], log[96];
    snprintf(script, sizeof script, "%s.gp", stem);
    snprintf(log, sizeof log, "%s.log", stem);
    fflush(NULL); /* the child must not inherit unwritten stdio buffers */
    pid_t pid = fork();
    if (pid < 0)
        return ps_error_set(c->err, PS_EFAIL, "fork: %s", strerror(errno));
    if (pid == 0) {
        int fd = chdir(c->o->outdir) == 0 ? open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
        if (fd < 0)
            _exit(126);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        execlp(c->gnuplot, c->gnuplot, script, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return ps_error_set(c->err, PS_EFAIL, "waitpid: %s", strerror(errno));
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return ps_error_set(c->err, PS_EFAIL, "cannot run '%s' (install gnuplot-nox or set "
                            "PROTOSWEEP_GNUPLOT)", c->gnuplot);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return ps_error_set(c->err, PS_EFAIL, "gnuplot failed on %s/%s (status %d), see %s/%s",
                            c->o->outdir, script, WIFEXITED(st) ? WEXITSTATUS(st) : -1,
                            c->o->outdir, log);
    return 0;
}

static int file_nonempty(const fig_ctx *c, const char *stem, const char *ext)
{
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s.%s", c->o->outdir, stem, ext);
    return stat(path, &sb) == 0 && sb.st_size > 0;
}

/* Line styles 1-8: the masks (overlap-active dashed); 9-10: the families. */
static void write_styles(FILE *gp)
{
    static const char *const color[PS_NMASK + 2] = {
        "#000000", "#E69F00", "#009E73", "#56B4E9", "#D55E00", "#CC79A7", "#0072B2",
        "#6A3D9A", "#009E73", "#D55E00",
    };
    static const int pt[PS_NMASK + 2] = { 7, 5, 9, 11, 6, 4, 8, 10, 7, 5 };
    for (int k = 0; k < PS_NMASK + 2; k++)
        fprintf(gp, "set style line %d lc rgb '%s' lw 2 pt %d ps 1.3 dt %d\n", k + 1, color[k],
                pt[k], (k >= 4 && k < 8) || k == 9 ? 2 : 1);
}

typedef void (*body_fn)(FILE *gp, const void *arg);

static void write_terminal(FILE *gp, const char *stem, int svg, int w, int h)
{
    if (svg) {
        fprintf(gp, "set terminal svg size %d,%d enhanced font 'DejaVu Sans,13' "
                    "background rgb 'white'\nset output '%s.svg'\n", w, h, stem);
        return;
    }
    fprintf(gp, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
                "  set terminal pngcairo size %d,%d enhanced font 'DejaVu Sans,13'\n"
                "} else {\n  set terminal png size %d,%d enhanced\n}\n"
                "set output '%s.png'\n", w, h, w, h, stem);
}

/* Write stem.gp (body once per terminal) and run it; fi->made on success. */
static int render(const fig_ctx *c, ps_figure_info *fi, int w, int h, body_fn body,
                  const void *arg)
{
    FILE *gp = open_out(c, fi->stem, "gp");
    if (!gp)
        return PS_EFAIL;
    fprintf(gp, "# %s\n# Written by protostat figures; re-run in this directory with:"
                " gnuplot %s.gp\n", fi->caption, fi->stem);
    for (int svg = 0; svg <= (c->o->svg ? 1 : 0); svg++) {
        fprintf(gp, "reset\n");
        write_terminal(gp, fi->stem, svg, w, h);
        write_styles(gp);
        body(gp, arg);
        fprintf(gp, "unset multiplot\nunset output\n");
    }
    if (fclose(gp) != 0)
        return ps_error_set(c->err, PS_EFAIL, "cannot write %s/%s.gp", c->o->outdir, fi->stem);
    int rc = run_gnuplot(c, fi->stem);
    if (rc == 0 && !file_nonempty(c, fi->stem, "png"))
        rc = ps_error_set(c->err, PS_EFAIL, "gnuplot wrote no %s/%s.png, see %s.log",
                          c->o->outdir, fi->stem, fi->stem);
    fi->made = rc == 0;
    return rc;
}

/* Append to the figure's note ("; " between notes). */
static void add_note(ps_figure_info *fi, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_note(ps_figure_info *fi, const char *fmt, ...)
{
    size_t len = strlen(fi->note);
    if (len && len + 2 < sizeof fi->note)
        len += (size_t)snprintf(fi->note + len, sizeof fi->note - len, "; ");
    va_list ap;
    va_start(ap, fmt);
    if (len + 1 < sizeof fi->note)
        vsnprintf(fi->note + len, sizeof fi->note - len, fmt, ap);
    va_end(ap);
}

static void skip(ps_figure_info *fi, const char *why)
{
    fi->made = 0;
    snprintf(fi->note, sizeof fi->note, "skipped: %s", why);
}

/* ---- Figures 1, 5, 6: a metric vs N, one line per series ----------------- */
typedef struct {
    const char *stem, *title, *ylabel;
    const char *key;  /* gnuplot key placement */
    int nseries;
    int style[PS_NMASK];
    const char *label[PS_NMASK];
    const fig_ctx *c;
} lines_arg;

static void write_ntics(FILE *gp, const fig_ctx *c)
{
    fprintf(gp, "set xtics (");
    for (size_t k = 0; k < c->nN; k++)
        fprintf(gp, "%s\"%d\" %d", k ? ", " : "", (int)c->byN[k]->N, (int)c->byN[k]->N);
    fprintf(gp, ")\n");
}

static void lines_body(FILE *gp, const void *arg)
{
    const lines_arg *a = arg;
    fprintf(gp, "set title \"%s\"\nset xlabel 'dataset size N (log scale)'\nset ylabel \"%s\"\n"
                "set logscale x\nset xrange [%g:%g]\nset grid\nset key %s\n"
                "set bars small\n", a->title, a->ylabel, a->c->byN[0]->N * 0.85,
            a->c->byN[a->c->nN - 1]->N * 1.15, a->key);
    write_ntics(gp, a->c);
    fprintf(gp, "plot ");
    for (int s = 0; s < a->nseries; s++)
        fprintf(gp, "%s'%s.dat' index %d using 1:2:3 with yerrorlines ls %d title '%s'",
                s ? ", \\\n     " : "", a->stem, s, a->style[s], a->label[s]);
    fprintf(gp, "\n");
}

/* One data block: x (N, spread by a small factor per series so that error
 * bars do not hide each other), mean, sd (0 when undefined), n, N. */
static void write_point(FILE *dat, int32_t N, double spread, ps_summary s)
{
    if (s.n == 0)
        return;
    fprintf(dat, "%.6g %.10g %.10g %zu %d\n", N * spread, s.mean, isnan(s.sd) ? 0 : s.sd, s.n,
            (int)N);
}

/* Series = masks (family = 0) or the two families (family = 1) of metric m. */
static int write_lines_data(const fig_ctx *c, lines_arg *a, int m, int family)
{
    FILE *dat = open_out(c, a->stem, "dat");
    if (!dat)
        return PS_EFAIL;
    int nser = family ? 2 : PS_NMASK;
    a->nseries = 0;
    for (int s = 0; s < nser; s++) {
        int any = 0;
        for (size_t k = 0; k < c->nN; k++) {
            const ps_group *g = c->byN[k];
            size_t n = 0;
            for (unsigned mk = family ? 4u * s : (unsigned)s;
                 mk < (family ? 4u * s + 4 : (unsigned)s + 1); mk++)
                n += ps_group_values(c->rs, g, mk, m, c->buf + n, NULL);
            ps_summary sm = ps_summarize(c->buf, n);
            if (!any && n)
                fprintf(dat, "# %s\n", family ? (s ? "overlap-active" : "overlap-free")
                                              : mask_labels[s]);
            write_point(dat, g->N, 1.0 + 0.02 * (s - (nser - 1) / 2.0), sm);
            any |= n > 0;
        }
        if (any) {
            fprintf(dat, "\n\n");
            a->style[a->nseries] = family ? 9 + s : s + 1;
            a->label[a->nseries] = family ? (s ? "overlap-active (1xx)" : "overlap-free (0xx)")
                                          : mask_labels[s];
            a->nseries++;
        }
    }
    return fclose(dat) ? ps_error_set(c->err, PS_EFAIL, "cannot write %s.dat", a->stem) : 0;
}

static int fig_lines(const fig_ctx *c, ps_figure_info *fi, int m, int family)
{
    lines_arg a = { .stem = fi->stem, .c = c };
    a.key = family ? "top right box opaque" : "outside right top";
    a.title = fi->caption;
    a.ylabel = m == ps_metric_find("E") ? "mean reconstruction error E (+- 1 SD)"
                                        : "specialization ratio {/Symbol r} (+- 1 SD)";
    int rc = write_lines_data(c, &a, m, family);
    if (rc)
        return rc;
    return render(c, fi, 1100, 700, lines_body, &a);
}

/* ---- Figure 2: heatmap of mean E, masks (by family) x N ------------------ */
typedef struct {
    const fig_ctx *c;
    const char *stem, *title;
    double mid;  /* value above which labels are drawn in white */
} heat_arg;

static void heat_body(FILE *gp, const void *arg)
{
    const heat_arg *a = arg;
    const fig_ctx *c = a->c;
    fprintf(gp, "set title \"%s\"\nset xlabel 'dataset size N'\nset ylabel 'mask'\n"
                "set xrange [-0.5:%g]\nset yrange [-0.5:7.5]\nset cblabel 'mean E'\n"
                "set palette defined (0 '#fde725', 0.5 '#21918c', 1 '#440154')\n"
                "set xtics (", a->title, c->nN - 0.5);
    for (size_t k = 0; k < c->nN; k++)
        fprintf(gp, "%s\"%d\" %zu", k ? ", " : "", (int)c->byN[k]->N, k);
    fprintf(gp, ") scale 0\nset ytics (");
    for (unsigned m = 0; m < PS_NMASK; m++)
        fprintf(gp, "%s\"%s\" %u", m ? ", " : "", mask_labels[m], 7 - m);
    fprintf(gp, ") scale 0\nset y2tics ('overlap-free' 5.5, 'overlap-active' 1.5) rotate by -90 "
                "center scale 0 offset 1\nset y2range [-0.5:7.5]\nset colorbox user origin "
                "0.90,0.15 size 0.025,0.7\nset rmargin at screen 0.84\n"
                "set arrow from -0.5,3.5 to %g,3.5 nohead front lw 4 lc rgb 'white'\n"
                "set style fill solid 1.0 noborder\n"
                "plot '%s.dat' using 1:2:(0.5):(0.5):3 with boxxyerror lc palette notitle, \\\n"
                "     '' using 1:2:($3 < %.17g ? sprintf('%%.3f', $3) : '') with labels "
                "tc rgb 'black' notitle, \\\n"
                "     '' using 1:2:($3 >= %.17g ? sprintf('%%.3f', $3) : '') with labels "
                "tc rgb 'white' notitle\n", c->nN - 0.5, a->stem, a->mid, a->mid);
}

static int fig_heatmap(const fig_ctx *c, ps_figure_info *fi)
{
    FILE *dat = open_out(c, fi->stem, "dat");
    if (!dat)
        return PS_EFAIL;
    int mE = ps_metric_find("E");
    double lo = INFINITY, hi = -INFINITY;
    fprintf(dat, "# column (N index)  row (7 - mask)  mean E  n  N  mask\n");
    for (size_t k = 0; k < c->nN; k++)
        for (unsigned m = 0; m < PS_NMASK; m++) {
            ps_summary s = ps_group_summary(c->rs, c->byN[k], m, mE, c->buf);
            if (s.n == 0)
                continue;
            fprintf(dat, "%zu %u %.10g %zu %d %s\n", k, 7 - m, s.mean, s.n, (int)c->byN[k]->N,
                    mask_labels[m]);
            lo = fmin(lo, s.mean);
            hi = fmax(hi, s.mean);
        }
    if (fclose(dat))
        return ps_error_set(c->err, PS_EFAIL, "cannot write %s.dat", fi->stem);
    heat_arg a = { c, fi->stem, fi->caption, 0.5 * (lo + hi) };
    return render(c, fi, 1000, 700, heat_body, &a);
}

/* ---- Figure 3: prototype positions of median-error runs ------------------ */
#define FIG3_NMASK 3
typedef struct {
    const char *stem, *title;
    char label[FIG3_NMASK][96];
    double xlo, xhi;
} proto_arg;

static void proto_body(FILE *gp, const void *arg)
{
    const proto_arg *a = arg;
    fprintf(gp, "set title \"%s\"\nset xlabel 'position on the input axis'\n"
                "set xrange [%.10g:%.10g]\nset yrange [-0.7:2.75]\n"
                "set ytics (\"%s\" 2, \"%s\" 1, \"%s\" 0) scale 0\n"
                "set grid xtics\nset key outside top center horizontal\n"
                "set object 1 rect from 0, graph 0 to 1, graph 1 fc rgb '#dde8f5' "
                "fillstyle solid 1.0 noborder behind\n"
                "set arrow from 0, graph 0 to 0, graph 1 nohead dt 2 lw 1.5\n"
                "set arrow from 1, graph 0 to 1, graph 1 nohead dt 2 lw 1.5\n"
                "set label 'input range [0, 1]' at 0.5, graph 0.96 center\n",
            a->title, a->xlo, a->xhi, a->label[0], a->label[1], a->label[2]);
    fprintf(gp, "plot '%s.dat' index 0 using 1:2 with points pt 7 ps 1.0 lc rgb '#B2182B' "
                "title 'prototypes p_j = -b_j / w_j', \\\n"
                "     '' index 1 using 1:2:(0):(0.16) with vectors nohead lw 1.5 lc rgb '#444444' "
                "title 'inputs x_i of the run''s dataset'\n", a->stem);
}

/* Prototypes of row (block 0 material, around height y) and its inputs (block 1
 * material, short bars under the row); widens [lo, hi]. */
static int write_protos(const fig_ctx *c, FILE *dat, FILE *inp, size_t row, double y,
                        ps_proto_row *pr, ps_data_row *dr, double *lo, double *hi)
{
    int rc = ps_runset_prototypes(c->rs, row, pr, c->err);
    if (rc == 0)
        rc = ps_runset_dataset(c->rs, row, dr, c->err);
    for (int j = 0; rc == 0 && j < c->rs->rows[row].N; j++) {
        /* spread a row vertically so that coinciding prototypes stay visible */
        fprintf(dat, "%.10g %.4f\n", pr[j].p, y + 0.12 + 0.18 * sin(7.0 * j));
        fprintf(inp, "%.10g %.4f\n", dr[j].x, y - 0.45);
        *lo = fmin(*lo, pr[j].p);
        *hi = fmax(*hi, pr[j].p);
    }
    return rc;
}

/* Data: index 0 = the prototypes of the three rows, index 1 = the inputs of
 * each row's run (short vertical bars under the row). */
static int fig3_data(const fig_ctx *c, const ps_group *g, const size_t row[FIG3_NMASK],
                     proto_arg *a)
{
    static const unsigned masks[FIG3_NMASK] = { 0, 2, 4 };
    size_t N = (size_t)g->N;
    ps_proto_row *pr = malloc(N * sizeof *pr);
    ps_data_row *dr = malloc(N * sizeof *dr);
    char *ibuf = NULL;
    size_t ilen = 0;
    FILE *inp = open_memstream(&ibuf, &ilen);
    FILE *dat = pr && dr && inp ? open_out(c, a->stem, "dat") : NULL;
    int rc = dat ? 0 : ps_error_set(c->err, PS_EFAIL, "cannot write %s.dat", a->stem);
    double lo = 0, hi = 1;
    for (int k = 0; rc == 0 && k < FIG3_NMASK; k++) {
        rc = write_protos(c, dat, inp, row[k], 2 - k, pr, dr, &lo, &hi);
        snprintf(a->label[k], sizeof a->label[k], "%s\\nE = %.3f", mask_labels[masks[k]],
                 c->rs->rows[row[k]].E);
    }
    if (inp)
        fclose(inp);
    if (dat)
        fprintf(dat, "\n\n%s", ibuf ? ibuf : "");
    if (dat && fclose(dat) && rc == 0)
        rc = ps_error_set(c->err, PS_EFAIL, "cannot write %s.dat", a->stem);
    double pad = 0.05 * (hi - lo);
    a->xlo = lo - pad;
    a->xhi = hi + pad;
    free(ibuf);
    free(pr);
    free(dr);
    return rc;
}

static int fig_prototypes(const fig_ctx *c, ps_figure_info *fi)
{
    static const unsigned masks[FIG3_NMASK] = { 0, 2, 4 };
    const ps_group *g = group_near(c, 100, 1u << 0 | 1u << 2 | 1u << 4);
    if (!g) {
        skip(fi, "needs masks 000, 010 and 100 at one N of the main setting");
        return 0;
    }
    size_t row[FIG3_NMASK];
    for (int k = 0; k < FIG3_NMASK; k++)
        row[k] = median_run(c, g, masks[k]);
    if (g->N != 100)
        add_note(fi, "no N = 100 with masks 000, 010, 100: shown at N = %d",
                 (int)g->N);
    proto_arg a = { .stem = fi->stem, .title = fi->caption };
    snprintf(fi->caption + strlen(fi->caption), sizeof fi->caption - strlen(fi->caption),
             ", N = %d", (int)g->N);
    int rc = fig3_data(c, g, row, &a);
    return rc ? rc : render(c, fi, 1100, 650, proto_body, &a);
}

/* ---- Figure 4: the tau sweep -------------------------------------------- */
#define FIG4_NMET 4
static const char *const fig4_metric[FIG4_NMET] = { "frac_outside", "hull_dist", "E", "rho" };
static const char *const fig4_ylabel[FIG4_NMET] = {
    "fraction of prototypes outside [0, 1]", "mean distance outside the input hull",
    "mean reconstruction error E", "specialization ratio {/Symbol r}",
};

typedef struct {
    const char *stem, *title;
    double lo, hi;  /* smallest and largest tau */
} tau_arg;

static void tau_body(FILE *gp, const void *arg)
{
    const tau_arg *a = arg;
    fprintf(gp, "set multiplot layout 2,2 title \"%s\"\nset logscale x\nset grid\nset key off\n"
                "set format x '10^{%%L}'\nset bars small\nset xrange [%.10g:%.10g]\n", a->title,
            a->lo / 2, a->hi * 2);
    for (int k = 0; k < FIG4_NMET; k++)
        fprintf(gp, "set xlabel 'separation temperature {/Symbol t} (log scale)'\n"
                    "set ylabel '%s'\nplot '%s.dat' using 1:%d:%d with yerrorlines ls 2\n",
                fig4_ylabel[k], a->stem, 2 + 2 * k, 3 + 2 * k);
}

static int fig_tau(const fig_ctx *c, ps_figure_info *fi)
{
    const ps_group *sw[64];
    unsigned mask = 1;
    size_t n = ps_figures_tau_sweep(c->rs, c->gs, &mask, sw, 64);
    if (n < 2) {
        skip(fi, "no tau sweep in the data (needs one mask at one N with two or more tau values)");
        return 0;
    }
    snprintf(fi->caption + strlen(fi->caption), sizeof fi->caption - strlen(fi->caption),
             ", mask %s, N = %d", mask_labels[mask], (int)sw[0]->N);
    FILE *dat = open_out(c, fi->stem, "dat");
    if (!dat)
        return PS_EFAIL;
    fprintf(dat, "# tau  frac_outside sd  hull_dist sd  E sd  rho sd  n\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(dat, "%.10g", sw[i]->tau);
        size_t cnt = 0;
        for (int k = 0; k < FIG4_NMET; k++) {
            ps_summary s = ps_group_summary(c->rs, sw[i], mask, ps_metric_find(fig4_metric[k]),
                                            c->buf);
            fprintf(dat, " %.10g %.10g", s.mean, isnan(s.sd) ? 0 : s.sd);
            cnt = s.n;
        }
        fprintf(dat, " %zu\n", cnt);
    }
    if (fclose(dat))
        return ps_error_set(c->err, PS_EFAIL, "cannot write %s.dat", fi->stem);
    tau_arg a = { fi->stem, fi->caption, sw[0]->tau, sw[n - 1]->tau };
    return render(c, fi, 1200, 900, tau_body, &a);
}

/* ---- Figure 7: originals vs reconstructions with the matching ------------ */
#define FIG7_NMASK 3
typedef struct {
    const char *stem, *title;
    char panel[FIG7_NMASK][96];
    double xlo, xhi, ylo, yhi;
} match_arg;

static void match_body(FILE *gp, const void *arg)
{
    const match_arg *a = arg;
    fprintf(gp, "set multiplot layout 1,3 title \"%s\"\nset xrange [%.10g:%.10g]\n"
                "set yrange [%.10g:%.10g]\nset xlabel 'x  (input / prototype p_j)'\n"
                "set ylabel 'y  (target / reconstruction v_j)'\nset grid\n"
                "set key below\n"
                "set object 1 rect from 0, graph 0 to 1, graph 1 fc rgb '#dde8f5' "
                "fillstyle solid 1.0 noborder behind\n", a->title, a->xlo, a->xhi, a->ylo, a->yhi);
    for (int k = 0; k < FIG7_NMASK; k++)
        fprintf(gp, "set title \"%s\"\n"
                    "plot '%s.dat' index %d with lines lc rgb '#888888' dt 2 title 'matching', \\\n"
                    "     '' index %d using 1:2 with points pt 6 ps 1.8 lw 2 lc rgb '#000000' "
                    "title 'originals (x_i, y_i)', \\\n"
                    "     '' index %d using 1:2 with points pt 2 ps 1.8 lw 2 lc rgb '#D55E00' "
                    "title 'reconstructions (p_j, v_j)'\n",
                a->panel[k], a->stem, 3 * k + 2, 3 * k, 3 * k + 1);
}

/* Blocks 3k, 3k+1, 3k+2: originals, reconstructions, matched segments.
 * Returns E recomputed from the matching. */
static double write_matching(FILE *dat, int N, const ps_data_row *dr, const ps_proto_row *pr,
                             double *cost, int *col, ps_assign_ws *aw)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            cost[i * N + j] = hypot(dr[i].x - pr[j].p, dr[i].y - pr[j].yhat);
    double total = ps_assign_solve(aw, N, cost, col);
    for (int i = 0; i < N; i++)
        fprintf(dat, "%.10g %.10g\n", dr[i].x, dr[i].y);
    fprintf(dat, "\n\n");
    for (int j = 0; j < N; j++)
        fprintf(dat, "%.10g %.10g\n", pr[j].p, pr[j].yhat);
    fprintf(dat, "\n\n");
    for (int i = 0; i < N && !isnan(total); i++)
        fprintf(dat, "%.10g %.10g\n%.10g %.10g\n\n", dr[i].x, dr[i].y, pr[col[i]].p,
                pr[col[i]].yhat);
    fprintf(dat, "\n");
    return total / N;
}

static void widen(match_arg *a, int N, const ps_data_row *dr, const ps_proto_row *pr)
{
    for (int i = 0; i < N; i++) {
        a->xlo = fmin(a->xlo, fmin(dr[i].x, pr[i].p));
        a->xhi = fmax(a->xhi, fmax(dr[i].x, pr[i].p));
        a->ylo = fmin(a->ylo, fmin(dr[i].y, pr[i].yhat));
        a->yhi = fmax(a->yhi, fmax(dr[i].y, pr[i].yhat));
    }
}

/* The run of mask in g on the (dataset, init) of row ref; SIZE_MAX if none. */
static size_t same_data_run(const fig_ctx *c, const ps_group *g, unsigned mask, size_t ref)
{
    const ps_run_row *r = &c->rs->rows[ref];
    for (size_t i = 0; i < g->nruns[mask]; i++) {
        const ps_run_row *q = &c->rs->rows[g->runs[mask][i]];
        if (q->dataset == r->dataset && q->init == r->init && usable(q))
            return g->runs[mask][i];
    }
    return SIZE_MAX;
}

static int fig7_data(const fig_ctx *c, const size_t row[FIG7_NMASK], match_arg *a,
                     ps_figure_info *fi)
{
    static const unsigned masks[FIG7_NMASK] = { 0, 2, 7 };
    int N = c->rs->rows[row[0]].N;
    ps_data_row *dr = malloc((size_t)N * sizeof *dr);
    ps_proto_row *pr = malloc((size_t)N * sizeof *pr);
    double *cost = malloc((size_t)N * N * sizeof *cost);
    int *col = malloc((size_t)N * sizeof *col);
    ps_assign_ws *aw = ps_assign_alloc(N);
    FILE *dat = dr && pr && cost && col && aw ? open_out(c, a->stem, "dat") : NULL;
    int rc = dat ? ps_runset_dataset(c->rs, row[0], dr, c->err)
                 : ps_error_set(c->err, PS_EFAIL, "cannot write %s.dat", a->stem);
    a->xlo = a->ylo = 0;
    a->xhi = a->yhi = 1;
    for (int k = 0; rc == 0 && k < FIG7_NMASK; k++) {
        rc = ps_runset_prototypes(c->rs, row[k], pr, c->err);
        if (rc)
            break;
        double E = write_matching(dat, N, dr, pr, cost, col, aw);
        widen(a, N, dr, pr);
        snprintf(a->panel[k], sizeof a->panel[k], "%s: E = %.3f", mask_labels[masks[k]], E);
        if (!(fabs(E - c->rs->rows[row[k]].E) <= 1e-9 * fmax(1, E)))
            add_note(fi, "E of the matching (%.6g) differs from the stored "
                     "E (%.6g) for mask %s", E, c->rs->rows[row[k]].E, mask_labels[masks[k]]);
    }
    if (dat && fclose(dat) && rc == 0)
        rc = ps_error_set(c->err, PS_EFAIL, "cannot write %s.dat", a->stem);
    double px = 0.05 * (a->xhi - a->xlo), py = 0.05 * (a->yhi - a->ylo);
    a->xlo -= px, a->xhi += px, a->ylo -= py, a->yhi += 3 * py;
    ps_assign_free(aw);
    free(dr), free(pr), free(cost), free(col);
    return rc;
}

static int fig_matching(const fig_ctx *c, ps_figure_info *fi)
{
    static const unsigned masks[FIG7_NMASK] = { 0, 2, 7 };
    const ps_group *g = group_near(c, 5, 1u << 0 | 1u << 2 | 1u << 7);
    size_t row[FIG7_NMASK] = { SIZE_MAX, SIZE_MAX, SIZE_MAX };
    if (g)
        row[0] = median_run(c, g, 0);
    for (int k = 1; g && k < FIG7_NMASK; k++)
        row[k] = same_data_run(c, g, masks[k], row[0]);
    if (!g || row[1] == SIZE_MAX || row[2] == SIZE_MAX) {
        skip(fi, "needs masks 000, 010 and 111 on one dataset at one N of the main setting");
        return 0;
    }
    if (g->N != 5)
        add_note(fi, "no N = 5 with masks 000, 010, 111: shown at N = %d",
                 (int)g->N);
    const ps_run_row *r = &c->rs->rows[row[0]];
    snprintf(fi->caption + strlen(fi->caption), sizeof fi->caption - strlen(fi->caption),
             ", N = %d, dataset %d, init %d", (int)r->N, (int)r->dataset, (int)r->init);
    match_arg a = { .stem = fi->stem, .title = fi->caption };
    int rc = fig7_data(c, row, &a, fi);
    return rc ? rc : render(c, fi, 1500, 560, match_body, &a);
}

/* ---- driver ---------------------------------------------------------------- */
static const struct {
    const char *stem, *caption;
} fig_names[PS_NFIGURES] = {
    { "fig1_E_vs_N", "Figure 1: mean reconstruction error E vs N, per mask" },
    { "fig2_E_heatmap", "Figure 2: mean E, masks grouped by family x N" },
    { "fig3_prototypes", "Figure 3: prototype positions of the median-E runs of 000, 010, 100" },
    { "fig4_tau_sweep", "Figure 4: tau sweep" },
    { "fig5_rho_vs_N", "Figure 5: specialization ratio rho vs N, per mask" },
    { "fig6_rho_family", "Figure 6: specialization ratio rho vs N, per mask family" },
    { "fig7_matching", "Figure 7: originals vs reconstructions, median-E run of 000 and the "
                       "010 / 111 runs on its dataset" },
};

static int ensure_dir(const char *dir, ps_error *err)
{
    struct stat sb;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return ps_error_set(err, PS_EINPUT, "cannot create directory %s: %s", dir, strerror(errno));
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return ps_error_set(err, PS_EINPUT, "%s is not a directory", dir);
    return 0;
}

/* Groups of the main setting in increasing N (groups are sorted by N first). */
static int ctx_init(fig_ctx *c, const ps_runset *rs, const ps_groupset *gs,
                    const ps_figures_opts *o, ps_error *err)
{
    memset(c, 0, sizeof *c);
    c->rs = rs, c->gs = gs, c->o = o, c->err = err;
    c->gnuplot = o->gnuplot ? o->gnuplot : getenv("PROTOSWEEP_GNUPLOT");
    if (!c->gnuplot || !*c->gnuplot)
        c->gnuplot = "gnuplot";
    int rc = ps_figures_setting(rs, gs, &c->main, err);
    for (size_t k = 0; rc == 0 && k < gs->n; k++)
        if (ps_setting_match(&c->main, &gs->g[k]) && c->nN < 64)
            c->byN[c->nN++] = &gs->g[k];
    size_t cap = PS_NMASK * (gs->nmax ? gs->nmax : 1);
    c->buf = rc ? NULL : malloc(cap * sizeof(e_row) > cap * sizeof(double)
                                    ? cap * sizeof(e_row) : cap * sizeof(double));
    if (rc == 0 && !c->buf)
        rc = ps_error_set(err, PS_EFAIL, "out of memory");
    return rc;
}

static int draw(const fig_ctx *c, int k, ps_figure_info *fi)
{
    switch (k) {
    case 0: return fig_lines(c, fi, ps_metric_find("E"), 0);
    case 1: return fig_heatmap(c, fi);
    case 2: return fig_prototypes(c, fi);
    case 3: return fig_tau(c, fi);
    case 4: return fig_lines(c, fi, ps_metric_find("rho"), 0);
    case 5: return fig_lines(c, fi, ps_metric_find("rho"), 1);
    default: return fig_matching(c, fi);
    }
}

int ps_figures_render(const ps_runset *rs, const ps_figures_opts *o,
                      ps_figure_info info[PS_NFIGURES], ps_error *err)
{
    for (int k = 0; k < PS_NFIGURES; k++) {
        memset(&info[k], 0, sizeof info[k]);
        snprintf(info[k].stem, sizeof info[k].stem, "%s", fig_names[k].stem);
        snprintf(info[k].caption, sizeof info[k].caption, "%s", fig_names[k].caption);
    }
    if (!o->outdir)
        return ps_error_set(err, PS_EINPUT, "figures: no output directory (-o DIR)");
    ps_groupset gs = { 0 };
    fig_ctx c;
    memset(&c, 0, sizeof c);
    int rc = ensure_dir(o->outdir, err);
    if (rc == 0)
        rc = ps_groupset_build(rs, NULL, &gs, err);
    if (rc == 0)
        rc = ctx_init(&c, rs, &gs, o, err);
    for (int k = 0; rc == 0 && k < PS_NFIGURES; k++)
        rc = draw(&c, k, &info[k]);
    free(c.buf);
    ps_groupset_free(&gs);
    return rc;
}

int ps_figures_run(const ps_runset *rs, const ps_figures_opts *o, FILE *log, ps_error *err)
{
    ps_figure_info info[PS_NFIGURES];
    int rc = ps_figures_render(rs, o, info, err);
    for (int k = 0; k < PS_NFIGURES; k++) {
        if (info[k].made)
            fprintf(log, "figure %d: %s/%s.png%s%s%s\n", k + 1, o->outdir, info[k].stem,
                    o->svg ? " (+ .svg)" : "", info[k].note[0] ? "; note: " : "", info[k].note);
        else if (info[k].note[0])
            fprintf(log, "figure %d: %s\n", k + 1, info[k].note);
    }
    return rc;
}
