/* item-bank: the S-X² item-fit statistic (Orlando & Thissen, 2000) and the
 * chi-square upper tail it is read against.
 *
 * For item i and summed score k the observed proportion correct among persons
 * with score k is compared with the model's
 *     E_ik = ∫ P_i(θ) f*_{-i}(k-1 | θ) g(θ) dθ / ∫ f(k | θ) g(θ) dθ,
 * where f(k | θ) is the summed-score likelihood of all items and f*_{-i} that of
 * the others, both by the Lord–Wingersky recursion, and g the latent density
 * N(mean, sd) on a 61-point grid. Score groups 1..n-1 are pooled from the low end
 * until each pooled group expects at least IB_SX2_MINCELL right and wrong
 * answers (the rest joins the last group); then
 *     S-X²_i = Σ_g N_g (O_g - E_g)² / (E_g (1 - E_g)),  df = groups - parameters.
 * Only persons who answered every item count (a summed score needs the whole
 * form), so the statistic is for fixed forms, not CAT data. */
#include "ib_analysis.h"

#include "rs_error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define IB_SX2_QUAD 61
#define IB_SX2_MINCELL 1.0

/* Regularised upper incomplete gamma Q(s, x): a series below s + 1, Lentz's
 * continued fraction above (both to 1e-14 relative). */
static double ib_gamma_q(double s, double x)
{
	if (!(x > 0))
		return 1;
	double lg = s * log(x) - x - lgamma(s);
	if (x < s + 1) {
		double term = 1 / s, sum = term;
		for (int n = 1; n < 1000; n++) {
			term *= x / (s + n);
			sum += term;
			if (fabs(term) < fabs(sum) * 1e-15)
				break;
		}
		double p = sum * exp(lg);
		return p >= 1 ? 0 : 1 - p;
	}
	double b = x + 1 - s, c = 1 / 1e-300, d = 1 / b, h = d;
	for (int n = 1; n < 1000; n++) {
		double an = -n * (n - s);
		b += 2;
		d = an * d + b;
		if (fabs(d) < 1e-300)
			d = 1e-300;
		c = b + an / c;
		if (fabs(c) < 1e-300)
			c = 1e-300;
		d = 1 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-15)
			break;
	}
	return exp(lg) * h;
}

double ib_chi2_upper(double x, int df)
{
	if (df <= 0 || isnan(x))
		return NAN;
	return ib_gamma_q(0.5 * df, 0.5 * x);
}

/* f[k], k = 0..n: probability of summed score k at one θ given the items'
 * probabilities p[0..n-1] (Lord–Wingersky), skipping index skip (or none: -1). */
static void ib_lw(double *f, const double *p, size_t n, long skip)
{
	size_t m = 0;
	f[0] = 1;
	for (size_t j = 0; j < n; j++) {
		if ((long)j == skip)
			continue;
		f[m + 1] = f[m] * p[j];
		for (size_t k = m; k > 0; k--)
			f[k] = f[k] * (1 - p[j]) + f[k - 1] * p[j];
		f[0] *= 1 - p[j];
		m++;
	}
}

int ib_sx2_expected(double *e, const struct ib_item_par *par, size_t J, double mean, double sd)
{
	const size_t Q = IB_SX2_QUAD;
	if (J < 1 || J > IB_SX2_MAX_ITEMS || !(sd > 0)) {
		rs_error_set("S-X2 needs 1 to %d items and a positive latent SD (got %zu items)", IB_SX2_MAX_ITEMS, J);
		return RS_EINVAL;
	}
	double *p = malloc(Q * J * sizeof *p), *w = malloc(Q * sizeof *w);
	double *f = malloc((J + 1) * sizeof *f), *den = calloc(J + 1, sizeof *den);
	if (!p || !w || !f || !den) {
		free(p);
		free(w);
		free(f);
		free(den);
		rs_error_set("out of memory computing S-X2");
		return RS_ENOMEM;
	}
	double wsum = 0;
	for (size_t q = 0; q < Q; q++) {
		double z = -6 + 12.0 * (double)q / (double)(Q - 1);
		w[q] = exp(-0.5 * z * z);
		wsum += w[q];
		for (size_t j = 0; j < J; j++)
			p[q * J + j] = ib_prob(&par[j], mean + sd * z);
	}
	for (size_t q = 0; q < Q; q++) {
		w[q] /= wsum;
		ib_lw(f, p + q * J, J, -1);
		for (size_t k = 0; k <= J; k++)
			den[k] += w[q] * f[k];
	}
	memset(e, 0, (J + 1) * J * sizeof *e);
	for (size_t j = 0; j < J; j++)
		for (size_t q = 0; q < Q; q++) {
			ib_lw(f, p + q * J, J, (long)j);
			for (size_t k = 1; k <= J; k++)
				e[k * J + j] += w[q] * p[q * J + j] * f[k - 1];
		}
	for (size_t k = 0; k <= J; k++)
		for (size_t j = 0; j < J; j++)
			e[k * J + j] = den[k] > 0 ? e[k * J + j] / den[k] : 0;
	free(p);
	free(w);
	free(f);
	free(den);
	return 0;
}

int ib_sx2(struct ib_sx2 **out, const struct ib_data *d, const struct ib_item_par *par, const int *n_par,
           double mean, double sd)
{
	const size_t J = d->n_items, N = d->n_persons;
	if (J < 3 || J > IB_SX2_MAX_ITEMS || !(sd > 0)) {
		rs_error_set("S-X2 needs 3 to %d items and a positive latent SD (got %zu items)", IB_SX2_MAX_ITEMS, J);
		return RS_EINVAL;
	}
	int rc = 0;
	struct ib_sx2 *r = calloc(J, sizeof *r);
	double *nk = calloc(J + 1, sizeof *nk), *ok = calloc((J + 1) * J, sizeof *ok);
	double *e = malloc((J + 1) * J * sizeof *e);
	uint8_t *seen = malloc(J);
	if (!r || !nk || !ok || !e || !seen) {
		rs_error_set("out of memory computing S-X2");
		rc = RS_ENOMEM;
		goto done;
	}
	/* Observed: persons with every item, by summed score. */
	double n_complete = 0;
	for (size_t i = 0; i < N; i++) {
		if (d->row_start[i + 1] - d->row_start[i] != J)
			continue;
		memset(seen, 0, J);
		size_t score = 0, distinct = 0;
		for (size_t k = d->row_start[i]; k < d->row_start[i + 1]; k++) {
			uint32_t j = IB_RESP_ITEM(d->resp[k]);
			distinct += !seen[j];
			seen[j] = 1;
			score += IB_RESP_SCORE(d->resp[k]) ? 1 : 0;
		}
		if (distinct != J)
			continue;
		double wt = d->weight[i];
		nk[score] += wt;
		n_complete += wt;
		for (size_t k = d->row_start[i]; k < d->row_start[i + 1]; k++)
			if (IB_RESP_SCORE(d->resp[k]))
				ok[score * J + IB_RESP_ITEM(d->resp[k])] += wt;
	}
	if ((rc = ib_sx2_expected(e, par, J, mean, sd)))
		goto done;
	for (size_t j = 0; j < J; j++) {
		struct ib_sx2 *o = &r[j];
		o->n = n_complete;
		o->sx2 = o->p = NAN;
		o->df = 0;
		/* Pool score groups from the low end until both expected cells reach the minimum. */
		double gn = 0, go = 0, ge = 0, stat = 0;
		double last_n = 0, last_o = 0, last_e = 0;
		int groups = 0;
		for (size_t k = 1; k < J; k++) {
			gn += nk[k];
			go += ok[k * J + j];
			ge += nk[k] * e[k * J + j];
			if (ge >= IB_SX2_MINCELL && gn - ge >= IB_SX2_MINCELL) {
				if (groups > 0) {
					double O = last_o / last_n, E = last_e / last_n;
					stat += last_n * (O - E) * (O - E) / (E * (1 - E));
				}
				last_n = gn;
				last_o = go;
				last_e = ge;
				groups++;
				gn = go = ge = 0;
			}
		}
		if (groups == 0)
			continue;
		/* What is left joins the last group. */
		last_n += gn;
		last_o += go;
		last_e += ge;
		double O = last_o / last_n, E = last_e / last_n;
		stat += last_n * (O - E) * (O - E) / (E * (1 - E));
		o->groups = groups;
		o->df = groups - (n_par ? n_par[j] : 2);
		o->sx2 = stat;
		o->p = o->df > 0 ? ib_chi2_upper(stat, o->df) : NAN;
	}
	*out = r;
	r = NULL;
done:
	free(r);
	free(nk);
	free(ok);
	free(e);
	free(seen);
	return rc;
}
