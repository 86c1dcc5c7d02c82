/* exam-engine: IRT models (1PL, 2PL, 3PL with D, GPCM): probabilities, log-likelihood and
 * derivatives, Fisher information; numerically stable for extreme theta and parameters. */
#include "cat_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char cat_errbuf[256];

void cat_error_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cat_errbuf, sizeof cat_errbuf, fmt, ap);
	va_end(ap);
}

const char *cat_error_last(void) { return cat_errbuf; }

/* Logistic evaluated on the side where cat_exp() cannot overflow. */
double cat_logistic(double z)
{
	if (z >= 0)
		return 1.0 / (1.0 + cat_exp(-z));
	double e = cat_exp(z);
	return e / (1.0 + e);
}

double cat_prob_ad(double a, double d, double c, double theta)
{
	return c + (1.0 - c) * cat_logistic(a * theta + d);
}

/* cat_log(logistic(z)) without cancellation: -cat_log1p(cat_exp(-z)). */
double cat_log_logistic(double z)
{
	if (z >= 0)
		return -cat_log1p(cat_exp(-z));
	return z - cat_log1p(cat_exp(z));
}

#define CAT_LOG_FLOOR (-1e6)

static double cat_z(const struct cat_item *it, double theta)
{
	double z = it->D * it->a * (theta - it->b);
	/* Beyond |z| = 700 cat_exp() over/underflows; the model is saturated well before that. */
	if (z > 700) z = 700;
	if (z < -700) z = -700;
	return z;
}

/* GPCM category log-numerators z_k and the log normaliser; returns logsumexp. */
static double cat_gpcm_z(const struct cat_item *it, double theta, double *z)
{
	double da = it->D * it->a, mx = 0;
	z[0] = 0;
	for (int k = 1; k <= it->nsteps; k++) {
		double t = theta - it->steps[k - 1];
		z[k] = z[k - 1] + da * t;
		if (z[k] > mx) mx = z[k];
	}
	double s = 0;
	for (int k = 0; k <= it->nsteps; k++)
		s += cat_exp(z[k] - mx);
	return mx + cat_log(s);
}

void cat_prob_cats(const struct cat_item *it, double theta, double *out)
{
	if (it->model == CAT_GPCM) {
		double z[CAT_MAX_STEPS + 1];
		double lse = cat_gpcm_z(it, theta, z);
		for (int k = 0; k <= it->nsteps; k++)
			out[k] = cat_exp(z[k] - lse);
		return;
	}
	double p = cat_prob(it, theta);
	out[0] = 1.0 - p;
	out[1] = p;
}

double cat_prob(const struct cat_item *it, double theta)
{
	if (it->model == CAT_GPCM) {
		double pk[CAT_MAX_STEPS + 1], e = 0;
		cat_prob_cats(it, theta, pk);
		for (int k = 1; k <= it->nsteps; k++)
			e += k * pk[k];
		e /= it->nsteps;
		return e > 1.0 ? 1.0 : e;
	}
	double psi = cat_logistic(cat_z(it, theta));
	double c = it->model == CAT_3PL ? it->c : 0.0;
	double p = c + (1.0 - c) * psi;
	return p > 1.0 ? 1.0 : p;
}

double cat_loglik(const struct cat_item *it, double theta, int x)
{
	double l;
	if (it->model == CAT_GPCM) {
		double z[CAT_MAX_STEPS + 1];
		double lse = cat_gpcm_z(it, theta, z);
		if (x < 0 || x > it->nsteps)
			return CAT_LOG_FLOOR;
		l = z[x] - lse;
	} else {
		double z = cat_z(it, theta);
		double c = it->model == CAT_3PL ? it->c : 0.0;
		if (x) {
			if (c > 0)
				l = cat_log(c + (1.0 - c) * cat_logistic(z));
			else
				l = cat_log_logistic(z);
		} else {
			l = cat_log1p(-c) + cat_log_logistic(-z);
		}
	}
	if (!(l > CAT_LOG_FLOOR))
		l = CAT_LOG_FLOOR;
	return l;
}

void cat_item_terms(const struct cat_item *it, double theta, int x, double *d1, double *d2,
                    double *info, double *jterm)
{
	double da = it->D * it->a;
	if (it->model == CAT_GPCM) {
		double z[CAT_MAX_STEPS + 1], m1 = 0, m2 = 0, m3 = 0;
		double lse = cat_gpcm_z(it, theta, z);
		double p[CAT_MAX_STEPS + 1];
		for (int k = 0; k <= it->nsteps; k++) {
			p[k] = cat_exp(z[k] - lse);
			m1 += k * p[k];
		}
		for (int k = 0; k <= it->nsteps; k++) {
			double dv = k - m1;
			m2 += dv * dv * p[k];
			m3 += dv * dv * dv * p[k];
		}
		if (d1) *d1 = da * (x - m1);
		if (d2) *d2 = -da * da * m2;
		if (info) *info = da * da * m2;
		if (jterm) *jterm = da * da * da * m3;
		return;
	}
	double psi = cat_logistic(cat_z(it, theta));
	double c = it->model == CAT_3PL ? it->c : 0.0;
	double P = c + (1.0 - c) * psi;
	double pq = psi * (1.0 - psi);
	/* I = (Da)^2 (1-c) psi^2 (1-psi) / P: no division by a vanishing Q. */
	double inf = P > 0 ? da * da * (1.0 - c) * psi * psi * (1.0 - psi) / P : 0.0;
	if (info) *info = inf;
	if (jterm) *jterm = inf * da * (1.0 - 2.0 * psi);
	if (x) {
		double r = P > 0 ? (1.0 - c) * pq / P : 0.0; /* P'/(Da P) */
		if (d1) *d1 = da * r;
		if (d2) {
			double pp = P > 0 ? (1.0 - c) * pq * (1.0 - 2.0 * psi) / P : 0.0; /* P''/(Da^2 P) */
			*d2 = da * da * (pp - r * r);
		}
	} else {
		if (d1) *d1 = -da * psi;
		if (d2) *d2 = -da * da * pq;
	}
}

void cat_loglik_deriv(const struct cat_item *it, double theta, int x, double *out_d1, double *out_d2)
{
	cat_item_terms(it, theta, x, out_d1, out_d2, NULL, NULL);
}

double cat_info(const struct cat_item *it, double theta)
{
	double i;
	cat_item_terms(it, theta, 0, NULL, NULL, &i, NULL);
	return i;
}

int cat_item_check(const struct cat_item *it)
{
	if (it->model < CAT_1PL || it->model > CAT_GPCM) {
		cat_error_set("unknown model");
		return CAT_EINVAL;
	}
	if (!isfinite(it->a) || !isfinite(it->b) || !isfinite(it->c) || !isfinite(it->D)) {
		cat_error_set("parameters must be finite numbers");
		return CAT_EINVAL;
	}
	if (!(it->a > 0 && it->a <= 20)) {
		cat_error_set("slope a must be in (0, 20]");
		return CAT_EINVAL;
	}
	if (!(it->D > 0 && it->D <= 4)) {
		cat_error_set("scaling constant D must be in (0, 4]");
		return CAT_EINVAL;
	}
	if (fabs(it->b) > 20) {
		cat_error_set("difficulty b must be in [-20, 20]");
		return CAT_EINVAL;
	}
	if (!(it->c >= 0 && it->c < 1) || (it->model != CAT_3PL && it->c != 0)) {
		cat_error_set("guessing c must be in [0, 1) and 0 unless the model is 3pl");
		return CAT_EINVAL;
	}
	if (it->model == CAT_GPCM) {
		if (it->nsteps < 1 || it->nsteps > CAT_MAX_STEPS) {
			cat_error_set("gpcm needs 1..%d steps", CAT_MAX_STEPS);
			return CAT_EINVAL;
		}
		for (int k = 0; k < it->nsteps; k++)
			if (!isfinite(it->steps[k]) || fabs(it->steps[k]) > 20) {
				cat_error_set("gpcm step %d must be a finite number in [-20, 20]", k + 1);
				return CAT_EINVAL;
			}
	} else if (it->nsteps != 1) {
		cat_error_set("dichotomous items have exactly one step");
		return CAT_EINVAL;
	}
	return 0;
}

/* ---- small shared utilities ---- */

uint64_t cat_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void cat_rng_seed(struct cat_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		seed = cat_mix64(seed);
		r->s[i] = seed;
	}
	if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
		r->s[0] = 1;
}

static uint64_t cat_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t cat_rng_next(struct cat_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = cat_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
	s[2] ^= t; s[3] = cat_rotl(s[3], 45);
	return out;
}

double cat_rng_uniform(struct cat_rng *r) { return (double)(cat_rng_next(r) >> 11) * 0x1.0p-53; }

double cat_rng_normal(struct cat_rng *r)
{
	double u1 = 1.0 - cat_rng_uniform(r), u2 = cat_rng_uniform(r);
	return sqrt(-2.0 * cat_log(u1)) * cos(6.283185307179586 * u2);
}

uint32_t cat_rng_below(struct cat_rng *r, uint32_t n)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % n, v;
	do v = cat_rng_next(r); while (v >= lim);
	return (uint32_t)(v % n);
}

uint64_t cat_fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
