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
            t->ncol = split_cells(l, NULL, 0);
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
    if (parse_num(a, &x) && parse_num(b, &y) && strlen(a) != 3) /* "010" is a mask, not 10 */
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
        return ps_error_set(err, PS_EINPUT, "paper tables not found (%s; use --paper-tables DIR "
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
