/* exam-engine: ability estimation (EAP, MAP, MLE, WLE) with standard errors. */
#include "cat_internal.h"

#include <math.h>
#include <string.h>

void cat_est_opts_default(struct cat_est_opts *o)
{
	o->quad_points = 61;
	o->quad_lo = -6;
	o->quad_hi = 6;
	o->prior_mean = 0;
	o->prior_sd = 1;
	o->theta_min = -6;
	o->theta_max = 6;
	o->max_iter = 100;
}

int cat_method_parse(enum cat_method *out, const char *s)
{
	static const struct { const char *n; enum cat_method m; } t[] = {
		{ "eap", CAT_EAP }, { "map", CAT_MAP }, { "mle", CAT_MLE }, { "wle", CAT_WLE } };
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(s, t[i].n) == 0) {
			*out = t[i].m;
			return 0;
		}
	cat_error_set("unknown estimation method '%.40s' (eap, map, mle or wle)", s);
	return CAT_EINVAL;
}

int cat_quad_init(struct cat_quad *q, const struct cat_est_opts *o)
{
	if (o->quad_points < 5 || o->quad_points > 256 || !(o->quad_hi > o->quad_lo) ||
	    !isfinite(o->quad_lo) || !isfinite(o->quad_hi) || !(o->prior_sd > 0) ||
	    !isfinite(o->prior_sd) || !isfinite(o->prior_mean)) {
		cat_error_set("bad quadrature settings (5..256 points, lo < hi, prior sd > 0)");
		return CAT_EINVAL;
	}
	q->n = o->quad_points;
	double h = (o->quad_hi - o->quad_lo) / (q->n - 1);
	for (int k = 0; k < q->n; k++) {
		q->x[k] = o->quad_lo + h * k;
		double u = (q->x[k] - o->prior_mean) / o->prior_sd;
		q->logw[k] = -0.5 * u * u; /* normalising constant cancels in the posterior */
	}
	return 0;
}

void cat_quad_moments(const struct cat_quad *q, const double *lp, double *out_mean, double *out_sd)
{
	double mx = lp[0];
	for (int k = 1; k < q->n; k++)
		if (lp[k] > mx) mx = lp[k];
	double s = 0, s1 = 0;
	double w[256];
	for (int k = 0; k < q->n; k++) {
		w[k] = cat_exp(lp[k] - mx);
		s += w[k];
		s1 += w[k] * q->x[k];
	}
	double m = s1 / s, s2 = 0;
	for (int k = 0; k < q->n; k++) {
		double d = q->x[k] - m;
		s2 += w[k] * d * d;
	}
	*out_mean = m;
	*out_sd = sqrt(s2 / s);
}

static int cat_est_eap(struct cat_estimate *out, const struct cat_est_opts *o,
                       const struct cat_item *const *items, const int *x, size_t n)
{
	struct cat_quad q;
	int rc = cat_quad_init(&q, o);
	if (rc)
		return rc;
	double lp[256];
	for (int k = 0; k < q.n; k++) {
		double l = q.logw[k];
		for (size_t i = 0; i < n; i++)
			if (x[i] >= 0)
				l += cat_loglik(items[i], q.x[k], x[i]);
		lp[k] = l;
	}
	out->flags = 0;
	cat_quad_moments(&q, lp, &out->theta, &out->se);
	return 0;
}

/* Sums over answered items at theta: d1, d2, information, J (for Warm's correction). */
static void cat_sums(const struct cat_item *const *items, const int *x, size_t n, double theta,
                     double *d1, double *d2, double *info, double *j)
{
	double a1 = 0, a2 = 0, ai = 0, aj = 0;
	for (size_t i = 0; i < n; i++) {
		if (x[i] < 0)
			continue;
		double t1, t2, ti, tj;
		cat_item_terms(items[i], theta, x[i], &t1, &t2, &ti, &tj);
		a1 += t1; a2 += t2; ai += ti; aj += tj;
	}
	*d1 = a1; *d2 = a2; *info = ai; *j = aj;
}

/* The estimating function g(theta) for MLE, MAP and WLE. */
static double cat_g(enum cat_method m, const struct cat_est_opts *o, const struct cat_item *const *items,
                    const int *x, size_t n, double theta, double *out_info)
{
	double d1, d2, inf, j;
	cat_sums(items, x, n, theta, &d1, &d2, &inf, &j);
	double pv = 1.0 / (o->prior_sd * o->prior_sd);
	if (m == CAT_MAP) {
		d1 -= (theta - o->prior_mean) * pv;
		inf += pv;
	} else if (m == CAT_WLE && inf > 0) {
		d1 += j / (2.0 * inf);
	}
	if (out_info) *out_info = inf;
	return d1;
}

/* Root of the (decreasing) estimating function: bracket on a grid, then safeguarded Newton
 * (Fisher scoring) that falls back to bisection whenever a step leaves the bracket. */
static int cat_est_root(struct cat_estimate *out, enum cat_method m, const struct cat_est_opts *o,
                        const struct cat_item *const *items, const int *x, size_t n)
{
	double lo = o->theta_min, hi = o->theta_max;
	double glo = cat_g(m, o, items, x, n, lo, NULL), ghi = cat_g(m, o, items, x, n, hi, NULL);
	double info;
	out->flags = 0;
	if (glo <= 0) {
		out->theta = lo;
		out->flags |= CAT_EST_BOUND;
	} else if (ghi >= 0) {
		out->theta = hi;
		out->flags |= CAT_EST_BOUND;
	} else {
		/* 3PL likelihoods can have several roots: take the one of highest likelihood among
		 * sign changes on a 0.25 grid (a root of g for MLE), refined by bisection+Newton. */
		double best_t = 0, best_l = -INFINITY;
		double step = 0.25, a = lo, ga = glo;
		while (a < hi) {
			double b = a + step;
			if (b > hi) b = hi;
			double gb = cat_g(m, o, items, x, n, b, NULL);
			if (ga > 0 && gb <= 0) {
				double l0 = a, h0 = b, t = 0.5 * (a + b);
				for (int it = 0; it < o->max_iter; it++) {
					double inf2, gt = cat_g(m, o, items, x, n, t, &inf2);
					if (gt > 0) l0 = t; else h0 = t;
					double nt = inf2 > 0 ? t + gt / inf2 : 0.5 * (l0 + h0);
					if (!(nt > l0 && nt < h0))
						nt = 0.5 * (l0 + h0); /* step halving back into the bracket */
					if (fabs(nt - t) < 1e-12 || h0 - l0 < 1e-12) {
						t = nt;
						break;
					}
					t = nt;
				}
				double l = 0;
				for (size_t i = 0; i < n; i++)
					if (x[i] >= 0) l += cat_loglik(items[i], t, x[i]);
				if (m == CAT_MAP) {
					double u = (t - o->prior_mean) / o->prior_sd;
					l -= 0.5 * u * u;
				}
				if (l > best_l) { best_l = l; best_t = t; }
			}
			a = b;
			ga = gb;
		}
		out->theta = best_t;
	}
	cat_g(m, o, items, x, n, out->theta, &info);
	out->se = info > 0 ? 1.0 / sqrt(info) : INFINITY;
	if (!isfinite(out->se)) out->se = 99.0;
	return 0;
}

int cat_estimate(struct cat_estimate *out, enum cat_method method, const struct cat_est_opts *opts,
                 const struct cat_item *const *items, const int *x, size_t n)
{
	struct cat_est_opts def;
	if (!opts) {
		cat_est_opts_default(&def);
		opts = &def;
	}
	if (!(opts->theta_min < opts->theta_max) || !isfinite(opts->theta_min) || !isfinite(opts->theta_max)) {
		cat_error_set("theta bounds must be finite with min < max");
		return CAT_EINVAL;
	}
	size_t answered = 0;
	int any_low = 0, any_high = 0;
	for (size_t i = 0; i < n; i++) {
		if (x[i] < 0)
			continue;
		if (cat_item_check(items[i]) != 0)
			return CAT_EINVAL;
		int max = items[i]->model == CAT_GPCM ? items[i]->nsteps : 1;
		if (x[i] > max) {
			cat_error_set("score %d is above the item's maximum %d", x[i], max);
			return CAT_EINVAL;
		}
		answered++;
		if (x[i] > 0) any_high = 1;
		if (x[i] < max) any_low = 1;
	}
	struct cat_estimate r;
	int rc;
	switch (method) {
	case CAT_EAP:
		rc = cat_est_eap(&r, opts, items, x, n);
		break;
	case CAT_MAP:
		rc = cat_est_root(&r, method, opts, items, x, n);
		break;
	case CAT_MLE:
	case CAT_WLE:
		/* Documented rule: with no answered item, or all answers at the minimum or all at
		 * the maximum score, the MLE does not exist; MLE reports the EAP estimate and its
		 * posterior SD instead, flagged CAT_EST_FALLBACK. WLE is finite for such patterns
		 * under 1PL/2PL and is computed as usual (bounded by theta_min/theta_max). */
		if (answered == 0 || (method == CAT_MLE && (!any_low || !any_high))) {
			rc = cat_est_eap(&r, opts, items, x, n);
			r.flags |= CAT_EST_FALLBACK;
		} else {
			rc = cat_est_root(&r, method, opts, items, x, n);
		}
		break;
	default:
		cat_error_set("unknown estimation method");
		return CAT_EINVAL;
	}
	if (rc)
		return rc;
	*out = r;
	return 0;
}
