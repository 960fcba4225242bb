/* matvec.c — y = M u and y = M^T u for a square row-major matrix, two ways.
 *
 * The model needs N x N matrix-vector products (f = A v, dw = dZ^T x).  For
 * the paper's N <= 100 the matrices fit in L1/L2 and a call into OpenBLAS
 * costs more in dispatch than it saves; `make bench` times both side by side
 * (bench prints matvec_us plain / blas) and src/model.c uses the winner.
 */
#include "model.h"
#include <cblas.h>

void ps_matvec_plain(int n, int trans, const double *M, const double *u, double *y)
{
    if (!trans) {
        for (int i = 0; i < n; i++) {
            const double *row = M + (size_t)i * n;
            double s = 0.0;
            for (int j = 0; j < n; j++)
                s += row[j] * u[j];
            y[i] = s;
        }
    } else {
        for (int j = 0; j < n; j++)
            y[j] = 0.0;
        for (int i = 0; i < n; i++) {
            const double *row = M + (size_t)i * n;
            double ui = u[i];
            for (int j = 0; j < n; j++)
                y[j] += row[j] * ui;
        }
    }
}

void ps_matvec_blas(int n, int trans, const double *M, const double *u, double *y)
{
    cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, n, n, 1.0, M, n, u, 1,
                0.0, y, 1);
}

