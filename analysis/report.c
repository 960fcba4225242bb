/* report.c — `protostat report`: REPORT.md with this run's tables beside the
 * paper's published numbers, the figures, and the paper's claims evaluated
 * on the data.  See include/report.h.
 *
 * Three parts, top to bottom: the paper's CSV tables (load, look up), the
 * claims (pure functions of the runset), the Markdown writer.  The run's own
 * tables are protostat's (tables.h builders, printed as Markdown); the
 * comparison tables beside them are computed here from the same group values
 * (runset.h) so that a cell reads "this run / paper / difference".
 *
 * Invariant: every claim is PASS, FAIL or N/A with the numbers that decided
 * it; N/A only when the data holds nothing the claim speaks about.
 */
#include "report.h"
#include "figures.h"
#include "signif.h"
#include "stats.h"
#include "tables.h"
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the paper's tables: loading ---------------------------------------- */
static char *read_text(const char *path, ps_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ps_error_set(err, PS_EINPUT, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    while (s) {
        n += fread(s + n, 1, cap - 1 - n, f);
        if (n < cap - 1)
            break;
        char *t = realloc(s, cap *= 2);
        if (!t)
            free(s);
        s = t;
    }
    fclose(f);
    if (!s)
        ps_error_set(err, PS_EFAIL, "out of memory reading %s", path);
    else
        s[n] = '\0';
    return s;
}

/* Split line (modified in place) at commas into out[max]; returns the count. */
static size_t split_cells(char *line, char **out, size_t max)
{
    size_t n = 0;
    for (char *p = line;; p++) {
        if (n < max)
            out[n] = p;
        n++;
        p += strcspn(p, ",");
        if (!*p)
            return n;
        *p = '\0';
    }
}

static int table_fill(ps_ptable *t, char *text, const char *path, ps_error *err)
{
    size_t lines = 1, line = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    char *next = text;
    int header = 1;
    while (next) {
        char *l = next;
        next = strchr(l, '\n');
        if (next)
            *next++ = '\0';
        line++;
        l[strcspn(l, "\r")] = '\0';
        if (l[0] == '#') {
            if (!t->title[0])
                snprintf(t->title, sizeof t->title, "%s", l + 1 + (l[1] == ' '));
            continue;
        }
        if (!l[0])
            continue;
        if (header) {
            t->ncol = 1;
            for (const char *q = l; *q; q++)
                t->ncol += *q == ',';
            t->head = malloc(t->ncol * sizeof *t->head);
            t->cell = malloc(lines * t->ncol * sizeof *t->cell);
            if (!t->head || !t->cell)
                return ps_error_set(err, PS_EFAIL, "out of memory reading %s", path);
            split_cells(l, t->head, t->ncol);
            header = 0;
            continue;
        }
        if (split_cells(l, t->cell + t->nrow * t->ncol, t->ncol) != t->ncol)
            return ps_error_set(err, PS_EINPUT, "%s:%zu: expected %zu comma-separated cells",
                                path, line, t->ncol);
        t->nrow++;
    }
    return header ? ps_error_set(err, PS_EINPUT, "%s: no header line", path) : 0;
}

int ps_ptable_load(ps_ptable *t, const char *dir, const char *file, ps_error *err)
{
    char path[8192];
    memset(t, 0, sizeof *t);
    snprintf(path, sizeof path, "%s/%s", dir, file);
    t->store = read_text(path, err);
    int rc = t->store ? table_fill(t, t->store, path, err) : (err ? err->code : PS_EINPUT);
    if (rc)
        ps_ptable_free(t);
    return rc;
}

void ps_ptable_free(ps_ptable *t)
{
    free(t->head);
    free(t->cell);
    free(t->store);
    memset(t, 0, sizeof *t);
}

/* ---- the paper's tables: lookup ------------------------------------------ */
static int parse_num(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return end != s && *end == '\0' && errno == 0;
}

static int keys_equal(const char *a, const char *b)
{
    double x, y;
    /* masks ("010") compare as numbers too: harmless, a table's keys are all
     * masks or all numbers */
    if (parse_num(a, &x) && parse_num(b, &y))
        return fabs(x - y) <= 1e-9 * fmax(fabs(x), fabs(y));
    return strcmp(a, b) == 0;
}

const char *ps_ptable_str(const ps_ptable *t, const char *key, const char *col)
{
    size_t c = 0;
    while (c < t->ncol && strcmp(t->head[c], col) != 0)
        c++;
    if (c == t->ncol)
        return NULL;
    for (size_t r = 0; r < t->nrow; r++)
        if (keys_equal(t->cell[r * t->ncol], key))
            return t->cell[r * t->ncol + c];
    return NULL;
}

double ps_ptable_num(const ps_ptable *t, double key, const char *col)
{
    char k[64];
    double v;
    snprintf(k, sizeof k, "%.17g", key);
    const char *s = ps_ptable_str(t, k, col);
    return s && parse_num(s, &v) ? v : NAN;
}

static const char *const paper_files[PS_PT_COUNT] = {
    "table1_E_N3-10.csv",      "table2_E_N30-100.csv", "table3_effect_010_vs_000.csv",
    "table4_fit_by_family.csv", "table5_frac_outside.csv", "table6_tau_sweep.csv",
    "table7_rho_N3-10.csv",    "table8_rho_N30-100.csv", "signif_E_N3.csv",
    "signif_E_N5.csv",         "signif_E_N30.csv",     "signif_E_N100.csv",
};

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The paper_tables directory by the rule of report.h, into out. */
static int find_tables_dir(const char *explicit_dir, char *out, size_t n)
{
    static const char *const rel[] = { "../data/paper_tables", "../../data/paper_tables",
                                       "../share/protosweep/paper_tables" };
    const char *env = getenv("PROTOSWEEP_DATA");
    char exe[PATH_MAX];
    if (explicit_dir) {
        snprintf(out, n, "%s", explicit_dir);
        return is_dir(out);
    }
    if (env && *env && snprintf(out, n, "%s/paper_tables", env) > 0 && is_dir(out))
        return 1;
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = len > 0 ? (exe[len] = '\0', strrchr(exe, '/')) : NULL;
    for (size_t i = 0; slash && i < sizeof rel / sizeof rel[0]; i++) {
        *slash = '\0';
        if (snprintf(out, n, "%s/%s", exe, rel[i]) > 0 && is_dir(out))
            return 1;
    }
    snprintf(out, n, "data/paper_tables");
    return is_dir(out);
}

int ps_paper_load(ps_paper *p, const char *explicit_dir, ps_error *err)
{
    memset(p, 0, sizeof *p);
    if (!find_tables_dir(explicit_dir, p->dir, sizeof p->dir))
        return ps_error_set(err, PS_EINPUT, "paper tables not found (%s; use --tables DIR "
                            "or PROTOSWEEP_DATA=DIR holding paper_tables/)",
                            explicit_dir ? explicit_dir : "searched $PROTOSWEEP_DATA, next to "
                            "the executable and ./data/paper_tables");
    for (int k = 0; k < PS_PT_COUNT; k++) {
        int rc = ps_ptable_load(&p->t[k], p->dir, paper_files[k], err);
        if (rc) {
            ps_paper_free(p);
            return rc;
        }
    }
    return 0;
}

void ps_paper_free(ps_paper *p)
{
    for (int k = 0; k < PS_PT_COUNT; k++)
        ps_ptable_free(&p->t[k]);
}

double ps_paper_num(const ps_paper *p, int a, int b, double key, const char *col)
{
    if (!p)
        return NAN;
    double v = ps_ptable_num(&p->t[a], key, col);
    return isnan(v) ? ps_ptable_num(&p->t[b], key, col) : v;
}

/* ---- the view: main setting, its groups by N, a buffer -------------------- */
typedef struct {
    const ps_runset *rs;
    ps_groupset gs;             /* every run */
    ps_setting main;
    const ps_group *byN[64];    /* main-setting groups, increasing N */
    size_t nN;
    double *buf;                /* 2 * PS_NMASK * gs.nmax */
} view;

static void view_free(view *v)
{
    ps_groupset_free(&v->gs);
    free(v->buf);
}

static int view_init(view *v, const ps_runset *rs, ps_error *err)
{
    memset(v, 0, sizeof *v);
    v->rs = rs;
    int rc = ps_groupset_build(rs, NULL, &v->gs, err);
    if (rc == 0)
        rc = ps_figures_setting(rs, &v->gs, &v->main, err);
    for (size_t k = 0; rc == 0 && k < v->gs.n; k++)
        if (ps_setting_match(&v->main, &v->gs.g[k]) && v->nN < 64)
            v->byN[v->nN++] = &v->gs.g[k];
    v->buf = rc ? NULL : malloc(2 * PS_NMASK * (v->gs.nmax + 1) * sizeof *v->buf);
    if (rc == 0 && !v->buf)
        rc = ps_error_set(err, PS_EFAIL, "out of memory");
    if (rc)
        view_free(v);
    return rc;
}

static ps_summary cell(const view *v, const ps_group *g, unsigned mask, const char *metric)
{
    return ps_group_summary(v->rs, g, mask, ps_metric_find(metric), v->buf);
}

/* Mean of the mask means of the family (overlap bit = active); NaN if none. */
static double family_mean(const view *v, const ps_group *g, int active, const char *metric)
{
    double sum = 0;
    int k = 0;
    for (unsigned m = active ? 4 : 0; m < (active ? 8u : 4u); m++) {
        ps_summary s = cell(v, g, m, metric);
        if (s.n) {
            sum += s.mean;
            k++;
        }
    }
    return k ? sum / k : NAN;
}

/* ---- claims ------------------------------------------------------------------ */
static void appendf(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t n, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, n - len, fmt, ap);
    va_end(ap);
}

static void verdict(ps_claim *c, int tested, int ok)
{
    c->status = !tested ? PS_CLAIM_NA : ok ? PS_CLAIM_PASS : PS_CLAIM_FAIL;
    if (!tested)
        appendf(c->detail, sizeof c->detail, "no data for this claim");
}

/* Lowest / highest mean of metric over the masks lo..hi-1 of g (but skip). */
static int extreme(const view *v, const ps_group *g, unsigned lo, unsigned hi, unsigned skip,
                   const char *metric, int highest, double *val, unsigned *mask)
{
    int found = 0;
    *val = NAN;
    *mask = 0;
    for (unsigned m = lo; m < hi; m++) {
        ps_summary s = cell(v, g, m, metric);
        if (m == skip || s.n == 0)
            continue;
        if (!found || (highest ? s.mean > *val : s.mean < *val)) {
            *val = s.mean;
            *mask = m;
        }
        found = 1;
    }
    return found;
}

static void claim_cov_lowest(const view *v, ps_claim *c)
{
    int tested = 0, ok = 1;
    for (size_t k = 0; k < v->nN; k++) {
        ps_summary s = cell(v, v->byN[k], 2, "E");
        double best;
        unsigned bm;
        if (s.n == 0 || !extreme(v, v->byN[k], 0, PS_NMASK, 2, "E", 0, &best, &bm))
            continue;
        int pass = s.mean < best;
        char m[4];
        ps_stat_mask_format(bm, m);
        appendf(c->detail, sizeof c->detail, "%sN=%d: E(010)=%.3f %s %.3f=E(%s)", tested ? "; " : "",
                (int)v->byN[k]->N, s.mean, pass ? "<" : ">=", best, m);
        tested = 1;
        ok &= pass;
    }
    verdict(c, tested, ok);
}

static void claim_families_E(const view *v, ps_claim *c)
{
    int tested = 0, ok = 1;
    for (size_t k = 0; k < v->nN; k++) {
        const ps_group *g = v->byN[k];
        double act, fre;
        unsigned ma, mf;
        if (g->N < 10 || !extreme(v, g, 4, 8, 8, "E", 0, &act, &ma) ||
            !extreme(v, g, 0, 4, 8, "E", 1, &fre, &mf))
            continue;
        char a[4], f[4];
        ps_stat_mask_format(ma, a);
        ps_stat_mask_format(mf, f);
        int pass = act > fre;
        appendf(c->detail, sizeof c->detail, "%sN=%d: min 1xx E(%s)=%.3f %s max 0xx E(%s)=%.3f",
                tested ? "; " : "", (int)g->N, a, act, pass ? ">" : "<=", f, fre);
        tested = 1;
        ok &= pass;
    }
    verdict(c, tested, ok);
}

static void claim_expulsion(const view *v, ps_claim *c)
{
    int tested = 0, ok = 1;
    for (size_t k = 0; k < v->nN; k++) {
        const ps_group *g = v->byN[k];
        double amin, fmin_, fmax_;
        unsigned ma, m1, m2;
        if (g->N < 30 || !extreme(v, g, 4, 8, 8, "frac_outside", 0, &amin, &ma) ||
            !extreme(v, g, 0, 4, 8, "frac_outside", 0, &fmin_, &m1) ||
            !extreme(v, g, 0, 4, 8, "frac_outside", 1, &fmax_, &m2))
            continue;
        int pass = amin >= 0.95 && fmin_ >= 0.20 && fmax_ <= 0.65;
        char a[4];
        ps_stat_mask_format(ma, a);
        appendf(c->detail, sizeof c->detail, "%sN=%d: 1xx min %.2f (%s) %s 0.95, 0xx in "
                "[%.2f, %.2f] %s [0.20, 0.65]", tested ? "; " : "", (int)g->N, amin, a,
                amin >= 0.95 ? ">=" : "<", fmin_, fmax_,
                fmin_ >= 0.20 && fmax_ <= 0.65 ? "inside" : "NOT inside");
        tested = 1;
        ok &= pass;
    }
    verdict(c, tested, ok);
}

static void claim_fit_ratio(const view *v, ps_claim *c)
{
    int tested = 0, ok = 1;
    for (size_t k = 0; k < v->nN; k++) {
        double fre = family_mean(v, v->byN[k], 0, "L_fit");
        double act = family_mean(v, v->byN[k], 1, "L_fit");
        if (isnan(fre) || isnan(act) || fre == 0)
            continue;
        double r = act / fre;
        int pass = r >= 0.9 && r <= 1.15;
        appendf(c->detail, sizeof c->detail, "%sN=%d: %.4f / %.4f = %.3f%s", tested ? "; " : "",
                (int)v->byN[k]->N, act, fre, r, pass ? "" : " (outside)");
        tested = 1;
        ok &= pass;
    }
    verdict(c, tested, ok);
}

static void claim_rho(const view *v, ps_claim *c)
{
    int tested = 0, ok = 1;
    for (size_t k = 0; k < v->nN; k++) {
        ps_summary cov = cell(v, v->byN[k], 2, "rho"), std = cell(v, v->byN[k], 0, "rho");
        if (v->byN[k]->N < 5 || cov.n == 0 || std.n == 0)
            continue;
        int pass = cov.mean > std.mean;
        appendf(c->detail, sizeof c->detail, "%sN=%d: rho(010)=%.3f %s rho(000)=%.3f",
                tested ? "; " : "", (int)v->byN[k]->N, cov.mean, pass ? ">" : "<=", std.mean);
        tested = 1;
        ok &= pass;
    }
    verdict(c, tested, ok);
}

/* Means of metric along the sweep into c->detail; 1 when strictly increasing. */
static int sweep_increasing(const view *v, const ps_group *const *sw, size_t n, unsigned mask,
                            const char *metric, ps_claim *c)
{
    int inc = 1;
    double prev = -INFINITY;
    appendf(c->detail, sizeof c->detail, "; %s", metric);
    for (size_t i = 0; i < n; i++) {
        double m = cell(v, sw[i], mask, metric).mean;
        inc &= m > prev;
        prev = m;
        appendf(c->detail, sizeof c->detail, " %.3f", m);
    }
    appendf(c->detail, sizeof c->detail, inc ? " (increasing)" : " (NOT increasing)");
    return inc;
}

static void claim_tau(const view *v, ps_claim *c)
{
    const ps_group *sw[64];
    unsigned mask = 1;
    size_t n = ps_figures_tau_sweep(v->rs, &v->gs, &mask, sw, 64);
    if (n < 2) {
        verdict(c, 0, 0);
        appendf(c->detail, sizeof c->detail, " (no tau sweep in the file)");
        return;
    }
    char m[4];
    ps_stat_mask_format(mask, m);
    appendf(c->detail, sizeof c->detail, "mask %s, N=%d, tau", m, (int)sw[0]->N);
    for (size_t i = 0; i < n; i++)
        appendf(c->detail, sizeof c->detail, " %g", sw[i]->tau);
    int ok = sweep_increasing(v, sw, n, mask, "E", c);
    ok &= sweep_increasing(v, sw, n, mask, "hull_dist", c);
    verdict(c, 1, ok);
}

static const char *const claim_text[PS_NCLAIMS] = {
    "coverage-only (010) has the lowest mean E at every N",
    "every overlap-active mask has a higher mean E than every overlap-free mask at N >= 10",
    "overlap-active masks expel >= 95% of prototypes at N >= 30, overlap-free masks stay "
    "between 20% and 65%",
    "the fit ratio overlap-active / overlap-free (mean L_fit) lies in [0.9, 1.15] at every N",
    "rho(010) > rho(000) at N >= 5",
    "in the tau sweep, E and hull_dist increase with tau",
};

static void claims_eval(const view *v, ps_claim out[PS_NCLAIMS])
{
    static void (*const fn[PS_NCLAIMS])(const view *, ps_claim *) = {
        claim_cov_lowest, claim_families_E, claim_expulsion, claim_fit_ratio, claim_rho, claim_tau,
    };
    for (int k = 0; k < PS_NCLAIMS; k++) {
        memset(&out[k], 0, sizeof out[k]);
        out[k].text = claim_text[k];
        fn[k](v, &out[k]);
    }
}

int ps_report_claims(const ps_runset *rs, ps_claim out[PS_NCLAIMS], ps_error *err)
{
    view v;
    int rc = view_init(&v, rs, err);
    if (rc)
        return rc;
    claims_eval(&v, out);
    view_free(&v);
    return 0;
}

const char *ps_claim_status_name(ps_claim_status s)
{
    return s == PS_CLAIM_PASS ? "PASS" : s == PS_CLAIM_FAIL ? "FAIL" : "N/A";
}

/* ---- Markdown: comparison cells ----------------------------------------------- */
/* v with dg decimals (signed: with its sign), or "NA" / "n/a" when NaN. */
static const char *fmtv(char *b, size_t n, double v, int dg, int sign, const char *nan)
{
    if (isnan(v))
        snprintf(b, n, "%s", nan);
    else /* a difference that rounds to zero prints as +0.000, not -0.000 */
        snprintf(b, n, sign ? "%+.*f" : "%.*f", dg, fabs(v) < 0.5 * pow(10, -dg) ? 0.0 : v);
    return b;
}

/* "run / paper / run - paper"; "n/a" where a side is missing. */
static void cmp_cell(ps_cell *c, double run, double paper, int dg)
{
    char r[24], p[24], d[24], b[80];
    snprintf(b, sizeof b, "%s / %s / %s", fmtv(r, sizeof r, run, dg, 0, "NA"),
             fmtv(p, sizeof p, paper, dg, 0, "n/a"), fmtv(d, sizeof d, run - paper, dg, 1, "n/a"));
    ps_cell_str(c, b);
}

/* Running mean |run - paper| of a comparison table. */
typedef struct {
    double sum;
    size_t n;
} dev_acc;

static void dev_add(dev_acc *a, double run, double paper)
{
    if (!isnan(run) && !isnan(paper)) {
        a->sum += fabs(run - paper);
        a->n++;
    }
}

static void dev_note(ps_tab *t, const dev_acc *a, const char *what)
{
    if (a->n)
        ps_tab_add_note(t, "mean |this run - paper| of %s over %zu cells: %.4f", what, a->n,
                        a->sum / (double)a->n);
    else
        ps_tab_add_note(t, "no cell of %s has a paper counterpart", what);
}

static void md_tab(FILE *f, ps_tab *t)
{
    if (t) {
        ps_tab_print(t, PS_FMT_MD, f, NULL);
        fputc('\n', f);
        ps_tab_free(t);
    }
}

static ps_tab *cmp_tab(const char *first, const char *const *heads, size_t nh)
{
    ps_tab *t = ps_tab_alloc(1 + nh);
    if (!t)
        return NULL;
    int rc = ps_tab_set_head(t, 0, first) |
             ps_tab_set_title(t, "Compared with the paper (cell: this run / paper / difference):");
    for (size_t k = 0; k < nh; k++)
        rc |= ps_tab_set_head(t, 1 + k, heads[k]);
    if (rc) {
        ps_tab_free(t);
        return NULL;
    }
    return t;
}

static const char *const mask_heads[PS_NMASK] = { "000", "001", "010", "011",
                                                  "100", "101", "110", "111" };

/* N x mask means of metric beside paper tables a, b (same row layout). */
static ps_tab *cmp_masks(const view *v, const ps_paper *p, int a, int b, const char *metric, int dg)
{
    ps_tab *t = cmp_tab("N", mask_heads, PS_NMASK);
    dev_acc acc = { 0, 0 };
    for (size_t k = 0; t && k < v->nN; k++) {
        ps_cell *row = ps_tab_add_row(t);
        if (!row)
            break;
        ps_cell_int(&row[0], v->byN[k]->N);
        for (unsigned m = 0; m < PS_NMASK; m++) {
            ps_summary s = cell(v, v->byN[k], m, metric);
            double pv = ps_paper_num(p, a, b, v->byN[k]->N, mask_heads[m]);
            if (s.n)
                cmp_cell(&row[1 + m], s.mean, pv, dg);
            dev_add(&acc, s.n ? s.mean : NAN, pv);
        }
    }
    if (t)
        dev_note(t, &acc, metric);
    return t;
}

/* rho mean +- sd of 000, 010, 111 beside Tables 7-8. */
static ps_tab *cmp_rho(const view *v, const ps_paper *p)
{
    static const unsigned masks[3] = { 0, 2, 7 };
    static const char *const heads[3] = { "000 (Std)", "010 (Cov)", "111 (Full)" };
    ps_tab *t = cmp_tab("N", heads, 3);
    dev_acc acc = { 0, 0 };
    for (size_t k = 0; t && k < v->nN; k++) {
        ps_cell *row = ps_tab_add_row(t);
        if (!row)
            break;
        ps_cell_int(&row[0], v->byN[k]->N);
        for (int j = 0; j < 3; j++) {
            char col[16], b[160], x[4][24], d[24];
            ps_summary s = cell(v, v->byN[k], masks[j], "rho");
            snprintf(col, sizeof col, "%s_mean", mask_heads[masks[j]]);
            double pmean = ps_paper_num(p, PS_PT_RHO1, PS_PT_RHO2, v->byN[k]->N, col);
            snprintf(col, sizeof col, "%s_std", mask_heads[masks[j]]);
            double psd = ps_paper_num(p, PS_PT_RHO1, PS_PT_RHO2, v->byN[k]->N, col);
            snprintf(b, sizeof b, "%s±%s / %s±%s / %s", fmtv(x[0], 24, s.mean, 3, 0, "NA"),
                     fmtv(x[1], 24, s.sd, 3, 0, "NA"), fmtv(x[2], 24, pmean, 3, 0, "n/a"),
                     fmtv(x[3], 24, psd, 3, 0, "n/a"), fmtv(d, sizeof d, s.mean - pmean, 3, 1, "n/a"));
            if (s.n)
                ps_cell_str(&row[1 + j], b);
            dev_add(&acc, s.n ? s.mean : NAN, pmean);
        }
    }
    if (t)
        dev_note(t, &acc, "mean rho");
    return t;
}

/* 010 vs 000 on E beside Table 3. */
static ps_tab *cmp_effect(const view *v, const ps_paper *p)
{
    static const char *const heads[5] = { "E(000)", "E(010)", "abs. red.", "rel. red. (%)",
                                          "Cohen d" };
    static const char *const cols[5] = { "E_000", "E_010", "abs_red", "rel_red_pct", "cohen_d" };
    static const int dg[5] = { 3, 3, 3, 1, 2 };
    ps_tab *t = cmp_tab("N", heads, 5);
    int mE = ps_metric_find("E");
    double *a = v->buf, *b = v->buf + v->gs.nmax;
    for (size_t k = 0; t && k < v->nN; k++) {
        size_t na = ps_group_values(v->rs, v->byN[k], 0, mE, a, NULL);
        size_t nb = ps_group_values(v->rs, v->byN[k], 2, mE, b, NULL);
        if (!na || !nb)
            continue;
        ps_cell *row = ps_tab_add_row(t);
        if (!row)
            break;
        double ma = ps_summarize(a, na).mean, mb = ps_summarize(b, nb).mean;
        double run[5] = { ma, mb, ma - mb, 100 * (ma - mb) / ma, ps_stats_cohen_d(a, na, b, nb) };
        ps_cell_int(&row[0], v->byN[k]->N);
        for (int j = 0; j < 5; j++)
            cmp_cell(&row[1 + j], run[j], ps_paper_num(p, PS_PT_EFFECT, PS_PT_EFFECT,
                                                       v->byN[k]->N, cols[j]), dg[j]);
    }
    return t;
}

/* Family means of L_fit and their ratio beside Table 4. */
static ps_tab *cmp_family(const view *v, const ps_paper *p)
{
    static const char *const heads[3] = { "L_fit overlap-free", "L_fit overlap-active",
                                          "ratio" };
    static const char *const cols[3] = { "fit_free", "fit_active", "ratio" };
    ps_tab *t = cmp_tab("N", heads, 3);
    for (size_t k = 0; t && k < v->nN; k++) {
        double fre = family_mean(v, v->byN[k], 0, "L_fit");
        double act = family_mean(v, v->byN[k], 1, "L_fit");
        double run[3] = { fre, act, act / fre };
        ps_cell *row = ps_tab_add_row(t);
        if (!row)
            break;
        ps_cell_int(&row[0], v->byN[k]->N);
        for (int j = 0; j < 3; j++)
            cmp_cell(&row[1 + j], run[j], ps_paper_num(p, PS_PT_FIT, PS_PT_FIT, v->byN[k]->N,
                                                       cols[j]), j == 2 ? 3 : 4);
    }
    return t;
}

/* The tau sweep beside Table 6. */
static ps_tab *cmp_tau(const view *v, const ps_paper *p, const ps_group *const *sw, size_t n,
                       unsigned mask)
{
    static const char *const cols[4] = { "frac_outside", "hull_dist", "E", "rho" };
    static const int dg[4] = { 2, 2, 3, 3 };
    ps_tab *t = cmp_tab("tau", cols, 4);
    char key[32];
    for (size_t i = 0; t && i < n; i++) {
        ps_cell *row = ps_tab_add_row(t);
        if (!row)
            break;
        snprintf(key, sizeof key, "%g", sw[i]->tau);
        ps_cell_str(&row[0], key);
        for (int j = 0; j < 4; j++)
            cmp_cell(&row[1 + j], cell(v, sw[i], mask, cols[j]).mean,
                     ps_paper_num(p, PS_PT_TAU, PS_PT_TAU, sw[i]->tau, cols[j]), dg[j]);
    }
    return t;
}

/* The run's "+/-" matrix beside the paper's (table pt) for one N. */
static ps_tab *cmp_signif(const ps_signif *s, const ps_paper *p, int pt)
{
    ps_tab *t = cmp_tab("", mask_heads, PS_NMASK);
    size_t agree = 0, pairs = 0;
    for (unsigned a = 0; t && a < PS_NMASK; a++) {
        ps_cell *row = ps_tab_add_row(t);
        if (!row)
            break;
        ps_cell_str(&row[0], mask_heads[a]);
        for (unsigned b = 0; b < PS_NMASK; b++) {
            char run = (s->masks >> a & 1) && (s->masks >> b & 1) ? ps_signif_symbol(s, a, b) : '?';
            const char *ps = ps_ptable_str(&p->t[pt], mask_heads[a], mask_heads[b]);
            char text[24];
            int same = ps && ps[0] == run;
            snprintf(text, sizeof text, "%s%c / %s%s", same ? "" : "**", run == '?' ? ' ' : run,
                     ps ? ps : "n/a", same ? "" : "**");
            ps_cell_str(&row[1 + b], text);
            if (a < b && run != '?' && ps) {
                pairs++;
                agree += same;
            }
        }
    }
    if (t) {
        ps_tab_set_title(t, "Compared with the paper (cell: this run / paper; bold where they "
                            "differ):");
        ps_tab_add_note(t, "the run and the paper agree on %zu of %zu mask pairs", agree, pairs);
    }
    return t;
}

/* ---- Markdown: sections --------------------------------------------------------- */
static void md_header(FILE *f, const view *v, const ps_paper *p, const char *paper_err)
{
    size_t div = 0;
    for (size_t i = 0; i < v->rs->n; i++)
        div += v->rs->rows[i].status != PS_STATUS_OK;
    fprintf(f, "# protosweep reproduction report\n\nResults files:");
    for (size_t k = 0; k < v->rs->nfiles; k++)
        fprintf(f, " `%s`", v->rs->paths[k]);
    fprintf(f, "  \nRuns: %zu (%zu diverged, left out of every statistic).  \n", v->rs->n, div);
    fprintf(f, "Main setting (the tables, claims and Figures 1-3, 5-7): lambda = %g, tau = %g, "
               "lr = %g, epochs = %d; N =", v->main.lambda, v->main.tau, v->main.lr,
            (int)v->main.epochs);
    for (size_t k = 0; k < v->nN; k++)
        fprintf(f, " %d", (int)v->byN[k]->N);
    if (p)
        fprintf(f, ".  \nPaper's numbers: `%s` (typed in from the paper; see its README.md for "
                   "what was inferred).\n\n", p->dir);
    else
        fprintf(f, ".  \n**The paper's tables were not found** (%s): the tables below have no "
                   "paper column.\n\n", paper_err);
}

static void md_claims(FILE *f, const ps_claim *c)
{
    fprintf(f, "## The paper's claims, checked on this run\n\n| # | claim | verdict | numbers |\n"
               "|---|---|---|---|\n");
    for (int k = 0; k < PS_NCLAIMS; k++)
        fprintf(f, "| %d | %s | **%s** | %s |\n", k + 1, c[k].text,
                ps_claim_status_name(c[k].status), c[k].detail);
    fprintf(f, "\n");
}

static void md_figures(FILE *f, const ps_figure_info *fi, const char *fig_err)
{
    fprintf(f, "## Figures\n\n");
    if (!fi) {
        fprintf(f, "No figures were drawn%s%s.\n\n", fig_err ? ": " : "", fig_err ? fig_err : "");
        return;
    }
    for (int k = 0; k < PS_NFIGURES; k++) {
        fprintf(f, "### %s\n\n", fi[k].caption);
        if (fi[k].made)
            fprintf(f, "![%s](%s.png)\n\n(vector: [%s.svg](%s.svg); data and gnuplot script: "
                       "`%s.dat`, `%s.gp`)\n\n", fi[k].caption, fi[k].stem, fi[k].stem,
                    fi[k].stem, fi[k].stem, fi[k].stem);
        if (fi[k].note[0])
            fprintf(f, "*%s*\n\n", fi[k].note);
        else if (!fi[k].made)
            fprintf(f, "*not drawn: %s*\n\n", fig_err ? fig_err : "an earlier figure failed");
    }
}

/* Groups of rs passing f (one value per listed key). */
static int filtered(const view *v, const ps_group *g, int by_setting, int with_N, int mask,
                    ps_groupset *out, ps_error *err)
{
    ps_filter f;
    memset(&f, 0, sizeof f);
    f.lambda = (ps_filter_list){ 1, { g->lambda } };
    f.lr = (ps_filter_list){ 1, { g->lr } };
    f.epochs = (ps_filter_list){ 1, { g->epochs } };
    if (by_setting)
        f.tau = (ps_filter_list){ 1, { g->tau } };
    if (with_N)
        f.N = (ps_filter_list){ 1, { g->N } };
    if (mask >= 0)
        f.mask = (ps_filter_list){ 1, { mask } };
    return ps_groupset_build(v->rs, &f, out, err);
}

typedef ps_tab *(*tab_builder)(const ps_runset *, const ps_groupset *, const ps_table_opts *,
                               ps_error *);

/* "### title", protostat's table, then the comparison (cmp may be NULL). */
static int md_section(FILE *f, const view *v, const ps_groupset *gs, const char *title,
                      tab_builder b, const ps_table_opts *o, ps_tab *cmp, ps_error *err)
{
    if (title[0])
        fprintf(f, "### %s\n\n", title);
    ps_tab *t = b(v->rs, gs, o, err);
    if (!t) {
        ps_tab_free(cmp);
        return err && err->code ? err->code : PS_EFAIL;
    }
    md_tab(f, t);
    md_tab(f, cmp);
    return 0;
}

static ps_table_opts opts_for(const char *metric, int std)
{
    ps_table_opts o;
    ps_table_opts_init(&o);
    o.metric = ps_metric_find(metric);
    o.std = std;
    return o;
}

static int md_main_tables(FILE *f, const view *v, const ps_groupset *gs, const ps_paper *p,
                          ps_error *err)
{
    ps_table_opts oE = opts_for("E", 1), oR = opts_for("rho", 1), oF = opts_for("frac_outside", 0);
    ps_table_opts oEff = opts_for("E", 0), oFit = opts_for("L_fit", 0);
    int rc = md_section(f, v, gs, "Mean reconstruction error E, mean ± SD (paper Tables 1-2)",
                        ps_table_means, &oE, p ? cmp_masks(v, p, PS_PT_E1, PS_PT_E2, "E", 3) : NULL,
                        err);
    if (rc == 0)
        rc = md_section(f, v, gs, "Specialization ratio rho, mean ± SD (paper Tables 7-8)",
                        ps_table_means, &oR, p ? cmp_rho(v, p) : NULL, err);
    if (rc == 0)
        rc = md_section(f, v, gs, "Fraction of prototypes outside [0, 1] (paper Table 5)",
                        ps_table_means, &oF,
                        p ? cmp_masks(v, p, PS_PT_FRAC, PS_PT_FRAC, "frac_outside", 2) : NULL, err);
    if (rc == 0)
        rc = md_section(f, v, gs, "Effect of coverage: 010 vs 000 on E (paper Table 3)",
                        ps_table_effect, &oEff, p ? cmp_effect(v, p) : NULL, err);
    if (rc == 0)
        rc = md_section(f, v, gs, "Fit per mask family: mean L_fit of overlap-free (0xx) and "
                        "overlap-active (1xx) masks (paper Table 4)", ps_table_family, &oFit,
                        p ? cmp_family(v, p) : NULL, err);
    return rc;
}

static int paper_signif_table(int32_t N)
{
    return N == 3 ? PS_PT_SIG3 : N == 5 ? PS_PT_SIG5 : N == 30 ? PS_PT_SIG30
         : N == 100 ? PS_PT_SIG100 : -1;
}

static int md_signif(FILE *f, const view *v, const ps_groupset *gs, const ps_paper *p,
                     ps_error *err)
{
    ps_signif_ws *ws = ps_signif_alloc(gs->nmax);
    if (!ws)
        return ps_error_set(err, PS_EFAIL, "out of memory");
    fprintf(f, "### Significance of the differences in E (paper Section 4.2 matrices)\n\n"
               "Per pair of masks: Shapiro-Wilk on each sample, then Welch or Mann-Whitney, Holm "
               "over the pairs of one N, alpha = 0.05 (SPEC section 10).  `+` significant, `-` "
               "not, `=` diagonal, `NA` not testable.\n\n");
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < gs->n; k++) {
        ps_signif s;
        rc = ps_signif_group(ws, v->rs, &gs->g[k], ps_metric_find("E"), 0.05, 0, &s, err);
        ps_tab *t = rc ? NULL : ps_table_signif_matrix(&gs->g[k], ps_groupset_varying(gs), &s, err);
        if (rc == 0 && !t)
            rc = err && err->code ? err->code : PS_EFAIL;
        md_tab(f, t);
        int pt = paper_signif_table(gs->g[k].N);
        if (rc == 0 && p && pt >= 0)
            md_tab(f, cmp_signif(&s, p, pt));
    }
    ps_signif_free(ws);
    return rc;
}

static int md_tau(FILE *f, const view *v, const ps_paper *p, ps_error *err)
{
    const ps_group *sw[64];
    unsigned mask = 1;
    size_t n = ps_figures_tau_sweep(v->rs, &v->gs, &mask, sw, 64);
    fprintf(f, "### Tau sweep (paper Table 6)\n\n");
    if (n < 2) {
        fprintf(f, "No tau sweep in these results (the paper's is mask 001 at N = 30, "
                   "data/tau_sweep.cfg).\n\n");
        return 0;
    }
    ps_groupset gs = { 0 };
    ps_table_opts o = opts_for("E", 0);
    int rc = filtered(v, sw[0], 0, 1, (int)mask, &gs, err);
    if (rc == 0)
        rc = md_section(f, v, &gs, "", ps_table_sweep, &o, p ? cmp_tau(v, p, sw, n, mask) : NULL,
                        err);
    ps_groupset_free(&gs);
    return rc;
}

static int md_tables(FILE *f, const view *v, const ps_paper *p, ps_error *err)
{
    ps_groupset gs = { 0 };
    fprintf(f, "## Tables\n\nEach table is protostat's, for the main setting, followed by the "
               "paper's numbers beside this run's.\n\n");
    int rc = filtered(v, v->byN[0], 1, 0, -1, &gs, err);
    if (rc == 0)
        rc = md_main_tables(f, v, &gs, p, err);
    if (rc == 0)
        rc = md_signif(f, v, &gs, p, err);
    if (rc == 0)
        rc = md_tau(f, v, p, err);
    ps_groupset_free(&gs);
    return rc;
}

/* ---- the command ------------------------------------------------------------------ */
static void print_claims(FILE *out, const view *v, const ps_claim *c, const char *md)
{
    int count[3] = { 0, 0, 0 };
    fprintf(out, "Claims of the paper on this run (lambda=%g tau=%g lr=%g epochs=%d):\n",
            v->main.lambda, v->main.tau, v->main.lr, (int)v->main.epochs);
    for (int k = 0; k < PS_NCLAIMS; k++) {
        fprintf(out, "%-4s  %d. %s\n      %s\n", ps_claim_status_name(c[k].status), k + 1,
                c[k].text, c[k].detail);
        count[c[k].status]++;
    }
    fprintf(out, "%d PASS, %d FAIL, %d N/A; report: %s\n", count[PS_CLAIM_PASS],
            count[PS_CLAIM_FAIL], count[PS_CLAIM_NA], md);
}

/* Draw the figures into DIR; on failure keep the message for the report. */
static int report_figures(const ps_runset *rs, const ps_report_opts *o,
                          ps_figure_info fi[PS_NFIGURES], char *msg, size_t n)
{
    ps_figures_opts fo = { o->outdir, o->gnuplot, 1 };
    ps_error ferr = { 0, "" };
    int rc = ps_figures_render(rs, &fo, fi, &ferr);
    if (rc) {
        snprintf(msg, n, "%s", ferr.msg);
        fprintf(stderr, "protostat report: figures: %s\n", ferr.msg);
    }
    return rc;
}

static int write_report(const char *path, const view *v, const ps_paper *p,
                        const char *paper_err, const ps_claim *c, const ps_figure_info *fi,
                        const char *fig_err, ps_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return ps_error_set(err, PS_EINPUT, "cannot write %s: %s", path, strerror(errno));
    md_header(f, v, p, paper_err);
    md_claims(f, c);
    md_figures(f, fi, fig_err);
    int rc = md_tables(f, v, p, err);
    if (fclose(f) != 0 && rc == 0)
        rc = ps_error_set(err, PS_EFAIL, "cannot write %s", path);
    return rc;
}

int ps_report_run(const ps_runset *rs, const ps_report_opts *o, FILE *out, ps_error *err)
{
    ps_paper paper;
    ps_figure_info fi[PS_NFIGURES];
    ps_claim claims[PS_NCLAIMS];
    char path[4096], fig_err[1024] = "", paper_err[1024] = "";
    ps_error perr = { 0, "" };
    view v;
    if (!o->outdir)
        return ps_error_set(err, PS_EINPUT, "report: no output directory (-o DIR)");
    if (mkdir(o->outdir, 0777) != 0 && errno != EEXIST)
        return ps_error_set(err, PS_EINPUT, "cannot create directory %s: %s", o->outdir,
                            strerror(errno));
    int rc = view_init(&v, rs, err);
    if (rc)
        return rc;
    int have_paper = ps_paper_load(&paper, o->tables_dir, &perr) == 0;
    if (!have_paper && o->tables_dir) { /* asked for explicitly: an error, not a warning */
        view_free(&v);
        return ps_error_set(err, perr.code, "%s", perr.msg);
    }
    if (!have_paper) {
        snprintf(paper_err, sizeof paper_err, "%s", perr.msg);
        fprintf(stderr, "protostat report: warning: %s\n", perr.msg);
    }
    int frc = o->figures ? report_figures(rs, o, fi, fig_err, sizeof fig_err)
                         : (snprintf(fig_err, sizeof fig_err, "figures not asked for"), 0);
    if (frc == PS_EINPUT) /* the output directory itself is unusable */
        rc = ps_error_set(err, PS_EINPUT, "%s", fig_err);
    claims_eval(&v, claims);
    snprintf(path, sizeof path, "%s/REPORT.md", o->outdir);
    if (rc == 0)
        rc = write_report(path, &v, have_paper ? &paper : NULL, paper_err, claims,
                          o->figures ? fi : NULL, fig_err[0] ? fig_err : NULL, err);
    if (rc == 0)
        print_claims(out, &v, claims, path);
    if (rc == 0 && frc)
        rc = ps_error_set(err, PS_EFAIL, "report written to %s, but figures failed: %s", path,
                          fig_err);
    if (have_paper)
        ps_paper_free(&paper);
    view_free(&v);
    return rc;
}
