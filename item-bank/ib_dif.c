/* item-bank: DIF with purification, MH on merged score strata and logistic regression. */
#include "ib_dif.h"

#include "rs_error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ib_dif_opts_init(struct ib_dif_opts *o)
{
	o->purify = 1;
	o->min_cell = 5;
	o->min_group = 100;
}

/* Solve the m x m system H delta = g (Gaussian elimination with partial pivoting). */
static int ib_solve(double *H, double *g, int m)
{
	for (int c = 0; c < m; c++) {
		int p = c;
		for (int r = c + 1; r < m; r++)
			if (fabs(H[r * m + c]) > fabs(H[p * m + c]))
				p = r;
		if (!(fabs(H[p * m + c]) > 1e-12))
			return -1;
		if (p != c) {
			for (int u = 0; u < m; u++) {
				double t = H[c * m + u];
				H[c * m + u] = H[p * m + u];
				H[p * m + u] = t;
			}
			double t = g[c];
			g[c] = g[p];
			g[p] = t;
		}
		for (int r = c + 1; r < m; r++) {
			double f = H[r * m + c] / H[c * m + c];
			for (int u = c; u < m; u++)
				H[r * m + u] -= f * H[c * m + u];
			g[r] -= f * g[c];
		}
	}
	for (int c = m - 1; c >= 0; c--) {
		for (int u = c + 1; u < m; u++)
			g[c] -= H[c * m + u] * g[u];
		g[c] /= H[c * m + c];
	}
	return 0;
}

static double ib_logit_ll(const double *x, const double *y, const double *w, size_t n, int k, const double *b)
{
	double ll = 0;
	for (size_t i = 0; i < n; i++) {
		double z = b[0];
		for (int u = 0; u < k; u++)
			z += b[u + 1] * x[i * (size_t)k + (size_t)u];
		/* log P = -log(1 + e^-z), log Q = -log(1 + e^z), stably */
		double lp = z > 0 ? -log1p(exp(-z)) : z - log1p(exp(z));
		double lq = z > 0 ? -z - log1p(exp(-z)) : -log1p(exp(z));
		ll += w[i] * (y[i] > 0.5 ? lp : lq);
	}
	return ll;
}

double ib_logit_fit(const double *x, const double *y, const double *w, size_t n, int k, double *beta)
{
	const int m = k + 1;
	double b[5] = { 0 }, g[5], H[25];
	double ll = ib_logit_ll(x, y, w, n, k, b);
	for (int it = 0; it < 50; it++) {
		memset(g, 0, sizeof g);
		memset(H, 0, sizeof H);
		for (size_t i = 0; i < n; i++) {
			double v[5] = { 1 }, z = b[0];
			for (int u = 0; u < k; u++) {
				v[u + 1] = x[i * (size_t)k + (size_t)u];
				z += b[u + 1] * v[u + 1];
			}
			double p = 1 / (1 + exp(-z)), r = w[i] * (y[i] - p), h = w[i] * p * (1 - p);
			for (int u = 0; u < m; u++) {
				g[u] += r * v[u];
				for (int t = 0; t < m; t++)
					H[u * m + t] += h * v[u] * v[t];
			}
		}
		if (ib_solve(H, g, m))
			break;
		double step = 1, nb[5], nll = ll;
		for (int h = 0; h < 30; h++, step *= 0.5) {
			for (int u = 0; u < m; u++)
				nb[u] = b[u] + step * g[u];
			nll = ib_logit_ll(x, y, w, n, k, nb);
			if (nll >= ll - 1e-12)
				break;
		}
		double mx = 0;
		for (int u = 0; u < m; u++)
			mx = fmax(mx, fabs(nb[u] - b[u]));
		memcpy(b, nb, sizeof b);
		double gain = nll - ll;
		ll = nll;
		if (mx < 1e-9 || gain < 1e-11)
			break;
	}
	if (beta)
		memcpy(beta, b, (size_t)m * sizeof *b);
	return ll;
}

static double ib_chi2_p(double x, int df)
{
	if (!(x > 0))
		return 1;
	return df == 1 ? erfc(sqrt(x / 2)) : exp(-x / 2); /* df 2: exact */
}

/* One stage: MH and LR of every item against the matching score on the anchor items. */
static int ib_dif_stage(struct ib_dif_item *res, const struct ib_data *d, const uint8_t *group, const uint8_t *anchor,
                        const struct ib_dif_opts *o)
{
	const size_t J = d->n_items, N = d->n_persons;
	double *base = calloc(N ? N : 1, sizeof *base);
	double (*lev)[4] = calloc(J + 2, sizeof *lev), (*cell)[4] = calloc(J + 2, sizeof *cell);
	double *x = malloc((N ? N : 1) * 3 * sizeof *x), *y = malloc((N ? N : 1) * sizeof *y),
	       *w = malloc((N ? N : 1) * sizeof *w), *sc = malloc((N ? N : 1) * sizeof *sc);
	int rc = 0;
	if (!base || !lev || !cell || !x || !y || !w || !sc) {
		rs_error_set("out of memory in DIF analysis");
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < N; i++)
		for (size_t k = d->row_start[i]; k < d->row_start[i + 1]; k++)
			if (anchor[IB_RESP_ITEM(d->resp[k])])
				base[i] += IB_RESP_SCORE(d->resp[k]) ? 1 : 0;
	for (size_t j = 0; j < J; j++) {
		struct ib_dif_item *it = &res[j];
		memset(lev, 0, (J + 2) * sizeof *lev);
		size_t n = 0;
		double sw = 0, s1 = 0, s2 = 0;
		for (size_t i = 0; i < N; i++) {
			if (group[i] > 1)
				continue;
			for (size_t k = d->row_start[i]; k < d->row_start[i + 1]; k++) {
				if (IB_RESP_ITEM(d->resp[k]) != j)
					continue;
				int right = IB_RESP_SCORE(d->resp[k]) ? 1 : 0;
				double s = base[i] + (anchor[j] ? 0 : right);
				size_t lv = s < 0 ? 0 : s > (double)J ? J : (size_t)s;
				lev[lv][group[i] * 2 + (right ? 0 : 1)] += d->weight[i];
				sc[n] = s;
				y[n] = right;
				w[n] = d->weight[i];
				x[n * 3 + 1] = group[i];
				n++;
				sw += d->weight[i];
				s1 += d->weight[i] * s;
				s2 += d->weight[i] * s * s;
				break;
			}
		}
		/* merge adjacent score levels until each stratum has min_cell of each group */
		size_t S = 0;
		double acc[4] = { 0 };
		for (size_t lv = 0; lv <= J; lv++) {
			for (int u = 0; u < 4; u++)
				acc[u] += lev[lv][u];
			if (acc[0] + acc[1] >= o->min_cell && acc[2] + acc[3] >= o->min_cell) {
				memcpy(cell[S++], acc, sizeof acc);
				memset(acc, 0, sizeof acc);
			}
		}
		if (acc[0] + acc[1] + acc[2] + acc[3] > 0) {
			if (S > 0)
				for (int u = 0; u < 4; u++)
					cell[S - 1][u] += acc[u];
			else
				memcpy(cell[S++], acc, sizeof acc);
		}
		it->strata = (int)S;
		ib_mh_cells(&it->mh, (const double (*)[4])cell, S);
		/* logistic regression on the standardised score */
		it->lr_class = '-';
		it->lr_uni_chi2 = it->lr_non_chi2 = it->lr_chi2 = it->lr_uni_p = it->lr_non_p = it->lr_p = it->lr_r2 = NAN;
		if (n < 10 || !(sw > 0))
			continue;
		double mean = s1 / sw, sd = sqrt(fmax(s2 / sw - mean * mean, 0));
		if (!(sd > 0))
			sd = 1;
		for (size_t t = 0; t < n; t++) {
			x[t * 3 + 0] = (sc[t] - mean) / sd;
			x[t * 3 + 2] = x[t * 3 + 0] * x[t * 3 + 1];
		}
		double yb = 0;
		for (size_t t = 0; t < n; t++)
			yb += w[t] * y[t];
		yb /= sw;
		if (!(yb > 0 && yb < 1))
			continue;
		double ll00 = sw * (yb * log(yb) + (1 - yb) * log(1 - yb));
		/* models with 1, 2 and 3 predictors over the same rows */
		double *x1 = malloc(n * sizeof *x1), *x2 = malloc(n * 2 * sizeof *x2);
		if (!x1 || !x2) {
			free(x1);
			free(x2);
			rs_error_set("out of memory in DIF analysis");
			rc = RS_ENOMEM;
			goto done;
		}
		for (size_t t = 0; t < n; t++) {
			x1[t] = x[t * 3];
			x2[t * 2] = x[t * 3];
			x2[t * 2 + 1] = x[t * 3 + 1];
		}
		double l1 = ib_logit_fit(x1, y, w, n, 1, NULL), l2 = ib_logit_fit(x2, y, w, n, 2, NULL),
		       l3 = ib_logit_fit(x, y, w, n, 3, NULL);
		free(x1);
		free(x2);
		if (l2 < l1) l2 = l1;
		if (l3 < l2) l3 = l2;
		it->lr_uni_chi2 = 2 * (l2 - l1);
		it->lr_non_chi2 = 2 * (l3 - l2);
		it->lr_chi2 = 2 * (l3 - l1);
		it->lr_uni_p = ib_chi2_p(it->lr_uni_chi2, 1);
		it->lr_non_p = ib_chi2_p(it->lr_non_chi2, 1);
		it->lr_p = ib_chi2_p(it->lr_chi2, 2);
		/* Nagelkerke R² = (1 - exp(2 (l0 - l) / n)) / (1 - exp(2 l0 / n)), n the weight */
		double den = 1 - exp(2 * ll00 / sw);
		double r1 = (1 - exp(2 * (ll00 - l1) / sw)) / den, r3 = (1 - exp(2 * (ll00 - l3) / sw)) / den;
		it->lr_r2 = r3 - r1;
		it->lr_class = it->lr_p >= 0.05 || it->lr_r2 < 0.035 ? 'A' : it->lr_r2 < 0.07 ? 'B' : 'C';
	}
done:
	free(base);
	free(lev);
	free(cell);
	free(x);
	free(y);
	free(w);
	free(sc);
	return rc;
}

int ib_dif_analyze(struct ib_dif_item **out, size_t *n_flagged1, const struct ib_data *d, const uint8_t *group,
                   const struct ib_dif_opts *o)
{
	const size_t J = d->n_items, N = d->n_persons;
	double wr = 0, wf = 0;
	for (size_t i = 0; i < N; i++) {
		if (group[i] == 0) wr += d->weight[i];
		if (group[i] == 1) wf += d->weight[i];
	}
	if (wr < o->min_group || wf < o->min_group) {
		rs_error_set("DIF: the %s group has %.0f persons; a DIF report needs at least %.0f in each group",
		             wr < o->min_group ? "reference" : "focal", wr < o->min_group ? wr : wf, o->min_group);
		return RS_EINVAL;
	}
	struct ib_dif_item *res = calloc(J ? J : 1, sizeof *res);
	uint8_t *anchor = malloc(J ? J : 1);
	int rc = 0;
	if (!res || !anchor) {
		free(res);
		free(anchor);
		rs_error_set("out of memory in DIF analysis");
		return RS_ENOMEM;
	}
	memset(anchor, 1, J);
	if ((rc = ib_dif_stage(res, d, group, anchor, o)))
		goto fail;
	size_t flagged = 0;
	for (size_t j = 0; j < J; j++) {
		res[j].ets_stage1 = res[j].mh.ets;
		if (o->purify && (res[j].mh.ets == 'B' || res[j].mh.ets == 'C')) {
			anchor[j] = 0;
			flagged++;
		}
	}
	if (flagged > 0 && flagged + 2 <= J && (rc = ib_dif_stage(res, d, group, anchor, o)))
		goto fail;
	if (flagged + 2 > J)
		memset(anchor, 1, J); /* too few left to purify: the stage-1 figures stand */
	for (size_t j = 0; j < J; j++)
		res[j].anchor = anchor[j];
	free(anchor);
	*n_flagged1 = flagged + 2 <= J ? flagged : 0;
	*out = res;
	return 0;
fail:
	free(res);
	free(anchor);
	return rc;
}
