/* matvec.c — y = M u and y = M^T u for a square row-major matrix, two ways.
 *
 * The model needs two N x N matrix-vector products per step (f = A v,
 * dw = dZ^T x).  `make bench` times both variants side by side (matvec_us,
 * the mean of the two directions).  Measured on this project's 2-core VM, one
 * thread: N = 10 plain 0.048 us vs OpenBLAS 0.070 us (plain wins); N = 100
 * plain 2.66 us vs OpenBLAS 1.31 us (OpenBLAS wins by ~2.7 us per step, 1.4%
 * of a ~190 us Adam step, which the N^2 exp() calls dominate).  The model uses
 * the plain loops: they win at small N, cost ~1.4% at N = 100, and add no
 * CPU-dependent kernel, whereas OpenBLAS picks its kernel (and FMA use) by CPU
 * at run time, so shards run on mixed nodes could differ in the last bits.
 * (glibc's exp() also has an FMA variant chosen by CPU: bit-identity is
 * promised on one build and one kind of node, SPEC.md section 6.)
 * Build with -DPS_MATVEC=ps_matvec_blas to switch.
 */
#include "model.h"
#include <cblas.h>

void ps_matvec_plain(int n, int trans, const double *restrict M, const double *restrict u,
                     double *restrict y)
{
    if (!trans) {
        /* Four partial sums: a single accumulator is bound by the add latency
         * (the compiler may not reassociate without -ffast-math, which we
         * refuse); a fixed split keeps the result deterministic. */
        for (int i = 0; i < n; i++) {
            const double *row = M + (size_t)i * n;
            double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
            int j = 0;
            for (; j + 4 <= n; j += 4) {
                s0 += row[j] * u[j];
                s1 += row[j + 1] * u[j + 1];
                s2 += row[j + 2] * u[j + 2];
                s3 += row[j + 3] * u[j + 3];
            }
            for (; j < n; j++)
                s0 += row[j] * u[j];
            y[i] = (s0 + s1) + (s2 + s3);
        }
    } else {
        for (int j = 0; j < n; j++)
            y[j] = 0.0;
        for (int i = 0; i < n; i++) {
            const double *row = M + (size_t)i * n;
            double ui = u[i];
            /* independent lanes, same operations per y[j]: vectorising keeps the bits */
            #pragma omp simd
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

