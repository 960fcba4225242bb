/* assign.h — exact linear-sum assignment (square, dense, minimisation).
 *
 * Used for the reconstruction error E (SPEC.md section 5): match the N
 * originals to the N reconstructed pairs so that the summed distance is
 * minimal.  O(n^3) shortest-augmenting-path Hungarian algorithm (Jonker-
 * Volgenant style, with row/column potentials).  Exact for any finite costs,
 * including ties and identical points; n = 1 is the trivial match.
 *
 * The workspace is allocated once for the largest n and reused; solving
 * never allocates.  Not shared between threads: one workspace per thread.
 */
#ifndef PS_ASSIGN_H
#define PS_ASSIGN_H

typedef struct ps_assign_ws ps_assign_ws;

/* Workspace for problems up to nmax x nmax; NULL on allocation failure. */
ps_assign_ws *ps_assign_alloc(int nmax);
void ps_assign_free(ps_assign_ws *ws);

/* Minimise sum_i cost[i*n + col[i]] over permutations col of 0..n-1.
 * cost: n x n, row-major, finite.  col (may be NULL): the optimal column of
 * each row; among tied optima the choice is deterministic.  Returns the
 * minimal total, summed over rows in order 0..n-1, so it equals a caller's
 * own row-order sum over col bit for bit (unless that sum overflows on the
 * way: costs beyond 2^960 are summed in power-of-two-scaled units).  NaN if
 * ws or cost is NULL, n > nmax, n < 1 or a cost is not finite (then col is
 * left unspecified). */
double ps_assign_solve(ps_assign_ws *ws, int n, const double *cost, int *col);

#endif
