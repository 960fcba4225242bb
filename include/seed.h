/* seed.h — per-run seeds and GSL generators (SPEC.md section 6).
 *
 * A dataset depends only on (master_seed, N, dataset); initial parameters only
 * on (master_seed, N, dataset, init).  Each seed is splitmix64 folded over a
 * domain tag and the tuple, so seeds do not depend on the grid, its order,
 * the thread count or the shard.
 *
 * Generator: GSL's mt19937.  GSL seeds it from 32 bits only, so the 64-bit
 * seed is folded (hi ^ lo); two different tuples share a stream with
 * probability about n^2 / 2^33 over n datasets of one N — documented, and
 * irrelevant at the paper's scale.  Draw order: x (N uniforms, then sorted),
 * then y (N uniforms); w (N Gaussians), then v (N Gaussians).
 */
#ifndef PS_SEED_H
#define PS_SEED_H
#include <stdint.h>
#include <gsl/gsl_rng.h>

uint64_t ps_seed_mix(uint64_t h, uint64_t v);
uint64_t ps_seed_data(uint64_t master, int N, int dataset);
uint64_t ps_seed_init(uint64_t master, int N, int dataset, int init);

/* Reseed r (an mt19937 from ps_rng_alloc) with a 64-bit seed. */
gsl_rng *ps_rng_alloc(void);
void ps_rng_seed(gsl_rng *r, uint64_t seed);

#endif
