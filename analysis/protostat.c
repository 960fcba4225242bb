/* protostat.c — the command line of protostat (SPEC.md sections 8 and 10):
 * parse argv, load the runs, call one builder of tables.h / query.h, print.
 * The only file of analysis/ that speaks argv or decides the exit status:
 * 0 ok, 2 bad usage or input (one line on stderr naming file or option),
 * 1 other failure. */
#include "figures.h"
#include "query.h"
#include "report.h"
#include "runset.h"
#include "tables.h"
#include "version.h"
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- options ----------------------------------------------------------------- */
enum { V_TABLE = 1, V_SUMMARY = 2, V_SIGNIF = 4, V_EFFECT = 8, V_FAMILY = 16, V_SWEEP = 32,
       V_QUERY = 64, V_FIGURES = 128, V_REPORT = 256, V_ALL = 127 /* the table verbs */ };

typedef struct {
    const char *name;
    int has_arg;
    int verbs; /* V_* bits of the verbs that accept it */
} option;

static const option options[] = {
    { "--format", 1, V_ALL }, { "--N", 1, V_ALL }, { "--mask", 1, V_ALL },
    { "--lambda", 1, V_ALL }, { "--tau", 1, V_ALL }, { "--lr", 1, V_ALL },
    { "--epochs", 1, V_ALL }, { "--metric", 1, V_TABLE | V_SUMMARY | V_SIGNIF | V_EFFECT | V_FAMILY },
    { "--digits", 1, V_ALL & ~V_QUERY }, { "--std", 0, V_TABLE }, { "--transpose", 0, V_TABLE },
    { "--alpha", 1, V_SIGNIF }, { "--paired", 0, V_SIGNIF }, { "--base", 1, V_EFFECT },
    { "--vs", 1, V_EFFECT }, { "--term", 1, V_FAMILY }, { "--axis", 1, V_SWEEP },
    { "--where", 1, V_QUERY }, { "--fields", 1, V_QUERY }, { "--prototypes", 0, V_QUERY },
    { "-o", 1, V_FIGURES | V_REPORT }, { "--gnuplot", 1, V_FIGURES | V_REPORT },
    { "--svg", 0, V_FIGURES }, { "--no-svg", 0, V_FIGURES }, { "--tables", 1, V_REPORT }, { "--no-figures", 0, V_REPORT },
};
#define NOPTIONS (sizeof options / sizeof options[0])

typedef struct {
    const char *verb;
    int vbit;
    ps_format fmt;
    int fmt_given;
    ps_filter filter;
    ps_table_opts o;
    int metrics[32];
    double alpha;
    int paired, prototypes;
    const char *where, *fields;
    ps_figures_opts fig;
    ps_report_opts rep;
    const char **files;
    size_t nfiles;
} cli;

static const struct { const char *name; int bit; const char *help; } verbs[] = {
    { "table", V_TABLE,
      "table FILE... [--metric E] [--std] [--transpose] [--digits D]\n"
      "  Mean of a metric per group (rows) and mask (columns): paper Tables 1/2 (E),\n"
      "  5 (frac_outside), 7/8 (--metric rho --std --mask 000,010,111 --transpose).\n" },
    { "summary", V_SUMMARY,
      "summary FILE... [--metric LIST]\n"
      "  One row per (group, mask, metric): n, excluded, mean, std, sem, median, min,\n"
      "  max, Shapiro-Wilk W and p (NA when n < 3, n > 5000 or a constant sample).\n" },
    { "signif", V_SIGNIF,
      "signif FILE... [--metric E] [--alpha 0.05] [--paired]\n"
      "  Per group, the mask x mask '+/-/=' matrix of SPEC.md section 10 (md/tex);\n"
      "  csv lists every pair with its test, statistic, raw and Holm p.\n"
      "  --paired: paired t-test / Wilcoxon signed-rank over shared (dataset, init).\n" },
    { "effect", V_EFFECT,
      "effect FILE... [--base 000] [--vs 010] [--metric E]\n"
      "  Means of two masks, absolute and relative reduction, Cohen's d (paper Table 3).\n" },
    { "family", V_FAMILY,
      "family FILE... [--metric L_fit] [--term overlap|coverage|separation]\n"
      "  Mean over the masks without vs with a loss term, and their ratio (paper Table 4).\n" },
    { "sweep", V_SWEEP,
      "sweep FILE... --axis tau|lambda|lr|epochs [--mask 001] [--N 30]\n"
      "  Mean frac_outside, hull_dist, E, rho per axis value (paper Table 6).\n" },
    { "query", V_QUERY,
      "query FILE... [--where EXPR] [--fields LIST] [--prototypes]\n"
      "  Rows of /runs (or the prototypes of the matching runs), csv by default.\n"
      "  EXPR: conditions FIELD OP VALUE joined by spaces, e.g. \"N=30 mask=010 E>0.8\".\n" },
    { "figures", V_FIGURES,
      "figures FILE... -o DIR [--gnuplot PROG] [--no-svg]\n"
      "  The paper's seven figures (data, gnuplot script, PNG and SVG) into DIR.\n"
      "  gnuplot: --gnuplot PROG, else $PROTOSWEEP_GNUPLOT, else gnuplot on PATH.\n" },
    { "report", V_REPORT,
      "report FILE... -o DIR [--tables DIR] [--gnuplot PROG] [--no-figures]\n"
      "  DIR/REPORT.md: the tables beside the paper's, the figures, the claims checked.\n"
      "  Paper tables: --tables DIR, else $PROTOSWEEP_DATA/paper_tables, else\n"
      "  data/paper_tables next to the executable (../data, ../share/protosweep).\n" },
};
#define NVERBS (sizeof verbs / sizeof verbs[0])

static const char common_help[] =
    "Options of the table verbs (all but figures, report): --format md|csv|tex (md; query:\n"
    "csv), filters --N, --mask, --lambda, --tau, --lr, --epochs (comma lists, e.g.\n"
    "--N 3,5,10 --mask 000,010).  Every verb: --help.\n"
    "Diverged runs (status 1) are excluded from every statistic and counted in notes.\n"
    "Exit status: 0 ok, 2 bad usage or input, 1 failure.\n";

static void usage(FILE *out, int verb)
{
    if (verb < 0) {
        fprintf(out, "usage: protostat VERB FILE... [OPTIONS]   (protosweep %s)\nverbs:\n", PS_VERSION);
        for (size_t v = 0; v < NVERBS; v++)
            fprintf(out, "  %s", verbs[v].help);
    } else {
        fprintf(out, "usage: protostat %s", verbs[verb].help);
    }
    fputs(common_help, out);
}

static int usage_error(const cli *c, const char *fmt, const char *arg)
{
    fprintf(stderr, "protostat%s%s: ", c->verb ? " " : "", c->verb ? c->verb : "");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return PS_EINPUT;
}

static int parse_double(const char *opt, const char *s, double *v, ps_error *err)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(*v))
        return ps_error_set(err, PS_EINPUT, "%s: bad number '%s'", opt, s);
    return 0;
}

static int parse_mask_opt(const char *opt, const char *s, unsigned *m, ps_error *err)
{
    return ps_stat_mask_parse(s, m)
               ? ps_error_set(err, PS_EINPUT, "%s: bad mask '%s' (expected e.g. 010)", opt, s)
               : 0;
}

static int parse_metric_list(cli *c, const char *s, ps_error *err)
{
    char name[64];
    c->o.nmetrics = 0;
    for (const char *p = s;;) {
        size_t len = strcspn(p, ",");
        int f = -1;
        if (len > 0 && len < sizeof name) {
            memcpy(name, p, len);
            name[len] = '\0';
            f = ps_metric_find(name);
        }
        if (f < 0 || c->o.nmetrics == 32)
            return ps_error_set(err, PS_EINPUT, "--metric: unknown metric in '%s' (expected e.g. "
                                "E, rho, frac_outside, hull_dist, L_fit)", s);
        c->metrics[c->o.nmetrics++] = f;
        if (!p[len])
            break;
        p += len + 1;
    }
    if (c->o.nmetrics > 1 && c->vbit != V_SUMMARY)
        return ps_error_set(err, PS_EINPUT, "--metric: %s takes one metric", c->verb);
    c->o.metric = c->metrics[0];
    c->o.metrics = c->metrics;
    return 0;
}

static int parse_choice(const char *opt, const char *s, const char *const *names,
                        const unsigned *values, size_t n, unsigned *out, ps_error *err)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(s, names[k]) == 0) {
            *out = values[k];
            return 0;
        }
    return ps_error_set(err, PS_EINPUT, "%s: unknown value '%s'", opt, s);
}

static int apply_option(cli *c, const char *name, const char *arg, ps_error *err)
{
    static const char *const axes[] = { "tau", "lambda", "lr", "epochs" };
    static const unsigned axis_bits[] = { PS_GK_TAU, PS_GK_LAMBDA, PS_GK_LR, PS_GK_EPOCHS };
    static const char *const terms[] = { "overlap", "coverage", "separation" };
    static const unsigned term_bits[] = { 4, 2, 1 };
    double d;
    if (!strcmp(name, "--format")) {
        c->fmt_given = 1;
        return ps_format_parse(arg, &c->fmt) ? ps_error_set(err, PS_EINPUT,
                   "--format: unknown format '%s' (expected md, csv or tex)", arg) : 0;
    }
    if (!strcmp(name, "--N")) return ps_filter_parse(&c->filter.N, name, arg, err);
    if (!strcmp(name, "--mask")) return ps_filter_parse(&c->filter.mask, name, arg, err);
    if (!strcmp(name, "--lambda")) return ps_filter_parse(&c->filter.lambda, name, arg, err);
    if (!strcmp(name, "--tau")) return ps_filter_parse(&c->filter.tau, name, arg, err);
    if (!strcmp(name, "--lr")) return ps_filter_parse(&c->filter.lr, name, arg, err);
    if (!strcmp(name, "--epochs")) return ps_filter_parse(&c->filter.epochs, name, arg, err);
    if (!strcmp(name, "--metric")) return parse_metric_list(c, arg, err);
    if (!strcmp(name, "--std")) return c->o.std = 1, 0;
    if (!strcmp(name, "--transpose")) return c->o.transpose = 1, 0;
    if (!strcmp(name, "--paired")) return c->paired = 1, 0;
    if (!strcmp(name, "--prototypes")) return c->prototypes = 1, 0;
    if (!strcmp(name, "--where")) return c->where = arg, 0;
    if (!strcmp(name, "--fields")) return c->fields = arg, 0;
    if (!strcmp(name, "-o")) return c->fig.outdir = c->rep.outdir = arg, 0;
    if (!strcmp(name, "--gnuplot")) return c->fig.gnuplot = c->rep.gnuplot = arg, 0;
    if (!strcmp(name, "--svg")) return c->fig.svg = 1, 0;
    if (!strcmp(name, "--no-svg")) return c->fig.svg = 0, 0;
    if (!strcmp(name, "--tables")) return c->rep.tables_dir = arg, 0;
    if (!strcmp(name, "--no-figures")) return c->rep.figures = 0, 0;
    if (!strcmp(name, "--base")) return parse_mask_opt(name, arg, &c->o.base, err);
    if (!strcmp(name, "--vs")) return parse_mask_opt(name, arg, &c->o.vs, err);
    if (!strcmp(name, "--axis")) return parse_choice(name, arg, axes, axis_bits, 4, &c->o.axis, err);
    if (!strcmp(name, "--term")) return parse_choice(name, arg, terms, term_bits, 3, &c->o.term, err);
    if (parse_double(name, arg, &d, err))
        return PS_EINPUT;
    if (!strcmp(name, "--alpha")) {
        c->alpha = d;
        return d > 0 && d < 1 ? 0 : ps_error_set(err, PS_EINPUT, "--alpha: must be in (0, 1), got %s", arg);
    }
    c->o.digits = (int)d; /* --digits */
    return d >= 0 && d <= 17 && d == c->o.digits ? 0
           : ps_error_set(err, PS_EINPUT, "--digits: must be an integer in 0..17, got %s", arg);
}

/* Parse argv[2..]: options (--opt VALUE or --opt=VALUE) and FILE operands.
 * Returns 0, PS_EINPUT (message printed) or -1 for --help (printed). */
static int parse_args(cli *c, int argc, char **argv)
{
    ps_error err = { 0, "" };
    c->files = calloc((size_t)argc, sizeof *c->files);
    if (!c->files)
        return usage_error(c, "%s", "out of memory");
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return -1;
        if (a[0] != '-' || a[1] == '\0') {
            c->files[c->nfiles++] = a;
            continue;
        }
        size_t len = strcspn(a, "=");
        const option *opt = NULL;
        for (size_t k = 0; k < NOPTIONS; k++)
            if (strlen(options[k].name) == len && strncmp(a, options[k].name, len) == 0)
                opt = &options[k];
        if (!opt || !(opt->verbs & c->vbit))
            return usage_error(c, "unknown option '%s' (see --help)", a);
        const char *arg = a[len] == '=' ? a + len + 1 : NULL;
        if (opt->has_arg && !arg && i + 1 >= argc)
            return usage_error(c, "option %s needs a value", opt->name);
        if (opt->has_arg && !arg)
            arg = argv[++i];
        if (!opt->has_arg && arg)
            return usage_error(c, "option %s takes no value", opt->name);
        if (apply_option(c, opt->name, arg, &err))
            return usage_error(c, "%s", err.msg);
    }
    if (c->nfiles == 0)
        return usage_error(c, "%s", "no results file given (see --help)");
    if ((c->vbit & (V_FIGURES | V_REPORT)) && !c->fig.outdir)
        return usage_error(c, "%s", "-o DIR is required");
    return 0;
}

/* ---- running a verb ------------------------------------------------------------ */
static int print_tab(ps_tab *t, const cli *c, ps_error *err)
{
    if (!t)
        return err->code ? err->code : PS_EFAIL;
    ps_tab_print(t, c->fmt, stdout, stderr);
    ps_tab_free(t);
    return 0;
}

static int run_signif(const cli *c, const ps_runset *rs, const ps_groupset *gs, ps_error *err)
{
    if (c->fmt == PS_FMT_CSV)
        return print_tab(ps_table_signif_pairs(rs, gs, c->o.metric, c->alpha, c->paired, err), c, err);
    ps_signif_ws *ws = ps_signif_alloc(gs->nmax);
    ps_signif *s = malloc(sizeof *s);
    int rc = ws && s ? 0 : ps_error_set(err, PS_EFAIL, "out of memory");
    for (size_t i = 0; i < gs->n && !rc; i++) {
        rc = ps_signif_group(ws, rs, &gs->g[i], c->o.metric, c->alpha, c->paired, s, err);
        if (!rc && i)
            fputc('\n', stdout);
        if (!rc)
            rc = print_tab(ps_table_signif_matrix(&gs->g[i], ps_groupset_varying(gs), s, err), c, err);
    }
    ps_signif_free(ws);
    free(s);
    return rc;
}

static int run_query(const cli *c, const ps_runset *rs, ps_error *err)
{
    static const char default_fields[] =
        "key,N,dataset,init,mask,lambda,tau,lr,epochs,E,rho,frac_outside,hull_dist,hull_sdist,"
        "L_fit,L_ovl,L_cov,L_sep,L,status,wall_s";
    static const char proto_fields[] = "key,N,dataset,init,mask";
    int fields[64];
    size_t nf;
    ps_where w;
    const char *list = c->fields ? c->fields : c->prototypes ? proto_fields : default_fields;
    int rc = ps_where_parse(&w, c->where, err);
    if (!rc)
        rc = ps_fields_parse(list, fields, &nf, 48, err);
    return rc ? rc : print_tab(ps_query(rs, &c->filter, &w, fields, nf, c->prototypes, err), c, err);
}

static int run_verb(const cli *c, const ps_runset *rs, ps_error *err)
{
    if (c->vbit == V_QUERY)
        return run_query(c, rs, err);
    if (c->vbit == V_FIGURES)
        return ps_figures_run(rs, &c->fig, stdout, err);
    if (c->vbit == V_REPORT)
        return ps_report_run(rs, &c->rep, stdout, err);
    ps_groupset gs;
    int rc = ps_groupset_build(rs, &c->filter, &gs, err);
    if (rc)
        return rc;
    if (gs.n == 0)
        rc = ps_error_set(err, PS_EINPUT, "no run matches the filters in %s%s", rs->nfiles
                          ? rs->paths[0] : "", rs->nfiles > 1 ? " ..." : "");
    else if (c->vbit == V_SIGNIF)
        rc = run_signif(c, rs, &gs, err);
    else
        rc = print_tab(c->vbit == V_TABLE ? ps_table_means(rs, &gs, &c->o, err)
                       : c->vbit == V_SUMMARY ? ps_table_summary(rs, &gs, &c->o, err)
                       : c->vbit == V_EFFECT ? ps_table_effect(rs, &gs, &c->o, err)
                       : c->vbit == V_FAMILY ? ps_table_family(rs, &gs, &c->o, err)
                       : ps_table_sweep(rs, &gs, &c->o, err), c, err);
    ps_groupset_free(&gs);
    return rc;
}

static void cli_init(cli *c, int v)
{
    memset(c, 0, sizeof *c);
    c->verb = verbs[v].name;
    c->vbit = verbs[v].bit;
    ps_table_opts_init(&c->o);
    if (c->vbit == V_FAMILY)
        c->o.metric = ps_metric_find("L_fit");
    c->alpha = 0.05;
    c->rep.figures = 1;
    c->fig.svg = 1;     /* the issue asks for PNG and SVG */
    c->fmt = c->vbit == V_QUERY ? PS_FMT_CSV : PS_FMT_MD;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off(); /* GSL's default handler aborts; statuses are checked */
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout, -1);
        return argc < 2 ? PS_EINPUT : 0;
    }
    int v = -1;
    for (size_t k = 0; k < NVERBS; k++)
        if (strcmp(argv[1], verbs[k].name) == 0)
            v = (int)k;
    if (v < 0) {
        fprintf(stderr, "protostat: unknown verb '%s' (expected table, summary, signif, effect, "
                        "family, sweep, query, figures or report; see --help)\n", argv[1]);
        return PS_EINPUT;
    }
    cli c;
    cli_init(&c, v);
    int rc = parse_args(&c, argc, argv);
    if (rc) {
        if (rc < 0)
            usage(stdout, v);
        free(c.files);
        return rc < 0 ? 0 : rc;
    }
    ps_error err = { 0, "" };
    ps_runset rs;
    rc = ps_runset_load(&rs, c.files, c.nfiles, &err);
    if (!rc)
        rc = run_verb(&c, &rs, &err);
    if (rc)
        fprintf(stderr, "protostat %s: %s\n", c.verb, err.msg);
    ps_runset_free(&rs);
    free(c.files);
    return rc == PS_EINPUT ? PS_EINPUT : rc ? PS_EFAIL : 0;
}
