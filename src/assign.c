/* assign.c — exact linear-sum assignment; see include/assign.h.
 *
 * Shortest-augmenting-path Hungarian algorithm with row potentials u and
 * column potentials v (the Jonker-Volgenant / Kuhn-Munkres dual scheme).
 * Rows are inserted one at a time; for each new row a Dijkstra-like search
 * over the reduced costs c[i][j] - u[i] - v[j] (all >= 0, up to rounding)
 * finds the cheapest alternating path to a free column, the potentials are
 * shifted so that the path has zero reduced cost, and the matching is
 * flipped along it.  Each insertion is O(n^2), so the solve is O(n^3).
 *
 * Invariants:
 *   - column index n is a virtual column holding the row being inserted, so
 *     the search starts from a column like every later step (arrays are n+1);
 *   - row_of[j] is the row matched to column j, or -1 if column j is free;
 *   - every search step marks one more column as used, so a search ends after
 *     at most n steps whatever the rounding: termination never depends on
 *     comparing floating-point numbers to an epsilon;
 *   - with integer-valued costs (|c| < 2^53) every operation is exact, so ties
 *     are resolved exactly; with real costs the returned matching is optimal
 *     up to the rounding of O(n) additions of costs.
 *
 * Overflow: reduced costs are differences of costs and potentials, so costs
 * near DBL_MAX would overflow to inf (and then inf - inf = NaN).  If the
 * largest |cost| exceeds 2^SCALE_EXP, all costs are multiplied by a power of
 * two (exact apart from entries that become subnormal, which are negligible at
 * that scale) before the search and the summation of the total.
 */
#include "assign.h"

#include <math.h>
#include <stdlib.h>

/* Largest cost exponent searched unscaled.  Free columns keep v = 0 and
 * v only decreases, so a matched row has M >= u >= c >= -M and its column
 * -2M <= v <= 0 (M = max |cost|): reduced costs stay within a few M, and
 * 2^960 leaves a factor 2^63 of headroom below DBL_MAX. */
#define SCALE_EXP 960

struct ps_assign_ws {
    int nmax;
    double *u;      /* row potentials, nmax (+1 spare) */
    double *v;      /* column potentials, nmax + 1 (v[n] is the virtual column) */
    double *minv;   /* shortest reduced path length found to each column, nmax + 1 */
    int *row_of;    /* matched row of each column, nmax + 1 */
    int *way;       /* predecessor column on the shortest path, nmax + 1 */
    char *used;     /* column already settled in the current search, nmax + 1 */
};

ps_assign_ws *ps_assign_alloc(int nmax)
{
    if (nmax < 1)
        return NULL;
    ps_assign_ws *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    size_t m = (size_t)nmax + 1;
    ws->nmax = nmax;
    ws->u = malloc(m * sizeof *ws->u);
    ws->v = malloc(m * sizeof *ws->v);
    ws->minv = malloc(m * sizeof *ws->minv);
    ws->row_of = malloc(m * sizeof *ws->row_of);
    ws->way = malloc(m * sizeof *ws->way);
    ws->used = malloc(m * sizeof *ws->used);
    if (!ws->u || !ws->v || !ws->minv || !ws->row_of || !ws->way || !ws->used) {
        ps_assign_free(ws);
        return NULL;
    }
    return ws;
}

void ps_assign_free(ps_assign_ws *ws)
{
    if (!ws)
        return;
    free(ws->u);
    free(ws->v);
    free(ws->minv);
    free(ws->row_of);
    free(ws->way);
    free(ws->used);
    free(ws);
}

/* The power-of-two factor that keeps all costs below 2^SCALE_EXP in
 * magnitude: 1 normally, 0 if a cost is not finite (NaN or inf). */
static double cost_scale(int n, const double *cost)
{
    double amax = 0.0;
    for (size_t k = 0; k < (size_t)n * (size_t)n; k++) {
        double a = fabs(cost[k]);
        if (!isfinite(a))
            return 0.0;
        if (a > amax)
            amax = a;
    }
    if (amax <= ldexp(1.0, SCALE_EXP))
        return 1.0;
    return ldexp(1.0, SCALE_EXP - 1 - ilogb(amax));
}

/* One step of the search from the settled column j0: relax the edges of its
 * row to every unsettled column, and return the unsettled column with the
 * smallest tentative distance (lowest index on ties).  *delta gets that
 * distance.  A free column is never settled (the search stops there), so
 * one is always found; costs are finite and scaled, so cur is finite and the
 * first relaxation of a column always sets its way[]. */
static int search_step(ps_assign_ws *ws, int n, const double *cost, double s,
                       int j0, double *delta)
{
    int i0 = ws->row_of[j0];
    const double *crow = cost + (size_t)i0 * (size_t)n;
    int j1 = -1;
    for (int j = 0; j < n; j++) {
        if (ws->used[j])
            continue;
        double cur = s * crow[j] - ws->u[i0] - ws->v[j];
        if (cur < ws->minv[j]) {
            ws->minv[j] = cur;
            ws->way[j] = j0;
        }
        if (j1 < 0 || ws->minv[j] < ws->minv[j1])
            j1 = j;
    }
    *delta = ws->minv[j1];
    return j1;
}

/* Shift the potentials by delta: settled columns (and their rows) keep zero
 * reduced cost along the search tree, unsettled distances shrink by delta. */
static void shift_potentials(ps_assign_ws *ws, int n, double delta)
{
    for (int j = 0; j <= n; j++) {
        if (ws->used[j]) {
            ws->u[ws->row_of[j]] += delta;
            ws->v[j] -= delta;
        } else {
            ws->minv[j] -= delta;
        }
    }
}

/* Insert row i: search the shortest augmenting path from the virtual column
 * n to a free column, then flip the matching along it. */
static void insert_row(ps_assign_ws *ws, int n, const double *cost, double s, int i)
{
    ws->row_of[n] = i;
    for (int j = 0; j <= n; j++) {
        ws->minv[j] = INFINITY;
        ws->used[j] = 0;
    }
    int j0 = n;
    do {
        double delta;
        ws->used[j0] = 1;
        int j1 = search_step(ws, n, cost, s, j0, &delta);
        shift_potentials(ws, n, delta);
        j0 = j1;
    } while (ws->row_of[j0] >= 0);
    /* j0 is free: walk back to the virtual column, moving each row one
     * column along the path. */
    do {
        int jprev = ws->way[j0];
        ws->row_of[j0] = ws->row_of[jprev];
        j0 = jprev;
    } while (j0 != n);
}

double ps_assign_solve(ps_assign_ws *ws, int n, const double *cost, int *col)
{
    if (!ws || !cost || n < 1 || n > ws->nmax)
        return NAN;
    double s = cost_scale(n, cost);
    if (s == 0.0)
        return NAN;
    for (int j = 0; j <= n; j++) {
        ws->v[j] = 0.0;
        ws->row_of[j] = -1;
    }
    for (int i = 0; i < n; i++)
        ws->u[i] = 0.0;
    for (int i = 0; i < n; i++)
        insert_row(ws, n, cost, s, i);

    /* Sum row by row in order 0..n-1 so that a caller summing
     * cost[i*n + col[i]] the same way gets the identical double.  The sum is
     * taken in the scaled units (power-of-two scaling commutes with rounding)
     * so that partial sums of huge costs cannot overflow when the total does
     * not. */
    for (int j = 0; j < n; j++)
        ws->way[ws->row_of[j]] = j;  /* way is free now: reuse as col of each row */
    double total = 0.0;
    for (int i = 0; i < n; i++) {
        total += s * cost[(size_t)i * (size_t)n + (size_t)ws->way[i]];
        if (col)
            col[i] = ws->way[i];
    }
    return total / s;
}
