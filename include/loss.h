/* loss.h — the loss-term registry (SPEC.md section 3).
 *
 * Four terms, each a forward (value) / backward (gradient) pair over plain
 * arrays.  The mask only selects coefficients (ps_loss_coefs); no term is
 * special-cased anywhere else.  Activation terms (fit, overlap) add to dA
 * (N*N) and gv (N); prototype terms (coverage, separation) add to gp (N).
 * The model's backward pass chains these to w, b, v.
 *
 * With P = N(N-1)/2 pairs, N = 1 has no pairs: L_ovl = L_sep = 0.
 */
#ifndef PS_LOSS_H
#define PS_LOSS_H
#include <stdint.h>

enum { PS_TERM_FIT, PS_TERM_OVL, PS_TERM_COV, PS_TERM_SEP, PS_NTERMS };

typedef struct {
    int N;
    const double *x, *y;   /* data, N each */
    const double *a, *f;   /* activations N*N, outputs N (model forward) */
    const double *v;       /* output weights, N */
    const double *p;       /* prototypes, N */
    double tau;
    int *jstar;            /* N: coverage argmin per input, written by coverage forward */
    double *pair_exp;      /* N*N: exp(-(p_j - p_k)^2 / tau) for j < k, written by separation
                            * forward so that backward needs no second exp() */
} ps_loss_ctx;

typedef struct {
    double *dA, *gv, *gp;  /* accumulated: N*N, N, N */
} ps_loss_grad;

typedef struct {
    const char *name;
    double (*forward)(ps_loss_ctx *c);
    /* Add coef * d(term) to g; call after forward on the same ctx. */
    void (*backward)(const ps_loss_ctx *c, double coef, ps_loss_grad *g);
} ps_loss_term;

extern const ps_loss_term ps_loss_terms[PS_NTERMS];

/* coef[term] for L = L_fit + lambda (alpha L_ovl + beta L_cov + gamma L_sep);
 * mask bits: 4 = overlap (alpha), 2 = coverage (beta), 1 = separation (gamma). */
void ps_loss_coefs(uint8_t mask, double lambda, double coef[PS_NTERMS]);

/* Forward every term with a non-zero coef (all when all_terms), store values
 * in val (unused terms: 0 unless all_terms) and return the weighted total. */
double ps_loss_forward(ps_loss_ctx *c, const double coef[PS_NTERMS], int all_terms,
                       double val[PS_NTERMS]);

/* Zero g, then add every active term's gradient. */
void ps_loss_backward(const ps_loss_ctx *c, const double coef[PS_NTERMS], ps_loss_grad *g);

#endif
