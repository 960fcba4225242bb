/* runset.h — the runs of one or more results files, filtered and grouped
 * (protostat's data model; SPEC.md sections 9 and 10).
 *
 * A ps_runset holds every /runs row of its files in memory (rows are small:
 * ~150 bytes, the paper grid is 480 of them) and keeps the files open, so that
 * prototypes and datasets of a few selected runs can be read later as
 * hyperslabs, without reading the whole file.  Files are read only through
 * results.h.
 *
 * Invariants after ps_runset_load():
 *  - rows are sorted by key and unique by key.  Shards are fine: a key found in
 *    several files with the same values is kept once (the first file's copy);
 *    with different values (any field but proto_offset and wall_s) loading fails
 *    with PS_EINPUT naming both files and the key.
 *  - file[i] is the index (into paths/readers) of the file row i came from.
 *
 * A group (SPEC.md section 10) is the set of runs with equal (N, lambda, tau,
 * lr, epochs); inside a group runs differ by mask, and the samples of one mask
 * are over (dataset, init).  Groups are sorted by (N, lambda, tau, lr, epochs);
 * the run indices of a mask are sorted by (dataset, init), so the i-th runs of
 * two masks share dataset and init whenever both masks have the same runs.
 *
 * Usable runs: status ok and the metric finite.  Diverged runs (status 1) and
 * ok runs with a non-finite metric are excluded from every statistic and
 * counted in a ps_excluded, which the caller prints.
 */
#ifndef PS_RUNSET_H
#define PS_RUNSET_H
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "results.h"

#define PS_NMASK 8 /* masks 000..111; the paper's order is the numeric order */

/* ---- masks ----------------------------------------------------------- */
/* "010" <-> 2 (bits alpha beta gamma = overlap coverage separation). */
void ps_stat_mask_format(unsigned mask, char out[4]);
/* 0 ok; PS_EINPUT unless text is exactly three characters of '0'/'1'. */
int ps_stat_mask_parse(const char *text, unsigned *mask);

/* ---- the fields of a /runs row, by name -------------------------------- */
typedef enum { PS_FT_U64, PS_FT_I32, PS_FT_U8, PS_FT_F64 } ps_ftype;
typedef struct {
    const char *name;  /* as in SPEC.md section 9 */
    ps_ftype type;
    size_t offset;     /* in ps_run_row */
    int digits;        /* decimals for printed tables (F64 fields) */
} ps_field;

extern const ps_field ps_run_fields[];
extern const size_t ps_run_nfields;

/* Index into ps_run_fields, or -1 when name is not a field. */
int ps_field_find(const char *name);
/* Index of a float64 field (a metric: E, rho, frac_outside, hull_dist,
 * hull_sdist, L_fit, L_ovl, L_cov, L_sep, L, wall_s, lambda, tau, lr), or -1. */
int ps_metric_find(const char *name);
/* Value of field f of r as a double (a uint64 key above 2^53 is rounded:
 * print keys with ps_field_format). */
double ps_field_get(const ps_run_row *r, int f);
/* Exact text of field f ("%.17g" for doubles, "010" for mask). */
void ps_field_format(const ps_run_row *r, int f, char *buf, size_t n);

/* ---- loading ----------------------------------------------------------- */
typedef struct {
    ps_run_row *rows;     /* n rows, sorted and unique by key */
    uint32_t *file;       /* n: index of the file each row came from */
    size_t n;
    size_t nfiles;
    char **paths;         /* nfiles copies of the paths */
    ps_reader **readers;  /* nfiles open readers */
} ps_runset;

/* Read every /runs row of the npaths files.  On error (PS_EINPUT: a file that
 * is not a results file, conflicting duplicate keys; PS_EFAIL: out of memory)
 * rs is left empty (safe to free). */
int ps_runset_load(ps_runset *rs, const char *const *paths, size_t npaths, ps_error *err);
void ps_runset_free(ps_runset *rs);

/* The N prototype rows of row i (one hyperslab read from its file). */
int ps_runset_prototypes(const ps_runset *rs, size_t i, ps_proto_row *out, ps_error *err);
/* The N rows of dataset (N, dataset) of the file of row i. */
int ps_runset_dataset(const ps_runset *rs, size_t i, ps_data_row *out, ps_error *err);

/* ---- filters (--N, --mask, --lambda, --tau, --lr, --epochs) ------------ */
#define PS_FILTER_MAX 64
typedef struct {
    size_t n;                  /* 0: no constraint */
    double v[PS_FILTER_MAX];   /* accepted values (masks as their integer) */
} ps_filter_list;

typedef struct {
    ps_filter_list N, mask, lambda, tau, lr, epochs;
} ps_filter;

/* Parse a comma-separated list ("3,5,10"; masks "000,010"); PS_EINPUT with a
 * message naming option on a bad value.  Floats match with relative
 * tolerance 1e-9 (values typed on the command line vs. parsed from a config). */
int ps_filter_parse(ps_filter_list *l, const char *option, const char *text, ps_error *err);
int ps_filter_match(const ps_filter *f, const ps_run_row *r);

/* ---- groups ------------------------------------------------------------ */
typedef struct {
    int32_t N, epochs;
    double lambda, tau, lr;
    size_t *runs[PS_NMASK];   /* indices into rs->rows (every status), by (dataset, init) */
    size_t nruns[PS_NMASK];   /* 0: mask absent from this group */
} ps_group;

/* Group keys, as bits (for ps_groupset_varying). */
enum { PS_GK_N = 1, PS_GK_LAMBDA = 2, PS_GK_TAU = 4, PS_GK_LR = 8, PS_GK_EPOCHS = 16 };

typedef struct {
    ps_group *g;
    size_t n;
    size_t nmax;      /* largest nruns[] over all groups and masks */
    size_t *pool_;    /* storage of the runs[] arrays */
} ps_groupset;

/* Group the rows of rs that pass f (f may be NULL).  An empty result is not an
 * error (n = 0); the caller decides.  PS_EFAIL on out of memory. */
int ps_groupset_build(const ps_runset *rs, const ps_filter *f, ps_groupset *gs, ps_error *err);
void ps_groupset_free(ps_groupset *gs);

/* Bits PS_GK_* of the group keys that take more than one value in gs. */
unsigned ps_groupset_varying(const ps_groupset *gs);
/* Bits of the masks present in at least one group (bit m = mask m). */
unsigned ps_groupset_masks(const ps_groupset *gs);

/* Why runs were left out of a statistic. */
typedef struct {
    size_t diverged;    /* status 1 */
    size_t nonfinite;   /* status 0 but the metric is NaN/Inf */
} ps_excluded;

/* Metric m (a ps_run_fields index) of the usable runs of mask in g, into out
 * (room for g->nruns[mask]); returns how many.  Adds the left-out runs to ex
 * (may be NULL). */
size_t ps_group_values(const ps_runset *rs, const ps_group *g, unsigned mask, int m,
                       double *out, ps_excluded *ex);

/* Paired samples: metric m of masks ma and mb over the (dataset, init) that
 * are usable in both, in the same order; returns the number of pairs.  Runs
 * left out are counted in ex per mask (may be NULL). */
size_t ps_group_pairs(const ps_runset *rs, const ps_group *g, unsigned ma, unsigned mb, int m,
                      double *a, double *b, ps_excluded *ex);

/* Mean and sample SD of x[0..n) (NaN when n < 1, resp. n < 2): the one place
 * protostat's tables, figures and report take their cell statistics from. */
typedef struct {
    double mean, sd;
    size_t n;
} ps_summary;
ps_summary ps_summarize(const double *x, size_t n);

#endif
