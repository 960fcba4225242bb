/* test_results.c — the HDF5 results file: round trip, resume, refusals, crash safety.
 *
 * Rows are generated from their key alone (make_run / make_protos / make_data),
 * so any file can be checked completely against regeneration: every field
 * bit-identical (NaN payloads and -0.0 included), prototype rows contiguous at
 * proto_offset, each key once.  The crash test runs PS_CRASH_ITERS (default 12)
 * kill -9 iterations of a forked writer; set it higher for a longer soak.
 * Malformed files are made with the HDF5 API directly (test-only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "results.h"
#include "version.h"

#define HASH 0x0123456789abcdefULL
#define CONFIG "master_seed = 1;\ngrid: { N = [3, 5]; };\n"

static char g_dir[64], g_path[128];

/* ---------- deterministic rows from the key ---------------------------- */

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static double unit(uint64_t key, uint64_t salt)
{
    return (double)(mix(key * 1000003u + salt) >> 11) * 0x1p-53;
}

static double nan_payload(uint64_t key) /* a quiet NaN whose payload names the key */
{
    uint64_t bits = 0x7ff8000000000000ULL | (key & 0xffffu) | 1u;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static const int32_t NS[] = { 3, 5, 10, 30, 50, 100 };
#define NMAX 100

static void make_run(uint64_t key, ps_run_row *r)
{
    memset(r, 0, sizeof *r);
    r->key = key;
    r->N = NS[key % 6];
    r->dataset = (int32_t)((key / 6) % 4); /* each (N, dataset) recurs every 24 keys */
    r->init = (int32_t)(key % 3);
    r->mask = (uint8_t)(key % 8);
    r->lambda = 0.05, r->tau = 0.01, r->lr = 1e-3, r->epochs = 500;
    r->data_seed = mix(key ^ 1u), r->init_seed = mix(key ^ 2u) | (1ULL << 63);
    double *m[] = { &r->E, &r->rho, &r->frac_outside, &r->hull_dist, &r->hull_sdist,
                    &r->L_fit, &r->L_ovl, &r->L_cov, &r->L_sep, &r->L };
    int diverged = key % 7 == 3;
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        *m[i] = diverged ? nan_payload(key + i) : unit(key, 10 + i);
    if (!diverged && key % 5 == 0) r->hull_sdist = -0.0;
    r->status = diverged ? PS_STATUS_DIVERGED : PS_STATUS_OK;
    r->wall_s = 10 * unit(key, 99);
}

static void make_protos(const ps_run_row *r, ps_proto_row *p)
{
    for (int32_t j = 0; j < r->N; j++) {
        uint64_t s = 100 + 8 * (uint64_t)j;
        p[j] = (ps_proto_row){ r->key, j, unit(r->key, s) - 0.5, unit(r->key, s + 1),
                               unit(r->key, s + 2), -unit(r->key, s + 3), unit(r->key, s + 4) };
        if (r->status == PS_STATUS_DIVERGED) p[j].w = INFINITY, p[j].b = nan_payload(r->key);
    }
}

static void make_data(int32_t N, int32_t dataset, ps_data_row *d)
{
    uint64_t seed = (uint64_t)N << 32 | (uint32_t)dataset;
    for (int32_t i = 0; i < N; i++)
        d[i] = (ps_data_row){ N, dataset, i, (i + unit(seed, 2 * i)) / N, unit(seed, 2 * i + 1) };
}

#define SAME(a, b, f) (memcmp(&(a)->f, &(b)->f, sizeof (a)->f) == 0)

static int run_same(const ps_run_row *a, const ps_run_row *b) /* all but proto_offset */
{
    return SAME(a, b, key) && SAME(a, b, N) && SAME(a, b, dataset) && SAME(a, b, init)
           && SAME(a, b, mask) && SAME(a, b, lambda) && SAME(a, b, tau) && SAME(a, b, lr)
           && SAME(a, b, epochs) && SAME(a, b, data_seed) && SAME(a, b, init_seed)
           && SAME(a, b, E) && SAME(a, b, rho) && SAME(a, b, frac_outside)
           && SAME(a, b, hull_dist) && SAME(a, b, hull_sdist) && SAME(a, b, L_fit)
           && SAME(a, b, L_ovl) && SAME(a, b, L_cov) && SAME(a, b, L_sep) && SAME(a, b, L)
           && SAME(a, b, status) && SAME(a, b, wall_s);
}

static int proto_same(const ps_proto_row *a, const ps_proto_row *b)
{
    return SAME(a, b, key) && SAME(a, b, j) && SAME(a, b, p) && SAME(a, b, yhat)
           && SAME(a, b, w) && SAME(a, b, b) && SAME(a, b, v);
}

static int data_same(const ps_data_row *a, const ps_data_row *b)
{
    return SAME(a, b, N) && SAME(a, b, dataset) && SAME(a, b, i) && SAME(a, b, x)
           && SAME(a, b, y);
}

/* ---------- helpers ----------------------------------------------------- */

static int append_keys(ps_writer *w, uint64_t from, uint64_t to, ps_error *err)
{
    ps_run_row r;
    ps_proto_row p[NMAX];
    ps_data_row d[NMAX];
    for (uint64_t k = from; k < to; k++) {
        make_run(k, &r);
        make_protos(&r, p);
        make_data(r.N, r.dataset, d);
        int rc = ps_writer_append(w, &r, p, d, err);
        if (rc) return rc;
    }
    return 0;
}

static ps_writer *writer_ok(const char *path)
{
    ps_error err = { 0, "" };
    ps_writer *w = ps_writer_open(path, CONFIG, HASH, &err);
    if (!w) fail_msg("ps_writer_open: %s", err.msg);
    return w;
}

static void close_ok(ps_writer *w)
{
    ps_error err = { 0, "" };
    if (ps_writer_close(w, &err)) fail_msg("ps_writer_close: %s", err.msg);
}

/* Check that path holds runs with keys 0..n-1 in order, each regenerated
 * bit-identically with its prototypes and dataset; return n. */
static size_t verify_file(const char *path)
{
    ps_error err = { 0, "" };
    ps_reader *rd = ps_reader_open(path, &err);
    if (!rd) fail_msg("ps_reader_open: %s", err.msg);
    size_t n = ps_reader_nruns(rd);
    ps_run_row *runs = calloc(n + 1, sizeof *runs), want;
    ps_proto_row p[NMAX], pw[NMAX];
    ps_data_row d[NMAX], dw[NMAX];
    assert_non_null(runs);
    if (ps_reader_runs(rd, 0, n, runs, &err)) fail_msg("ps_reader_runs: %s", err.msg);
    uint64_t offset = 0;
    for (size_t k = 0; k < n; k++) {
        make_run(k, &want);
        assert_true(run_same(&runs[k], &want));
        assert_int_equal(runs[k].proto_offset, offset);
        offset += (uint64_t)want.N;
        if (ps_reader_prototypes(rd, &runs[k], p, &err)) fail_msg("prototypes: %s", err.msg);
        make_protos(&want, pw);
        for (int32_t j = 0; j < want.N; j++) assert_true(proto_same(&p[j], &pw[j]));
        if (ps_reader_dataset(rd, want.N, want.dataset, d, &err)) fail_msg("dataset: %s", err.msg);
        make_data(want.N, want.dataset, dw);
        for (int32_t i = 0; i < want.N; i++) assert_true(data_same(&d[i], &dw[i]));
    }
    free(runs);
    ps_reader_close(rd);
    return n;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/ps_results_XXXXXX");
    if (!mkdtemp(g_dir)) return -1;
    snprintf(g_path, sizeof g_path, "%s/r.h5", g_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    const char *suffix[] = { "", ".lock", ".tmp" };
    char p[160];
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", g_path, suffix[i]);
        unlink(p);
    }
    return rmdir(g_dir);
}

/* ---------- tests -------------------------------------------------------- */

static void test_roundtrip(void **state)
{
    (void)state;
    ps_error err = { 0, "" };
    ps_writer *w = writer_ok(g_path);
    assert_int_equal(ps_writer_nruns(w), 0);
    for (uint64_t k = 0; k < 300; k += 60) {
        assert_int_equal(append_keys(w, k, k + 60, &err), 0);
        assert_int_equal(ps_writer_pending(w), 60);
        assert_int_equal(ps_writer_flush(w, &err), 0);
        assert_int_equal(ps_writer_pending(w), 0);
    }
    assert_true(ps_writer_has_run(w, 299) && !ps_writer_has_run(w, 300));
    assert_true(ps_writer_has_dataset(w, 100, 3) && !ps_writer_has_dataset(w, 100, 4));
    close_ok(w);
    assert_int_equal(verify_file(g_path), 300);

    ps_reader *rd = ps_reader_open(g_path, &err);
    assert_non_null(rd);
    ps_results_meta m;
    assert_int_equal(ps_reader_meta(rd, &m, &err), 0);
    assert_string_equal(m.config, CONFIG);
    assert_true(m.config_hash == HASH);
    assert_int_equal(m.format_version, PS_FORMAT_VERSION);
    assert_string_equal(m.program_version, PS_VERSION);
    struct tm tm = { 0 };
    assert_int_equal(strlen(m.created), 20); /* YYYY-MM-DDTHH:MM:SSZ */
    assert_int_equal(sscanf(m.created, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon,
                            &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec), 6);
    ps_results_meta_free(&m);
    ps_run_row r[2];
    ps_data_row d[NMAX];
    assert_int_equal(ps_reader_runs(rd, 299, 2, r, &err), PS_EINPUT);
    assert_int_equal(ps_reader_dataset(rd, 3, 7, d, &err), PS_EINPUT);
    assert_non_null(strstr(err.msg, "dataset 7"));
    ps_reader_close(rd);
}

static void test_append_checks(void **state)
{
    (void)state;
    ps_error err = { 0, "" };
    ps_writer *w = writer_ok(g_path);
    ps_run_row r;
    ps_proto_row p[NMAX];
    ps_data_row d[NMAX];
    make_run(6, &r); /* N = 3, dataset 1 */
    make_protos(&r, p);
    make_data(r.N, r.dataset, d);
    assert_int_equal(ps_writer_append(w, &r, p, NULL, &err), PS_EINPUT); /* no dataset yet */
    p[1].j = 7;
    assert_int_equal(ps_writer_append(w, &r, p, d, &err), PS_EINPUT);
    p[1].j = 1;
    assert_int_equal(ps_writer_append(w, &r, p, d, &err), 0);
    assert_int_equal(ps_writer_append(w, &r, p, d, &err), PS_EINPUT); /* same key */
    assert_non_null(strstr(err.msg, "already present"));
    make_run(30, &r); /* same (N, dataset): data may be omitted now */
    make_protos(&r, p);
    assert_int_equal(ps_writer_append(w, &r, p, NULL, &err), 0);
    assert_int_equal(ps_writer_pending(w), 2);
    close_ok(w);
}

static void test_resume(void **state)
{
    (void)state;
    ps_error err = { 0, "" };
    ps_writer *w = writer_ok(g_path);
    assert_int_equal(append_keys(w, 0, 50, &err), 0);
    close_ok(w); /* close flushes */
    w = writer_ok(g_path);
    assert_int_equal(ps_writer_nruns(w), 50);
    for (uint64_t k = 0; k < 50; k++) assert_true(ps_writer_has_run(w, k));
    assert_false(ps_writer_has_run(w, 50));
    assert_true(ps_writer_has_dataset(w, 5, 0));
    assert_int_equal(append_keys(w, 10, 11, &err), PS_EINPUT); /* already in the file */
    assert_int_equal(append_keys(w, 50, 120, &err), 0);
    assert_int_equal(ps_writer_nruns(w), 120);
    close_ok(w);
    assert_int_equal(verify_file(g_path), 120); /* keys 0..119 once each, in order */
}

static void test_refuse_other_config(void **state)
{
    (void)state;
    ps_error err = { 0, "" };
    close_ok(writer_ok(g_path));
    assert_null(ps_writer_open(g_path, CONFIG, HASH + 1, &err));
    assert_int_equal(err.code, PS_EINPUT);
    assert_non_null(strstr(err.msg, g_path));
    assert_non_null(strstr(err.msg, "0x0123456789abcdef"));
    assert_non_null(strstr(err.msg, "0x0123456789abcdf0"));

    assert_null(ps_writer_open("/nonexistent-dir/r.h5", CONFIG, HASH, &err));
    assert_int_equal(err.code, PS_EINPUT); /* a bad output path is bad input */
    assert_non_null(strstr(err.msg, "/nonexistent-dir/r.h5"));

    char text[160]; /* a file that is not HDF5 is refused and left alone */
    snprintf(text, sizeof text, "%s/notes.txt", g_dir);
    write_text(text, "hello\n");
    assert_null(ps_writer_open(text, CONFIG, HASH, &err));
    assert_int_equal(err.code, PS_EINPUT);
    assert_non_null(strstr(err.msg, "not an HDF5 file"));
    assert_null(ps_reader_open(text, &err));
    assert_int_equal(err.code, PS_EINPUT);
    FILE *f = fopen(text, "r");
    char buf[16] = "";
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "hello\n");
    unlink(text);
}

static void test_refuse_second_writer(void **state)
{
    (void)state;
    ps_error err = { 0, "" };
    setenv("HDF5_USE_FILE_LOCKING", "FALSE", 1); /* the project's own lock must still hold */
    ps_writer *w = writer_ok(g_path);
    assert_int_equal(append_keys(w, 0, 30, &err), 0);
    assert_int_equal(ps_writer_flush(w, &err), 0);
    assert_null(ps_writer_open(g_path, CONFIG, HASH, &err));
    assert_int_equal(err.code, PS_EINPUT);
    assert_non_null(strstr(err.msg, "being written by another process"));
    assert_int_equal(ps_results_repair(g_path, &err), PS_EINPUT);

    pid_t pid = fork(); /* and from another process, where a reader still works */
    assert_true(pid >= 0);
    if (pid == 0) {
        ps_error e2;
        if (ps_writer_open(g_path, CONFIG, HASH, &e2) != NULL || e2.code != PS_EINPUT) _exit(1);
        ps_reader *rd = ps_reader_open(g_path, &e2);
        ps_run_row r;
        ps_proto_row p[NMAX];
        int ok = rd && ps_reader_nruns(rd) == 30 && !ps_reader_runs(rd, 29, 1, &r, &e2)
                 && !ps_reader_prototypes(rd, &r, p, &e2) && r.key == 29;
        ps_reader_close(rd);
        _exit(ok ? 0 : 2);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close_ok(w);
    unsetenv("HDF5_USE_FILE_LOCKING");
    close_ok(writer_ok(g_path)); /* released on close */
}

/* Open path with the raw HDF5 API (to break it on purpose). */
static hid_t raw_open(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    return f;
}

static void expect_refused(const char *what)
{
    ps_error err = { 0, "" };
    ps_reader *rd = ps_reader_open(g_path, &err);
    ps_reader_close(rd);
    assert_null(rd);
    assert_int_equal(err.code, PS_EINPUT);
    if (!strstr(err.msg, what) || !strstr(err.msg, g_path))
        fail_msg("message lacks '%s': %s", what, err.msg);
    assert_null(ps_writer_open(g_path, CONFIG, HASH, &err));
    assert_int_equal(err.code, PS_EINPUT);
}

static void test_malformed(void **state)
{
    (void)state;
    close_ok(writer_ok(g_path));
    hid_t f = raw_open(g_path);
    assert_true(H5Adelete(f, "created") >= 0);
    H5Fclose(f);
    expect_refused("'created' missing");

    unlink(g_path);
    close_ok(writer_ok(g_path));
    f = raw_open(g_path); /* /prototypes without yhat */
    assert_true(H5Ldelete(f, "prototypes", H5P_DEFAULT) >= 0);
    hid_t ty = H5Tcreate(H5T_COMPOUND, 44);
    H5Tinsert(ty, "key", 0, H5T_STD_U64LE);
    H5Tinsert(ty, "j", 8, H5T_STD_I32LE);
    const char *rest[] = { "p", "w", "b", "v" };
    for (int i = 0; i < 4; i++) H5Tinsert(ty, rest[i], 12 + 8 * (size_t)i, H5T_IEEE_F64LE);
    hsize_t one = 1;
    hid_t sp = H5Screate_simple(1, &one, NULL);
    hid_t ds = H5Dcreate2(f, "prototypes", ty, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(ds >= 0);
    H5Dclose(ds), H5Sclose(sp), H5Tclose(ty), H5Fclose(f);
    expect_refused("lacks field 'yhat'");

    unlink(g_path);
    close_ok(writer_ok(g_path));
    f = raw_open(g_path);
    assert_true(H5Adelete(f, "format_version") >= 0);
    int32_t two = 2;
    sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, "format_version", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_INT32, &two);
    H5Aclose(a), H5Sclose(sp), H5Fclose(f);
    expect_refused("format_version is 2");
}

/* ---------- crash safety ------------------------------------------------- */

/* Child: append batches of 1..40 runs and flush forever; after each flush
 * report the number of runs flushed so far (or UINT64_MAX on error). */
static void crash_child(int fd, unsigned it)
{
    ps_error err;
    ps_writer *w = ps_writer_open(g_path, CONFIG, HASH, &err);
    uint64_t done = 0, bad = UINT64_MAX;
    for (unsigned b = 0; w && b < 1000000; b++) {
        uint64_t next = done + 1 + (b * 13 + it) % 40;
        if (append_keys(w, done, next, &err) || ps_writer_flush(w, &err)) break;
        done = next;
        if (write(fd, &done, sizeof done) != sizeof done) _exit(4);
    }
    if (write(fd, &bad, sizeof bad) < 0) _exit(5);
    fprintf(stderr, "crash child: %s\n", err.msg);
    _exit(3);
}

static int read_u64(int fd, uint64_t *v)
{
    size_t got = 0;
    while (got < sizeof *v) {
        ssize_t n = read(fd, (char *)v + got, sizeof *v - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        got += (size_t)n;
    }
    return 0;
}

/* Run one writer, kill -9 it after some flushes; return runs it had flushed. */
static uint64_t crash_once(unsigned it)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        crash_child(fds[1], it);
    }
    close(fds[1]);
    uint64_t v = 0, flushed = 0;
    for (unsigned k = 0; k < 1 + (it * 7) % 20; k++) {
        assert_int_equal(read_u64(fds[0], &v), 0);
        assert_true(v != UINT64_MAX);
        flushed = v;
    }
    struct timespec pause = { 0, (long)((it * 331u) % 3000u) * 1000L };
    nanosleep(&pause, NULL); /* land the kill at varying points of a flush */
    kill(pid, SIGKILL);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    while (read_u64(fds[0], &v) == 0) { /* flushes reported before it died */
        assert_true(v != UINT64_MAX);
        flushed = v;
    }
    close(fds[0]);
    return flushed;
}

static void test_crash_safety(void **state)
{
    (void)state;
    const char *env = getenv("PS_CRASH_ITERS");
    unsigned iters = env ? (unsigned)atoi(env) : 12, extra_total = 0;
    ps_error err = { 0, "" };
    for (unsigned it = 0; it < iters; it++) {
        uint64_t flushed = crash_once(it);
        if (it % 2 == 0) { /* repair first: the reader then sees every flushed run */
            assert_int_equal(ps_results_repair(g_path, &err), 0);
            assert_true(verify_file(g_path) >= flushed);
        }
        ps_writer *w = writer_ok(g_path); /* resume clears the flag itself */
        size_t n = ps_writer_nruns(w);
        assert_true(n >= flushed);
        extra_total += (unsigned)(n - flushed);
        for (uint64_t k = 0; k < n; k++) assert_true(ps_writer_has_run(w, k));
        assert_false(ps_writer_has_run(w, n));
        assert_int_equal(append_keys(w, n, n + 25, &err), 0);
        close_ok(w);
        assert_int_equal(verify_file(g_path), n + 25); /* every key once, all intact */
        unlink(g_path);
    }
    print_message("crash safety: %u kill -9 iterations, all flushed runs intact; "
                  "%u runs of in-flight flushes also survived\n", iters, extra_total);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_other_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_second_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_safety, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
