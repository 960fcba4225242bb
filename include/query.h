/* query.h — post-hoc look-ups of runs and their prototypes (`protostat query`).
 *
 * A where-expression is a whitespace-separated conjunction of conditions
 * FIELD OP VALUE, OP one of = == != < <= > >=, FIELD any /runs field of
 * runset.h's ps_run_fields ("N=30 mask=010 E>0.8").  mask takes "010" or its
 * integer; status takes ok / diverged or 0 / 1; uint64 fields (key, seeds)
 * compare exactly; NaN satisfies only "!=".
 *
 * What is read: ps_runset_load has read every /runs row (small); the /runs
 * rows are filtered in memory, and --prototypes reads only the N-row
 * hyperslab of each matching run from /prototypes (never the whole table).
 * Output cells hold the exact text of each value (ps_field_format).
 */
#ifndef PS_QUERY_H
#define PS_QUERY_H
#include "runset.h"
#include "tabfmt.h"

#define PS_WHERE_MAX 32
typedef enum { PS_OP_EQ, PS_OP_NE, PS_OP_LT, PS_OP_LE, PS_OP_GT, PS_OP_GE } ps_op;
typedef struct {
    int field;        /* ps_run_fields index */
    ps_op op;
    double value;     /* for non-uint64 fields */
    uint64_t u;       /* for uint64 fields */
} ps_cond;
typedef struct {
    ps_cond c[PS_WHERE_MAX];
    size_t n;
} ps_where;

/* Parse text (NULL or "" = match everything); PS_EINPUT naming the bad condition. */
int ps_where_parse(ps_where *w, const char *text, ps_error *err);
int ps_where_match(const ps_where *w, const ps_run_row *r);

/* Comma-separated field names into fields (room for max); PS_EINPUT on an unknown name. */
int ps_fields_parse(const char *text, int *fields, size_t *n, size_t max, ps_error *err);

/* One row per run of rs passing f (may be NULL) and w, in key order, with the
 * given fields; with prototypes, one row per prototype (the run fields, then
 * j, p, yhat, w, b, v), read run by run. */
ps_tab *ps_query(const ps_runset *rs, const ps_filter *f, const ps_where *w, const int *fields,
                 size_t nfields, int prototypes, ps_error *err);

#endif
