/* merge.c — union of shard files, and bit-exact comparison of two results files.
 * See include/sweep.h (ps_sweep_merge, ps_sweep_compare).
 *
 * Both load every /runs row of their inputs (rows are small: ~170 bytes, so a
 * million runs is ~170 MB) sorted by key, then read prototypes and datasets
 * run by run through hyperslabs.  "Equal" means bit-identical doubles: NaN
 * metrics of diverged runs compare equal to themselves; wall_s and the row
 * position (proto_offset) are not results and are ignored.
 */
#include "results.h"
#include "sweep.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    ps_run_row row;
    int src;
} tagged_run;

typedef struct {
    int n;
    ps_reader **r;
    tagged_run *runs;
    size_t nruns;
    uint64_t hash;
} inputs_t;

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Fields that are results of the run (not wall_s, not proto_offset). */
static int runs_equal(const ps_run_row *a, const ps_run_row *b)
{
    return a->key == b->key && a->N == b->N && a->dataset == b->dataset && a->init == b->init &&
           a->mask == b->mask && same_bits(a->lambda, b->lambda) && same_bits(a->tau, b->tau) &&
           same_bits(a->lr, b->lr) && a->epochs == b->epochs && a->data_seed == b->data_seed &&
           a->init_seed == b->init_seed && same_bits(a->E, b->E) && same_bits(a->rho, b->rho) &&
           same_bits(a->frac_outside, b->frac_outside) && same_bits(a->hull_dist, b->hull_dist) &&
           same_bits(a->hull_sdist, b->hull_sdist) && same_bits(a->L_fit, b->L_fit) &&
           same_bits(a->L_ovl, b->L_ovl) && same_bits(a->L_cov, b->L_cov) &&
           same_bits(a->L_sep, b->L_sep) && same_bits(a->L, b->L) && a->status == b->status;
}

static int protos_equal(const ps_proto_row *a, const ps_proto_row *b, int n)
{
    for (int j = 0; j < n; j++)
        if (a[j].key != b[j].key || a[j].j != b[j].j || !same_bits(a[j].p, b[j].p) ||
            !same_bits(a[j].yhat, b[j].yhat) || !same_bits(a[j].w, b[j].w) ||
            !same_bits(a[j].b, b[j].b) || !same_bits(a[j].v, b[j].v))
            return 0;
    return 1;
}

static int data_equal(const ps_data_row *a, const ps_data_row *b, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i].N != b[i].N || a[i].dataset != b[i].dataset || a[i].i != b[i].i ||
            !same_bits(a[i].x, b[i].x) || !same_bits(a[i].y, b[i].y))
            return 0;
    return 1;
}

static int by_key(const void *pa, const void *pb)
{
    const tagged_run *a = pa, *b = pb;
    if (a->row.key != b->row.key)
        return a->row.key < b->row.key ? -1 : 1;
    return a->src - b->src;
}

static void inputs_close(inputs_t *in)
{
    for (int k = 0; k < in->n; k++)
        ps_reader_close(in->r[k]);
    free(in->r);
    free(in->runs);
    memset(in, 0, sizeof *in);
}

/* Open every file, check they share one config, load and sort all runs. */
static int inputs_open(inputs_t *in, char **paths, int n, int same_config, char **config_text,
                       ps_error *err)
{
    memset(in, 0, sizeof *in);
    in->r = calloc((size_t)n, sizeof *in->r);
    if (!in->r)
        return ps_error_set(err, PS_EFAIL, "out of memory");
    size_t total = 0;
    for (int k = 0; k < n; k++) {
        if (!(in->r[k] = ps_reader_open(paths[k], err)))
            return err->code;
        in->n = k + 1;
        ps_results_meta m = {0};
        if (ps_reader_meta(in->r[k], &m, err))
            return err->code;
        if (k == 0) {
            in->hash = m.config_hash;
            if (config_text) { *config_text = m.config; m.config = NULL; }
        } else if (same_config && m.config_hash != in->hash) {
            ps_results_meta_free(&m);
            return ps_error_set(err, PS_EINPUT, "%s: made from another config than %s "
                                "(config_hash differs); shards of one config only", paths[k], paths[0]);
        }
        ps_results_meta_free(&m);
        total += ps_reader_nruns(in->r[k]);
    }
    in->runs = malloc((total ? total : 1) * sizeof *in->runs);
    ps_run_row *buf = malloc(4096 * sizeof *buf);
    if (!in->runs || !buf) {
        free(buf);
        return ps_error_set(err, PS_EFAIL, "out of memory for %zu runs", total);
    }
    for (int k = 0; k < n; k++) {
        size_t nr = ps_reader_nruns(in->r[k]);
        for (size_t first = 0; first < nr; first += 4096) {
            size_t cnt = nr - first < 4096 ? nr - first : 4096;
            if (ps_reader_runs(in->r[k], first, cnt, buf, err)) { free(buf); return err->code; }
            for (size_t i = 0; i < cnt; i++)
                in->runs[in->nruns++] = (tagged_run){buf[i], k};
        }
    }
    free(buf);
    qsort(in->runs, in->nruns, sizeof *in->runs, by_key);
    return 0;
}

/* Copy one run (rows, prototypes, dataset) from its reader into the writer. */
static int copy_run(ps_writer *w, ps_reader *r, const ps_run_row *run, ps_proto_row *pb,
                    ps_data_row *db, ps_error *err)
{
    if (ps_reader_prototypes(r, run, pb, err))
        return err->code;
    const ps_data_row *data = NULL;
    if (!ps_writer_has_dataset(w, run->N, run->dataset)) {
        if (ps_reader_dataset(r, run->N, run->dataset, db, err))
            return err->code;
        data = db;
    }
    return ps_writer_append(w, run, pb, data, err);
}

static int merge_runs(inputs_t *in, char **paths, ps_writer *w, ps_error *err)
{
    int nmax = 1;
    for (size_t i = 0; i < in->nruns; i++)
        if (in->runs[i].row.N > nmax) nmax = in->runs[i].row.N;
    ps_proto_row *pb = malloc((size_t)nmax * sizeof *pb);
    ps_data_row *db = malloc((size_t)nmax * sizeof *db);
    int rc = (!pb || !db) ? ps_error_set(err, PS_EFAIL, "out of memory") : 0;
    for (size_t i = 0; i < in->nruns && !rc; i++) {
        const tagged_run *t = &in->runs[i];
        if (i > 0 && in->runs[i - 1].row.key == t->row.key) {
            if (!runs_equal(&in->runs[i - 1].row, &t->row))
                rc = ps_error_set(err, PS_EINPUT, "run %016llx is in %s and %s with different values",
                                  (unsigned long long)t->row.key, paths[in->runs[i - 1].src], paths[t->src]);
            continue;
        }
        rc = copy_run(w, in->r[t->src], &t->row, pb, db, err);
        if (!rc && ps_writer_pending(w) >= 1024)
            rc = ps_writer_flush(w, err);
    }
    free(pb);
    free(db);
    return rc;
}

int ps_sweep_merge(const char *out, char **inputs, int ninputs, ps_error *err)
{
    if (access(out, F_OK) == 0)
        return ps_error_set(err, PS_EINPUT, "%s: output exists; merge writes a new file "
                            "(remove it or choose another name)", out);
    inputs_t in;
    char *config = NULL;
    int rc = inputs_open(&in, inputs, ninputs, 1, &config, err);
    ps_writer *w = rc ? NULL : ps_writer_open(out, config, in.hash, err);
    if (!rc && !w)
        rc = err->code ? err->code : PS_EFAIL;
    if (!rc)
        rc = merge_runs(&in, inputs, w, err);
    if (w) {
        ps_error e2;
        int rc2 = ps_writer_close(w, rc ? &e2 : err);
        if (!rc) rc = rc2;
    }
    if (rc && w)
        unlink(out);   /* never leave a half merge that looks complete */
    free(config);
    inputs_close(&in);
    return rc;
}

/* ---- compare ---------------------------------------------------------------- */

static int compare_run(inputs_t *a, inputs_t *b, size_t i, ps_proto_row *pa, ps_proto_row *pb,
                       ps_data_row *da, ps_data_row *db, ps_error *err)
{
    const ps_run_row *ra = &a->runs[i].row, *rb = &b->runs[i].row;
    unsigned long long key = (unsigned long long)ra->key;
    if (ra->key != rb->key)
        return ps_error_set(err, PS_EFAIL, "run %016llx is in one file only",
                            (unsigned long long)(ra->key < rb->key ? ra->key : rb->key));
    if (!runs_equal(ra, rb))
        return ps_error_set(err, PS_EFAIL, "run %016llx: /runs values differ", key);
    if (ps_reader_prototypes(a->r[0], ra, pa, err) || ps_reader_prototypes(b->r[0], rb, pb, err))
        return err->code;
    if (!protos_equal(pa, pb, ra->N))
        return ps_error_set(err, PS_EFAIL, "run %016llx: /prototypes values differ", key);
    if (ps_reader_dataset(a->r[0], ra->N, ra->dataset, da, err) ||
        ps_reader_dataset(b->r[0], rb->N, rb->dataset, db, err))
        return err->code;
    if (!data_equal(da, db, ra->N))
        return ps_error_set(err, PS_EFAIL, "dataset (N=%d, %d): /datasets values differ",
                            ra->N, ra->dataset);
    return 0;
}

int ps_sweep_compare(const char *pa_, const char *pb_, ps_error *err)
{
    inputs_t a, b;
    char *paths_a[1] = {(char *)pa_}, *paths_b[1] = {(char *)pb_};
    int rc = inputs_open(&a, paths_a, 1, 0, NULL, err);
    if (!rc) rc = inputs_open(&b, paths_b, 1, 0, NULL, err);
    else memset(&b, 0, sizeof b);
    if (!rc && a.nruns != b.nruns)
        rc = ps_error_set(err, PS_EFAIL, "%s holds %zu runs, %s holds %zu", pa_, a.nruns, pb_, b.nruns);
    int nmax = 1;
    for (size_t i = 0; !rc && i < a.nruns; i++)
        if (a.runs[i].row.N > nmax) nmax = a.runs[i].row.N;
    ps_proto_row *pa = malloc((size_t)nmax * sizeof *pa), *pb = malloc((size_t)nmax * sizeof *pb);
    ps_data_row *da = malloc((size_t)nmax * sizeof *da), *db = malloc((size_t)nmax * sizeof *db);
    if (!rc && (!pa || !pb || !da || !db))
        rc = ps_error_set(err, PS_EFAIL, "out of memory");
    for (size_t i = 0; !rc && i < a.nruns; i++)
        rc = compare_run(&a, &b, i, pa, pb, da, db, err);
    if (!rc && a.hash != b.hash)
        rc = ps_error_set(err, PS_EFAIL, "same runs, but the config_hash differs (%016llx vs %016llx)",
                          (unsigned long long)a.hash, (unsigned long long)b.hash);
    free(pa); free(pb); free(da); free(db);
    inputs_close(&a);
    inputs_close(&b);
    return rc;
}
