/* config.h — the one config schema (SPEC.md section 7), parsed with libconfig.
 *
 * ps_config is a plain struct of validated values: every key of the file is
 * known, typed and range-checked here and nowhere else.  Missing keys take the
 * paper's defaults (SPEC.md sections 4, 6).  `grid.lambda`, `grid.tau`,
 * `train.lr`, `train.epochs` (and `grid.N`, `grid.masks`) may be a scalar or a
 * list; a list is a sweep axis.  Errors name file, line, key and what was
 * expected, with code PS_EINPUT.
 *
 * The hash covers the parsed values (not comments or spacing): two configs with
 * the same hash produce the same runs with the same results.
 */
#ifndef PS_CONFIG_H
#define PS_CONFIG_H
#include <stddef.h>
#include <stdint.h>
#include "error.h"

typedef struct {
    char *name;                 /* file path, or "<embedded data/paper.cfg>" */
    char *text;                 /* the config text as read */
    uint64_t hash;              /* of the parsed values */
    uint64_t master_seed;
    int *N;          size_t nN;
    int datasets, inits;
    uint8_t *masks;  size_t nmasks;
    double *lambda;  size_t nlambda;
    double *tau;     size_t ntau;
    double *lr;      size_t nlr;
    int *epochs;     size_t nepochs;
    double beta1, beta2, adam_eps, w_min;
    double w_std, b, v_std;
    double min_sep, min_sep_scale;
} ps_config;

/* The paper's grid, compiled into the program from data/paper.cfg. */
extern const char ps_default_config[];

int ps_config_load_file(ps_config *c, const char *path, ps_error *err);
int ps_config_load_string(ps_config *c, const char *text, const char *name, ps_error *err);
void ps_config_free(ps_config *c);

/* Minimum input separation d = min(min_sep, min_sep_scale / N) (SPEC.md section 1). */
double ps_config_min_sep(const ps_config *c, int N);

/* "010" <-> 2.  Parse returns 0 on success, -1 on anything but three 0/1 characters. */
int ps_mask_parse(const char *s, uint8_t *mask);
void ps_mask_format(uint8_t mask, char out[4]);

#endif
