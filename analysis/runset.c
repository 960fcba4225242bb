/* runset.c — load the /runs rows of several results files, merge shards,
 * filter and group them.  See include/runset.h for the invariants. */
#include "runset.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- masks ------------------------------------------------------------- */
void ps_stat_mask_format(unsigned mask, char out[4])
{
    out[0] = (mask & 4) ? '1' : '0';
    out[1] = (mask & 2) ? '1' : '0';
    out[2] = (mask & 1) ? '1' : '0';
    out[3] = '\0';
}

int ps_stat_mask_parse(const char *text, unsigned *mask)
{
    unsigned m = 0;
    if (strlen(text) != 3)
        return PS_EINPUT;
    for (int i = 0; i < 3; i++) {
        if (text[i] != '0' && text[i] != '1')
            return PS_EINPUT;
        m = 2 * m + (unsigned)(text[i] - '0');
    }
    *mask = m;
    return 0;
}

/* ---- fields ------------------------------------------------------------ */
#define F(name, type, digits) { #name, type, offsetof(ps_run_row, name), digits }
const ps_field ps_run_fields[] = {
    F(key, PS_FT_U64, 0), F(N, PS_FT_I32, 0), F(dataset, PS_FT_I32, 0),
    F(init, PS_FT_I32, 0), F(mask, PS_FT_U8, 0), F(lambda, PS_FT_F64, 4),
    F(tau, PS_FT_F64, 4), F(lr, PS_FT_F64, 4), F(epochs, PS_FT_I32, 0),
    F(data_seed, PS_FT_U64, 0), F(init_seed, PS_FT_U64, 0),
    F(E, PS_FT_F64, 3), F(rho, PS_FT_F64, 3), F(frac_outside, PS_FT_F64, 2),
    F(hull_dist, PS_FT_F64, 2), F(hull_sdist, PS_FT_F64, 2),
    F(L_fit, PS_FT_F64, 4), F(L_ovl, PS_FT_F64, 4), F(L_cov, PS_FT_F64, 4),
    F(L_sep, PS_FT_F64, 4), F(L, PS_FT_F64, 4), F(status, PS_FT_U8, 0),
    F(wall_s, PS_FT_F64, 3), F(proto_offset, PS_FT_U64, 0),
};
#undef F
const size_t ps_run_nfields = sizeof ps_run_fields / sizeof ps_run_fields[0];

int ps_field_find(const char *name)
{
    for (size_t f = 0; f < ps_run_nfields; f++)
        if (strcmp(ps_run_fields[f].name, name) == 0)
            return (int)f;
    return -1;
}

int ps_metric_find(const char *name)
{
    int f = ps_field_find(name);
    return (f >= 0 && ps_run_fields[f].type == PS_FT_F64) ? f : -1;
}

double ps_field_get(const ps_run_row *r, int f)
{
    const char *p = (const char *)r + ps_run_fields[f].offset;
    uint64_t u;
    int32_t i;
    double d;
    switch (ps_run_fields[f].type) {
    case PS_FT_U64: memcpy(&u, p, sizeof u); return (double)u;
    case PS_FT_I32: memcpy(&i, p, sizeof i); return i;
    case PS_FT_U8: return *(const uint8_t *)p;
    case PS_FT_F64: memcpy(&d, p, sizeof d); return d;
    }
    return NAN;
}

void ps_field_format(const ps_run_row *r, int f, char *buf, size_t n)
{
    const char *p = (const char *)r + ps_run_fields[f].offset;
    uint64_t u;
    if (ps_run_fields[f].type == PS_FT_U64) {
        memcpy(&u, p, sizeof u);
        snprintf(buf, n, "%llu", (unsigned long long)u);
    } else if (strcmp(ps_run_fields[f].name, "mask") == 0) {
        char m[4];
        ps_stat_mask_format(r->mask, m);
        snprintf(buf, n, "%s", m);
    } else if (ps_run_fields[f].type == PS_FT_F64) {
        snprintf(buf, n, "%.17g", ps_field_get(r, f));
    } else {
        snprintf(buf, n, "%.0f", ps_field_get(r, f));
    }
}

/* ---- loading ----------------------------------------------------------- */
typedef struct {
    ps_run_row row;
    uint32_t file;
} tagged_row;

static int cmp_tagged(const void *a, const void *b)
{
    const tagged_row *x = a, *y = b;
    if (x->row.key != y->row.key)
        return x->row.key < y->row.key ? -1 : 1;
    return x->file < y->file ? -1 : x->file > y->file;
}

/* Same run, same results?  Bitwise on every field but proto_offset (a file
 * position) and wall_s (a timing, not a result); bitwise so that NaN == NaN. */
static int same_run(const ps_run_row *a, const ps_run_row *b)
{
    for (size_t f = 0; f < ps_run_nfields; f++) {
        const char *name = ps_run_fields[f].name;
        if (strcmp(name, "proto_offset") == 0 || strcmp(name, "wall_s") == 0)
            continue;
        size_t off = ps_run_fields[f].offset;
        size_t sz = ps_run_fields[f].type == PS_FT_U8 ? 1
                  : ps_run_fields[f].type == PS_FT_I32 ? 4 : 8;
        if (memcmp((const char *)a + off, (const char *)b + off, sz) != 0)
            return 0;
    }
    return 1;
}

/* Open every file and append its rows to *all (grown as needed). */
static int read_files(ps_runset *rs, const char *const *paths, size_t npaths,
                      tagged_row **all, size_t *nall, ps_error *err)
{
    for (size_t k = 0; k < npaths; k++) {
        rs->paths[k] = strdup(paths[k]);
        if (!rs->paths[k])
            return ps_error_set(err, PS_EFAIL, "out of memory");
        rs->nfiles = k + 1;
        rs->readers[k] = ps_reader_open(paths[k], err);
        if (!rs->readers[k])
            return err ? err->code : PS_EINPUT;
        size_t n = ps_reader_nruns(rs->readers[k]);
        ps_run_row *tmp = malloc((n ? n : 1) * sizeof *tmp);
        tagged_row *grown = realloc(*all, (*nall + n + 1) * sizeof **all);
        if (grown)
            *all = grown;
        if (!tmp || !grown) {
            free(tmp);
            return ps_error_set(err, PS_EFAIL, "out of memory reading %s", paths[k]);
        }
        int rc = n ? ps_reader_runs(rs->readers[k], 0, n, tmp, err) : 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
            (*all)[*nall + i].row = tmp[i];
            (*all)[*nall + i].file = (uint32_t)k;
        }
        free(tmp);
        if (rc)
            return rc;
        *nall += n;
    }
    return 0;
}

/* Sort by key and drop identical duplicates into rs->rows / rs->file. */
static int merge_rows(ps_runset *rs, tagged_row *all, size_t nall, ps_error *err)
{
    qsort(all, nall, sizeof *all, cmp_tagged);
    rs->rows = malloc((nall ? nall : 1) * sizeof *rs->rows);
    rs->file = malloc((nall ? nall : 1) * sizeof *rs->file);
    if (!rs->rows || !rs->file)
        return ps_error_set(err, PS_EFAIL, "out of memory");
    for (size_t i = 0; i < nall; i++) {
        if (rs->n > 0 && rs->rows[rs->n - 1].key == all[i].row.key) {
            if (!same_run(&rs->rows[rs->n - 1], &all[i].row))
                return ps_error_set(err, PS_EINPUT,
                                    "run key %llu is in %s and %s with different values",
                                    (unsigned long long)all[i].row.key,
                                    rs->paths[rs->file[rs->n - 1]], rs->paths[all[i].file]);
            continue;
        }
        rs->rows[rs->n] = all[i].row;
        rs->file[rs->n] = all[i].file;
        rs->n++;
    }
    return 0;
}

int ps_runset_load(ps_runset *rs, const char *const *paths, size_t npaths, ps_error *err)
{
    memset(rs, 0, sizeof *rs);
    tagged_row *all = NULL;
    size_t nall = 0;
    rs->paths = calloc(npaths ? npaths : 1, sizeof *rs->paths);
    rs->readers = calloc(npaths ? npaths : 1, sizeof *rs->readers);
    int rc = (!rs->paths || !rs->readers) ? ps_error_set(err, PS_EFAIL, "out of memory")
             : read_files(rs, paths, npaths, &all, &nall, err);
    if (rc == 0)
        rc = merge_rows(rs, all, nall, err);
    free(all);
    if (rc)
        ps_runset_free(rs);
    return rc;
}

void ps_runset_free(ps_runset *rs)
{
    for (size_t k = 0; k < rs->nfiles; k++) {
        if (rs->readers && rs->readers[k])
            ps_reader_close(rs->readers[k]);
        if (rs->paths)
            free(rs->paths[k]);
    }
    free(rs->readers);
    free(rs->paths);
    free(rs->rows);
    free(rs->file);
    memset(rs, 0, sizeof *rs);
}

int ps_runset_prototypes(const ps_runset *rs, size_t i, ps_proto_row *out, ps_error *err)
{
    return ps_reader_prototypes(rs->readers[rs->file[i]], &rs->rows[i], out, err);
}

int ps_runset_dataset(const ps_runset *rs, size_t i, ps_data_row *out, ps_error *err)
{
    return ps_reader_dataset(rs->readers[rs->file[i]], rs->rows[i].N, rs->rows[i].dataset,
                             out, err);
}
