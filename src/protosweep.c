/* protosweep.c — the command line: parse, call, report.  Nothing else.
 *
 *   protosweep run    [CONFIG] [-o FILE.h5] [-j T] [--shard I/N] [--quiet]
 *   protosweep plan   [CONFIG] [--shards N]
 *   protosweep replay CONFIG --N n --dataset k --init r --mask MMM [--lambda L]
 *                     [--tau T] [--lr R] [--epochs E] [--json]
 *   protosweep merge  -o OUT.h5 SHARD.h5...
 *   protosweep compare A.h5 B.h5
 *   protosweep repair FILE.h5
 *
 * Exit status: 0 success, 2 bad usage or input, 1 failure (SPEC.md section 8).
 */
#include "config.h"
#include "grid.h"
#include "model.h"
#include "results.h"
#include "run.h"
#include "sweep.h"
#include "version.h"
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = "protosweep";

static int usage_error(const char *verb, const char *fmt, const char *arg)
{
    fprintf(stderr, "%s %s: ", prog, verb);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see '%s %s --help')\n", prog, verb);
    return PS_EINPUT;
}

static int report(const ps_error *e)
{
    fprintf(stderr, "%s: %s\n", prog, e->msg);
    return e->code ? e->code : PS_EFAIL;
}

static int parse_int(const char *s, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    return 0;
}

/* Load CONFIG, or the embedded paper grid when path is NULL. */
static int load_config(const char *path, ps_config *c)
{
    ps_error e = {0};
    int rc = path ? ps_config_load_file(c, path, &e)
                  : ps_config_load_string(c, ps_default_config, "<embedded data/paper.cfg>", &e);
    return rc ? report(&e) : 0;
}

/* ---- replay -------------------------------------------------------------- */

static const char replay_help[] =
    "usage: protosweep replay CONFIG --N n --dataset k --init r --mask MMM\n"
    "                         [--lambda L] [--tau T] [--lr R] [--epochs E] [--json]\n"
    "Run one configuration of CONFIG's grid and print the dataset, the initial and\n"
    "final parameters (w, b, v), prototypes p, reconstructions yhat and every metric.\n"
    "N must be one of grid.N, k < grid.datasets, r < grid.inits.  --lambda, --tau,\n"
    "--lr, --epochs default to the config's value and are required when the config\n"
    "sweeps that axis.  --json prints one JSON object; every double is printed with\n"
    "%.17g so that it round-trips exactly (NaN as null).\n";

typedef struct {
    const char *config;
    int N, dataset, init, json;
    int have_N, have_dataset, have_init, have_mask;
    uint8_t mask;
    double lambda, tau, lr;
    int epochs, have_lambda, have_tau, have_lr, have_epochs;
} replay_args;

static int replay_parse(int argc, char **argv, replay_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (!strcmp(o, "--json")) { a->json = 1; continue; }
        if (o[0] != '-') {
            if (a->config) return usage_error("replay", "unexpected argument '%s'", o);
            a->config = o;
            continue;
        }
        if (!v) return usage_error("replay", "option %s needs a value", o);
        if (!strcmp(o, "--N")) { bad = parse_int(v, 1, INT_MAX, &a->N); a->have_N = 1; }
        else if (!strcmp(o, "--dataset")) { bad = parse_int(v, 0, INT_MAX, &a->dataset); a->have_dataset = 1; }
        else if (!strcmp(o, "--init")) { bad = parse_int(v, 0, INT_MAX, &a->init); a->have_init = 1; }
        else if (!strcmp(o, "--mask")) { bad = ps_mask_parse(v, &a->mask); a->have_mask = 1; }
        else if (!strcmp(o, "--lambda")) { bad = parse_double(v, &a->lambda) || a->lambda < 0; a->have_lambda = 1; }
        else if (!strcmp(o, "--tau")) { bad = parse_double(v, &a->tau) || a->tau <= 0; a->have_tau = 1; }
        else if (!strcmp(o, "--lr")) { bad = parse_double(v, &a->lr) || a->lr <= 0; a->have_lr = 1; }
        else if (!strcmp(o, "--epochs")) { bad = parse_int(v, 0, 100000000, &a->epochs); a->have_epochs = 1; }
        else return usage_error("replay", "unknown option '%s'", o);
        if (bad) {
            fprintf(stderr, "%s replay: bad value '%s' for %s (%s)\n", prog, v, o,
                    !strcmp(o, "--mask") ? "expected three characters of 0/1 such as 010"
                    : (!strcmp(o, "--lambda") || !strcmp(o, "--epochs") || !strcmp(o, "--dataset") || !strcmp(o, "--init"))
                        ? "expected a non-negative number" : "expected a positive number");
            return PS_EINPUT;
        }
        i++;
    }
    if (!a->config) return usage_error("replay", "%s", "missing CONFIG");
    if (!a->have_N) return usage_error("replay", "%s", "missing --N");
    if (!a->have_dataset) return usage_error("replay", "%s", "missing --dataset");
    if (!a->have_init) return usage_error("replay", "%s", "missing --init");
    if (!a->have_mask) return usage_error("replay", "%s", "missing --mask");
    return 0;
}

/* Fill an axis value from the option or the config's single value. */
static int axis_value(const ps_config *c, const char *key, int have, double given,
                      const double *list, size_t n, double *out)
{
    if (have) { *out = given; return 0; }
    if (n == 1) { *out = list[0]; return 0; }
    fprintf(stderr, "%s replay: %s: key '%s' is a sweep axis with %zu values; give --%s\n",
            prog, c->name, key, n, strchr(key, '.') + 1);
    return PS_EINPUT;
}

static int replay_spec(const ps_config *c, const replay_args *a, ps_run_spec *s)
{
    size_t k;
    for (k = 0; k < c->nN && c->N[k] != a->N; k++) {}
    if (k == c->nN) {
        fprintf(stderr, "%s replay: %s: --N %d is not in key 'grid.N'\n", prog, c->name, a->N);
        return PS_EINPUT;
    }
    if (a->dataset >= c->datasets || a->init >= c->inits) {
        int ds = a->dataset >= c->datasets;
        fprintf(stderr, "%s replay: %s: --%s %d out of range (key 'grid.%s' = %d)\n", prog,
                c->name, ds ? "dataset" : "init", ds ? a->dataset : a->init,
                ds ? "datasets" : "inits", ds ? c->datasets : c->inits);
        return PS_EINPUT;
    }
    memset(s, 0, sizeof *s);
    s->N = a->N; s->dataset = a->dataset; s->init = a->init; s->mask = a->mask;
    double ep = a->epochs, epl[1] = {c->nepochs ? c->epochs[0] : 0};
    int rc = axis_value(c, "grid.lambda", a->have_lambda, a->lambda, c->lambda, c->nlambda, &s->lambda)
          || axis_value(c, "grid.tau", a->have_tau, a->tau, c->tau, c->ntau, &s->tau)
          || axis_value(c, "train.lr", a->have_lr, a->lr, c->lr, c->nlr, &s->lr)
          || axis_value(c, "train.epochs", a->have_epochs, ep, epl, c->nepochs, &ep);
    if (rc) return PS_EINPUT;
    s->epochs = (int)ep;
    s->key = ps_grid_key(s);
    s->cost = ps_grid_cost(s->N, s->epochs);
    return 0;
}

static void json_num(const char *name, double v, int comma)
{
    if (isfinite(v)) printf("\"%s\": %.17g", name, v);
    else printf("\"%s\": null", name);
    if (comma) printf(",\n");
}

static void json_vec(const char *name, const double *v, int n, int stride)
{
    printf("\"%s\": [", name);
    for (int j = 0; j < n; j++) {
        double x = v[j * stride];
        if (isfinite(x)) printf("%s%.17g", j ? ", " : "", x);
        else printf("%snull", j ? ", " : "");
    }
    printf("],\n");
}

static void text_vec(const char *name, const double *v, int n)
{
    printf("%-6s", name);
    for (int j = 0; j < n; j++)
        printf(" %.17g", v[j]);
    printf("\n");
}

static void replay_print(const ps_config *c, const ps_run_spec *s, const ps_runner *r,
                         const ps_metrics *m, int json)
{
    int N = s->N;
    double p[N];
    ps_model_prototypes(N, r->theta, p);
    char mask[4];
    ps_mask_format(s->mask, mask);
    const char *status = m->status == PS_RUN_OK ? "ok" : "diverged";
    const double *th0 = r->theta0, *th = r->theta;
    const struct { const char *name; double v; } met[] = {
        {"E", m->E}, {"rho", m->rho}, {"frac_outside", m->frac_outside},
        {"hull_dist", m->hull_dist}, {"hull_sdist", m->hull_sdist}, {"L_fit", m->L_fit},
        {"L_ovl", m->L_ovl}, {"L_cov", m->L_cov}, {"L_sep", m->L_sep}, {"L", m->L}};
    if (json) {
        printf("{\n\"program_version\": \"%s\",\n\"config_hash\": \"%016llx\",\n", PS_VERSION,
               (unsigned long long)c->hash);
        printf("\"key\": %llu,\n\"master_seed\": %llu,\n\"data_seed\": %llu,\n\"init_seed\": %llu,\n",
               (unsigned long long)s->key, (unsigned long long)c->master_seed,
               (unsigned long long)r->data_seed, (unsigned long long)r->init_seed);
        printf("\"N\": %d,\n\"dataset\": %d,\n\"init\": %d,\n\"mask\": \"%s\",\n\"epochs\": %d,\n",
               N, s->dataset, s->init, mask, s->epochs);
        json_num("lambda", s->lambda, 1); json_num("tau", s->tau, 1); json_num("lr", s->lr, 1);
        json_num("beta1", c->beta1, 1); json_num("beta2", c->beta2, 1);
        json_num("adam_eps", c->adam_eps, 1); json_num("w_min", c->w_min, 1);
        json_vec("x", r->x, N, 1); json_vec("y", r->y, N, 1);
        json_vec("w0", th0, N, 1); json_vec("b0", th0 + N, N, 1); json_vec("v0", th0 + 2 * N, N, 1);
        json_vec("w", th, N, 1); json_vec("b", th + N, N, 1); json_vec("v", th + 2 * N, N, 1);
        json_vec("p", p, N, 1); json_vec("yhat", th + 2 * N, N, 1);
        for (size_t k = 0; k < sizeof met / sizeof met[0]; k++)
            json_num(met[k].name, met[k].v, 1);
        printf("\"epochs_done\": %d,\n\"status\": \"%s\"\n}\n", m->epochs_done, status);
        return;
    }
    printf("run %016llx: N=%d dataset=%d init=%d mask=%s lambda=%.17g tau=%.17g lr=%.17g epochs=%d\n",
           (unsigned long long)s->key, N, s->dataset, s->init, mask, s->lambda, s->tau, s->lr,
           s->epochs);
    printf("seeds: data=%llu init=%llu   status: %s after %d epochs\n",
           (unsigned long long)r->data_seed, (unsigned long long)r->init_seed, status, m->epochs_done);
    text_vec("x", r->x, N); text_vec("y", r->y, N);
    text_vec("w0", th0, N); text_vec("b0", th0 + N, N); text_vec("v0", th0 + 2 * N, N);
    text_vec("w", th, N); text_vec("b", th + N, N); text_vec("v", th + 2 * N, N);
    text_vec("p", p, N); text_vec("yhat", th + 2 * N, N);
    for (size_t k = 0; k < sizeof met / sizeof met[0]; k++)
        printf("%-13s %.17g\n", met[k].name, met[k].v);
}

static int cmd_replay(int argc, char **argv)
{
    if (wants_help(argc, argv)) { fputs(replay_help, stdout); return 0; }
    replay_args a;
    int rc = replay_parse(argc, argv, &a);
    if (rc) return rc;
    ps_config c;
    if ((rc = load_config(a.config, &c))) return rc;
    ps_run_spec s;
    if ((rc = replay_spec(&c, &a, &s))) { ps_config_free(&c); return rc; }
    ps_runner *r = ps_runner_alloc(s.N);
    ps_metrics m;
    if (!r || ps_runner_execute(r, &c, &s, &m) != 0) {
        fprintf(stderr, "%s replay: run failed (out of memory)\n", prog);
        ps_runner_free(r);
        ps_config_free(&c);
        return PS_EFAIL;
    }
    replay_print(&c, &s, r, &m, a.json);
    ps_runner_free(r);
    ps_config_free(&c);
    return 0;
}

/* ---- plan ------------------------------------------------------------------ */

static const char plan_help[] =
    "usage: protosweep plan [CONFIG] [--shards N]\n"
    "Print the run count of CONFIG's grid (the embedded paper grid without CONFIG),\n"
    "its axes, and with --shards the runs and relative cost of each shard of the\n"
    "cost-balanced partition that `run --shard I/N` uses.  Cost unit: one N=10,\n"
    "500-epoch run.\n";

static int cmd_plan(int argc, char **argv)
{
    if (wants_help(argc, argv)) { fputs(plan_help, stdout); return 0; }
    const char *path = NULL;
    int nshards = 1;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--shards")) {
            if (i + 1 >= argc || parse_int(argv[i + 1], 1, 1000000, &nshards))
                return usage_error("plan", "%s", "--shards needs an integer in 1..1000000");
            i++;
        } else if (argv[i][0] != '-' && !path) {
            path = argv[i];
        } else {
            return usage_error("plan", "unexpected argument '%s'", argv[i]);
        }
    }
    ps_config c;
    int rc = load_config(path, &c);
    if (rc) return rc;
    ps_run_spec *s;
    size_t n;
    ps_error e = {0};
    if (ps_grid_expand(&c, &s, &n, &e)) { ps_config_free(&c); return report(&e); }
    double *load = calloc((size_t)nshards, sizeof *load), unit = ps_grid_cost(10, 500), total = 0;
    size_t *count = calloc((size_t)nshards, sizeof *count);
    if (!load || !count) { free(load); free(count); free(s); ps_config_free(&c); return PS_EFAIL; }
    int *shard_of = malloc((n ? n : 1) * sizeof *shard_of);
    if (shard_of) {
        ps_grid_partition(s, n, nshards, shard_of, load);
        for (size_t r = 0; r < n; r++) count[shard_of[r]]++;
    }
    free(shard_of);
    for (size_t r = 0; r < n; r++) total += s[r].cost;
    printf("config %s (hash %016llx)\n", c.name, (unsigned long long)c.hash);
    printf("runs %zu  (N %zu x lambda %zu x tau %zu x lr %zu x epochs %zu x datasets %d x inits %d x masks %zu)\n",
           n, c.nN, c.nlambda, c.ntau, c.nlr, c.nepochs, c.datasets, c.inits, c.nmasks);
    printf("cost %.1f\n", total / unit);
    printf("shards %d\n", nshards);
    for (int k = 0; k < nshards; k++)
        printf("shard %d/%d runs %zu cost %.1f\n", k, nshards, count[k], load[k] / unit);
    free(load); free(count); free(s);
    ps_config_free(&c);
    return 0;
}

/* ---- run ------------------------------------------------------------------- */

static const char run_help[] =
    "usage: protosweep run [CONFIG] [-o FILE.h5] [-j THREADS] [--shard I/N] [--flush RUNS] [--quiet]\n"
    "Run every run of CONFIG's grid (the embedded paper grid without CONFIG), or of\n"
    "shard I of N (0-based, cost-balanced), on THREADS OpenMP threads (default: all),\n"
    "streaming finished runs into FILE.h5 (default: CONFIG's name with .h5).  An\n"
    "existing FILE.h5 of the same config is resumed; another config is refused.\n"
    "Finished runs are flushed to the file every RUNS runs (default 256) or 2 s:\n"
    "a crash (kill -9, node failure) loses at most the runs since the last flush.\n"
    "Progress: a bar on a terminal, a log line every 5 s otherwise (--quiet: none).\n"
    "SIGINT/SIGTERM: finished runs are flushed, the file closed, exit status 1.\n";

static char *default_output(const char *config)
{
    const char *base = config ? strrchr(config, '/') : NULL;
    base = base ? base + 1 : (config ? config : "paper.cfg");
    size_t len = strcspn(base, ".");
    char *out = malloc(len + 4);
    if (out)
        snprintf(out, len + 4, "%.*s.h5", (int)len, base);
    return out;
}

static int cmd_run(int argc, char **argv)
{
    if (wants_help(argc, argv)) { fputs(run_help, stdout); return 0; }
    const char *path = NULL, *out = NULL;
    ps_sweep_opts o = {.threads = 0, .shard_index = 0, .nshards = 1};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) { o.quiet = 1; continue; }
        if ((!strcmp(a, "-o") || !strcmp(a, "-j") || !strcmp(a, "--shard") || !strcmp(a, "--flush")) && !v)
            return usage_error("run", "option %s needs a value", a);
        if (!strcmp(a, "-o")) out = argv[++i];
        else if (!strcmp(a, "-j")) {
            if (parse_int(v, 1, 4096, &o.threads))
                return usage_error("run", "-j needs a thread count in 1..4096, got '%s'", v);
            i++;
        } else if (!strcmp(a, "--flush")) {
            if (parse_int(v, 1, 1000000, &o.flush_runs))
                return usage_error("run", "--flush needs a run count in 1..1000000, got '%s'", v);
            i++;
        } else if (!strcmp(a, "--shard")) {
            char tail;
            if (sscanf(v, "%d/%d%c", &o.shard_index, &o.nshards, &tail) != 2 || o.nshards < 1 ||
                o.shard_index < 0 || o.shard_index >= o.nshards)
                return usage_error("run", "--shard needs I/N with 0 <= I < N, got '%s'", v);
            i++;
        } else if (a[0] != '-' && !path) path = a;
        else return usage_error("run", "unexpected argument '%s'", a);
    }
    ps_config c;
    int rc = load_config(path, &c);
    if (rc) return rc;
    char *dflt = out ? NULL : default_output(path);
    ps_sweep_stats st;
    ps_error e = {0};
    rc = ps_sweep_run(&c, out ? out : dflt, &o, &st, &e);
    if (rc) report(&e);
    else if (!o.quiet)
        fprintf(stderr, "%s: %s: %zu runs done, %zu already present, %zu diverged, %.2f s "
                "(%.1f%% in HDF5)\n", prog, out ? out : dflt, st.done, st.skipped, st.diverged,
                st.wall_s, st.wall_s > 0 ? 100.0 * st.hdf5_s / st.wall_s : 0.0);
    free(dflt);
    ps_config_free(&c);
    return rc;
}

/* ---- merge, compare, repair ------------------------------------------------- */

static int cmd_merge(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        puts("usage: protosweep merge -o OUT.h5 SHARD.h5...\n"
             "Union of shard files of one config into OUT.h5 (which must not exist).\n"
             "Refuses mixed configs; a run present twice with different values is an error.");
        return 0;
    }
    const char *out = NULL;
    char **in = calloc((size_t)argc + 1, sizeof *in);
    int nin = 0;
    if (!in) return PS_EFAIL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
        else if (argv[i][0] != '-') in[nin++] = argv[i];
        else { free(in); return usage_error("merge", "unexpected argument '%s'", argv[i]); }
    }
    if (!out || nin == 0) { free(in); return usage_error("merge", "%s", "need -o OUT.h5 and at least one input"); }
    ps_error e = {0};
    int rc = ps_sweep_merge(out, in, nin, &e);
    free(in);
    return rc ? report(&e) : 0;
}

static int cmd_compare(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        puts("usage: protosweep compare A.h5 B.h5\n"
             "Exit 0 when both files hold the same runs, prototypes and datasets with\n"
             "bit-identical values (wall_s and row order aside), else 1 naming the first\n"
             "difference.");
        return 0;
    }
    if (argc != 2)
        return usage_error("compare", "%s", "needs exactly two files");
    ps_error e = {0};
    int rc = ps_sweep_compare(argv[0], argv[1], &e);
    if (rc) return report(&e);
    printf("%s and %s hold identical runs\n", argv[0], argv[1]);
    return 0;
}

static int cmd_repair(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        puts("usage: protosweep repair FILE.h5\n"
             "Make a results file left by a killed writer readable by other programs\n"
             "(h5py, h5dump, protostat): clears its 'open for write' status flag, like\n"
             "`h5clear -s`.  Not needed before resuming: `protosweep run` does it itself.");
        return 0;
    }
    if (argc != 1)
        return usage_error("repair", "%s", "needs exactly one file");
    ps_error e = {0};
    if (ps_results_repair(argv[0], &e)) return report(&e);
    printf("%s: status flag cleared\n", argv[0]);
    return 0;
}

static const char main_help[] =
    "usage: protosweep COMMAND [ARGS]   (protosweep COMMAND --help for details)\n"
    "  run      run a grid (or one shard of it) into an HDF5 results file\n"
    "  plan     run counts and cost per shard\n"
    "  replay   run one configuration and print everything about it\n"
    "  merge    union of shard files\n"
    "  compare  check that two results files hold bit-identical runs\n"
    "  repair   make a crashed results file readable by other programs\n"
    "  version  print the version\n";

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc < 2) { fputs(main_help, stderr); return PS_EINPUT; }
    const char *verb = argv[1];
    int n = argc - 2;
    char **rest = argv + 2;
    if (!strcmp(verb, "run")) return cmd_run(n, rest);
    if (!strcmp(verb, "plan")) return cmd_plan(n, rest);
    if (!strcmp(verb, "replay")) return cmd_replay(n, rest);
    if (!strcmp(verb, "merge")) return cmd_merge(n, rest);
    if (!strcmp(verb, "compare")) return cmd_compare(n, rest);
    if (!strcmp(verb, "repair")) return cmd_repair(n, rest);
    if (!strcmp(verb, "version") || !strcmp(verb, "--version")) { puts(PS_VERSION); return 0; }
    if (!strcmp(verb, "--help") || !strcmp(verb, "-h") || !strcmp(verb, "help")) {
        fputs(main_help, stdout);
        return 0;
    }
    fprintf(stderr, "%s: unknown command '%s' (see '%s --help')\n", prog, verb, prog);
    return PS_EINPUT;
}
