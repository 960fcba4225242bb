/* seed.c — splitmix64 seed derivation and GSL generators; see include/seed.h. */
#include "seed.h"

/* Domain tags keep the data and init streams apart even for equal tuples. */
#define TAG_DATA 0x6461746173656564ULL /* "dataseed" */
#define TAG_INIT 0x696e697473656564ULL /* "initseed" */

/* One splitmix64 round over h + v: a bijective, well-mixed 64-bit fold. */
uint64_t ps_seed_mix(uint64_t h, uint64_t v)
{
    uint64_t z = h + v + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t ps_seed_data(uint64_t master, int N, int dataset)
{
    uint64_t h = ps_seed_mix(master, TAG_DATA);
    h = ps_seed_mix(h, (uint64_t)(uint32_t)N);
    return ps_seed_mix(h, (uint64_t)(uint32_t)dataset);
}

uint64_t ps_seed_init(uint64_t master, int N, int dataset, int init)
{
    uint64_t h = ps_seed_mix(master, TAG_INIT);
    h = ps_seed_mix(h, (uint64_t)(uint32_t)N);
    h = ps_seed_mix(h, (uint64_t)(uint32_t)dataset);
    return ps_seed_mix(h, (uint64_t)(uint32_t)init);
}

gsl_rng *ps_rng_alloc(void)
{
    return gsl_rng_alloc(gsl_rng_mt19937);
}

void ps_rng_seed(gsl_rng *r, uint64_t seed)
{
    /* mt19937 takes 32 bits; 0 would select GSL's default seed, so avoid it. */
    unsigned long s = (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffULL);
    gsl_rng_set(r, s ? s : 0x9e3779b9UL);
}
