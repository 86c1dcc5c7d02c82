/* item-bank: simulated response data with known item parameters, for
 * recovery tests and benchmarks (deterministic for a seed). */
#ifndef IB_SIM_H
#define IB_SIM_H

#include "ib_data.h"
#include "ib_params.h"

#include <stdint.h>

struct ib_sim_opts {
	size_t n_persons;
	size_t n_items;
	size_t per_person;      /* items answered by each person; 0 = all (dense) */
	enum ib_model model;    /* rasch/1pl: a = 1; 2pl: a ~ lognormal(0, .25); 3pl: c ~ U(.1, .25) */
	uint64_t seed;
};

/* Simulate: θ ~ N(0, 1), b ~ N(0, 1) clamped to [-2.5, 2.5]. Sparse persons
 * answer per_person distinct items drawn at random. *out_data is new
 * (ib_data_free); *out_par (n_items) and *out_theta (n_persons, may be NULL)
 * are malloc'd, caller frees. */
int ib_sim(struct ib_data **out_data, struct ib_item_par **out_par, double **out_theta,
           const struct ib_sim_opts *opts);

/* A small deterministic PRNG (xoshiro256**) others may share. */
struct ib_rng {
	uint64_t s[4];
};
void ib_rng_seed(struct ib_rng *r, uint64_t seed);
uint64_t ib_rng_next(struct ib_rng *r);
/* Uniform in [0, 1). */
double ib_rng_unif(struct ib_rng *r);
/* Standard normal. */
double ib_rng_norm(struct ib_rng *r);

#endif
