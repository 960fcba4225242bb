/* results.h — the HDF5 results file (SPEC.md section 9): schema, writer, reader.
 *
 * The only module that speaks HDF5.  The three tables are 1-D, extendible,
 * chunked, deflate-compressed compound datasets whose field lists exist once
 * (src/results.c builds the compound types from one field table per row type).
 *
 * Crash safety (see ../shared/notes/hdf5-crash-safety.md): the writer opens the
 * file with libver bounds LATEST and in SWMR-write mode, appends rows in
 * batches (extend, write, H5Fflush).  SWMR orders data before metadata, so
 * after kill -9 the file holds exactly the rows of the last completed flush.
 * A crashed file keeps its "open for write" status flag: the writer clears it
 * itself on resume, and ps_results_repair() (`protosweep repair FILE`) clears
 * it for other readers (h5py, h5dump), like `h5clear -s`.
 *
 * Concurrency: one writer per file.  HDF5's own file lock is not relied on
 * (sites set HDF5_USE_FILE_LOCKING=FALSE); the writer also holds an flock()
 * on FILE.lock for as long as the file is open for writing.
 *
 * Invariant: /runs rows are unique by key; the N /prototypes rows of a run are
 * contiguous, starting at its proto_offset, and written in the same flush as
 * its /runs row (the writer tiles them: proto_offset of a run = sum of N of
 * the runs before it); /datasets holds each (N, dataset) once, as N
 * contiguous rows i = 0..N-1, written no later than the first run that uses it.
 * A kill during a flush can leave /runs extended and /prototypes or /datasets
 * not: resume and repair keep the longest prefix of complete runs and cut the
 * rest of that flush (its keys are then absent and are redone).
 *
 * Files next to FILE: FILE.lock (while a writer runs; removed on close, a
 * stale one after a crash is harmless) and FILE.tmp (only while creating:
 * a new file is built there and renamed, so FILE is never half-made).
 */
#ifndef PS_RESULTS_H
#define PS_RESULTS_H
#include <stddef.h>
#include <stdint.h>
#include "error.h"

#define PS_FORMAT_NAME "protosweep-results"
#define PS_FORMAT_VERSION 1

enum { PS_STATUS_OK = 0, PS_STATUS_DIVERGED = 1 };

/* One row of /runs. */
typedef struct {
    uint64_t key;
    int32_t N, dataset, init;
    uint8_t mask;
    double lambda, tau, lr;
    int32_t epochs;
    uint64_t data_seed, init_seed;
    double E, rho, frac_outside, hull_dist, hull_sdist;
    double L_fit, L_ovl, L_cov, L_sep, L;
    uint8_t status;
    double wall_s;
    uint64_t proto_offset; /* filled by the writer */
} ps_run_row;

/* One row of /prototypes (unit j of run key). */
typedef struct {
    uint64_t key;
    int32_t j;
    double p, yhat, w, b, v;
} ps_proto_row;

/* One row of /datasets (point i of dataset (N, dataset)). */
typedef struct {
    int32_t N, dataset, i;
    double x, y;
} ps_data_row;

/* Root attributes. */
typedef struct {
    char *config;          /* full config text (malloc'd) */
    uint64_t config_hash;
    int format_version;
    char program_version[64];
    char created[32];
} ps_results_meta;
void ps_results_meta_free(ps_results_meta *m);

/* ---- writer ---------------------------------------------------------- */
typedef struct ps_writer ps_writer;

/* Create path, or resume it if it exists: refuse (PS_EINPUT) a file that is not
 * a protosweep results file, has another format_version or another config_hash
 * (message names the file and both hashes); refuse a file another process is
 * writing.  On resume the status flag of a crashed writer is cleared and the
 * keys already present are loaded (ps_writer_has_run). */
ps_writer *ps_writer_open(const char *path, const char *config_text, uint64_t config_hash,
                          ps_error *err);

/* Rows already in the file (after open) plus rows appended since. */
int ps_writer_has_run(const ps_writer *w, uint64_t key);
int ps_writer_has_dataset(const ps_writer *w, int32_t N, int32_t dataset);
size_t ps_writer_nruns(const ps_writer *w);

/* Queue one finished run: its /runs row (proto_offset is assigned here), its
 * run->N prototype rows and, if non-NULL, its dataset's N rows (skipped when that
 * dataset is already queued or in the file).  Copies the data.  Rows reach the
 * file at the next flush.  PS_EINPUT (nothing queued) when the key is already
 * present, protos[j] is not (run->key, j), data[i] is not (run->N,
 * run->dataset, i), or data is NULL and the dataset is not yet queued or in
 * the file (ps_writer_has_dataset). */
int ps_writer_append(ps_writer *w, const ps_run_row *run, const ps_proto_row *protos,
                     const ps_data_row *data, ps_error *err);

/* Number of runs queued and not yet flushed. */
size_t ps_writer_pending(const ps_writer *w);

/* Write the queued rows and flush; afterwards a crash loses none of them. */
int ps_writer_flush(ps_writer *w, ps_error *err);

/* Flush, close the file, release the lock, free w (also on error). */
int ps_writer_close(ps_writer *w, ps_error *err);

/* Clear the "open for write" status flag a crashed SWMR writer leaves, so that
 * other readers can open the file (like `h5clear -s`).  Refused while a writer
 * holds the lock. */
int ps_results_repair(const char *path, ps_error *err);

/* ---- reader ---------------------------------------------------------- */
typedef struct ps_reader ps_reader;

/* Open read-only; PS_EINPUT naming the file when it is not HDF5, lacks /runs,
 * lacks a field of SPEC.md section 9 or has another format_version.  A file a
 * writer holds (or a crashed one left flagged) is opened as a SWMR reader and
 * shows the rows of the last completed flush.  Not thread-safe. */
ps_reader *ps_reader_open(const char *path, ps_error *err);
void ps_reader_close(ps_reader *r);

int ps_reader_meta(ps_reader *r, ps_results_meta *meta, ps_error *err);
size_t ps_reader_nruns(const ps_reader *r);

/* Read /runs rows [first, first + n) into out. */
int ps_reader_runs(ps_reader *r, size_t first, size_t n, ps_run_row *out, ps_error *err);

/* Read the N prototype rows of a run (a hyperslab at run->proto_offset). */
int ps_reader_prototypes(ps_reader *r, const ps_run_row *run, ps_proto_row *out, ps_error *err);

/* Read the N rows of dataset (N, dataset) into out; PS_EINPUT if absent.
 * The first call reads all of /datasets once to index it; later calls read
 * just the N rows. */
int ps_reader_dataset(ps_reader *r, int32_t N, int32_t dataset, ps_data_row *out, ps_error *err);

#endif
