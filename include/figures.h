/* figures.h — the paper's seven figures, rendered with gnuplot from a runset.
 *
 * For each figure k the renderer writes into the output directory the data it
 * plots (figK_*.dat), the gnuplot script (figK_*.gp, kept so that users can
 * restyle and re-run it: `cd DIR && gnuplot figK_*.gp`), gnuplot's messages
 * (figK_*.log) and the images figK_*.png (+ figK_*.svg).  gnuplot is run as a
 * child process in DIR; its exit status is checked and a PNG must appear.
 *
 * Which runs a figure shows (see ps_figures_setting and analysis/figures.c):
 *  - Figures 1, 2, 3, 5, 6, 7 use the "main setting": the (lambda, tau, lr,
 *    epochs) covering the most (N, mask) cells, ties broken towards the SPEC
 *    defaults (lambda 0.05, tau 0.01), then the first.
 *  - Figure 4 (tau sweep) uses mask 001 (else the lowest mask with a sweep) at
 *    the N with the most tau values (ties: N = 30, the paper's, then largest N).
 *  - Figures 3 and 7 show the lower-median-E run of a cell; Figure 7 shows the
 *    runs of 010 and 111 on the dataset and init of that 000 run.  When the
 *    paper's N (100, resp. 5) is absent the nearest N present is used and the
 *    figure's note says so.
 *  - Error bars are +- 1 sample SD over the usable runs of a cell; Figure 6
 *    pools the runs of the four masks of a family.
 * A figure whose data the runset lacks (no tau sweep, a mask missing) is not an
 * error: it is skipped and its note says why.
 *
 * gnuplot: the program is o->gnuplot, else $PROTOSWEEP_GNUPLOT, else "gnuplot"
 * on PATH; pngcairo is used when the build has it (else png), svg for vectors.
 */
#ifndef PS_FIGURES_H
#define PS_FIGURES_H
#include <stdio.h>
#include "error.h"
#include "runset.h"

#define PS_NFIGURES 7

typedef struct {
    const char *outdir;   /* created (one level) if missing */
    const char *gnuplot;  /* NULL: $PROTOSWEEP_GNUPLOT, else "gnuplot" */
    int svg;              /* also write figK_*.svg */
} ps_figures_opts;

typedef struct {
    int made;             /* 1: DIR/<stem>.png written (and .svg when asked) */
    char stem[48];        /* file name without extension, e.g. "fig1_E_vs_N" */
    char caption[256];    /* what the figure shows (the paper's figure number first) */
    char note[320];       /* why it was skipped, or a substitution made; "" if none */
} ps_figure_info;

/* The hyper-parameters other than N and mask that a group is at. */
typedef struct {
    double lambda, tau, lr;
    int32_t epochs;
} ps_setting;

/* The main setting of gs (rule above); PS_EINPUT when gs has no usable run. */
int ps_figures_setting(const ps_runset *rs, const ps_groupset *gs, ps_setting *s,
                       ps_error *err);
/* 1 when g is at setting s (floats compared with relative tolerance 1e-9). */
int ps_setting_match(const ps_setting *s, const ps_group *g);

/* "010 (cov)": the mask string and what it switches on; "?" outside 0..7. */
const char *ps_figures_mask_label(unsigned mask);

/* Summary of metric m over the usable runs of mask in g; buf holds g->nruns[mask]. */
ps_summary ps_group_summary(const ps_runset *rs, const ps_group *g, unsigned mask, int m,
                            double *buf);

/* The tau sweep (rule above): up to nmax groups of one (N, lambda, lr, epochs)
 * in increasing tau, each holding *mask; returns how many (0: no sweep, i.e.
 * fewer than two tau values). */
size_t ps_figures_tau_sweep(const ps_runset *rs, const ps_groupset *gs, unsigned *mask,
                            const ps_group **out, size_t nmax);

/* Render the seven figures; info[k] describes figure k + 1.  Returns PS_EINPUT
 * for an empty runset or an unusable output directory, PS_EFAIL when gnuplot
 * cannot be run or fails (message names the figure and its log file).  A
 * skipped figure is not a failure. */
int ps_figures_render(const ps_runset *rs, const ps_figures_opts *o,
                      ps_figure_info info[PS_NFIGURES], ps_error *err);

/* `protostat figures`: render, then print one line per figure to log
 * ("figure 1: DIR/fig1_E_vs_N.png" or "figure 4: skipped: <note>"). */
int ps_figures_run(const ps_runset *rs, const ps_figures_opts *o, FILE *log, ps_error *err);

#endif
