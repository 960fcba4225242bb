/* test_report.c — the reproduction report and the figures (include/report.h,
 * include/figures.h) on fixture results files with known values.
 *
 * The fixture is written with the writer API of results.h:
 *  - main file: N = 3, 10, 30, the 8 masks, 4 datasets, tau = 0.01, built so
 *    that claims 1, 2, 3 and 5 hold and claim 4 fails (fit ratio 1.49), plus
 *    one diverged run;
 *  - tau file: mask 001 at N = 30 for tau = 0.001 and 0.1, so that with the
 *    main file E increases with tau but hull_dist does not (claim 6 fails).
 * The paper's numbers are read from data/paper_tables (tests run from the
 * repository root).  Figures need gnuplot (gnuplot-nox).
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "figures.h"
#include "report.h"
#include "results.h"
#include "runset.h"

#define TABLES_DIR "data/paper_tables"

static char tmpdir[64];
static char main_h5[128], tau_h5[128];

/* ---- fixture ----------------------------------------------------------------- */
static const int32_t fixN[3] = { 3, 10, 30 };
static const double baseE[8] = { 0.50, 0.55, 0.40, 0.52, 1.00, 0.95, 0.97, 0.90 };
#define NDATA 4

static void fill_dataset(int32_t N, int32_t k, ps_data_row *d)
{
    for (int32_t i = 0; i < N; i++)
        d[i] = (ps_data_row){ N, k, i, (i + 0.5) / N, 0.3 + 0.1 * (i % 3) + 0.01 * k };
}

static void fill_protos(const ps_run_row *r, ps_proto_row *p)
{
    for (int32_t j = 0; j < r->N; j++) {
        double pj = r->mask & 4 ? -1.0 - 0.1 * j : -0.2 + 1.4 * j / (r->N - 1);
        p[j] = (ps_proto_row){ r->key, j, pj, 0.5, 1.0, -pj, 0.5 };
    }
}

static ps_run_row base_row(uint64_t key, int32_t N, int32_t k, unsigned m, double tau)
{
    ps_run_row r;
    memset(&r, 0, sizeof r);
    r.key = key;
    r.N = N;
    r.dataset = k;
    r.mask = (uint8_t)m;
    r.lambda = 0.05;
    r.tau = tau;
    r.lr = 1e-3;
    r.epochs = 500;
    r.data_seed = 1000 + (uint64_t)N * 10 + (uint64_t)k;
    r.init_seed = 2000 + key;
    r.status = PS_STATUS_OK;
    return r;
}

/* Metrics of the main grid (see the header comment for what they make true). */
static void main_metrics(ps_run_row *r, int nidx)
{
    int act = r->mask & 4, k = r->dataset;
    r->E = baseE[r->mask] + 0.01 * k + 0.001 * nidx;
    r->frac_outside = act ? 1.0 : 0.5;
    r->L_fit = (act ? 0.12 : 0.08) + 0.001 * k;
    r->rho = (r->mask == 0 ? 0.3 : r->mask == 2 ? 0.5 : 0.4) + 0.01 * k;
    r->hull_dist = 0.1;
    r->hull_sdist = -0.1;
    r->L = r->L_fit;
}

static void append(ps_writer *w, ps_run_row *r)
{
    ps_error err = { 0, "" };
    ps_proto_row p[30];
    ps_data_row d[30];
    fill_protos(r, p);
    fill_dataset(r->N, r->dataset, d);
    assert_int_equal(ps_writer_append(w, r, p, d, &err), 0);
}

static void write_main(const char *path)
{
    ps_error err = { 0, "" };
    ps_writer *w = ps_writer_open(path, "# fixture main\n", 11, &err);
    assert_non_null(w);
    uint64_t key = 1;
    for (int n = 0; n < 3; n++)
        for (unsigned m = 0; m < 8; m++)
            for (int32_t k = 0; k < NDATA; k++) {
                ps_run_row r = base_row(key++, fixN[n], k, m, 0.01);
                main_metrics(&r, n);
                append(w, &r);
            }
    ps_run_row bad = base_row(key++, 3, NDATA, 0, 0.01); /* a diverged run: NaN metrics */
    bad.status = PS_STATUS_DIVERGED;
    bad.E = bad.rho = bad.frac_outside = bad.hull_dist = bad.L_fit = NAN;
    append(w, &bad);
    assert_int_equal(ps_writer_close(w, &err), 0);
}

static void write_tau(const char *path)
{
    static const double tau[2] = { 0.001, 0.1 }, E[2] = { 0.40, 0.80 }, hull[2] = { 0.5, 0.3 };
    ps_error err = { 0, "" };
    ps_writer *w = ps_writer_open(path, "# fixture tau\n", 12, &err);
    assert_non_null(w);
    for (int t = 0; t < 2; t++)
        for (int32_t k = 0; k < NDATA; k++) {
            ps_run_row r = base_row(10000 + (uint64_t)(t * 100 + k), 30, k, 1, tau[t]);
            main_metrics(&r, 2);
            r.E = E[t] + 0.01 * k;
            r.hull_dist = hull[t];
            append(w, &r);
        }
    assert_int_equal(ps_writer_close(w, &err), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ps_test_report_XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(main_h5, sizeof main_h5, "%s/main.h5", tmpdir);
    snprintf(tau_h5, sizeof tau_h5, "%s/tau.h5", tmpdir);
    write_main(main_h5);
    write_tau(tau_h5);
    return 0;
}

/* Remove dir and the files in it (and in its subdirectories, one level). */
static void rm_tree(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    struct stat sb;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && depth > 0)
            rm_tree(path, depth - 1);
        else
            unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

static int teardown(void **state)
{
    (void)state;
    rm_tree(tmpdir, 1);
    return 0;
}

static void load(ps_runset *rs, int with_tau)
{
    const char *paths[2] = { main_h5, tau_h5 };
    ps_error err = { 0, "" };
    assert_int_equal(ps_runset_load(rs, paths, with_tau ? 2 : 1, &err), 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 18];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* ---- the paper's tables --------------------------------------------------------- */
static void test_paper_tables(void **state)
{
    (void)state;
    static ps_paper p;
    ps_error err = { 0, "" };
    assert_int_equal(ps_paper_load(&p, TABLES_DIR, &err), 0);
    assert_true(fabs(ps_paper_num(&p, PS_PT_E1, PS_PT_E2, 3, "000") - 0.483) < 1e-12);
    assert_true(fabs(ps_paper_num(&p, PS_PT_E1, PS_PT_E2, 100, "111") - 1.102) < 1e-12);
    assert_true(fabs(ps_paper_num(&p, PS_PT_EFFECT, PS_PT_EFFECT, 30, "cohen_d") - 1.40) < 1e-12);
    assert_true(fabs(ps_paper_num(&p, PS_PT_EFFECT, PS_PT_EFFECT, 5, "rel_red_pct") - 12.9) < 1e-12);
    assert_true(fabs(ps_paper_num(&p, PS_PT_FIT, PS_PT_FIT, 5, "ratio") - 1.076) < 1e-12);
    assert_true(fabs(ps_paper_num(&p, PS_PT_FIT, PS_PT_FIT, 100, "fit_active") - 0.0894) < 1e-12);
    assert_true(fabs(ps_paper_num(&p, PS_PT_FRAC, PS_PT_FRAC, 30, "111") - 0.99) < 1e-12);
    assert_true(fabs(ps_paper_num(&p, PS_PT_TAU, PS_PT_TAU, 10, "E") - 1.778) < 1e-12);
    assert_true(fabs(ps_paper_num(&p, PS_PT_TAU, PS_PT_TAU, 0.001, "hull_dist") - 0.16) < 1e-12);
    assert_true(fabs(ps_paper_num(&p, PS_PT_TAU, PS_PT_TAU, 0.01, "rho") - 0.403) < 1e-12);
    assert_true(fabs(ps_paper_num(&p, PS_PT_RHO1, PS_PT_RHO2, 3, "000_std") - 0.246) < 1e-12);
    assert_true(fabs(ps_paper_num(&p, PS_PT_RHO1, PS_PT_RHO2, 30, "111_mean") - 0.057) < 1e-12);
    assert_true(fabs(ps_paper_num(&p, PS_PT_RHO1, PS_PT_RHO2, 100, "010_mean") - 0.284) < 1e-12);
    assert_true(isnan(ps_paper_num(&p, PS_PT_E1, PS_PT_E2, 7, "000")));   /* no such N */
    assert_true(isnan(ps_paper_num(&p, PS_PT_E1, PS_PT_E2, 3, "222")));   /* no such mask */
    assert_string_equal(ps_ptable_str(&p.t[PS_PT_SIG100], "010", "011"), "+");
    assert_string_equal(ps_ptable_str(&p.t[PS_PT_SIG3], "000", "111"), "-");
    assert_string_equal(ps_ptable_str(&p.t[PS_PT_SIG5], "111", "000"), "+");
    assert_string_equal(ps_ptable_str(&p.t[PS_PT_SIG30], "101", "101"), "=");
    assert_non_null(strstr(p.t[PS_PT_E1].title, "Table 1"));
    assert_non_null(strstr(p.t[PS_PT_RHO2].title, "Table 8"));
    assert_int_equal(p.t[PS_PT_E2].nrow, 3);
    assert_int_equal(p.t[PS_PT_E2].ncol, 9);
    ps_paper_free(&p);
}

static void test_ptable_errors(void **state)
{
    (void)state;
    char path[128];
    static ps_paper p;
    ps_ptable t;
    ps_error err = { 0, "" };
    snprintf(path, sizeof path, "%s/bad.csv", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("# Table 9: a bad one\nN,a,b\n3,1,2\n5,1\n", f);
    fclose(f);
    assert_int_equal(ps_ptable_load(&t, tmpdir, "bad.csv", &err), PS_EINPUT);
    assert_non_null(strstr(err.msg, "bad.csv:4"));
    assert_int_equal(ps_ptable_load(&t, tmpdir, "missing.csv", &err), PS_EINPUT);
    assert_int_equal(ps_paper_load(&p, "/nonexistent/paper_tables", &err), PS_EINPUT);
    assert_non_null(strstr(err.msg, "not found"));
}

/* ---- claims -------------------------------------------------------------------- */
static void test_claims_main(void **state)
{
    (void)state;
    ps_runset rs;
    ps_claim c[PS_NCLAIMS];
    ps_error err = { 0, "" };
    load(&rs, 0);
    assert_int_equal(ps_report_claims(&rs, c, &err), 0);
    assert_int_equal(c[0].status, PS_CLAIM_PASS);
    assert_non_null(strstr(c[0].detail, "N=3: E(010)=0.415 < 0.515=E(000)"));
    assert_int_equal(c[1].status, PS_CLAIM_PASS);
    assert_null(strstr(c[1].detail, "N=3:")); /* only N >= 10 */
    assert_non_null(strstr(c[1].detail, "N=30: min 1xx E(111)=0.917 > max 0xx E(001)=0.567"));
    assert_int_equal(c[2].status, PS_CLAIM_PASS);
    assert_non_null(strstr(c[2].detail, "N=30: 1xx min 1.00"));
    assert_int_equal(c[3].status, PS_CLAIM_FAIL);
    assert_non_null(strstr(c[3].detail, "N=3: 0.1215 / 0.0815 = 1.491 (outside)"));
    assert_int_equal(c[4].status, PS_CLAIM_PASS);
    assert_null(strstr(c[4].detail, "N=3:"));
    assert_non_null(strstr(c[4].detail, "N=10: rho(010)=0.515 > rho(000)=0.315"));
    assert_int_equal(c[5].status, PS_CLAIM_NA);
    assert_non_null(strstr(c[5].detail, "no tau sweep"));
    ps_runset_free(&rs);
}

static void test_claims_tau(void **state)
{
    (void)state;
    ps_runset rs;
    ps_claim c[PS_NCLAIMS];
    ps_error err = { 0, "" };
    load(&rs, 1);
    assert_int_equal(ps_report_claims(&rs, c, &err), 0);
    assert_int_equal(c[5].status, PS_CLAIM_FAIL);
    assert_non_null(strstr(c[5].detail, "mask 001, N=30, tau 0.001 0.01 0.1"));
    assert_non_null(strstr(c[5].detail, "E 0.415 0.567 0.815 (increasing)"));
    assert_non_null(strstr(c[5].detail, "hull_dist 0.500 0.100 0.300 (NOT increasing)"));
    /* the tau file does not change the main-setting claims */
    assert_int_equal(c[0].status, PS_CLAIM_PASS);
    assert_int_equal(c[3].status, PS_CLAIM_FAIL);
    ps_runset_free(&rs);
}

/* ---- the report ------------------------------------------------------------------- */
static void test_report_md(void **state)
{
    (void)state;
    ps_runset rs;
    ps_error err = { 0, "" };
    char dir[128], md[160], out[8192] = "";
    snprintf(dir, sizeof dir, "%s/rep", tmpdir);
    snprintf(md, sizeof md, "%s/REPORT.md", dir);
    load(&rs, 1);
    ps_report_opts o = { dir, TABLES_DIR, NULL, 0 };
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(ps_report_run(&rs, &o, f, &err), 0);
    rewind(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    fclose(f);
    assert_non_null(strstr(out, "4 PASS, 2 FAIL, 0 N/A"));
    assert_non_null(strstr(out, "FAIL  4. the fit ratio"));
    const char *text = slurp(md);
    assert_non_null(strstr(text, "(1 diverged"));
    assert_non_null(strstr(text, "| 1 | coverage-only (010) has the lowest mean E at every N | **PASS**"));
    assert_non_null(strstr(text, "| 6 | in the tau sweep, E and hull_dist increase with tau | **FAIL**"));
    /* side by side: this run / paper / difference */
    assert_non_null(strstr(text, "| 3 | 0.515 / 0.483 / +0.032 |"));        /* Table 1 */
    assert_non_null(strstr(text, "0.917 / 1.052 / -0.135"));                /* Table 2, 111 N=30 */
    assert_non_null(strstr(text, "1.00 / 0.99 / +0.01"));                   /* Table 5 */
    assert_non_null(strstr(text, "| 0.001 | 0.50 / 0.49 / +0.01 | 0.50 / 0.16 / +0.34 | "
                                 "0.415 / 0.686 / -0.271 |"));               /* Table 6 */
    assert_non_null(strstr(text, "0.315±0.013 / 0.633±0.246 / -0.318"));    /* Table 7 */
    assert_non_null(strstr(text, "1.491 / 0.979 / +0.512"));                /* Table 4 */
    assert_non_null(strstr(text, "agree on"));                              /* signif N=3, 30 */
    assert_non_null(strstr(text, "No figures were drawn"));
    ps_runset_free(&rs);
}

/* ---- figures ------------------------------------------------------------------------ */
static void assert_png(const char *dir, const char *stem, int svg)
{
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    char path[256];
    unsigned char head[8];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s.png", dir, stem);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(head, 1, 8, f), 8);
    fclose(f);
    assert_memory_equal(head, sig, 8);
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size > 8000); /* a real plot, not an empty canvas (~2-4 kB) */
    snprintf(path, sizeof path, "%s/%s.gp", dir, stem);
    assert_int_equal(stat(path, &sb), 0);
    snprintf(path, sizeof path, "%s/%s.svg", dir, stem);
    assert_int_equal(stat(path, &sb) == 0, svg);
}

static void test_figures_all(void **state)
{
    (void)state;
    ps_runset rs;
    ps_error err = { 0, "" };
    ps_figure_info fi[PS_NFIGURES];
    char dir[128];
    snprintf(dir, sizeof dir, "%s/figs", tmpdir);
    load(&rs, 1);
    ps_figures_opts o = { dir, NULL, 1 };
    int rc = ps_figures_render(&rs, &o, fi, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    for (int k = 0; k < PS_NFIGURES; k++) {
        assert_true(fi[k].made);
        assert_png(dir, fi[k].stem, 1);
    }
    assert_non_null(strstr(fi[2].note, "shown at N = 30"));  /* no N = 100 in the fixture */
    assert_non_null(strstr(fi[6].note, "shown at N = 3"));   /* no N = 5: nearest */
    /* the fixture's stored E are not those of its prototypes: the matching says so */
    assert_non_null(strstr(fi[6].note, "differs from the stored E"));
    assert_non_null(strstr(fi[3].caption, "mask 001 (sep), N = 30"));
    ps_runset_free(&rs);
}

static void test_figures_skip(void **state)
{
    (void)state;
    ps_runset rs;
    ps_error err = { 0, "" };
    ps_figure_info fi[PS_NFIGURES];
    char dir[128], line[4096];
    snprintf(dir, sizeof dir, "%s/figs_main", tmpdir);
    load(&rs, 0);
    ps_figures_opts o = { dir, NULL, 0 };
    FILE *log = tmpfile();
    assert_int_equal(ps_figures_run(&rs, &o, log, &err), 0);
    rewind(log);
    int seen4 = 0;
    while (fgets(line, sizeof line, log))
        if (!strncmp(line, "figure 4: skipped: no tau sweep", 31))
            seen4 = 1;
    fclose(log);
    assert_true(seen4);
    assert_int_equal(ps_figures_render(&rs, &o, fi, &err), 0);
    assert_false(fi[3].made);
    for (int k = 0; k < PS_NFIGURES; k++) {
        assert_int_equal(fi[k].made, k != 3);
        if (fi[k].made)
            assert_png(dir, fi[k].stem, 0);
    }
    ps_runset_free(&rs);
}

static void test_figures_gnuplot_errors(void **state)
{
    (void)state;
    ps_runset rs;
    ps_error err = { 0, "" };
    ps_figure_info fi[PS_NFIGURES];
    char dir[128];
    snprintf(dir, sizeof dir, "%s/figs_bad", tmpdir);
    load(&rs, 0);
    ps_figures_opts o = { dir, "/nonexistent/gnuplot", 0 };
    assert_int_equal(ps_figures_render(&rs, &o, fi, &err), PS_EFAIL);
    assert_non_null(strstr(err.msg, "cannot run"));
    o.gnuplot = "false"; /* runs, exits 1 */
    assert_int_equal(ps_figures_render(&rs, &o, fi, &err), PS_EFAIL);
    assert_non_null(strstr(err.msg, "gnuplot failed"));
    assert_false(fi[0].made);
    o.outdir = main_h5; /* a file, not a directory */
    assert_int_equal(ps_figures_render(&rs, &o, fi, &err), PS_EINPUT);
    ps_runset_free(&rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paper_tables),
        cmocka_unit_test(test_ptable_errors),
        cmocka_unit_test(test_claims_main),
        cmocka_unit_test(test_claims_tau),
        cmocka_unit_test(test_report_md),
        cmocka_unit_test(test_figures_all),
        cmocka_unit_test(test_figures_skip),
        cmocka_unit_test(test_figures_gnuplot_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
