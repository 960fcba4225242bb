/* results.c — the HDF5 results file: schema, writer, reader (include/results.h).
 *
 * Layout of this file, top to bottom:
 *   1. schema      one field table per row type; file and memory compound types
 *                  are both built from it, so a field is named exactly once
 *   2. helpers     HDF5 error text, a uint64 hash map, growable row buffers,
 *                  attributes, the lock file
 *   3. validation  format, format_version, every root attribute and every field
 *                  of SPEC.md section 9 (shared by reader, writer and repair)
 *   4. writer      create (atomically, via FILE.tmp + rename), resume (clear the
 *                  status flag, load keys, cut a torn last flush), append, flush
 *   5. reader      rows by range, prototypes by hyperslab, datasets by index
 *
 * Invariants kept by the writer (and checked on resume):
 *   - /runs keys are unique; proto_offset of run r is the sum of N of the runs
 *     before it, so the prototype rows of the runs tile /prototypes in order;
 *   - /datasets is a sequence of complete groups: N rows (N, dataset, i = 0..N-1);
 *   - a flush writes /datasets, then /prototypes, then /runs, then H5Fflush.
 * SWMR orders data before metadata within one dataset, but not across the three:
 * after kill -9 during a flush /runs may be extended while /prototypes is not.
 * Resume and repair therefore keep the longest prefix of /runs whose prototypes
 * and dataset are present, and cut the rows after it (trim_torn_tail).
 *
 * HDF5's automatic error printing is switched off on first use: only this module
 * calls HDF5, and every failure is returned through ps_error with HDF5's
 * innermost reason appended, so the printout would only repeat it on stderr.
 * Not thread-safe (serial HDF5): one thread uses a writer or reader at a time.
 */
#define _DEFAULT_SOURCE /* flock() in <sys/file.h> */
#include "results.h"
#include "version.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ======================= 1. schema ======================================= */

typedef enum { K_U8, K_I32, K_U64, K_F64 } field_kind;

typedef struct {
    const char *name;
    field_kind kind;
    size_t offset, size; /* of the member in the C struct */
} field;

#define FIELD(T, m, k) { #m, k, offsetof(T, m), sizeof(((T *)0)->m) }
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const field RUN_FIELDS[] = {
    FIELD(ps_run_row, key, K_U64),        FIELD(ps_run_row, N, K_I32),
    FIELD(ps_run_row, dataset, K_I32),    FIELD(ps_run_row, init, K_I32),
    FIELD(ps_run_row, mask, K_U8),        FIELD(ps_run_row, lambda, K_F64),
    FIELD(ps_run_row, tau, K_F64),        FIELD(ps_run_row, lr, K_F64),
    FIELD(ps_run_row, epochs, K_I32),     FIELD(ps_run_row, data_seed, K_U64),
    FIELD(ps_run_row, init_seed, K_U64),  FIELD(ps_run_row, E, K_F64),
    FIELD(ps_run_row, rho, K_F64),        FIELD(ps_run_row, frac_outside, K_F64),
    FIELD(ps_run_row, hull_dist, K_F64),  FIELD(ps_run_row, hull_sdist, K_F64),
    FIELD(ps_run_row, L_fit, K_F64),      FIELD(ps_run_row, L_ovl, K_F64),
    FIELD(ps_run_row, L_cov, K_F64),      FIELD(ps_run_row, L_sep, K_F64),
    FIELD(ps_run_row, L, K_F64),          FIELD(ps_run_row, status, K_U8),
    FIELD(ps_run_row, wall_s, K_F64),     FIELD(ps_run_row, proto_offset, K_U64),
};
static const field PROTO_FIELDS[] = {
    FIELD(ps_proto_row, key, K_U64), FIELD(ps_proto_row, j, K_I32),
    FIELD(ps_proto_row, p, K_F64),   FIELD(ps_proto_row, yhat, K_F64),
    FIELD(ps_proto_row, w, K_F64),   FIELD(ps_proto_row, b, K_F64),
    FIELD(ps_proto_row, v, K_F64),
};
static const field DATA_FIELDS[] = {
    FIELD(ps_data_row, N, K_I32), FIELD(ps_data_row, dataset, K_I32),
    FIELD(ps_data_row, i, K_I32), FIELD(ps_data_row, x, K_F64),
    FIELD(ps_data_row, y, K_F64),
};

enum { T_RUNS, T_PROTOS, T_DATA, T_COUNT };

/* Chunk sizes: 64 runs, 256 prototypes, 512 dataset rows, i.e. 10-14 KiB raw
 * (packed rows are 162, 52 and 28 bytes).  What decides it is the flush: each
 * flush re-compresses the partly filled tail chunk of every table into new
 * file space, and a SWMR writer never reuses the space it frees, so a flush
 * costs about one compressed tail chunk per table in file growth.  Measured on
 * sweep-like rows, 20000 runs (bytes per run in the file / ms per flush):
 *     flush every       1 run      10 runs     100 runs    1000 runs
 *     512/1024/2048   47081/1.7   5907/2.2    1762/6.3    1349/55
 *     64/256/512       9959/0.5   2188/0.7    1411/3.8    1334/38
 * (1334 B/run is the compact size; without SWMR, freed space is reused.)
 * Small chunks also suit readers: one run's prototypes are 1-2 chunks.  Deflate
 * still compresses as well at this size; a 10^6-run file has ~130k chunks
 * of prototypes, which the chunk index (extensible array) handles fine.
 * H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS (tail chunk stored raw) would avoid the
 * growth but is NOT crash safe: whether a chunk is compressed is inferred from
 * the dataset extent, so after a kill (or cutting a torn flush) a compressed
 * chunk was read as raw garbage (seen once in 1000 kills).
 * Compression: shuffle (byte-transposes the packed rows, so the mostly
 * constant bytes of keys, N, masks, hyper-parameters line up) then deflate
 * level 1.  Measured: shuffle makes the file 14% smaller and deflate twice as
 * fast; level 4 saves 0.4% more at +10% time, level 6 0.7% at +37%.  Both
 * filters are built into every HDF5 (h5py, h5dump read them). */
#define DEFLATE_LEVEL 1

typedef struct {
    const char *name; /* dataset name at the root */
    const field *fields;
    size_t nfields, row_size; /* row_size: the C struct */
    hsize_t chunk;            /* rows per chunk */
} table;

static const table TABLES[T_COUNT] = {
    { "runs", RUN_FIELDS, NELEM(RUN_FIELDS), sizeof(ps_run_row), 64 },
    { "prototypes", PROTO_FIELDS, NELEM(PROTO_FIELDS), sizeof(ps_proto_row), 256 },
    { "datasets", DATA_FIELDS, NELEM(DATA_FIELDS), sizeof(ps_data_row), 512 },
};

static hid_t kind_native(field_kind k)
{
    switch (k) {
    case K_U8: return H5T_NATIVE_UINT8;
    case K_I32: return H5T_NATIVE_INT32;
    case K_U64: return H5T_NATIVE_UINT64;
    default: return H5T_NATIVE_DOUBLE;
    }
}

/* The file types are fixed little-endian IEEE/two's complement, packed. */
static hid_t kind_file(field_kind k)
{
    switch (k) {
    case K_U8: return H5T_STD_U8LE;
    case K_I32: return H5T_STD_I32LE;
    case K_U64: return H5T_STD_U64LE;
    default: return H5T_IEEE_F64LE;
    }
}

static H5T_class_t kind_class(field_kind k)
{
    return k == K_F64 ? H5T_FLOAT : H5T_INTEGER;
}

/* Build the compound type of table t: the C struct layout (in_file = 0) or the
 * packed file layout (in_file = 1).  Returns a type id or -1. */
static hid_t table_type(const table *t, int in_file)
{
    size_t packed = 0;
    for (size_t i = 0; i < t->nfields; i++)
        packed += H5Tget_size(kind_file(t->fields[i].kind));
    hid_t ty = H5Tcreate(H5T_COMPOUND, in_file ? packed : t->row_size);
    if (ty < 0) return -1;
    size_t at = 0;
    for (size_t i = 0; i < t->nfields; i++) {
        const field *f = &t->fields[i];
        hid_t m = in_file ? kind_file(f->kind) : kind_native(f->kind);
        if (H5Tget_size(m) != f->size /* schema bug: kind and C member disagree */
            || H5Tinsert(ty, f->name, in_file ? at : f->offset, m) < 0) {
            H5Tclose(ty);
            return -1;
        }
        at += H5Tget_size(m);
    }
    return ty;
}

/* ======================= 2. helpers ====================================== */

static void h5_quiet(void)
{
    static int done;
    if (!done) {
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        done = 1;
    }
}

static herr_t innermost_cb(unsigned n, const H5E_error2_t *e, void *buf)
{
    if (n == 0) snprintf(buf, 256, "%s", e->desc ? e->desc : "?");
    return 0;
}

/* ps_error_set with HDF5's innermost error description appended; call it
 * right after the failing HDF5 call (the next call clears the stack). */
static int h5_fail(ps_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int h5_fail(ps_error *err, int code, const char *fmt, ...)
{
    char reason[256] = "", msg[768];
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_cb, reason);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (reason[0]) return ps_error_set(err, code, "%s (HDF5: %s)", msg, reason);
    return ps_error_set(err, code, "%s", msg);
}

static void close_id(hid_t *id, herr_t (*closer)(hid_t))
{
    if (*id >= 0) closer(*id);
    *id = -1;
}

/* --- uint64 -> uint64 hash map: open addressing, linear probing, load <= 1/2.
 * Used as the key set of the writer and as (N, dataset) -> first row. */
typedef struct {
    uint64_t *keys, *vals;
    unsigned char *used;
    size_t cap, n; /* cap is 0 or a power of two */
} u64map;

static size_t u64_hash(uint64_t x) /* splitmix64 finaliser */
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return (size_t)(x ^ (x >> 31));
}

static void map_free(u64map *m)
{
    free(m->keys);
    free(m->vals);
    free(m->used);
    memset(m, 0, sizeof *m);
}

static size_t map_slot(const u64map *m, uint64_t k)
{
    size_t i = u64_hash(k) & (m->cap - 1);
    while (m->used[i] && m->keys[i] != k) i = (i + 1) & (m->cap - 1);
    return i;
}

static int map_get(const u64map *m, uint64_t k, uint64_t *v)
{
    if (m->cap == 0) return 0;
    size_t i = map_slot(m, k);
    if (!m->used[i]) return 0;
    if (v) *v = m->vals[i];
    return 1;
}

static int map_grow(u64map *m)
{
    u64map g = { NULL, NULL, NULL, m->cap ? 2 * m->cap : 64, 0 };
    g.keys = malloc(g.cap * sizeof *g.keys);
    g.vals = malloc(g.cap * sizeof *g.vals);
    g.used = calloc(g.cap, 1);
    if (!g.keys || !g.vals || !g.used) {
        map_free(&g);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->used[i]) continue;
        size_t s = map_slot(&g, m->keys[i]);
        g.used[s] = 1, g.keys[s] = m->keys[i], g.vals[s] = m->vals[i];
    }
    g.n = m->n;
    map_free(m);
    *m = g;
    return 0;
}

/* Insert k -> v.  Returns 1 if k was new, 0 if present (value kept), -1 on OOM. */
static int map_put(u64map *m, uint64_t k, uint64_t v)
{
    if (map_get(m, k, NULL)) return 0;
    if (2 * (m->n + 1) > m->cap && map_grow(m) < 0) return -1;
    size_t s = map_slot(m, k);
    m->used[s] = 1, m->keys[s] = k, m->vals[s] = v;
    m->n++;
    return 1;
}

static uint64_t pair_key(int32_t N, int32_t dataset)
{
    return (uint64_t)(uint32_t)N << 32 | (uint32_t)dataset;
}

/* --- growable row buffer (amortised doubling; reused across flushes) */
typedef struct {
    unsigned char *p;
    size_t n, cap, elsize;
} rowbuf;

static int rowbuf_push(rowbuf *b, const void *rows, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n) cap *= 2;
        void *p = realloc(b->p, cap * b->elsize);
        if (!p) return -1;
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->n * b->elsize, rows, n * b->elsize);
    b->n += n;
    return 0;
}

/* --- root attributes.  Strings are scalar variable-length UTF-8 (h5py gives
 * str); the reader also accepts fixed-length strings. */
static int attr_write(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = (a < 0 || H5Awrite(a, mtype, v) < 0) ? -1 : 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return rc;
}

static int attr_write_str(hid_t loc, const char *name, const char *s)
{
    hid_t ty = H5Tcopy(H5T_C_S1);
    H5Tset_size(ty, H5T_VARIABLE);
    H5Tset_cset(ty, H5T_CSET_UTF8);
    int rc = attr_write(loc, name, ty, ty, &s);
    H5Tclose(ty);
    return rc;
}

/* Read string attribute a into a malloc'd *out. */
static int attr_read_str(hid_t a, char **out)
{
    hid_t ft = H5Aget_type(a), mt = H5Tcopy(H5T_C_S1);
    int rc = -1;
    if (ft < 0 || H5Tget_class(ft) != H5T_STRING) goto done;
    H5Tset_cset(mt, H5Tget_cset(ft)); /* HDF5 converts no ASCII <-> UTF-8 */
    if (H5Tis_variable_str(ft) > 0) {
        char *s = NULL;
        H5Tset_size(mt, H5T_VARIABLE);
        if (H5Aread(a, mt, &s) < 0 || !s) goto done;
        *out = strdup(s);
        H5free_memory(s);
    } else {
        size_t n = H5Tget_size(ft);
        H5Tset_size(mt, n + 1); /* NUL-terminated copy */
        *out = calloc(n + 1, 1);
        if (*out && H5Aread(a, mt, *out) < 0) {
            free(*out);
            *out = NULL;
        }
    }
    rc = *out ? 0 : -1;
done:
    if (ft >= 0) H5Tclose(ft);
    H5Tclose(mt);
    return rc;
}

/* Read integer attribute (any integer type) converted to uint64. */
static int attr_read_u64(hid_t a, uint64_t *v)
{
    hid_t ft = H5Aget_type(a);
    int ok = ft >= 0 && H5Tget_class(ft) == H5T_INTEGER
             && H5Aread(a, H5T_NATIVE_UINT64, v) >= 0;
    if (ft >= 0) H5Tclose(ft);
    return ok ? 0 : -1;
}

/* --- lock file FILE.lock: flock(LOCK_EX) held while a writer has FILE open.
 * The holder unlinks it before unlocking, so a locker checks after flock()
 * that the name still refers to the inode it locked (else it retries). */
static char *str_cat(const char *a, const char *b)
{
    char *s = malloc(strlen(a) + strlen(b) + 1);
    if (s) strcat(strcpy(s, a), b);
    return s;
}

static int lock_refused(const char *path, const char *lock, int fd, ps_error *err)
{
    char pid[32] = "";
    ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
    pid[n > 0 ? n : 0] = '\0';
    pid[strcspn(pid, "\n")] = '\0';
    close(fd);
    return ps_error_set(err, PS_EINPUT,
                        "%s is being written by another process%s%s (lock file %s is held)",
                        path, pid[0] ? " pid " : "", pid, lock);
}

/* Take the lock of path; *fd_out is the locked descriptor (-1: locking switched
 * off with PROTOSWEEP_NO_LOCK=1, for filesystems without flock, such as Lustre
 * mounted without -o flock; the user then keeps to one writer per file). */
static int lock_take(const char *path, const char *lock, int *fd_out, ps_error *err)
{
    const char *off = getenv("PROTOSWEEP_NO_LOCK");
    if (off && strcmp(off, "1") == 0) {
        *fd_out = -1;
        return 0;
    }
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) /* a bad output path is bad input */
            return ps_error_set(err, errno == EIO || errno == ENOMEM ? PS_EFAIL : PS_EINPUT,
                                "%s: cannot create its lock file %s: %s", path, lock,
                                strerror(errno));
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
            if (errno == EWOULDBLOCK) return lock_refused(path, lock, fd, err);
            int e = errno;
            close(fd);
            return ps_error_set(err, PS_EFAIL, "cannot lock %s: %s (a filesystem without flock? "
                                "PROTOSWEEP_NO_LOCK=1 switches the lock off)",
                                lock, strerror(e));
        }
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(lock, &b) == 0 && a.st_dev == b.st_dev
            && a.st_ino == b.st_ino) {
            char pid[32]; /* for the message of a refused writer; best effort */
            int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
            ssize_t wr = ftruncate(fd, 0) == 0 ? pwrite(fd, pid, (size_t)n, 0) : -1;
            (void)wr;
            *fd_out = fd;
            return 0;
        }
        close(fd); /* the holder removed it between our open and flock: retry */
    }
    return ps_error_set(err, PS_EFAIL, "cannot lock %s: it keeps being replaced", lock);
}

static void lock_release(const char *lock, int *fd)
{
    if (*fd < 0) return;
    unlink(lock); /* while still locked: see lock_take */
    close(*fd);
    *fd = -1;
}

/* ======================= 3. validation =================================== */

/* Open an attribute of the root, PS_EINPUT naming it when absent. */
static hid_t root_attr(hid_t file, const char *path, const char *name, ps_error *err)
{
    hid_t a = H5Aexists(file, name) > 0 ? H5Aopen(file, name, H5P_DEFAULT) : -1;
    if (a < 0)
        ps_error_set(err, PS_EINPUT,
                     "%s: not a protosweep results file: root attribute '%s' missing", path,
                     name);
    return a;
}

static int read_str_attr(hid_t file, const char *path, const char *name, char **out,
                         ps_error *err)
{
    hid_t a = root_attr(file, path, name, err);
    if (a < 0) return PS_EINPUT;
    int rc = attr_read_str(a, out);
    H5Aclose(a);
    if (rc < 0)
        return ps_error_set(err, PS_EINPUT, "%s: root attribute '%s' is not a string", path, name);
    return 0;
}

static int read_u64_attr(hid_t file, const char *path, const char *name, uint64_t *v,
                         ps_error *err)
{
    hid_t a = root_attr(file, path, name, err);
    if (a < 0) return PS_EINPUT;
    int rc = attr_read_u64(a, v);
    H5Aclose(a);
    if (rc < 0)
        return ps_error_set(err, PS_EINPUT, "%s: root attribute '%s' is not an integer", path,
                            name);
    return 0;
}

/* Read and check every root attribute of SPEC.md section 9 into m. */
static int read_meta(hid_t file, const char *path, ps_results_meta *m, ps_error *err)
{
    char *format = NULL, *pv = NULL, *created = NULL;
    uint64_t version = 0;
    memset(m, 0, sizeof *m);
    int rc = read_str_attr(file, path, "format", &format, err);
    if (!rc && strcmp(format, PS_FORMAT_NAME) != 0)
        rc = ps_error_set(err, PS_EINPUT, "%s: format is '%s', expected '%s'", path, format,
                          PS_FORMAT_NAME);
    if (!rc) rc = read_u64_attr(file, path, "format_version", &version, err);
    if (!rc && version != PS_FORMAT_VERSION)
        rc = ps_error_set(err, PS_EINPUT, "%s: format_version is %llu, this program reads %d",
                          path, (unsigned long long)version, PS_FORMAT_VERSION);
    if (!rc) rc = read_str_attr(file, path, "program_version", &pv, err);
    if (!rc) rc = read_str_attr(file, path, "config", &m->config, err);
    if (!rc) rc = read_u64_attr(file, path, "config_hash", &m->config_hash, err);
    if (!rc) rc = read_str_attr(file, path, "created", &created, err);
    if (!rc) {
        m->format_version = (int)version;
        snprintf(m->program_version, sizeof m->program_version, "%s", pv);
        snprintf(m->created, sizeof m->created, "%s", created);
    } else {
        ps_results_meta_free(m);
    }
    free(format);
    free(pv);
    free(created);
    return rc;
}

/* Check that dataset ds (table t) is 1-D compound with every field of t. */
static int check_fields(hid_t ds, const table *t, const char *path, ps_error *err)
{
    hid_t ft = H5Dget_type(ds), sp = H5Dget_space(ds);
    int rc = 0;
    if (ft < 0 || sp < 0 || H5Tget_class(ft) != H5T_COMPOUND || H5Sget_simple_extent_ndims(sp) != 1)
        rc = ps_error_set(err, PS_EINPUT, "%s: /%s is not a 1-D compound table", path, t->name);
    for (size_t i = 0; !rc && i < t->nfields; i++) {
        const field *f = &t->fields[i];
        int idx = H5Tget_member_index(ft, f->name);
        if (idx < 0)
            rc = ps_error_set(err, PS_EINPUT, "%s: /%s lacks field '%s'", path, t->name, f->name);
        else if (H5Tget_member_class(ft, (unsigned)idx) != kind_class(f->kind))
            rc = ps_error_set(err, PS_EINPUT, "%s: /%s field '%s' is not %s", path, t->name,
                              f->name, f->kind == K_F64 ? "a float" : "an integer");
    }
    if (ft >= 0) H5Tclose(ft);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

static hsize_t extent_of(hid_t ds)
{
    hid_t sp = H5Dget_space(ds);
    hsize_t n = 0;
    if (sp >= 0) H5Sget_simple_extent_dims(sp, &n, NULL);
    if (sp >= 0) H5Sclose(sp);
    return n;
}

/* The state both reader and writer keep of an open file. */
typedef struct {
    const char *path;
    hid_t file, ds[T_COUNT], mtype[T_COUNT];
    hid_t dxpl;         /* transfer list with a small conversion buffer */
    hsize_t n[T_COUNT]; /* rows in the file */
    int unclean;        /* opened as a SWMR reader: a writer is running or crashed */
} h5tables;

static void tables_init(h5tables *h, const char *path)
{
    h->path = path;
    h->file = h->dxpl = -1;
    h->unclean = 0;
    for (int t = 0; t < T_COUNT; t++) h->ds[t] = h->mtype[t] = -1, h->n[t] = 0;
}

static void tables_close(h5tables *h)
{
    for (int t = 0; t < T_COUNT; t++) {
        close_id(&h->ds[t], H5Dclose);
        close_id(&h->mtype[t], H5Tclose);
    }
    close_id(&h->dxpl, H5Pclose);
    close_id(&h->file, H5Fclose);
}

/* Reading or writing a compound table converts between the padded C struct
 * and the packed file rows through a type-conversion and a background buffer
 * that HDF5 callocs afresh on every call, 1 MiB each by default: that zeroing
 * was 80% of a small flush (measured 4.5 ms -> see the report).  64 KiB
 * buffers convert in strips of 400+ rows at no visible cost. */
#define CONV_BUFFER (64 * 1024)

static hid_t small_buffer_dxpl(void)
{
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (dxpl >= 0 && H5Pset_buffer(dxpl, CONV_BUFFER, NULL, NULL) < 0) {
        H5Pclose(dxpl);
        return -1;
    }
    return dxpl;
}

/* Open and check the three tables of h->file; fill ds, mtype, n. */
static int tables_open(h5tables *h, ps_error *err)
{
    h->dxpl = small_buffer_dxpl();
    if (h->dxpl < 0) return h5_fail(err, PS_EFAIL, "cannot create a transfer property list");
    for (int t = 0; t < T_COUNT; t++) {
        const table *tb = &TABLES[t];
        if (H5Lexists(h->file, tb->name, H5P_DEFAULT) <= 0)
            return ps_error_set(err, PS_EINPUT, "%s: not a protosweep results file: /%s missing",
                                h->path, tb->name);
        h->ds[t] = H5Dopen2(h->file, tb->name, H5P_DEFAULT);
        if (h->ds[t] < 0)
            return h5_fail(err, PS_EINPUT, "%s: cannot open /%s", h->path, tb->name);
        int rc = check_fields(h->ds[t], tb, h->path, err);
        if (rc) return rc;
        h->mtype[t] = table_type(tb, 0);
        if (h->mtype[t] < 0) return h5_fail(err, PS_EFAIL, "cannot build type of /%s", tb->name);
        h->n[t] = extent_of(h->ds[t]);
    }
    return 0;
}

/* Read rows [first, first + n) of table t into out (C layout). */
static int rows_read(const h5tables *h, int t, hsize_t first, hsize_t n, void *out, ps_error *err)
{
    if (first > h->n[t] || n > h->n[t] - first)
        return ps_error_set(err, PS_EINPUT, "%s: rows %llu..%llu are beyond the %llu rows of /%s",
                            h->path, (unsigned long long)first, (unsigned long long)(first + n),
                            (unsigned long long)h->n[t], TABLES[t].name);
    if (n == 0) return 0;
    hid_t fs = H5Dget_space(h->ds[t]), ms = H5Screate_simple(1, &n, NULL);
    int rc = 0;
    if (fs < 0 || ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, &first, NULL, &n, NULL) < 0
        || H5Dread(h->ds[t], h->mtype[t], ms, fs, h->dxpl, out) < 0)
        rc = h5_fail(err, PS_EFAIL, "%s: cannot read rows %llu..%llu of /%s%s", h->path,
                     (unsigned long long)first, (unsigned long long)(first + n), TABLES[t].name,
                     h->unclean ? "; the file is open in a writer or was not closed cleanly: "
                                  "`protosweep repair FILE` may fix it" : "");
    if (fs >= 0) H5Sclose(fs);
    if (ms >= 0) H5Sclose(ms);
    return rc;
}

/* Open path read-only.  A file still flagged "open for write" (a SWMR writer is
 * running, or one crashed) is opened as a SWMR reader: it sees the rows of the
 * last completed flush.  Then check every attribute and field. */
static int open_readonly(h5tables *h, ps_results_meta *meta, ps_error *err)
{
    htri_t is = H5Fis_hdf5(h->path);
    if (is <= 0)
        return ps_error_set(err, PS_EINPUT, "%s: %s", h->path,
                            is < 0 ? "cannot open (missing or unreadable)" : "not an HDF5 file");
    h->file = H5Fopen(h->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (h->file < 0) {
        h->file = H5Fopen(h->path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
        h->unclean = 1;
    }
    if (h->file < 0)
        return h5_fail(err, PS_EINPUT,
                       "%s: cannot open the HDF5 file for reading (another program writing it?)",
                       h->path);
    int rc = read_meta(h->file, h->path, meta, err);
    if (!rc) rc = tables_open(h, err);
    if (rc) ps_results_meta_free(meta);
    return rc;
}

void ps_results_meta_free(ps_results_meta *m)
{
    if (!m) return;
    free(m->config);
    m->config = NULL;
}

/* ======================= 4. writer ======================================= */

struct ps_writer {
    char *path, *lock_path;
    int lock_fd, broken; /* broken: a flush failed half-way; refuse more */
    h5tables h;
    rowbuf pend[T_COUNT]; /* rows queued since the last flush */
    u64map keys;          /* run keys in the file or queued */
    u64map pairs;         /* pair_key(N, dataset) in the file or queued */
};

static hid_t writer_fapl(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    hbool_t clear = 1; /* what h5clear -s uses: accept a crashed writer's flag */
    if (fapl < 0 || H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) < 0
        || H5Pset(fapl, "clear_status_flags", &clear) < 0) {
        if (fapl >= 0) H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

static int create_table(hid_t file, const table *t)
{
    hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = t->chunk;
    hid_t sp = H5Screate_simple(1, &zero, &unlimited);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t ft = table_type(t, 1);
    hid_t ds = -1;
    if (sp >= 0 && dcpl >= 0 && ft >= 0 && H5Pset_chunk(dcpl, 1, &chunk) >= 0
        && H5Pset_shuffle(dcpl) >= 0 && H5Pset_deflate(dcpl, DEFLATE_LEVEL) >= 0)
        ds = H5Dcreate2(file, t->name, ft, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (ds >= 0) H5Dclose(ds);
    if (ft >= 0) H5Tclose(ft);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (sp >= 0) H5Sclose(sp);
    return ds >= 0 ? 0 : -1;
}

static int write_root_attrs(hid_t file, const char *config, uint64_t hash)
{
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    int32_t version = PS_FORMAT_VERSION;
    if (attr_write_str(file, "format", PS_FORMAT_NAME) < 0
        || attr_write(file, "format_version", H5T_STD_I32LE, H5T_NATIVE_INT32, &version) < 0
        || attr_write_str(file, "program_version", PS_VERSION) < 0
        || attr_write_str(file, "config", config) < 0
        || attr_write(file, "config_hash", H5T_STD_U64LE, H5T_NATIVE_UINT64, &hash) < 0
        || attr_write_str(file, "created", created) < 0)
        return -1;
    return 0;
}

/* Create an empty results file at path, atomically: it is built as path.tmp,
 * closed, then renamed, so a crash never leaves a half-made path behind. */
static int create_file(const char *path, const char *config, uint64_t hash, ps_error *err)
{
    char *tmp = str_cat(path, ".tmp");
    if (!tmp) return ps_error_set(err, PS_EFAIL, "out of memory");
    hid_t fapl = writer_fapl();
    hid_t f = fapl < 0 ? -1 : H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    int rc = f < 0 ? h5_fail(err, PS_EFAIL, "%s: cannot create", tmp) : 0;
    if (!rc && write_root_attrs(f, config ? config : "", hash) < 0)
        rc = h5_fail(err, PS_EFAIL, "%s: cannot write the root attributes", tmp);
    for (int t = 0; !rc && t < T_COUNT; t++)
        if (create_table(f, &TABLES[t]) < 0)
            rc = h5_fail(err, PS_EFAIL, "%s: cannot create /%s", tmp, TABLES[t].name);
    if (f >= 0 && H5Fclose(f) < 0 && !rc) rc = h5_fail(err, PS_EFAIL, "%s: cannot close", tmp);
    if (fapl >= 0) H5Pclose(fapl);
    if (!rc && rename(tmp, path) < 0)
        rc = ps_error_set(err, PS_EFAIL, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (rc) unlink(tmp);
    free(tmp);
    return rc;
}

/* Check the file read-only (format, fields, and config_hash if want is
 * non-NULL) before opening it for writing: a foreign file is never modified. */
static int check_existing(const char *path, const uint64_t *want, ps_error *err)
{
    h5tables h;
    ps_results_meta m = { NULL, 0, 0, "", "" };
    tables_init(&h, path);
    int rc = open_readonly(&h, &m, err); /* on failure m holds nothing */
    if (!rc && want && m.config_hash != *want)
        rc = ps_error_set(err, PS_EINPUT,
                          "%s holds results of another config (config_hash 0x%016llx, expected "
                          "0x%016llx): use another output file or the config that made it",
                          path, (unsigned long long)m.config_hash, (unsigned long long)*want);
    ps_results_meta_free(&m);
    tables_close(&h);
    return rc;
}

/* Cut table t to n rows (only before SWMR writing starts). */
static int table_cut(ps_writer *w, int t, hsize_t n, ps_error *err)
{
    if (n == w->h.n[t]) return 0;
    if (H5Dset_extent(w->h.ds[t], &n) < 0)
        return h5_fail(err, PS_EFAIL, "%s: cannot cut /%s to %llu rows", w->path, TABLES[t].name,
                       (unsigned long long)n);
    w->h.n[t] = n;
    return 0;
}

#define SCAN_BLOCK 4096 /* rows read at once while loading (0.7 MiB of runs) */

/* Load the (N, dataset) groups of /datasets into w->pairs (pair -> first
 * row); cut an incomplete last group.  A malformed group is PS_EINPUT. */
static int load_pairs(ps_writer *w, ps_data_row *buf, ps_error *err)
{
    hsize_t start = 0, n = w->h.n[T_DATA]; /* start: first row of the current group */
    uint64_t group = 0;                     /* pair of the current group */
    for (hsize_t at = 0; at < n; at += SCAN_BLOCK) {
        hsize_t m = n - at < SCAN_BLOCK ? n - at : SCAN_BLOCK;
        int rc = rows_read(&w->h, T_DATA, at, m, buf, err);
        if (rc) return rc;
        for (hsize_t k = 0; k < m; k++) {
            const ps_data_row *d = &buf[k];
            hsize_t row = at + k, pos = row - start;
            if (pos == 0) group = pair_key(d->N, d->dataset);
            if (d->N <= 0 || d->i != (int32_t)pos || pair_key(d->N, d->dataset) != group)
                return ps_error_set(err, PS_EINPUT, "%s: /datasets row %llu breaks the layout "
                                    "(N rows i = 0..N-1 per dataset)", w->path,
                                    (unsigned long long)row);
            if (pos + 1 < (hsize_t)d->N) continue;
            int put = map_put(&w->pairs, group, start);
            if (put <= 0)
                return put < 0 ? ps_error_set(err, PS_EFAIL, "out of memory")
                               : ps_error_set(err, PS_EINPUT, "%s: dataset (N %d, dataset %d) "
                                              "appears twice in /datasets", w->path, d->N,
                                              d->dataset);
            start = row + 1;
        }
    }
    return table_cut(w, T_DATA, start, err);
}

/* Is run r (row `row`, prototypes expected from protos_end) complete?
 * 1 yes, 0 no (a torn last flush: its prototypes or dataset are missing),
 * PS_EINPUT when it breaks the layout in a way no crash can cause. */
static int run_complete(const ps_writer *w, const ps_run_row *r, hsize_t row, uint64_t protos_end,
                        ps_error *err)
{
    if (r->N <= 0 || r->proto_offset != protos_end)
        return ps_error_set(err, PS_EINPUT, "%s: /runs row %llu (key %llu) has N %d, "
                            "proto_offset %llu; expected prototypes from row %llu", w->path,
                            (unsigned long long)row, (unsigned long long)r->key, r->N,
                            (unsigned long long)r->proto_offset, (unsigned long long)protos_end);
    if (map_get(&w->keys, r->key, NULL))
        return ps_error_set(err, PS_EINPUT, "%s: key %llu appears twice in /runs", w->path,
                            (unsigned long long)r->key);
    return r->proto_offset + (uint64_t)r->N <= w->h.n[T_PROTOS]
           && map_get(&w->pairs, pair_key(r->N, r->dataset), NULL);
}

/* Load the keys of /runs; keep the longest prefix of complete runs and cut
 * the rest of /runs and /prototypes (the rows of a torn last flush). */
static int load_runs(ps_writer *w, ps_run_row *buf, ps_error *err)
{
    hsize_t n = w->h.n[T_RUNS], keep = n;
    uint64_t protos_end = 0;
    for (hsize_t at = 0; at < keep; at += SCAN_BLOCK) {
        hsize_t m = n - at < SCAN_BLOCK ? n - at : SCAN_BLOCK;
        int rc = rows_read(&w->h, T_RUNS, at, m, buf, err);
        for (hsize_t k = 0; !rc && k < m && keep == n; k++) {
            rc = run_complete(w, &buf[k], at + k, protos_end, err);
            if (rc == 0) keep = at + k;
            if (rc != 1) break;
            rc = map_put(&w->keys, buf[k].key, at + k) < 0
                     ? ps_error_set(err, PS_EFAIL, "out of memory") : 0;
            protos_end += (uint64_t)buf[k].N;
        }
        if (rc) return rc;
    }
    int rc = table_cut(w, T_RUNS, keep, err);
    return rc ? rc : table_cut(w, T_PROTOS, protos_end, err);
}

/* Open the checked file path for writing, clear a crashed writer's status
 * flag, load keys and cut a torn tail; then start SWMR writing if swmr. */
static int writer_attach(ps_writer *w, int swmr, ps_error *err)
{
    hid_t fapl = writer_fapl();
    w->h.file = fapl < 0 ? -1 : H5Fopen(w->path, H5F_ACC_RDWR, fapl);
    if (fapl >= 0) H5Pclose(fapl);
    if (w->h.file < 0)
        return h5_fail(err, PS_EINPUT, "%s: cannot open for writing (open in another program?)",
                       w->path);
    /* A kill during H5Fflush can leave the superblock's end-of-allocation (EOA)
     * behind chunks and index entries already on disk (measured: 1 in ~300
     * kills); HDF5 then refuses to read them ("addr overflow") and would
     * allocate new chunks over them.  Like `h5clear --increment=0`, move the
     * EOA to the end of the file; on a clean file they are equal. */
    if (H5Fincrement_filesize(w->h.file, 0) < 0)
        return h5_fail(err, PS_EFAIL, "%s: cannot set the end of allocation", w->path);
    int rc = tables_open(&w->h, err);
    void *buf = rc ? NULL : malloc(SCAN_BLOCK * sizeof(ps_run_row));
    if (!rc && !buf) rc = ps_error_set(err, PS_EFAIL, "out of memory");
    if (!rc) rc = load_pairs(w, buf, err);
    if (!rc) rc = load_runs(w, buf, err);
    free(buf);
    if (!rc && swmr && H5Fstart_swmr_write(w->h.file) < 0)
        rc = h5_fail(err, PS_EFAIL, "%s: cannot start SWMR writing", w->path);
    return rc;
}

static void writer_free(ps_writer *w)
{
    tables_close(&w->h);
    lock_release(w->lock_path, &w->lock_fd);
    for (int t = 0; t < T_COUNT; t++) free(w->pend[t].p);
    map_free(&w->keys);
    map_free(&w->pairs);
    free(w->path);
    free(w->lock_path);
    free(w);
}

/* Allocate *out for path and take its lock file. */
static int writer_new(const char *path, ps_writer **out, ps_error *err)
{
    ps_writer *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w) return ps_error_set(err, PS_EFAIL, "out of memory");
    w->lock_fd = -1;
    w->path = strdup(path);
    w->lock_path = str_cat(path, ".lock");
    tables_init(&w->h, w->path);
    for (int t = 0; t < T_COUNT; t++) w->pend[t].elsize = TABLES[t].row_size;
    int rc = !w->path || !w->lock_path ? ps_error_set(err, PS_EFAIL, "out of memory")
                                       : lock_take(path, w->lock_path, &w->lock_fd, err);
    if (rc)
        writer_free(w);
    else
        *out = w;
    return rc;
}

/* 1 if path exists and is not empty, 0 if absent or empty, -1 on error. */
static int file_present(const char *path, ps_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0) return st.st_size > 0;
    if (errno == ENOENT) return 0;
    ps_error_set(err, PS_EINPUT, "%s: %s", path, strerror(errno));
    return -1;
}

ps_writer *ps_writer_open(const char *path, const char *config_text, uint64_t config_hash,
                          ps_error *err)
{
    h5_quiet();
    ps_writer *w;
    if (writer_new(path, &w, err)) return NULL;
    int present = file_present(path, err);
    int rc = present < 0 ? PS_EINPUT : 0;
    if (!rc && !present) rc = create_file(path, config_text, config_hash, err);
    if (!rc) rc = check_existing(path, &config_hash, err);
    if (!rc) rc = writer_attach(w, 1, err);
    if (rc) {
        writer_free(w);
        return NULL;
    }
    return w;
}

int ps_writer_has_run(const ps_writer *w, uint64_t key)
{
    return map_get(&w->keys, key, NULL);
}

int ps_writer_has_dataset(const ps_writer *w, int32_t N, int32_t dataset)
{
    return map_get(&w->pairs, pair_key(N, dataset), NULL);
}

size_t ps_writer_nruns(const ps_writer *w)
{
    return (size_t)w->h.n[T_RUNS] + w->pend[T_RUNS].n;
}

size_t ps_writer_pending(const ps_writer *w)
{
    return w->pend[T_RUNS].n;
}

/* The rows handed to ps_writer_append must describe one run consistently. */
static int append_check(const ps_writer *w, const ps_run_row *run, const ps_proto_row *protos,
                        const ps_data_row *data, ps_error *err)
{
    if (w->broken)
        return ps_error_set(err, PS_EFAIL, "%s: an earlier flush failed", w->path);
    if (run->N <= 0)
        return ps_error_set(err, PS_EINPUT, "run %llu: N = %d", (unsigned long long)run->key,
                            run->N);
    if (ps_writer_has_run(w, run->key))
        return ps_error_set(err, PS_EINPUT, "%s: run key %llu is already present", w->path,
                            (unsigned long long)run->key);
    for (int32_t j = 0; j < run->N; j++)
        if (protos[j].key != run->key || protos[j].j != j)
            return ps_error_set(err, PS_EINPUT, "run %llu: prototype row %d has key %llu, j %d",
                                (unsigned long long)run->key, j,
                                (unsigned long long)protos[j].key, protos[j].j);
    for (int32_t i = 0; data && i < run->N; i++)
        if (data[i].N != run->N || data[i].dataset != run->dataset || data[i].i != i)
            return ps_error_set(err, PS_EINPUT, "run %llu: dataset row %d is (N %d, dataset %d, "
                                "i %d)", (unsigned long long)run->key, i, data[i].N,
                                data[i].dataset, data[i].i);
    if (!data && !ps_writer_has_dataset(w, run->N, run->dataset))
        return ps_error_set(err, PS_EINPUT, "run %llu: dataset (N %d, dataset %d) is not in "
                            "the file and was not given", (unsigned long long)run->key, run->N,
                            run->dataset);
    return 0;
}

int ps_writer_append(ps_writer *w, const ps_run_row *run, const ps_proto_row *protos,
                     const ps_data_row *data, ps_error *err)
{
    int rc = append_check(w, run, protos, data, err);
    if (rc) return rc;
    ps_run_row row = *run;
    row.proto_offset = (uint64_t)w->h.n[T_PROTOS] + w->pend[T_PROTOS].n;
    uint64_t pk = pair_key(run->N, run->dataset);
    int new_data = data && !map_get(&w->pairs, pk, NULL);
    uint64_t data_row = (uint64_t)w->h.n[T_DATA] + w->pend[T_DATA].n;
    if ((new_data && (rowbuf_push(&w->pend[T_DATA], data, (size_t)run->N) < 0
                      || map_put(&w->pairs, pk, data_row) < 0))
        || rowbuf_push(&w->pend[T_PROTOS], protos, (size_t)run->N) < 0
        || rowbuf_push(&w->pend[T_RUNS], &row, 1) < 0
        || map_put(&w->keys, run->key, 0) < 0) {
        w->broken = 1; /* the queues may now disagree with each other */
        return ps_error_set(err, PS_EFAIL, "out of memory");
    }
    return 0;
}

/* Extend table t by its queued rows and write them. */
static int table_append(ps_writer *w, int t, ps_error *err)
{
    hsize_t first = w->h.n[t], n = w->pend[t].n, total = first + n;
    if (n == 0) return 0;
    hid_t fs = -1, ms = H5Screate_simple(1, &n, NULL);
    int rc = 0;
    if (ms < 0 || H5Dset_extent(w->h.ds[t], &total) < 0 || (fs = H5Dget_space(w->h.ds[t])) < 0
        || H5Sselect_hyperslab(fs, H5S_SELECT_SET, &first, NULL, &n, NULL) < 0
        || H5Dwrite(w->h.ds[t], w->h.mtype[t], ms, fs, w->h.dxpl, w->pend[t].p) < 0)
        rc = h5_fail(err, PS_EFAIL, "%s: cannot append %llu rows to /%s", w->path,
                     (unsigned long long)n, TABLES[t].name);
    if (fs >= 0) H5Sclose(fs);
    if (ms >= 0) H5Sclose(ms);
    return rc;
}

int ps_writer_flush(ps_writer *w, ps_error *err)
{
    if (w->broken) return ps_error_set(err, PS_EFAIL, "%s: an earlier flush failed", w->path);
    if (w->pend[T_RUNS].n == 0) return 0;
    /* Order matters for a torn flush: what runs refer to is written first. */
    static const int order[T_COUNT] = { T_DATA, T_PROTOS, T_RUNS };
    for (int k = 0; k < T_COUNT; k++) {
        if (table_append(w, order[k], err)) {
            w->broken = 1;
            return PS_EFAIL;
        }
    }
    if (H5Fflush(w->h.file, H5F_SCOPE_GLOBAL) < 0) {
        w->broken = 1;
        return h5_fail(err, PS_EFAIL, "%s: cannot flush", w->path);
    }
    for (int t = 0; t < T_COUNT; t++) {
        w->h.n[t] += w->pend[t].n;
        w->pend[t].n = 0;
    }
    return 0;
}

int ps_writer_close(ps_writer *w, ps_error *err)
{
    if (!w) return 0;
    int rc = ps_writer_flush(w, err);
    for (int t = 0; t < T_COUNT; t++) {
        close_id(&w->h.ds[t], H5Dclose);
        close_id(&w->h.mtype[t], H5Tclose);
    }
    if (w->h.file >= 0 && H5Fclose(w->h.file) < 0 && !rc)
        rc = h5_fail(err, PS_EFAIL, "%s: cannot close", w->path);
    w->h.file = -1;
    writer_free(w);
    return rc;
}

int ps_results_repair(const char *path, ps_error *err)
{
    h5_quiet();
    ps_writer *w;
    int rc = writer_new(path, &w, err);
    if (rc) return rc;
    rc = check_existing(path, NULL, err);
    if (!rc) rc = writer_attach(w, 0, err);
    if (rc) {
        writer_free(w);
        return rc;
    }
    return ps_writer_close(w, err);
}

/* ======================= 5. reader ======================================= */

struct ps_reader {
    h5tables h;
    char *path;
    ps_results_meta meta;
    u64map pairs; /* pair_key -> first row in /datasets; built on first use */
    int indexed;
};

ps_reader *ps_reader_open(const char *path, ps_error *err)
{
    h5_quiet();
    ps_reader *r = calloc(1, sizeof *r);
    char *p = strdup(path);
    if (!r || !p) {
        free(r);
        free(p);
        return ps_error_set(err, PS_EFAIL, "out of memory"), NULL;
    }
    r->path = p;
    tables_init(&r->h, r->path);
    if (open_readonly(&r->h, &r->meta, err)) {
        tables_close(&r->h);
        free(r->path);
        free(r);
        return NULL;
    }
    return r;
}

void ps_reader_close(ps_reader *r)
{
    if (!r) return;
    tables_close(&r->h);
    ps_results_meta_free(&r->meta);
    map_free(&r->pairs);
    free(r->path);
    free(r);
}

int ps_reader_meta(ps_reader *r, ps_results_meta *meta, ps_error *err)
{
    *meta = r->meta;
    meta->config = strdup(r->meta.config);
    return meta->config ? 0 : ps_error_set(err, PS_EFAIL, "out of memory");
}

size_t ps_reader_nruns(const ps_reader *r)
{
    return (size_t)r->h.n[T_RUNS];
}

int ps_reader_runs(ps_reader *r, size_t first, size_t n, ps_run_row *out, ps_error *err)
{
    return rows_read(&r->h, T_RUNS, first, n, out, err);
}

int ps_reader_prototypes(ps_reader *r, const ps_run_row *run, ps_proto_row *out, ps_error *err)
{
    if (run->N <= 0)
        return ps_error_set(err, PS_EINPUT, "%s: run %llu has N = %d", r->path,
                            (unsigned long long)run->key, run->N);
    int rc = rows_read(&r->h, T_PROTOS, run->proto_offset, (hsize_t)run->N, out, err);
    for (int32_t j = 0; !rc && j < run->N; j++)
        if (out[j].key != run->key || out[j].j != j)
            rc = ps_error_set(err, PS_EINPUT, "%s: /prototypes row %llu belongs to run %llu "
                              "unit %d, not run %llu unit %d", r->path,
                              (unsigned long long)(run->proto_offset + (uint64_t)j),
                              (unsigned long long)out[j].key, out[j].j,
                              (unsigned long long)run->key, j);
    return rc;
}

/* One pass over /datasets recording the first row (i == 0) of every group. */
static int reader_index(ps_reader *r, ps_error *err)
{
    ps_data_row *buf = malloc(SCAN_BLOCK * sizeof *buf);
    if (!buf) return ps_error_set(err, PS_EFAIL, "out of memory");
    hsize_t n = r->h.n[T_DATA];
    int rc = 0;
    for (hsize_t at = 0; !rc && at < n; at += SCAN_BLOCK) {
        hsize_t m = n - at < SCAN_BLOCK ? n - at : SCAN_BLOCK;
        rc = rows_read(&r->h, T_DATA, at, m, buf, err);
        for (hsize_t k = 0; !rc && k < m; k++)
            if (buf[k].i == 0 && map_put(&r->pairs, pair_key(buf[k].N, buf[k].dataset), at + k) < 0)
                rc = ps_error_set(err, PS_EFAIL, "out of memory");
    }
    free(buf);
    r->indexed = !rc;
    return rc;
}

/* Cost: the first call reads all of /datasets once (28 bytes a row; the paper
 * grid has 1980 rows) to build the index; every call then reads N rows. */
int ps_reader_dataset(ps_reader *r, int32_t N, int32_t dataset, ps_data_row *out, ps_error *err)
{
    uint64_t first;
    int rc = r->indexed ? 0 : reader_index(r, err);
    if (rc) return rc;
    if (N <= 0 || !map_get(&r->pairs, pair_key(N, dataset), &first))
        return ps_error_set(err, PS_EINPUT, "%s: no dataset (N %d, dataset %d) in /datasets",
                            r->path, N, dataset);
    rc = rows_read(&r->h, T_DATA, first, (hsize_t)N, out, err);
    for (int32_t i = 0; !rc && i < N; i++)
        if (out[i].N != N || out[i].dataset != dataset || out[i].i != i)
            rc = ps_error_set(err, PS_EINPUT, "%s: /datasets rows of (N %d, dataset %d) are not "
                              "contiguous (row %llu)", r->path, N, dataset,
                              (unsigned long long)(first + (uint64_t)i));
    return rc;
}
