/* progress.h — progress of long work: a one-line bar on a terminal (runs done /
 * total, runs/s, ETA), plain log lines every few seconds otherwise (batch jobs).
 * The ETA comes from the estimated cost done, not the run count: the sweep runs
 * the most expensive runs first, so a count-based ETA would be far too long.
 * Not thread-safe: call it from the writer's critical section only.
 */
#ifndef PS_PROGRESS_H
#define PS_PROGRESS_H
#include <stdio.h>
#include <stddef.h>

typedef struct {
    FILE *out;
    int tty, quiet;
    size_t total, done;
    double cost_total, cost_done;
    double t0, last, interval;
    const char *label;
} ps_progress;

void ps_progress_start(ps_progress *p, FILE *out, const char *label, size_t total,
                       double cost_total, int quiet, double log_interval_s);
void ps_progress_update(ps_progress *p, size_t done, double cost_done);
void ps_progress_finish(ps_progress *p);

/* Monotonic seconds. */
double ps_now(void);

#endif
