/* sweep.c — all runs of a grid over OpenMP threads into one results file;
 * shard merge and file comparison.  See include/sweep.h.
 *
 * Threads never touch HDF5 (the serial library is not thread-safe): a worker
 * builds its run's rows in its own buffers and hands them to the one writer
 * inside `#pragma omp critical(ps_writer)`, where batches are flushed.
 */
#include "sweep.h"
#include "grid.h"
#include "progress.h"
#include "results.h"
#include "run.h"
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Flush after FLUSH_RUNS runs (--flush) or FLUSH_SECONDS, whichever comes
 * first: a crash loses at most one batch, and HDF5 calls stay rare next to
 * training (measured: under 1% of the paper grid's wall time). */
#define FLUSH_RUNS 256
#define FLUSH_SECONDS 2.0

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

/* Rows of one finished run, in a worker's own buffers. */
typedef struct {
    ps_run_row run;
    ps_proto_row *protos;
    ps_data_row *data;
    double cost;
} run_rows;

static void rows_fill(run_rows *o, const ps_run_spec *s, const ps_runner *r, const ps_metrics *m)
{
    int N = s->N;
    const double *th = r->theta;
    ps_run_row *q = &o->run;
    o->cost = s->cost;
    memset(q, 0, sizeof *q);
    q->key = s->key; q->N = N; q->dataset = s->dataset; q->init = s->init; q->mask = s->mask;
    q->lambda = s->lambda; q->tau = s->tau; q->lr = s->lr; q->epochs = s->epochs;
    q->data_seed = r->data_seed; q->init_seed = r->init_seed;
    q->E = m->E; q->rho = m->rho; q->frac_outside = m->frac_outside;
    q->hull_dist = m->hull_dist; q->hull_sdist = m->hull_sdist;
    q->L_fit = m->L_fit; q->L_ovl = m->L_ovl; q->L_cov = m->L_cov; q->L_sep = m->L_sep; q->L = m->L;
    q->status = (uint8_t)(m->status == PS_RUN_OK ? PS_STATUS_OK : PS_STATUS_DIVERGED);
    q->wall_s = r->wall_s;
    for (int j = 0; j < N; j++) {
        ps_proto_row *p = &o->protos[j];
        p->key = s->key; p->j = j;
        p->w = th[j]; p->b = th[N + j]; p->v = th[2 * N + j];
        p->p = -p->b / p->w;
        p->yhat = p->v;
        ps_data_row *d = &o->data[j];
        d->N = N; d->dataset = s->dataset; d->i = j; d->x = r->x[j]; d->y = r->y[j];
    }
}

/* The runs of this shard that the file does not hold yet, most expensive first. */
static int pending_runs(const ps_config *c, const ps_sweep_opts *o, const ps_writer *w,
                        ps_run_spec **out, size_t *n, size_t *total, ps_error *err)
{
    ps_run_spec *s;
    size_t all;
    if (ps_grid_expand(c, &s, &all, err))
        return PS_EFAIL;
    size_t mine = ps_grid_shard(s, all, o->shard_index, o->nshards, NULL);
    size_t k = 0;
    for (size_t r = 0; r < mine; r++)
        if (!ps_writer_has_run(w, s[r].key))
            s[k++] = s[r];
    *out = s;
    *n = k;
    *total = mine;
    return 0;
}

typedef struct {
    ps_writer *w;
    ps_progress prog;
    ps_sweep_stats *st;
    double last_flush, cost_done;
    size_t flush_runs;
    int failed;
    ps_error err;
} sink_t;

/* Called inside the critical section: queue the run, flush when a batch is due. */
static void sink_put(sink_t *k, const run_rows *rows)
{
    if (k->failed)
        return;
    double t0 = ps_now();
    if (ps_writer_append(k->w, &rows->run, rows->protos, rows->data, &k->err) ||
        ((ps_writer_pending(k->w) >= k->flush_runs || t0 - k->last_flush >= FLUSH_SECONDS) &&
         ps_writer_flush(k->w, &k->err))) {
        k->failed = 1;
        stop_requested = 1;
    }
    double t1 = ps_now();
    if (ps_writer_pending(k->w) == 0)
        k->last_flush = t1;
    k->st->hdf5_s += t1 - t0;
    k->st->done++;
    k->st->diverged += rows->run.status != PS_STATUS_OK;
    k->cost_done += rows->cost;
    ps_progress_update(&k->prog, k->st->done, k->cost_done);
}

static void work(const ps_config *c, const ps_run_spec *s, size_t n, int nmax, sink_t *k)
{
    #pragma omp parallel
    {
        ps_runner *r = ps_runner_alloc(nmax);
        run_rows rows;
        rows.protos = malloc((size_t)nmax * sizeof *rows.protos);
        rows.data = malloc((size_t)nmax * sizeof *rows.data);
        int ok = r && rows.protos && rows.data;
        if (!ok) {
            #pragma omp critical(ps_writer)
            {
                k->failed = 1;
                stop_requested = 1;
                ps_error_set(&k->err, PS_EFAIL, "out of memory for a workspace of N = %d", nmax);
            }
        }
        #pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < n; i++) {
            if (!ok || stop_requested)
                continue;
            ps_metrics m;
            if (ps_runner_execute(r, c, &s[i], &m) != 0) {
                #pragma omp critical(ps_writer)
                {
                    k->failed = 1;
                    stop_requested = 1;
                    ps_error_set(&k->err, PS_EFAIL, "run %016llx: infeasible dataset",
                                 (unsigned long long)s[i].key);
                }
                continue;
            }
            rows_fill(&rows, &s[i], r, &m);
            #pragma omp critical(ps_writer)
            sink_put(k, &rows);
        }
        ps_runner_free(r);
        free(rows.protos);
        free(rows.data);
    }
}

int ps_sweep_run(const ps_config *c, const char *path, const ps_sweep_opts *o,
                 ps_sweep_stats *st, ps_error *err)
{
    memset(st, 0, sizeof *st);
    double t0 = ps_now();
    ps_writer *w = ps_writer_open(path, c->text, c->hash, err);
    if (!w)
        return err->code ? err->code : PS_EFAIL;
    ps_run_spec *s = NULL;
    size_t n = 0;
    if (pending_runs(c, o, w, &s, &n, &st->total, err)) {
        ps_writer_close(w, NULL);
        return PS_EFAIL;
    }
    st->skipped = st->total - n;
#ifdef _OPENMP
    if (o->threads > 0)
        omp_set_num_threads(o->threads);
#endif
    stop_requested = 0;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    sink_t k = {.w = w, .st = st, .last_flush = ps_now(),
                .flush_runs = o->flush_runs > 0 ? (size_t)o->flush_runs : FLUSH_RUNS};
    char label[64];
    snprintf(label, sizeof label, "protosweep shard %d/%d", o->shard_index, o->nshards);
    double cost = 0.0;
    for (size_t i = 0; i < n; i++)
        cost += s[i].cost;
    ps_progress_start(&k.prog, stderr, o->nshards > 1 ? label : "protosweep", n, cost, o->quiet,
                      o->log_interval_s);
    work(c, s, n, ps_grid_nmax(c), &k);
    ps_progress_finish(&k.prog);

    double th = ps_now();
    int rc_close = ps_writer_close(w, k.failed ? NULL : &k.err);
    st->hdf5_s += ps_now() - th;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    st->interrupted = stop_requested && !k.failed;
    st->wall_s = ps_now() - t0;
    free(s);
    if (k.failed || rc_close) {
        *err = k.err;
        return err->code ? err->code : PS_EFAIL;
    }
    if (st->interrupted)
        return ps_error_set(err, PS_EFAIL, "%s: interrupted after %zu of %zu runs; the finished "
                            "runs are saved, run the same command again to resume",
                            path, st->skipped + st->done, st->total);
    return 0;
}
