/* config.c — libconfig parsing and validation of the one config schema.
 *
 * The schema is the table `keys` below: every accepted key, its type, whether
 * it may be a list (a sweep axis), its range and where it lands in ps_config.
 * Anything not in the table is an error, so a typo never silently falls back
 * to a default.
 */
#include "config.h"
#include "seed.h"
#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PS_N_MAX 4096   /* N*N doubles per buffer: 128 MiB per workspace at the cap */

typedef enum { K_INT, K_FLOAT, K_MASK } kind_t;

typedef struct {
    const char *group, *name;  /* group NULL: a root key */
    kind_t kind;
    int list;                  /* may be a list (sweep axis) */
    double lo, hi;             /* accepted range */
    int lo_open;               /* lo excluded */
    const char *expect;        /* what the error says was expected */
    size_t off, off_n;         /* scalar field; or list pointer field + count field */
} key_spec;

#define SCALAR(g, nm, k, lo, hi, open, exp, field) \
    {g, nm, k, 0, lo, hi, open, exp, offsetof(ps_config, field), 0}
#define LIST(g, nm, k, lo, hi, open, exp, field) \
    {g, nm, k, 1, lo, hi, open, exp, offsetof(ps_config, field), offsetof(ps_config, n##field)}

static const key_spec keys[] = {
    SCALAR(NULL, "master_seed", K_INT, 0, 9.2e18, 0, "a non-negative integer", master_seed),
    LIST("grid", "N", K_INT, 1, PS_N_MAX, 0, "an integer in 1..4096 or a list of them", N),
    SCALAR("grid", "datasets", K_INT, 1, 1e6, 0, "an integer in 1..1000000", datasets),
    SCALAR("grid", "inits", K_INT, 1, 1e6, 0, "an integer in 1..1000000", inits),
    LIST("grid", "masks", K_MASK, 0, 7, 0, "a mask string like \"010\" or a list of them", masks),
    LIST("grid", "lambda", K_FLOAT, 0, 1e6, 0, "a number >= 0 or a list of them", lambda),
    LIST("grid", "tau", K_FLOAT, 0, 1e6, 1, "a number > 0 or a list of them", tau),
    LIST("train", "epochs", K_INT, 0, 1e8, 0, "an integer >= 0 or a list of them", epochs),
    LIST("train", "lr", K_FLOAT, 0, 1e12, 1, "a number > 0 or a list of them", lr),
    SCALAR("train", "beta1", K_FLOAT, 0, 0.999999999, 0, "a number in [0, 1)", beta1),
    SCALAR("train", "beta2", K_FLOAT, 0, 0.999999999, 0, "a number in [0, 1)", beta2),
    SCALAR("train", "adam_eps", K_FLOAT, 0, 1, 1, "a number in (0, 1]", adam_eps),
    SCALAR("train", "w_min", K_FLOAT, 0, 1e6, 1, "a number > 0", w_min),
    SCALAR("init", "w_std", K_FLOAT, 0, 1e6, 0, "a number >= 0", w_std),
    SCALAR("init", "b", K_FLOAT, -1e6, 1e6, 0, "a number", b),
    SCALAR("init", "v_std", K_FLOAT, 0, 1e6, 0, "a number >= 0", v_std),
    SCALAR("data", "min_sep", K_FLOAT, 0, 1, 0, "a number in [0, 1]", min_sep),
    SCALAR("data", "min_sep_scale", K_FLOAT, 0, 1e6, 0, "a number >= 0", min_sep_scale),
};
#define NKEYS (sizeof keys / sizeof keys[0])
static const char *groups[] = {"grid", "train", "init", "data"};

/* ---- masks ------------------------------------------------------------ */

int ps_mask_parse(const char *s, uint8_t *mask)
{
    if (!s || strlen(s) != 3)
        return -1;
    uint8_t m = 0;
    for (int k = 0; k < 3; k++) {
        if (s[k] != '0' && s[k] != '1')
            return -1;
        m = (uint8_t)(m << 1 | (s[k] == '1'));
    }
    *mask = m;
    return 0;
}

void ps_mask_format(uint8_t mask, char out[4])
{
    out[0] = (mask & 4) ? '1' : '0';
    out[1] = (mask & 2) ? '1' : '0';
    out[2] = (mask & 1) ? '1' : '0';
    out[3] = '\0';
}

double ps_config_min_sep(const ps_config *c, int N)
{
    return fmin(c->min_sep, c->min_sep_scale / N);
}

/* ---- defaults (SPEC.md sections 4, 6, 7) -------------------------------- */

static int *ints(size_t n, const int *v)
{
    int *p = malloc(n * sizeof *p);
    if (p) memcpy(p, v, n * sizeof *p);
    return p;
}
static double *dbl1(double v)
{
    double *p = malloc(sizeof *p);
    if (p) *p = v;
    return p;
}

static int set_defaults(ps_config *c)
{
    static const int N[] = {3, 5, 10, 30, 50, 100}, ep = 500;
    memset(c, 0, sizeof *c);
    c->master_seed = 20260525;
    c->N = ints(6, N); c->nN = 6;
    c->datasets = 10; c->inits = 1;
    c->masks = malloc(8);
    if (c->masks)
        for (int m = 0; m < 8; m++) c->masks[m] = (uint8_t)m;
    c->nmasks = 8;
    c->lambda = dbl1(0.05); c->nlambda = 1;
    c->tau = dbl1(0.01); c->ntau = 1;
    c->lr = dbl1(1e-3); c->nlr = 1;
    c->epochs = ints(1, &ep); c->nepochs = 1;
    c->beta1 = 0.9; c->beta2 = 0.999; c->adam_eps = 1e-8; c->w_min = 0.1;
    c->w_std = 1.0; c->b = 0.0; c->v_std = 0.1;
    c->min_sep = 0.05; c->min_sep_scale = 0.5;
    return (c->N && c->masks && c->lambda && c->tau && c->lr && c->epochs) ? 0 : -1;
}

/* ---- reading one key ---------------------------------------------------- */

typedef struct {
    const char *file;
    ps_error *err;
} ctx_t;

static int fail(ctx_t *cx, const config_setting_t *s, const char *key, const char *expect,
                const char *what)
{
    int line = s ? config_setting_source_line(s) : 0;
    return ps_error_set(cx->err, PS_EINPUT, "%s:%d: key '%s': expected %s%s%s", cx->file, line,
                        key, expect, what ? ", got " : "", what ? what : "");
}

/* Value of a scalar setting as a double, checked against the key's kind. */
static int scalar_value(ctx_t *cx, const key_spec *k, const char *key, const config_setting_t *s,
                        double *out)
{
    int t = config_setting_type(s);
    if (k->kind == K_MASK) {
        uint8_t m;
        const char *str = (t == CONFIG_TYPE_STRING) ? config_setting_get_string(s) : NULL;
        if (!str)
            return fail(cx, s, key, k->expect, "a non-string");
        if (ps_mask_parse(str, &m) != 0) {
            char got[64];
            snprintf(got, sizeof got, "\"%.40s\"", str);
            return fail(cx, s, key, k->expect, got);
        }
        *out = m;
        return 0;
    }
    if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
        *out = (double)config_setting_get_int64(s);
    else if (t == CONFIG_TYPE_FLOAT && k->kind == K_FLOAT)
        *out = config_setting_get_float(s);
    else
        return fail(cx, s, key, k->expect,
                    t == CONFIG_TYPE_FLOAT ? "a non-integer number" : "a value of another type");
    if (!(*out >= k->lo && *out <= k->hi) || (k->lo_open && *out == k->lo)) {
        char got[64];
        snprintf(got, sizeof got, "%.17g", *out);
        return fail(cx, s, key, k->expect, got);
    }
    return 0;
}

static void store_scalar(ps_config *c, const key_spec *k, const config_setting_t *s, double v)
{
    char *base = (char *)c;
    if (strcmp(k->name, "master_seed") == 0)   /* exact: a double holds only 53 bits */
        *(uint64_t *)(base + k->off) = (uint64_t)config_setting_get_int64(s);
    else if (k->kind == K_INT)
        *(int *)(base + k->off) = (int)v;
    else
        *(double *)(base + k->off) = v;
}

/* Replace the list field of k with the n values in v. */
static int store_list(ps_config *c, const key_spec *k, const double *v, size_t n)
{
    char *base = (char *)c;
    void **field = (void **)(base + k->off);
    size_t elem = k->kind == K_INT ? sizeof(int) : k->kind == K_MASK ? 1 : sizeof(double);
    void *arr = malloc(n * elem);
    if (!arr)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (k->kind == K_INT) ((int *)arr)[i] = (int)v[i];
        else if (k->kind == K_MASK) ((uint8_t *)arr)[i] = (uint8_t)v[i];
        else ((double *)arr)[i] = v[i];
    }
    free(*field);
    *field = arr;
    *(size_t *)(base + k->off_n) = n;
    return 0;
}

static int read_key(ctx_t *cx, ps_config *c, const key_spec *k, const config_setting_t *s)
{
    char key[64];
    snprintf(key, sizeof key, "%s%s%s", k->group ? k->group : "", k->group ? "." : "", k->name);
    int t = config_setting_type(s);
    int is_list = (t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST);
    if (t == CONFIG_TYPE_GROUP || (is_list && !k->list))
        return fail(cx, s, key, k->expect, is_list ? "a list" : "a group");
    if (!is_list) {
        double v;
        int rc = scalar_value(cx, k, key, s, &v);
        if (rc) return rc;
        if (k->list)
            return store_list(c, k, &v, 1) ? ps_error_set(cx->err, PS_EFAIL, "out of memory") : 0;
        store_scalar(c, k, s, v);
        return 0;
    }
    int n = config_setting_length(s);
    if (n == 0)
        return fail(cx, s, key, k->expect, "an empty list");
    double *v = malloc((size_t)n * sizeof *v);
    if (!v)
        return ps_error_set(cx->err, PS_EFAIL, "out of memory");
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        rc = scalar_value(cx, k, key, e, &v[i]);
        for (int j = 0; j < i && !rc; j++)
            if (v[j] == v[i])
                rc = fail(cx, e, key, "a list without repeated values", "a repeated value");
    }
    if (!rc && store_list(c, k, v, (size_t)n))
        rc = ps_error_set(cx->err, PS_EFAIL, "out of memory");
    free(v);
    return rc;
}

/* ---- the file ----------------------------------------------------------- */

static const key_spec *find_key(const char *group, const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (((!group && !keys[i].group) || (group && keys[i].group && !strcmp(group, keys[i].group)))
            && !strcmp(name, keys[i].name))
            return &keys[i];
    return NULL;
}

static int is_group_name(const char *name)
{
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        if (!strcmp(name, groups[g]))
            return 1;
    return 0;
}

static int read_group(ctx_t *cx, ps_config *c, const config_setting_t *g)
{
    const char *gname = config_setting_name(g);
    int n = config_setting_length(g);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const key_spec *k = find_key(gname, config_setting_name(s));
        if (!k) {
            char key[96];
            snprintf(key, sizeof key, "%s.%s", gname, config_setting_name(s));
            return fail(cx, s, key, "a key of SPEC.md section 7", "an unknown key");
        }
        int rc = read_key(cx, c, k, s);
        if (rc) return rc;
    }
    return 0;
}

static int read_root(ctx_t *cx, ps_config *c, const config_setting_t *root)
{
    int n = config_setting_length(root);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(s);
        int rc;
        if (is_group_name(name)) {
            if (config_setting_type(s) != CONFIG_TYPE_GROUP)
                return fail(cx, s, name, "a group { ... }", "another type");
            rc = read_group(cx, c, s);
        } else if (find_key(NULL, name)) {
            rc = read_key(cx, c, find_key(NULL, name), s);
        } else {
            rc = fail(cx, s, name, "master_seed, grid, train, init or data", "an unknown key");
        }
        if (rc) return rc;
    }
    return 0;
}

/* Every N must leave room for the minimum separation: 1 - (N-1) d > 0. */
static int check_feasible(ctx_t *cx, const ps_config *c, const config_t *lc)
{
    for (size_t i = 0; i < c->nN; i++) {
        int N = c->N[i];
        double d = ps_config_min_sep(c, N);
        if (!(1.0 - (N - 1) * d > 0.0)) {
            const config_setting_t *s = config_lookup(lc, "grid.N");
            char got[96];
            snprintf(got, sizeof got, "N = %d with d = %g (lower data.min_sep or data.min_sep_scale)", N, d);
            return fail(cx, s, "grid.N", "values with room for the minimum separation, "
                        "1 - (N-1) d > 0", got);
        }
    }
    return 0;
}

static uint64_t mix_double(uint64_t h, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return ps_seed_mix(h, u);
}

static uint64_t config_hash(const ps_config *c)
{
    uint64_t h = ps_seed_mix(0x70726f746f737765ULL, c->master_seed);  /* "protoswe" */
    h = ps_seed_mix(h, c->nN);
    for (size_t i = 0; i < c->nN; i++) h = ps_seed_mix(h, (uint64_t)c->N[i]);
    h = ps_seed_mix(h, (uint64_t)c->datasets);
    h = ps_seed_mix(h, (uint64_t)c->inits);
    h = ps_seed_mix(h, c->nmasks);
    for (size_t i = 0; i < c->nmasks; i++) h = ps_seed_mix(h, c->masks[i]);
    h = ps_seed_mix(h, c->nlambda);
    for (size_t i = 0; i < c->nlambda; i++) h = mix_double(h, c->lambda[i]);
    h = ps_seed_mix(h, c->ntau);
    for (size_t i = 0; i < c->ntau; i++) h = mix_double(h, c->tau[i]);
    h = ps_seed_mix(h, c->nlr);
    for (size_t i = 0; i < c->nlr; i++) h = mix_double(h, c->lr[i]);
    h = ps_seed_mix(h, c->nepochs);
    for (size_t i = 0; i < c->nepochs; i++) h = ps_seed_mix(h, (uint64_t)c->epochs[i]);
    const double scal[] = {c->beta1, c->beta2, c->adam_eps, c->w_min, c->w_std, c->b,
                           c->v_std, c->min_sep, c->min_sep_scale};
    for (size_t i = 0; i < sizeof scal / sizeof scal[0]; i++) h = mix_double(h, scal[i]);
    return h;
}

int ps_config_load_string(ps_config *c, const char *text, const char *name, ps_error *err)
{
    ctx_t cx = {name, err};
    if (set_defaults(c)) {
        ps_config_free(c);
        return ps_error_set(err, PS_EFAIL, "out of memory");
    }
    c->name = strdup(name);
    c->text = strdup(text);
    config_t lc;
    config_init(&lc);
    int rc = 0;
    if (!c->name || !c->text)
        rc = ps_error_set(err, PS_EFAIL, "out of memory");
    else if (config_read_string(&lc, text) != CONFIG_TRUE) {
        const char *why = config_error_text(&lc);
        /* libconfig arrays are homogeneous: [0, 0.1] is a syntax error there */
        int mixed = why && strstr(why, "mismatched element type") != NULL;
        rc = ps_error_set(err, PS_EINPUT, "%s:%d: syntax error: %s%s", name, config_error_line(&lc),
                          why ? why : "?", mixed ? " (expected one number type in a [...] list: "
                          "write 0.0 rather than 0 among floats)" : "");
    }
    else if (!(rc = read_root(&cx, c, config_root_setting(&lc))))
        rc = check_feasible(&cx, c, &lc);
    config_destroy(&lc);
    if (rc) {
        ps_config_free(c);
        return rc;
    }
    c->hash = config_hash(c);
    return 0;
}

int ps_config_load_file(ps_config *c, const char *path, ps_error *err)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    if (!f)
        return ps_error_set(err, PS_EINPUT, "%s: cannot read config: %s", path, strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return ps_error_set(err, PS_EINPUT, "%s: cannot read config", path);
    }
    buf[len] = '\0';
    if (strlen(buf) != len) {
        free(buf);
        return ps_error_set(err, PS_EINPUT, "%s: not a text config file (contains NUL bytes)", path);
    }
    int rc = ps_config_load_string(c, buf, path, err);
    free(buf);
    return rc;
}

void ps_config_free(ps_config *c)
{
    free(c->name); free(c->text);
    free(c->N); free(c->masks); free(c->lambda); free(c->tau); free(c->lr); free(c->epochs);
    memset(c, 0, sizeof *c);
}
