/* report.h — the reproduction report: this run's tables beside the paper's
 * published numbers, the figures, and the paper's claims checked on the data.
 *
 * `protostat report FILE... -o DIR` writes DIR/REPORT.md (and the figures of
 * figures.h into DIR) and prints the claims checklist to stdout.
 *
 * The paper's numbers are read from the CSV files of data/paper_tables (format in
 * data/paper_tables/README.md: '#' comment lines, a header line, rows of
 * comma-separated cells, the first cell the row key).  The directory is, in
 * order: opts->tables_dir; $PROTOSWEEP_DATA/paper_tables; relative to the
 * executable ../data/paper_tables, ../../data/paper_tables (for build-X/bin),
 * ../share/protosweep/paper_tables (installed); ./data/paper_tables.  If the
 * search finds none the report is still written, without the paper columns, and
 * says so; an explicit directory that cannot be loaded is an error (PS_EINPUT).
 *
 * Tables and claims are computed on the "main setting" of figures.h (the
 * (lambda, tau, lr, epochs) covering most cells), the tau sweep on the groups
 * of ps_figures_tau_sweep.  Runs that diverged or have a non-finite metric are
 * left out (runset.h) and the tables say how many.
 */
#ifndef PS_REPORT_H
#define PS_REPORT_H
#include <stdio.h>
#include "error.h"
#include "runset.h"

/* ---- the paper's tables ------------------------------------------------- */
typedef struct {
    char title[256];   /* the first comment line ("Table 1 of the paper: ...") */
    size_t nrow, ncol;
    char **head;       /* ncol column names */
    char **cell;       /* nrow * ncol, row-major; point into store */
    char *store;
} ps_ptable;

/* Load dir/file.  PS_EINPUT naming the file and line when it cannot be read,
 * has no header or a row with another number of cells. */
int ps_ptable_load(ps_ptable *t, const char *dir, const char *file, ps_error *err);
void ps_ptable_free(ps_ptable *t);
/* Cell (row whose key equals key, column named col) as text; NULL if absent.
 * Keys compare as numbers when both parse as numbers ("0.010" == "0.01"). */
const char *ps_ptable_str(const ps_ptable *t, const char *key, const char *col);
/* The same as a number; NaN when absent or not a number. */
double ps_ptable_num(const ps_ptable *t, double key, const char *col);

/* The paper's tables, by role. */
enum {
    PS_PT_E1, PS_PT_E2, PS_PT_EFFECT, PS_PT_FIT, PS_PT_FRAC, PS_PT_TAU, PS_PT_RHO1,
    PS_PT_RHO2, PS_PT_SIG3, PS_PT_SIG5, PS_PT_SIG30, PS_PT_SIG100, PS_PT_COUNT
};
typedef struct {
    char dir[4096];
    ps_ptable t[PS_PT_COUNT];
} ps_paper;

/* Find the directory (rule above; explicit may be NULL) and load every table.
 * PS_EINPUT when no directory is found or a table is malformed. */
int ps_paper_load(ps_paper *p, const char *explicit_dir, ps_error *err);
void ps_paper_free(ps_paper *p);
/* A number of the first of tables a, b that has the row: NaN if neither. */
double ps_paper_num(const ps_paper *p, int a, int b, double key, const char *col);

/* ---- claims ---------------------------------------------------------------- */
typedef enum { PS_CLAIM_PASS, PS_CLAIM_FAIL, PS_CLAIM_NA } ps_claim_status;
#define PS_NCLAIMS 6
typedef struct {
    const char *text;          /* the claim, as the paper makes it */
    ps_claim_status status;    /* NA: the data cannot decide (e.g. no tau sweep) */
    char detail[1024];         /* the numbers behind the verdict */
} ps_claim;

/* Evaluate the six claims (in this order):
 *  1. 010 has the lowest mean E at every N;
 *  2. at N >= 10 every overlap-active mask has a higher mean E than every
 *     overlap-free mask;
 *  3. at N >= 30 every overlap-active mask has mean frac_outside >= 0.95 and
 *     every overlap-free mask lies in [0.20, 0.65];
 *  4. the family fit ratio mean L_fit(1xx) / mean L_fit(0xx) (means of the
 *     mask means) lies in [0.9, 1.15] at every N;
 *  5. rho(010) > rho(000) at N >= 5;
 *  6. in the tau sweep, mean E and mean hull_dist increase strictly with tau. */
int ps_report_claims(const ps_runset *rs, ps_claim out[PS_NCLAIMS], ps_error *err);
const char *ps_claim_status_name(ps_claim_status s); /* "PASS", "FAIL", "N/A" */

/* ---- the command --------------------------------------------------------- */
typedef struct {
    const char *outdir;      /* -o DIR (created if missing) */
    const char *tables_dir;  /* NULL: search (rule above) */
    const char *gnuplot;     /* NULL: $PROTOSWEEP_GNUPLOT, else "gnuplot" */
    int figures;             /* 0: no figures (tables and claims only) */
} ps_report_opts;

/* Write DIR/REPORT.md and the figures, print the checklist to out.  A figure
 * that cannot be drawn (gnuplot missing or failing) is reported in REPORT.md
 * and on stderr and makes the return PS_EFAIL after the report is written. */
int ps_report_run(const ps_runset *rs, const ps_report_opts *o, FILE *out, ps_error *err);

#endif
