/* query.c — where-expressions over /runs rows and the `query` table
 * (include/query.h). */
#include "query.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *text; ps_op op; } ops[] = { /* longest first */
    { "==", PS_OP_EQ }, { "!=", PS_OP_NE }, { "<=", PS_OP_LE }, { ">=", PS_OP_GE },
    { "=", PS_OP_EQ }, { "<", PS_OP_LT }, { ">", PS_OP_GT },
};

/* The value of a condition on field f: masks and status by name, uint64 exact. */
static int parse_value(ps_cond *c, const char *v, ps_error *err, const char *cond)
{
    const char *name = ps_run_fields[c->field].name;
    unsigned m;
    char *end;
    if (strcmp(name, "mask") == 0 && strlen(v) == 3 && ps_stat_mask_parse(v, &m) == 0) {
        c->value = m;
        return 0;
    }
    if (strcmp(name, "status") == 0 && (!strcmp(v, "ok") || !strcmp(v, "diverged"))) {
        c->value = strcmp(v, "ok") ? PS_STATUS_DIVERGED : PS_STATUS_OK;
        return 0;
    }
    errno = 0;
    if (ps_run_fields[c->field].type == PS_FT_U64) {
        unsigned long long u = strtoull(v, &end, 10);
        c->u = u;
        c->value = (double)u;
    } else {
        c->value = strtod(v, &end);
    }
    if (end == v || *end || errno)
        return ps_error_set(err, PS_EINPUT, "--where: bad value in '%s'", cond);
    return 0;
}

static int parse_cond(ps_cond *c, const char *tok, ps_error *err)
{
    char name[64];
    size_t len = 0;
    while (tok[len] && (isalnum((unsigned char)tok[len]) || tok[len] == '_'))
        len++;
    if (len == 0 || len >= sizeof name)
        return ps_error_set(err, PS_EINPUT, "--where: expected FIELD OP VALUE, got '%s'", tok);
    memcpy(name, tok, len);
    name[len] = '\0';
    c->field = ps_field_find(name);
    if (c->field < 0)
        return ps_error_set(err, PS_EINPUT, "--where: unknown field '%s' in '%s'", name, tok);
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (strncmp(tok + len, ops[k].text, strlen(ops[k].text)) == 0) {
            c->op = ops[k].op;
            return parse_value(c, tok + len + strlen(ops[k].text), err, tok);
        }
    return ps_error_set(err, PS_EINPUT, "--where: expected one of = != < <= > >= in '%s'", tok);
}

int ps_where_parse(ps_where *w, const char *text, ps_error *err)
{
    char tok[128];
    w->n = 0;
    for (const char *p = text ? text : ""; *p;) {
        p += strspn(p, " \t");
        size_t len = strcspn(p, " \t");
        if (len == 0)
            break;
        if (len >= sizeof tok)
            return ps_error_set(err, PS_EINPUT, "--where: condition too long");
        if (w->n == PS_WHERE_MAX)
            return ps_error_set(err, PS_EINPUT, "--where: more than %d conditions", PS_WHERE_MAX);
        memcpy(tok, p, len);
        tok[len] = '\0';
        int rc = parse_cond(&w->c[w->n], tok, err);
        if (rc)
            return rc;
        w->n++;
        p += len;
    }
    return 0;
}

static int compare(double x, double y, ps_op op)
{
    switch (op) {
    case PS_OP_EQ: return x == y;
    case PS_OP_NE: return x != y;
    case PS_OP_LT: return x < y;
    case PS_OP_LE: return x <= y;
    case PS_OP_GT: return x > y;
    case PS_OP_GE: return x >= y;
    }
    return 0;
}

static int cond_match(const ps_cond *c, const ps_run_row *r)
{
    if (ps_run_fields[c->field].type == PS_FT_U64) {
        uint64_t x;
        memcpy(&x, (const char *)r + ps_run_fields[c->field].offset, sizeof x);
        return compare(x < c->u ? -1 : x > c->u, 0, c->op);
    }
    return compare(ps_field_get(r, c->field), c->value, c->op);
}

int ps_where_match(const ps_where *w, const ps_run_row *r)
{
    for (size_t i = 0; w && i < w->n; i++)
        if (!cond_match(&w->c[i], r))
            return 0;
    return 1;
}

int ps_fields_parse(const char *text, int *fields, size_t *n, size_t max, ps_error *err)
{
    char name[64];
    *n = 0;
    for (const char *p = text;;) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof name)
            return ps_error_set(err, PS_EINPUT, "--fields: bad list '%s'", text);
        memcpy(name, p, len);
        name[len] = '\0';
        int f = ps_field_find(name);
        if (f < 0)
            return ps_error_set(err, PS_EINPUT, "--fields: unknown field '%s'", name);
        if (*n == max)
            return ps_error_set(err, PS_EINPUT, "--fields: more than %zu fields", max);
        fields[(*n)++] = f;
        if (!p[len])
            return 0;
        p += len + 1;
    }
}

/* ---- the query table ------------------------------------------------------------ */
static const char *const proto_heads[] = { "j", "p", "yhat", "w", "b", "v" };
#define NPROTO (sizeof proto_heads / sizeof proto_heads[0])

static int add_run_row(ps_tab *t, const ps_run_row *r, const int *fields, size_t nf,
                       const ps_proto_row *pr)
{
    char buf[48];
    ps_cell *row = ps_tab_add_row(t);
    if (!row)
        return PS_EFAIL;
    for (size_t c = 0; c < nf; c++) {
        ps_field_format(r, fields[c], buf, sizeof buf);
        ps_cell_str(&row[c], buf);
    }
    if (pr) {
        const double v[] = { pr->p, pr->yhat, pr->w, pr->b, pr->v };
        snprintf(buf, sizeof buf, "%d", (int)pr->j);
        ps_cell_str(&row[nf], buf);
        for (size_t k = 0; k < NPROTO - 1; k++) {
            snprintf(buf, sizeof buf, "%.17g", v[k]);
            ps_cell_str(&row[nf + 1 + k], buf);
        }
    }
    return 0;
}

/* The prototype rows of run i, read as one hyperslab; buf grows to the largest N. */
static int add_proto_rows(ps_tab *t, const ps_runset *rs, size_t i, const int *fields, size_t nf,
                          ps_proto_row **buf, size_t *cap, ps_error *err)
{
    size_t N = rs->rows[i].N > 0 ? (size_t)rs->rows[i].N : 0;
    if (N > *cap) {
        ps_proto_row *grown = realloc(*buf, N * sizeof *grown);
        if (!grown)
            return ps_error_set(err, PS_EFAIL, "out of memory");
        *buf = grown;
        *cap = N;
    }
    int rc = N ? ps_runset_prototypes(rs, i, *buf, err) : 0;
    for (size_t j = 0; j < N && !rc; j++)
        if (add_run_row(t, &rs->rows[i], fields, nf, &(*buf)[j]))
            rc = ps_error_set(err, PS_EFAIL, "out of memory");
    return rc;
}

ps_tab *ps_query(const ps_runset *rs, const ps_filter *f, const ps_where *w, const int *fields,
                 size_t nf, int prototypes, ps_error *err)
{
    ps_proto_row *buf = NULL;
    size_t cap = 0;
    ps_tab *t = ps_tab_alloc(nf + (prototypes ? NPROTO : 0));
    int rc = t ? 0 : ps_error_set(err, PS_EFAIL, "too many fields or out of memory");
    for (size_t c = 0; c < nf && !rc; c++)
        if (ps_tab_set_head(t, c, ps_run_fields[fields[c]].name))
            rc = ps_error_set(err, PS_EFAIL, "out of memory");
    for (size_t c = 0; prototypes && c < NPROTO && !rc; c++)
        if (ps_tab_set_head(t, nf + c, proto_heads[c]))
            rc = ps_error_set(err, PS_EFAIL, "out of memory");
    for (size_t i = 0; i < rs->n && !rc; i++) {
        if (!ps_filter_match(f, &rs->rows[i]) || !ps_where_match(w, &rs->rows[i]))
            continue;
        if (prototypes)
            rc = add_proto_rows(t, rs, i, fields, nf, &buf, &cap, err);
        else if (add_run_row(t, &rs->rows[i], fields, nf, NULL))
            rc = ps_error_set(err, PS_EFAIL, "out of memory");
    }
    free(buf);
    if (rc) {
        ps_tab_free(t);
        return NULL;
    }
    return t;
}
