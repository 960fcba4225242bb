/* progress.c — terminal bar / batch log lines; see include/progress.h. */
#include "progress.h"
#include <time.h>
#include <unistd.h>

double ps_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void ps_progress_start(ps_progress *p, FILE *out, const char *label, size_t total,
                       double cost_total, int quiet, double log_interval_s)
{
    p->cost_total = cost_total;
    p->cost_done = 0.0;
    p->out = out;
    p->tty = isatty(fileno(out));
    p->quiet = quiet;
    p->total = total;
    p->done = 0;
    p->t0 = p->last = ps_now();
    p->interval = p->tty ? 0.2 : (log_interval_s > 0 ? log_interval_s : 5.0);
    p->label = label;
}

static void show(ps_progress *p, double now, int final)
{
    double el = now - p->t0, rate = el > 0 ? (double)p->done / el : 0.0;
    double frac = p->cost_total > 0 ? p->cost_done / p->cost_total : 1.0;
    double eta = frac > 0 ? el * (1.0 - frac) / frac : 0.0;
    if (p->tty) {
        char bar[31];
        int fill = (int)(frac * 30);
        for (int k = 0; k < 30; k++)
            bar[k] = k < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(p->out, "\r%s [%s] %zu/%zu runs  %.1f runs/s  ETA %.0fs ", p->label, bar,
                p->done, p->total, rate, eta);
        if (final)
            fputc('\n', p->out);
    } else {
        fprintf(p->out, "%s: %zu/%zu runs (%.1f%% of the work), %.1f runs/s, elapsed %.0fs, ETA %.0fs\n",
                p->label, p->done, p->total, 100.0 * frac, rate, el, eta);
    }
    fflush(p->out);
}

void ps_progress_update(ps_progress *p, size_t done, double cost_done)
{
    p->done = done;
    p->cost_done = cost_done;
    if (p->quiet)
        return;
    double now = ps_now();
    if (now - p->last >= p->interval) {
        p->last = now;
        show(p, now, 0);
    }
}

void ps_progress_finish(ps_progress *p)
{
    if (!p->quiet)
        show(p, ps_now(), 1);
}
