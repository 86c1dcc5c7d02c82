/* item-bank: simulated dichotomous response data with known parameters. */
#include "ib_sim.h"

#include "rs_error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ib_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void ib_rng_seed(struct ib_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		r->s[i] = z ^ (z >> 31);
	}
}

uint64_t ib_rng_next(struct ib_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = ib_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = ib_rotl(s[3], 45);
	return res;
}

double ib_rng_unif(struct ib_rng *r)
{
	return (double)(ib_rng_next(r) >> 11) * 0x1.0p-53;
}

double ib_rng_norm(struct ib_rng *r)
{
	double u1 = ib_rng_unif(r), u2 = ib_rng_unif(r);
	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

int ib_sim(struct ib_data **out_data, struct ib_item_par **out_par, double **out_theta,
           const struct ib_sim_opts *o)
{
	size_t N = o->n_persons, J = o->n_items;
	size_t k = o->per_person && o->per_person < J ? o->per_person : J;
	struct ib_data *d = NULL;
	struct ib_item_par *par = calloc(J ? J : 1, sizeof *par);
	double *theta = malloc((N ? N : 1) * sizeof *theta);
	uint32_t *mark = malloc((J ? J : 1) * sizeof *mark);
	int rc = 0;
	struct ib_rng rng;
	if (!N || !J || N > IB_MAX_PERSONS || J > IB_MAX_ITEMS) {
		rs_error_set("simulation needs 1..%u persons and 1..%u items", IB_MAX_PERSONS,
		             IB_MAX_ITEMS);
		rc = RS_EINVAL;
		goto done;
	}
	if (!par || !theta || !mark) {
		rs_error_set("out of memory simulating data");
		rc = RS_ENOMEM;
		goto done;
	}
	if ((rc = ib_data_alloc(&d, N, J, N * k)))
		goto done;
	ib_rng_seed(&rng, o->seed);
	for (size_t j = 0; j < J; j++) {
		struct ib_item_par *p = &par[j];
		p->a = o->model >= IB_2PL ? exp(0.25 * ib_rng_norm(&rng)) : 1.0;
		double b = ib_rng_norm(&rng);
		p->b = b < -2.5 ? -2.5 : b > 2.5 ? 2.5 : b;
		p->c = o->model == IB_3PL ? 0.1 + 0.15 * ib_rng_unif(&rng) : 0.0;
		p->d = -p->a * p->b;
		p->se_a = p->se_b = p->se_c = p->cov_ab = NAN;
		mark[j] = UINT32_MAX;
	}
	size_t pos = 0;
	for (size_t i = 0; i < N; i++) {
		theta[i] = ib_rng_norm(&rng);
		d->row_start[i] = pos;
		for (size_t t = 0; t < k; t++) {
			size_t j = t;
			if (k < J) {
				do
					j = (size_t)(ib_rng_unif(&rng) * (double)J);
				while (mark[j] == (uint32_t)i);
				mark[j] = (uint32_t)i;
			}
			double P = ib_prob(&par[j], theta[i]);
			d->resp[pos++] = IB_RESP(j, ib_rng_unif(&rng) < P);
		}
	}
	d->row_start[N] = pos;
done:
	free(mark);
	if (rc) {
		free(par);
		free(theta);
		ib_data_free(d);
		return rc;
	}
	*out_data = d;
	*out_par = par;
	if (out_theta)
		*out_theta = theta;
	else
		free(theta);
	return 0;
}
