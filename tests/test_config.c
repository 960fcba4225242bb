/* test_config.c — the config schema (src/config.c), SPEC.md section 7.
 *
 * 1. data/paper.cfg, the embedded ps_default_config and an empty config all
 *    parse to the SPEC.md defaults (every field checked) with one hash.
 * 2. The hash covers values only: comments, spacing, key order and a scalar
 *    written as a one-element list keep it; each single value change (19 of
 *    them, one per field) changes it, and all 19 hashes are distinct.
 * 3. Lists vs scalars for N, masks, lambda, tau, lr, epochs; the mask strings.
 * 4. Errors: code PS_EINPUT; the message names the file, the line (where the
 *    error has one), the key and says what was "expected": unknown key at the
 *    root and in a group, wrong types, bad masks, empty list, out-of-range
 *    values, repeated list values, N too large for the separation rule, a list
 *    for a scalar key, syntax error, unreadable file and a directory.
 * Run from the repository root (make check does): reads data/paper.cfg.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define PAPER_CFG "data/paper.cfg"

/* The SPEC.md section 7 file, written out here independently of data/paper.cfg. */
static const char spec_text[] =
    "master_seed = 20260525;\n"
    "grid:   { N = [3, 5, 10, 30, 50, 100]; datasets = 10; inits = 1;\n"
    "          masks = [\"000\",\"001\",\"010\",\"011\",\"100\",\"101\",\"110\",\"111\"];\n"
    "          lambda = [0.05]; tau = [0.01]; };\n"
    "train:  { epochs = 500; lr = 1e-3; beta1 = 0.9; beta2 = 0.999; adam_eps = 1e-8; w_min = 0.1; };\n"
    "init:   { w_std = 1.0; b = 0.0; v_std = 0.1; };\n"
    "data:   { min_sep = 0.05; min_sep_scale = 0.5; };\n";

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (run from the repository root)", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Copy of s with the first occurrence of a replaced by b (which must occur). */
static char *replace(const char *s, const char *a, const char *b)
{
    const char *at = strstr(s, a);
    if (!at)
        fail_msg("test bug: '%s' not in the template", a);
    size_t n = strlen(s) - strlen(a) + strlen(b) + 1;
    char *out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "%.*s%s%s", (int)(at - s), s, b, at + strlen(a));
    return out;
}

static void load_ok(ps_config *c, const char *text)
{
    ps_error e = {0};
    if (ps_config_load_string(c, text, "t.cfg", &e) != 0)
        fail_msg("unexpected error: %s", e.msg);
}

/* ---- 1. defaults ----------------------------------------------------------- */

static void check_defaults(const ps_config *c)
{
    static const int N[] = {3, 5, 10, 30, 50, 100};
    assert_true(c->master_seed == 20260525u);
    assert_int_equal(c->nN, 6);
    assert_memory_equal(c->N, N, sizeof N);
    assert_int_equal(c->datasets, 10);
    assert_int_equal(c->inits, 1);
    assert_int_equal(c->nmasks, 8);
    for (int m = 0; m < 8; m++)
        assert_int_equal(c->masks[m], m);     /* "000" .. "111" in order */
    assert_true(c->nlambda == 1 && c->lambda[0] == 0.05);
    assert_true(c->ntau == 1 && c->tau[0] == 0.01);
    assert_true(c->nlr == 1 && c->lr[0] == 1e-3);
    assert_true(c->nepochs == 1 && c->epochs[0] == 500);
    assert_true(c->beta1 == 0.9 && c->beta2 == 0.999 && c->adam_eps == 1e-8);
    assert_true(c->w_min == 0.1);
    assert_true(c->w_std == 1.0 && c->b == 0.0 && c->v_std == 0.1);
    assert_true(c->min_sep == 0.05 && c->min_sep_scale == 0.5);
    assert_true(ps_config_min_sep(c, 3) == 0.05);
    assert_true(ps_config_min_sep(c, 100) == 0.005);
}

static void test_defaults(void **state)
{
    (void)state;
    ps_config f, d, s, empty;
    ps_error e = {0};
    if (ps_config_load_file(&f, PAPER_CFG, &e) != 0)
        fail_msg("%s", e.msg);
    check_defaults(&f);
    assert_string_equal(f.name, PAPER_CFG);
    assert_string_equal(f.text, read_text(PAPER_CFG));
    assert_int_equal(ps_config_load_string(&d, ps_default_config, "<embedded>", &e), 0);
    check_defaults(&d);
    assert_string_equal(d.text, f.text);      /* the embedded copy is the file */
    load_ok(&s, spec_text);
    check_defaults(&s);
    load_ok(&empty, "");                       /* every key optional */
    check_defaults(&empty);
    assert_true(f.hash == d.hash && f.hash == s.hash && f.hash == empty.hash);
    ps_config_free(&f);
    ps_config_free(&d);
    ps_config_free(&s);
    ps_config_free(&empty);
}

/* ---- 2. hash --------------------------------------------------------------------- */

static uint64_t hash_of(const char *text)
{
    ps_config c;
    load_ok(&c, text);
    uint64_t h = c.hash;
    ps_config_free(&c);
    return h;
}

static void test_hash(void **state)
{
    (void)state;
    uint64_t h0 = hash_of(spec_text);
    /* comments, spacing, key order, [x] vs x, int vs float spelling of a float */
    const char *same =
        "# a comment\n"
        "data:{min_sep_scale=0.5;min_sep=0.05;};   // another\n"
        "init : { v_std = 0.1 ; b = 0 ; w_std = 1 ; } ;\n"
        "train: { w_min = 0.1; adam_eps = 1e-8; beta2 = 0.999; beta1 = 0.9; lr = [0.001];\n"
        "         epochs = [500]; };\n"
        "/* block */ grid: { tau = 0.01; lambda = 0.05;\n"
        "   masks = [\"000\", \"001\", \"010\", \"011\", \"100\", \"101\", \"110\", \"111\"];\n"
        "   inits = 1; datasets = 10; N = [3, 5, 10, 30, 50, 100]; };\n"
        "master_seed = 20260525;\n";
    assert_true(hash_of(same) == h0);

    static const char *change[][2] = {
        {"master_seed = 20260525", "master_seed = 20260526"},
        {"50, 100]", "50, 99]"},
        {"datasets = 10", "datasets = 11"},
        {"inits = 1", "inits = 2"},
        {",\"111\"]", "]"},
        {"lambda = [0.05]", "lambda = [0.06]"},
        {"tau = [0.01]", "tau = [0.02]"},
        {"epochs = 500", "epochs = 501"},
        {"lr = 1e-3", "lr = 2e-3"},
        {"beta1 = 0.9", "beta1 = 0.8"},
        {"beta2 = 0.999", "beta2 = 0.99"},
        {"adam_eps = 1e-8", "adam_eps = 1e-7"},
        {"w_min = 0.1", "w_min = 0.2"},
        {"w_std = 1.0", "w_std = 0.9"},
        {"b = 0.0", "b = 0.1"},
        {"v_std = 0.1", "v_std = 0.2"},
        {"min_sep = 0.05", "min_sep = 0.04"},
        {"min_sep_scale = 0.5", "min_sep_scale = 0.4"},
        {"lambda = [0.05]", "lambda = [0.05, 0.1]"},
    };
    enum { NCH = sizeof change / sizeof change[0] };
    uint64_t h[NCH];
    for (int k = 0; k < NCH; k++) {
        char *t = replace(spec_text, change[k][0], change[k][1]);
        h[k] = hash_of(t);
        free(t);
        if (h[k] == h0)
            fail_msg("changing '%s' to '%s' kept the hash", change[k][0], change[k][1]);
        for (int j = 0; j < k; j++)
            assert_true(h[j] != h[k]);
    }
}

/* ---- 3. lists and scalars ------------------------------------------------------- */

static void test_lists_and_scalars(void **state)
{
    (void)state;
    ps_config c;
    load_ok(&c, "grid: { N = 7; masks = \"110\"; lambda = 0.1; tau = 0.2; };\n"
                "train: { lr = 0.5; epochs = 9; };");
    assert_true(c.nN == 1 && c.N[0] == 7);
    assert_true(c.nmasks == 1 && c.masks[0] == 6);
    assert_true(c.nlambda == 1 && c.lambda[0] == 0.1);
    assert_true(c.ntau == 1 && c.tau[0] == 0.2);
    assert_true(c.nlr == 1 && c.lr[0] == 0.5);
    assert_true(c.nepochs == 1 && c.epochs[0] == 9);
    ps_config_free(&c);
    load_ok(&c, "grid: { N = (4, 2, 9); masks = [\"010\", \"100\"]; lambda = [0.0, 0.1, 1.0];\n"
                "tau = [0.01, 0.1]; };\ntrain: { lr = [1e-3, 1e-2]; epochs = [100, 0, 200]; };\n"
                "master_seed = 9000000000000000000L;");
    assert_true(c.nN == 3 && c.N[0] == 4 && c.N[1] == 2 && c.N[2] == 9);
    assert_true(c.nmasks == 2 && c.masks[0] == 2 && c.masks[1] == 4);
    assert_true(c.nlambda == 3 && c.lambda[0] == 0.0 && c.lambda[1] == 0.1 && c.lambda[2] == 1.0);
    assert_true(c.ntau == 2 && c.tau[1] == 0.1);
    assert_true(c.nlr == 2 && c.lr[0] == 1e-3 && c.lr[1] == 1e-2);
    assert_true(c.nepochs == 3 && c.epochs[0] == 100 && c.epochs[1] == 0 && c.epochs[2] == 200);
    assert_true(c.master_seed == 9000000000000000000ull);   /* exact, beyond 2^53 */
    ps_config_free(&c);
}

static void test_mask_strings(void **state)
{
    (void)state;
    static const char *s[8] = {"000", "001", "010", "011", "100", "101", "110", "111"};
    for (int m = 0; m < 8; m++) {
        uint8_t v = 99;
        char out[4];
        assert_int_equal(ps_mask_parse(s[m], &v), 0);
        assert_int_equal(v, m);
        ps_mask_format((uint8_t)m, out);
        assert_string_equal(out, s[m]);
    }
    static const char *bad[] = {"012", "01", "0100", "", "abc", " 01", "1 0"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        uint8_t v = 99;
        assert_int_equal(ps_mask_parse(bad[k], &v), -1);
        assert_int_equal(v, 99);
    }
}

/* ---- 4. errors --------------------------------------------------------------------- */

/* Load text named "bad.cfg"; require PS_EINPUT and a message naming the file, the
 * line (line > 0), the key (key non-NULL) and containing "expected" (if expect). */
static void load_bad(const char *text, int line, const char *key, int expect)
{
    ps_config c;
    ps_error e = {0};
    int rc = ps_config_load_string(&c, text, "bad.cfg", &e);
    if (rc != PS_EINPUT || e.code != PS_EINPUT)
        fail_msg("config <<%s>>: rc %d code %d (want %d), message '%s'", text, rc, e.code,
                 PS_EINPUT, e.msg);
    char want[64];
    snprintf(want, sizeof want, ":%d:", line);
    if (!strstr(e.msg, "bad.cfg") || (line > 0 && !strstr(e.msg, want)) ||
        (key && !strstr(e.msg, key)) || (expect && !strstr(e.msg, "expected")))
        fail_msg("config <<%s>>: message '%s' lacks the file, line %d, key '%s' or 'expected'",
                 text, e.msg, line, key ? key : "");
    assert_null(c.N);       /* nothing left allocated */
}

static void test_errors(void **state)
{
    (void)state;
    load_bad("master_seed = 1;\nfoo = 3;\n", 2, "foo", 1);
    load_bad("grid: {\n  N = [3];\n  Nn = [5];\n};\n", 3, "grid.Nn", 1);
    load_bad("griid: { N = [3]; };\n", 1, "griid", 1);
    load_bad("train: {\n epochs = \"500\"; };\n", 2, "train.epochs", 1);
    load_bad("grid: { datasets = 2.5; };\n", 1, "grid.datasets", 1);
    load_bad("grid: { datasets = 10.0; };\n", 1, "grid.datasets", 1);
    load_bad("grid: { inits = true; };\n", 1, "grid.inits", 1);
    load_bad("\ngrid: { masks = [\"000\", \"012\"]; };\n", 2, "grid.masks", 1);
    load_bad("grid: { masks = \"01\"; };\n", 1, "grid.masks", 1);
    load_bad("grid: { masks = [1, 2]; };\n", 1, "grid.masks", 1);
    load_bad("grid: { lambda = []; };\n", 1, "grid.lambda", 1);
    load_bad("grid: { N = []; };\n", 1, "grid.N", 1);
    load_bad("\n\ntrain: { lr = 0.0; };\n", 3, "train.lr", 1);
    load_bad("train: { lr = -1e-3; };\n", 1, "train.lr", 1);
    load_bad("train: { beta1 = 1.0; };\n", 1, "train.beta1", 1);
    load_bad("train: { beta2 = 1.5; };\n", 1, "train.beta2", 1);
    load_bad("train: { adam_eps = 0.0; };\n", 1, "train.adam_eps", 1);
    load_bad("train: { w_min = 0.0; };\n", 1, "train.w_min", 1);
    load_bad("train: { epochs = -1; };\n", 1, "train.epochs", 1);
    load_bad("grid: { N = 0; };\n", 1, "grid.N", 1);
    load_bad("grid: { N = [3, 0]; };\n", 1, "grid.N", 1);
    load_bad("grid: { tau = 0.0; };\n", 1, "grid.tau", 1);
    load_bad("grid: { lambda = -0.1; };\n", 1, "grid.lambda", 1);
    load_bad("grid: { datasets = 0; };\n", 1, "grid.datasets", 1);
    load_bad("master_seed = -5;\n", 1, "master_seed", 1);
    load_bad("data: { min_sep = 1.5; };\n", 1, "data.min_sep", 1);
    load_bad("grid: { N = [3, 5,\n 3]; };\n", 2, "grid.N", 1);
    load_bad("grid: { masks = [\"010\", \"010\"]; };\n", 1, "grid.masks", 1);
    load_bad("grid: { lambda = [0.1, 0.1]; };\n", 1, "grid.lambda", 1);
    load_bad("train: { epochs = [10, 10]; };\n", 1, "train.epochs", 1);
    load_bad("train: { beta1 = [0.9]; };\n", 1, "train.beta1", 1);
    load_bad("grid = 3;\n", 1, "grid", 1);
    /* syntax error: file and line (no key, and libconfig words the rest) */
    load_bad("master_seed = 1;\ngrid: { N = [3, 5; };\n", 2, NULL, 0);
    load_bad("master_seed = = 1;\n", 1, NULL, 0);
    load_bad("grid: { lambda = [0, 0.5]; };\n", 1, NULL, 0);   /* mixed array types */
}

/* A cross-key error: the line and key are those of grid.N, the N that fails. */
static void test_error_infeasible(void **state)
{
    (void)state;
    /* d = min(0.5, 10/N) = 0.5 leaves 1 - (N-1) d <= 0 for N = 5 and N = 3 (exactly
     * 0): no room.  (With min_sep_scale <= 1 every N is feasible, since
     * (N-1) d <= (N-1)/N < 1; so min_sep = 0.5 alone cannot trigger it.) */
    load_bad("grid: { N = [5, 3]; };\ndata: {\n min_sep = 0.5;\n min_sep_scale = 10.0; };\n",
             1, "grid.N", 1);
}

static void test_unreadable(void **state)
{
    (void)state;
    ps_config c;
    ps_error e = {0};
    const char *p = "/nonexistent-dir/none.cfg";
    assert_int_equal(ps_config_load_file(&c, p, &e), PS_EINPUT);
    assert_int_equal(e.code, PS_EINPUT);
    assert_non_null(strstr(e.msg, p));
    memset(&e, 0, sizeof e);
    assert_int_equal(ps_config_load_file(&c, "data", &e), PS_EINPUT);  /* a directory */
    assert_non_null(strstr(e.msg, "data"));
    /* a file with an error reports the path it was given */
    char tmpl[] = "/tmp/test_config_XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("grid: {\n N = [3];\n bogus = 1; };\n", f);
    fclose(f);
    assert_int_equal(ps_config_load_file(&c, tmpl, &e), PS_EINPUT);
    remove(tmpl);
    assert_non_null(strstr(e.msg, tmpl));
    assert_non_null(strstr(e.msg, ":3:"));
    assert_non_null(strstr(e.msg, "grid.bogus"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_lists_and_scalars),
        cmocka_unit_test(test_mask_strings),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_infeasible),
        cmocka_unit_test(test_unreadable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
