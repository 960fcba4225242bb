/* test_protostat.c — protostat's analysis modules on fixture results files.
 *
 * Fixtures are written with the results.h writer.  The main fixture is built
 * so that the significance matrix is known: for every N, masks 000-011 take
 * the values 0.5 + 0.001 * ((k + m) mod 10) over datasets k = 0..9 and masks
 * 100-111 the same around 1.0.  Within a family every mask holds the same
 * multiset of values (p = 1, "-"); across families the samples are fully
 * separated (Holm p < 0.05, "+").  Properties checked on it and on random
 * samples: Holm monotone, p in [0, 1], symmetric matrix.  Also: shard merging
 * and the duplicate-key refusal, diverged runs excluded and counted,
 * degenerate samples giving NA, table/effect/family values, query parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query.h"
#include "runset.h"
#include "signif.h"
#include "stats.h"
#include "tables.h"

#define CONFIG "master_seed = 1;\n"
#define HASH 0x5eedULL
#define K 10
/* cmocka 1.1.5 has no assert_double_equal */
#define assert_close(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static char g_dir[64];

static void path_of(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", g_dir, name);
}

/* Value of metric E for (mask, dataset): the two families of the header. */
static double fixture_E(unsigned mask, int k)
{
    return (mask & 4 ? 1.0 : 0.5) + 0.001 * ((k + (int)mask) % 10);
}

static ps_run_row make_run(int N, unsigned mask, int k, double E, uint8_t status)
{
    ps_run_row r;
    memset(&r, 0, sizeof r);
    r.key = 1000000ULL * (uint64_t)N + 1000ULL * (uint64_t)mask + (uint64_t)k + 1;
    r.N = N;
    r.dataset = k;
    r.mask = (uint8_t)mask;
    r.lambda = 0.05;
    r.tau = 0.01;
    r.lr = 1e-3;
    r.epochs = 500;
    r.E = E;
    r.rho = 0.5;
    r.frac_outside = mask & 4 ? 1.0 : 0.25;
    r.L_fit = (mask & 4 ? 0.09 : 0.08) + 0.0001 * k;
    r.status = status;
    if (status == PS_STATUS_DIVERGED)
        r.E = r.rho = r.frac_outside = r.L_fit = NAN;
    return r;
}

static void append(ps_writer *w, const ps_run_row *r)
{
    ps_proto_row p[8];
    ps_data_row d[8];
    ps_error err;
    for (int j = 0; j < r->N; j++) {
        p[j] = (ps_proto_row){ r->key, j, 0.1 * j + r->mask, 0.5, 1, -0.1 * j, 0.5 };
        d[j] = (ps_data_row){ r->N, r->dataset, j, 0.1 * j, 0.3 };
    }
    assert_int_equal(ps_writer_append(w, r, p, d, &err), 0);
}

/* N = 3 and 5, 8 masks, K datasets; N = 5 mask 011 dataset 0 diverged. */
static void write_fixture(const char *path, int with_diverged)
{
    ps_error err;
    unlink(path);
    ps_writer *w = ps_writer_open(path, CONFIG, HASH, &err);
    assert_non_null(w);
    for (int N = 3; N <= 5; N += 2)
        for (unsigned m = 0; m < PS_NMASK; m++)
            for (int k = 0; k < K; k++) {
                int div = with_diverged && N == 5 && m == 3 && k == 0;
                ps_run_row r = make_run(N, m, k, fixture_E(m, k), div ? 1 : 0);
                append(w, &r);
            }
    assert_int_equal(ps_writer_close(w, &err), 0);
}

static void load(ps_runset *rs, const char *name)
{
    char path[128];
    ps_error err;
    path_of(path, sizeof path, name);
    const char *paths[] = { path };
    assert_int_equal(ps_runset_load(rs, paths, 1, &err), 0);
}

static int setup(void **state)
{
    (void)state;
    char path[128];
    snprintf(g_dir, sizeof g_dir, "/tmp/test_protostat.XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    path_of(path, sizeof path, "fixture.h5");
    write_fixture(path, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    return system(cmd) != 0;
}

/* ---- grouping ----------------------------------------------------------------- */
static void test_groups(void **state)
{
    (void)state;
    ps_runset rs;
    ps_groupset gs;
    ps_error err;
    load(&rs, "fixture.h5");
    assert_int_equal(rs.n, 2 * PS_NMASK * K);
    assert_int_equal(ps_groupset_build(&rs, NULL, &gs, &err), 0);
    assert_int_equal(gs.n, 2);
    assert_int_equal(gs.g[0].N, 3);
    assert_int_equal(gs.g[1].N, 5);
    assert_int_equal(ps_groupset_varying(&gs), PS_GK_N);
    assert_int_equal(ps_groupset_masks(&gs), 0xff);
    double v[K];
    ps_excluded ex = { 0, 0 };
    assert_int_equal(ps_group_values(&rs, &gs.g[1], 3, ps_metric_find("E"), v, &ex), K - 1);
    assert_int_equal(ex.diverged, 1);
    /* paired: dataset 0 is dropped from both samples, the rest stay matched */
    double a[K], b[K];
    assert_int_equal(ps_group_pairs(&rs, &gs.g[1], 2, 3, ps_metric_find("E"), a, b, NULL), K - 1);
    for (int i = 0; i < K - 1; i++) {
        assert_close(a[i], fixture_E(2, i + 1), 0);
        assert_close(b[i], fixture_E(3, i + 1), 0);
    }
    ps_groupset_free(&gs);
    ps_filter f;
    memset(&f, 0, sizeof f);
    assert_int_equal(ps_filter_parse(&f.mask, "--mask", "000,111", &err), 0);
    assert_int_equal(ps_filter_parse(&f.N, "--N", "5", &err), 0);
    assert_int_equal(ps_groupset_build(&rs, &f, &gs, &err), 0);
    assert_int_equal(gs.n, 1);
    assert_int_equal(ps_groupset_masks(&gs), 0x81);
    assert_int_equal(ps_filter_parse(&f.mask, "--mask", "012", &err), PS_EINPUT);
    assert_int_equal(ps_filter_parse(&f.N, "--N", "3,,5", &err), PS_EINPUT);
    ps_groupset_free(&gs);
    ps_runset_free(&rs);
}

/* ---- the known matrix ------------------------------------------------------------ */
static void check_properties(const ps_signif *s)
{
    for (size_t i = 0; i < s->npair; i++) {
        const ps_pair_test *p = &s->pair[i];
        assert_true(p->p >= 0 && p->p <= 1);
        assert_true(p->p_holm >= p->p && p->p_holm <= 1);
        for (size_t j = 0; j < s->npair; j++) /* Holm keeps the order of raw p */
            if (s->pair[j].p <= p->p)
                assert_true(s->pair[j].p_holm <= p->p_holm);
    }
    for (unsigned a = 0; a < PS_NMASK; a++)
        for (unsigned b = 0; b < PS_NMASK; b++)
            assert_int_equal(ps_signif_symbol(s, a, b), ps_signif_symbol(s, b, a));
}

static void test_signif_known_matrix(void **state)
{
    (void)state;
    ps_runset rs;
    ps_groupset gs;
    ps_error err;
    ps_signif s;
    load(&rs, "fixture.h5");
    assert_int_equal(ps_groupset_build(&rs, NULL, &gs, &err), 0);
    ps_signif_ws *ws = ps_signif_alloc(gs.nmax);
    for (int paired = 0; paired <= 1; paired++)
        for (size_t g = 0; g < gs.n; g++) {
            assert_int_equal(ps_signif_group(ws, &rs, &gs.g[g], ps_metric_find("E"), 0.05,
                                             paired, &s, &err), 0);
            assert_int_equal(s.npair, 28);
            check_properties(&s);
            for (unsigned a = 0; a < PS_NMASK; a++)
                for (unsigned b = 0; b < PS_NMASK; b++) {
                    char want = a == b ? '=' : ((a ^ b) & 4) ? '+' : '-';
                    if (!paired || want != '+')
                        assert_int_equal(ps_signif_symbol(&s, a, b), want);
                }
            /* paired, the cross-family differences take two values (-0.5 + 0.001 *
             * small ints): not normal -> Wilcoxon, whose smallest p at n = 10 is
             * 2/1024, too large for Holm over 28 pairs.  Raw p must be that small. */
            for (size_t i = 0; paired && i < s.npair; i++)
                if ((s.pair[i].ma ^ s.pair[i].mb) & 4) {
                    assert_int_equal(s.pair[i].test, PS_TEST_WILCOXON);
                    assert_true(s.pair[i].p < 0.01);
                }
            assert_int_equal(s.ex[3].diverged, g == 1 ? 1 : 0);
        }
    ps_signif_free(ws);
    ps_groupset_free(&gs);
    ps_runset_free(&rs);
}

/* ---- properties on random samples, and degenerate input --------------------------- */
static double lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*x >> 11) / 9007199254740992.0;
}

static void test_signif_pairs_random(void **state)
{
    (void)state;
    uint64_t seed = 42;
    ps_signif_ws *ws = ps_signif_alloc(60);
    double x[PS_NMASK][60];
    for (int rep = 0; rep < 50; rep++) {
        ps_signif s;
        memset(&s, 0, sizeof s);
        size_t n = 3 + (size_t)(lcg(&seed) * 57);
        for (unsigned m = 0; m < PS_NMASK; m++)
            for (size_t i = 0; i < n; i++) /* some skewed, some tied, some shifted */
                x[m][i] = m % 3 == 0 ? pow(lcg(&seed), 3) : m % 3 == 1 ? floor(4 * lcg(&seed))
                        : lcg(&seed) + 0.2 * m;
        s.masks = 0xff;
        for (unsigned a = 0; a < PS_NMASK; a++)
            for (unsigned b = a + 1; b < PS_NMASK; b++) {
                ps_pair_test *p = &s.pair[s.npair++];
                ps_signif_pair(ws, x[a], n, x[b], n, 0.05, p);
                p->ma = a;
                p->mb = b;
                assert_int_not_equal(p->test, PS_TEST_NA);
            }
        double raw[PS_NPAIR_MAX];
        for (size_t i = 0; i < s.npair; i++)
            raw[i] = s.pair[i].p;
        ps_stats_holm(raw, s.npair, raw);
        for (size_t i = 0; i < s.npair; i++) {
            s.pair[i].p_holm = raw[i];
            s.pair[i].sig = raw[i] < 0.05;
        }
        check_properties(&s);
    }
    ps_signif_free(ws);
}

static void test_signif_degenerate(void **state)
{
    (void)state;
    ps_signif_ws *ws = ps_signif_alloc(8);
    ps_pair_test p;
    const double c[] = { 1, 1, 1, 1 }, d[] = { 1, 2, 3, 4 }, two[] = { 0.5, 0.6 };
    ps_signif_pair(ws, c, 4, c, 4, 0.05, &p); /* all equal: NA, not p = 1 */
    assert_int_equal(p.test, PS_TEST_NA);
    assert_true(isnan(p.p));
    assert_true(isnan(p.sw_pa));
    ps_signif_pair(ws, c, 4, d, 4, 0.05, &p); /* constant sample: SW NA -> Mann-Whitney */
    assert_int_equal(p.test, PS_TEST_MANNWHITNEY);
    assert_true(p.p >= 0 && p.p <= 1);
    ps_signif_pair(ws, two, 2, d, 4, 0.05, &p); /* n = 2: SW NA -> Mann-Whitney (exact) */
    assert_int_equal(p.test, PS_TEST_MANNWHITNEY);
    assert_int_equal(p.exact, 1);
    ps_signif_pair(ws, two, 0, d, 4, 0.05, &p); /* empty sample */
    assert_int_equal(p.test, PS_TEST_NA);
    ps_signif_pair_paired(ws, d, d, 4, 0.05, &p); /* all differences zero */
    assert_int_equal(p.test, PS_TEST_NA);
    ps_signif_free(ws);
}

/* ---- tables ------------------------------------------------------------------------ */
static void test_tables(void **state)
{
    (void)state;
    ps_runset rs;
    ps_groupset gs;
    ps_error err;
    ps_table_opts o;
    load(&rs, "fixture.h5");
    assert_int_equal(ps_groupset_build(&rs, NULL, &gs, &err), 0);
    ps_table_opts_init(&o);
    ps_tab *t = ps_table_means(&rs, &gs, &o, &err);
    assert_non_null(t);
    assert_int_equal(t->nrow, 2);
    assert_int_equal(t->ncol, 1 + PS_NMASK);
    assert_string_equal(t->head[3], "010");
    /* N=5 mask 011: datasets 1..9 only (dataset 0 diverged) */
    double want = 0;
    for (int k = 1; k < K; k++)
        want += fixture_E(3, k) / (K - 1);
    assert_close(t->cells[1 * t->ncol + 4].v, want, 1e-15);
    assert_int_equal(t->nnotes, 1);
    assert_non_null(strstr(t->notes[0], "N=5 mask 011: 1 diverged"));
    ps_tab_free(t);

    o.metric = ps_metric_find("L_fit");
    t = ps_table_family(&rs, &gs, &o, &err); /* mean of the cell means and their ratio */
    assert_non_null(t);
    assert_close(t->cells[1].v, 0.08045, 1e-12);
    assert_close(t->cells[2].v, 0.09045, 1e-12);
    assert_close(t->cells[3].v, 0.09045 / 0.08045, 1e-12);
    ps_tab_free(t);

    o.metric = ps_metric_find("E");
    o.base = 0;
    o.vs = 4;
    t = ps_table_effect(&rs, &gs, &o, &err);
    assert_non_null(t);
    double a[K], b[K];
    for (int k = 0; k < K; k++) {
        a[k] = fixture_E(0, k);
        b[k] = fixture_E(4, k);
    }
    assert_close(t->cells[3].v, 0.5045, 1e-12);
    assert_close(t->cells[4].v, 1.0045, 1e-12);
    assert_close(t->cells[5].v, -0.5, 1e-12); /* abs. reduction 000 - 100 */
    assert_close(t->cells[6].v, -50000.0 / 504.5, 1e-9);
    assert_close(t->cells[7].v, ps_stats_cohen_d(a, K, b, K), 1e-12);
    ps_tab_free(t);
    ps_groupset_free(&gs);
    ps_runset_free(&rs);
}

/* ---- shards ------------------------------------------------------------------------ */
static void test_shards(void **state)
{
    (void)state;
    char p1[128], p2[128], p3[128];
    ps_error err;
    ps_runset rs;
    path_of(p1, sizeof p1, "fixture.h5");
    path_of(p2, sizeof p2, "copy.h5");
    path_of(p3, sizeof p3, "conflict.h5");
    write_fixture(p2, 1); /* the same runs: merged without duplicates */
    const char *same[] = { p1, p2 };
    assert_int_equal(ps_runset_load(&rs, same, 2, &err), 0);
    assert_int_equal(rs.n, 2 * PS_NMASK * K);
    ps_runset_free(&rs);
    write_fixture(p3, 0); /* the diverged run is ok here: same key, different values */
    const char *conflict[] = { p1, p3 };
    assert_int_equal(ps_runset_load(&rs, conflict, 2, &err), PS_EINPUT);
    assert_non_null(strstr(err.msg, "different values"));
    assert_non_null(strstr(err.msg, "conflict.h5"));
    assert_int_equal(rs.n, 0);
    ps_runset_free(&rs);
}

/* ---- query -------------------------------------------------------------------------- */
static void test_query(void **state)
{
    (void)state;
    ps_runset rs;
    ps_where w;
    ps_error err;
    int fields[4];
    size_t nf;
    load(&rs, "fixture.h5");
    assert_int_equal(ps_where_parse(&w, "N=5 mask=101 E>=1.005", &err), 0);
    assert_int_equal(ps_fields_parse("key,E,mask", fields, &nf, 4, &err), 0);
    ps_tab *t = ps_query(&rs, NULL, &w, fields, nf, 0, &err);
    assert_non_null(t);
    assert_int_equal(t->nrow, 5); /* (k + 5) % 10 >= 5 for k = 0..4 */
    assert_string_equal(t->cells[2].str, "101");
    ps_tab_free(t);
    assert_int_equal(ps_where_parse(&w, "N=3 dataset=2 status=ok", &err), 0);
    t = ps_query(&rs, NULL, &w, fields, 1, 1, &err); /* prototypes of 8 runs, N = 3 */
    assert_non_null(t);
    assert_int_equal(t->nrow, 8 * 3);
    assert_string_equal(t->head[1], "j");
    ps_tab_free(t);
    assert_int_equal(ps_where_parse(&w, "status=diverged", &err), 0);
    t = ps_query(&rs, NULL, &w, fields, 1, 0, &err);
    assert_int_equal(t->nrow, 1);
    ps_tab_free(t);
    assert_int_equal(ps_where_parse(&w, "bogus=1", &err), PS_EINPUT);
    assert_int_equal(ps_where_parse(&w, "E~1", &err), PS_EINPUT);
    assert_int_equal(ps_where_parse(&w, "E>x", &err), PS_EINPUT);
    assert_int_equal(ps_fields_parse("key,,E", fields, &nf, 4, &err), PS_EINPUT);
    ps_runset_free(&rs);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_signif_known_matrix),
        cmocka_unit_test(test_signif_pairs_random),
        cmocka_unit_test(test_signif_degenerate),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_shards),
        cmocka_unit_test(test_query),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
