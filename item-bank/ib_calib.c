/* item-bank: MML calibration by Bock–Aitkin EM on a fixed quadrature grid.
 *
 * E-step: persons are cut into a fixed number of blocks that depends only on
 * the data's size; each block sums its expected counts into its own
 * accumulator, and the blocks are added in block order. Threads only decide
 * who computes which block, so the result is bit-identical for any thread
 * count. Responses are packed as (item << 1 | score) and index the table of
 * log P / log(1 - P) rows directly.
 * M-step: Fisher scoring per item on (a, d, logit c) with optional priors;
 * the 1PL common slope (and the Rasch latent SD) get their own step (ECM).
 * SEs: cross-product (XPD) of the persons' marginal score vectors, inverted
 * item block by item block (see docs/calibration.md). */
#include "ib_calib.h"

#include "cat.h"

#include "rs_error.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define IB_NB_MAX 16                       /* E-step blocks */
#define IB_ACC_BUDGET ((size_t)256 << 20)  /* bytes of block accumulators */
#define IB_PAD_LOG (-1e30)                 /* log weight of padding grid points */

enum { IB_COMMON_NONE, IB_COMMON_SLOPE, IB_COMMON_SD };

struct ib_em {
	const struct ib_data *d;
	size_t J;
	int Q, Qp;                 /* grid points, padded to a multiple of 4 */
	double *theta;             /* Qp */
	double *logw;              /* Qp: log prior weight of each point */
	double *T;                 /* 2J x Qp: row IB_RESP(j, x) holds log P(x | θ_q) */
	int nb;
	size_t *bstart;            /* nb + 1 person offsets */
	double *acc;               /* nb x 2J x Qp expected counts */
	double *mass;              /* nb x Qp posterior mass */
	double *ll;                /* nb log-likelihoods */
	size_t max_row;
	/* SE pass */
	int se_mode;
	int common;
	double sd;                 /* latent SD (for the Rasch score on sd) */
	double *Ga, *Gd, *Gg;      /* 2J x Qp: d log P(x | θ_q) / d(a, d, logit c) */
	double *Gs;                /* Qp: d log prior / d sd */
	double *xpd;               /* nb x J x 9 */
	double *xa;                /* nb x J: cross products common x d_j */
	double *xaa;               /* nb */
	const uint8_t *is_free;
};

static double ib_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void ib_calib_opts_init(struct ib_calib_opts *opts, enum ib_model model)
{
	memset(opts, 0, sizeof *opts);
	opts->model = model;
	opts->n_quad = 41;
	opts->quad_lim = 6.0;
	opts->max_iter = 500;
	opts->tol = 1e-4;
	opts->prior_a_mu = 0.0;
	opts->prior_a_sd = 0.5;
	opts->prior_c_alpha = 5.0;
	opts->prior_c_beta = 17.0;
}

void ib_calib_result_free(struct ib_calib_result *r)
{
	if (!r)
		return;
	free(r->items);
	free(r->hist_loglik);
	free(r->hist_change);
	free(r->at_bound);
	free(r);
}

/* ---- E-step ---- */

static void ib_em_block(struct ib_em *em, int b, double *lp, double *post, double *gk)
{
	const struct ib_data *d = em->d;
	const int Qp = em->Qp, Q = em->Q;
	const size_t J = em->J;
	double *restrict acc = em->se_mode ? NULL : em->acc + (size_t)b * 2 * J * (size_t)Qp;
	double *restrict mass = em->mass + (size_t)b * (size_t)Qp;
	const double *restrict T = em->T;
	double ll = 0;
	if (!em->se_mode)
		memset(acc, 0, 2 * J * (size_t)Qp * sizeof *acc);
	memset(mass, 0, (size_t)Qp * sizeof *mass);
	for (size_t i = em->bstart[b]; i < em->bstart[b + 1]; i++) {
		const uint32_t *rs = d->resp + d->row_start[i];
		const size_t nr = d->row_start[i + 1] - d->row_start[i];
		const double w = d->weight[i];
		memcpy(lp, em->logw, (size_t)Qp * sizeof *lp);
		for (size_t k = 0; k < nr; k++) {
			const double *restrict row = T + (size_t)rs[k] * (size_t)Qp;
			for (int q = 0; q < Qp; q++)
				lp[q] += row[q];
		}
		double m = lp[0];
		for (int q = 1; q < Q; q++)
			m = lp[q] > m ? lp[q] : m;
		double s = 0;
		if (!em->se_mode) {
			/* Only grid points within e^-36 of the mode carry weight: skip the rest
			 * (a data-only decision, so still thread-count independent). */
			int lo = 0, hi = Q - 1;
			while (lp[lo] - m < -36.0)
				lo++;
			while (lp[hi] - m < -36.0)
				hi--;
			for (int q = lo; q <= hi; q++) {
				post[q] = exp(lp[q] - m);
				s += post[q];
			}
			ll += w * (m + log(s));
			const double scale = w / s;
			for (int q = lo; q <= hi; q++) {
				post[q] *= scale;
				mass[q] += post[q];
			}
			const int len = hi - lo + 1;
			const double *restrict pp = post + lo;
			for (size_t k = 0; k < nr; k++) {
				double *restrict a = acc + (size_t)rs[k] * (size_t)Qp + lo;
				for (int q = 0; q < len; q++)
					a[q] += pp[q];
			}
			continue;
		}
		for (int q = 0; q < Qp; q++) {
			post[q] = exp(lp[q] - m);
			s += post[q];
		}
		ll += w * (m + log(s));
		/* SE pass: per-response score vectors and their cross-products. */
		const double inv = 1.0 / s;
		for (int q = 0; q < Qp; q++)
			post[q] *= inv;
		double ga = 0;
		for (size_t k = 0; k < nr; k++) {
			uint32_t r = rs[k];
			uint32_t j = IB_RESP_ITEM(r);
			gk[k] = 0;
			if (!em->is_free[j])
				continue;
			const double *Ga = em->Ga + (size_t)r * (size_t)Qp;
			const double *Gd = em->Gd + (size_t)r * (size_t)Qp;
			const double *Gg = em->Gg + (size_t)r * (size_t)Qp;
			double g0 = 0, g1 = 0, g2 = 0;
			for (int q = 0; q < Qp; q++) {
				g0 += post[q] * Ga[q];
				g1 += post[q] * Gd[q];
				g2 += post[q] * Gg[q];
			}
			double g[3] = { g0, g1, g2 };
			double *X = em->xpd + ((size_t)b * J + j) * 9;
			for (int u = 0; u < 3; u++)
				for (int v = 0; v < 3; v++)
					X[u * 3 + v] += w * g[u] * g[v];
			ga += g0;
			gk[k] = g1;
		}
		if (em->common == IB_COMMON_SD) {
			ga = 0;
			for (int q = 0; q < Q; q++)
				ga += post[q] * em->Gs[q];
		}
		if (em->common != IB_COMMON_NONE) {
			em->xaa[b] += w * ga * ga;
			for (size_t k = 0; k < nr; k++)
				if (em->is_free[IB_RESP_ITEM(rs[k])])
					em->xa[(size_t)b * J + IB_RESP_ITEM(rs[k])] += w * ga * gk[k];
		}
	}
	em->ll[b] = ll;
}

struct ib_worker {
	struct ib_em *em;
	int t, nt;
	int failed;
};

static void *ib_worker_run(void *arg)
{
	struct ib_worker *wk = arg;
	struct ib_em *em = wk->em;
	double *lp = malloc((size_t)em->Qp * sizeof *lp);
	double *post = malloc((size_t)em->Qp * sizeof *post);
	double *gk = malloc((em->max_row + 1) * sizeof *gk);
	if (!lp || !post || !gk) {
		wk->failed = 1;
	} else {
		for (int b = wk->t; b < em->nb; b += wk->nt)
			ib_em_block(em, b, lp, post, gk);
	}
	free(lp);
	free(post);
	free(gk);
	return NULL;
}

/* Run the E-step over all blocks with nt threads. */
static int ib_estep(struct ib_em *em, int nt)
{
	struct ib_worker wk[64];
	pthread_t th[64];
	int started = 0, rc = 0;
	if (nt > em->nb)
		nt = em->nb;
	if (nt < 1)
		nt = 1;
	for (int t = 0; t < nt; t++)
		wk[t] = (struct ib_worker){ em, t, nt, 0 };
	for (int t = 1; t < nt; t++) {
		if (pthread_create(&th[t], NULL, ib_worker_run, &wk[t]) != 0)
			break;
		started = t;
	}
	/* Blocks of threads that failed to start are run here, in the caller. */
	for (int t = started + 1; t < nt; t++)
		ib_worker_run(&wk[t]);
	ib_worker_run(&wk[0]);
	for (int t = 1; t <= started; t++)
		pthread_join(th[t], NULL);
	for (int t = 0; t < nt; t++)
		if (wk[t].failed)
			rc = RS_ENOMEM;
	if (rc)
		rs_error_set("out of memory in the E-step");
	return rc;
}

/* ---- model pieces ---- */

static void ib_fill_table(struct ib_em *em, const struct ib_item_par *par)
{
	for (size_t j = 0; j < em->J; j++) {
		double *r0 = em->T + (2 * j) * (size_t)em->Qp;
		double *r1 = r0 + em->Qp;
		for (int q = 0; q < em->Qp; q++) {
			if (q >= em->Q) {
				r0[q] = r1[q] = 0;
				continue;
			}
			double P = ib_prob(&par[j], em->theta[q]);
			if (P < 1e-300)
				P = 1e-300;
			if (P > 1 - 1e-16)
				P = 1 - 1e-16;
			r0[q] = log1p(-P);
			r1[q] = log(P);
		}
	}
}

static void ib_set_latent(struct ib_em *em, double mean, double sd)
{
	double mx = -INFINITY, s = 0;
	for (int q = 0; q < em->Q; q++) {
		double z = (em->theta[q] - mean) / sd;
		em->logw[q] = -0.5 * z * z;
		mx = em->logw[q] > mx ? em->logw[q] : mx;
	}
	for (int q = 0; q < em->Q; q++)
		s += exp(em->logw[q] - mx);
	for (int q = 0; q < em->Q; q++)
		em->logw[q] -= mx + log(s);
	for (int q = em->Q; q < em->Qp; q++)
		em->logw[q] = IB_PAD_LOG;
}

struct ib_priors {
	int a;
	double a_mu, a_sd;
	int c;
	double c_al, c_be;
};

/* Item objective (expected complete-data log-likelihood plus log priors) with
 * its gradient and Fisher information in x = (a, d, logit c); only the
 * entries of free parameters (mask bits 1, 2, 4) matter. */
static double ib_item_eval(const double x[3], int mask, const double *n, const double *r,
                           const double *theta, int Q, const struct ib_priors *pr,
                           double g[3], double H[9])
{
	double a = x[0], d = x[1];
	double c = (mask & 4) ? cat_logistic(x[2]) : x[2];
	double f = 0;
	if (g) {
		memset(g, 0, 3 * sizeof *g);
		memset(H, 0, 9 * sizeof *H);
	}
	for (int q = 0; q < Q; q++) {
		if (n[q] <= 0)
			continue;
		double s = cat_logistic(a * theta[q] + d);
		double P = c + (1 - c) * s;
		if (P < 1e-12)
			P = 1e-12;
		if (P > 1 - 1e-12)
			P = 1 - 1e-12;
		f += r[q] * log(P) + (n[q] - r[q]) * log1p(-P);
		if (!g)
			continue;
		double ds = (1 - c) * s * (1 - s);
		double dP[3] = { ds * theta[q], ds, (1 - s) * c * (1 - c) };
		double pq = P * (1 - P);
		double k = (r[q] - n[q] * P) / pq, wq = n[q] / pq;
		for (int u = 0; u < 3; u++) {
			g[u] += k * dP[u];
			for (int v = 0; v < 3; v++)
				H[u * 3 + v] += wq * dP[u] * dP[v];
		}
	}
	if (pr->a && (mask & 1)) {
		double la = log(a) - pr->a_mu, v = pr->a_sd * pr->a_sd;
		f += -log(a) - la * la / (2 * v);
		if (g) {
			g[0] += -1.0 / a - la / (v * a);
			H[0] += 1.0 / (v * a * a);
		}
	}
	if (pr->c && (mask & 4)) {
		f += (pr->c_al - 1) * log(c) + (pr->c_be - 1) * log1p(-c);
		if (g) {
			g[2] += (pr->c_al - 1) * (1 - c) - (pr->c_be - 1) * c;
			double h = (pr->c_al + pr->c_be - 2) * c * (1 - c);
			H[8] += h > 0 ? h : 0;
		}
	}
	return f;
}

/* Solve H delta = g on the free coordinates (mask); returns 0 or -1. */
static int ib_solve3(const double H[9], const double g[3], int mask, double delta[3])
{
	int idx[3], m = 0;
	for (int u = 0; u < 3; u++)
		if (mask & (1 << u))
			idx[m++] = u;
	double A[3][4];
	for (int u = 0; u < m; u++) {
		for (int v = 0; v < m; v++)
			A[u][v] = H[idx[u] * 3 + idx[v]];
		A[u][u] += 1e-10;
		A[u][m] = g[idx[u]];
	}
	for (int c = 0; c < m; c++) {
		int p = c;
		for (int u = c + 1; u < m; u++)
			if (fabs(A[u][c]) > fabs(A[p][c]))
				p = u;
		if (fabs(A[p][c]) < 1e-300)
			return -1;
		for (int v = 0; v <= m; v++) {
			double t = A[c][v];
			A[c][v] = A[p][v];
			A[p][v] = t;
		}
		for (int u = 0; u < m; u++) {
			if (u == c)
				continue;
			double fct = A[u][c] / A[c][c];
			for (int v = c; v <= m; v++)
				A[u][v] -= fct * A[c][v];
		}
	}
	delta[0] = delta[1] = delta[2] = 0;
	for (int u = 0; u < m; u++)
		delta[idx[u]] = A[u][m] / A[u][u];
	return 0;
}

/* Invert the free block of a 3x3 symmetric matrix into V (zeros elsewhere). */
static int ib_invert3(const double H[9], int mask, double V[9])
{
	memset(V, 0, 9 * sizeof *V);
	for (int u = 0; u < 3; u++) {
		if (!(mask & (1 << u)))
			continue;
		double e[3] = { 0, 0, 0 }, col[3];
		e[u] = 1;
		if (ib_solve3(H, e, mask, col))
			return -1;
		for (int v = 0; v < 3; v++)
			V[v * 3 + u] = col[v];
	}
	return 0;
}

/* Fisher scoring on one item's free parameters; x is updated in place. */
static void ib_item_mstep(double x[3], int mask, const double *n, const double *r,
                          const double *theta, int Q, const struct ib_priors *pr)
{
	double g[3], H[9], delta[3];
	for (int it = 0; it < 30; it++) {
		double f = ib_item_eval(x, mask, n, r, theta, Q, pr, g, H);
		if (ib_solve3(H, g, mask, delta))
			return;
		double mx = 0;
		for (int u = 0; u < 3; u++)
			mx = fabs(delta[u]) > mx ? fabs(delta[u]) : mx;
		if (mx > 1.0)
			for (int u = 0; u < 3; u++)
				delta[u] /= mx;
		double step = 1.0, xn[3];
		int ok = 0;
		for (int h = 0; h < 30; h++, step *= 0.5) {
			for (int u = 0; u < 3; u++)
				xn[u] = x[u] + step * delta[u];
			if ((mask & 1) && !(xn[0] > 1e-3 && xn[0] < 50))
				continue;
			if ((mask & 4) && (xn[2] < -15 || xn[2] > 8))
				continue;
			if (!isfinite(xn[1]) || fabs(xn[1]) > 200)
				continue;
			double fn = ib_item_eval(xn, mask, n, r, theta, Q, pr, NULL, NULL);
			if (fn >= f - 1e-12 * fabs(f)) {
				ok = 1;
				break;
			}
		}
		if (!ok)
			return;
		memcpy(x, xn, sizeof xn);
		if (mx * step < 1e-10)
			return;
	}
}

/* ---- the calibration ---- */

static int ib_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

static double ib_logit(double p)
{
	return log(p / (1 - p));
}

int ib_calibrate(struct ib_calib_result **out, const struct ib_data *d,
                 const struct ib_calib_opts *opts_in)
{
	struct ib_calib_opts opts = *opts_in;
	struct ib_em em = { 0 };
	struct ib_calib_result *res = NULL;
	double *cnt_n = NULL, *cnt_r = NULL, *A = NULL, *mass = NULL;
	double (*x)[3] = NULL;
	uint8_t *is_free = NULL;
	int rc = 0;
	double t0 = ib_now();

	if (opts.n_quad == 0)
		opts.n_quad = 41;
	if (opts.quad_lim == 0)
		opts.quad_lim = 6.0;
	if (opts.max_iter == 0)
		opts.max_iter = 500;
	if (opts.tol == 0)
		opts.tol = 1e-4;
	if (opts.threads == 0)
		opts.threads = ib_default_threads();
	if (opts.n_quad < 5 || opts.n_quad > 201 || !(opts.quad_lim >= 2 && opts.quad_lim <= 12) ||
	    opts.max_iter < 1 || opts.max_iter > 100000 || !(opts.tol > 0 && opts.tol < 1) ||
	    opts.threads < 1 || opts.threads > 64) {
		rs_error_set("bad calibration options: quadrature 5..201 points on [-2..12], "
		             "max-iter 1..100000, 0 < tol < 1, threads 1..64");
		return RS_EINVAL;
	}
	if (opts.prior_a && !(opts.prior_a_sd > 0 && isfinite(opts.prior_a_mu))) {
		rs_error_set("prior on a: lognormal needs a finite mean and a positive SD");
		return RS_EINVAL;
	}
	if (opts.prior_c && !(opts.prior_c_alpha >= 1 && opts.prior_c_beta >= 1)) {
		rs_error_set("prior on c: beta needs both shape parameters >= 1");
		return RS_EINVAL;
	}
	const size_t J = d->n_items;
	const enum ib_model model = opts.model;
	if (J == 0 || d->n_persons == 0) {
		rs_error_set("no responses to calibrate");
		return RS_EINVAL;
	}
	struct ib_priors pr = {
		.a = opts.prior_a, .a_mu = opts.prior_a_mu, .a_sd = opts.prior_a_sd,
		.c = model == IB_3PL && !opts.no_prior_c,
		.c_al = opts.prior_c ? opts.prior_c_alpha : 5.0,
		.c_be = opts.prior_c ? opts.prior_c_beta : 17.0,
	};
	const int Q = opts.n_quad, Qp = (Q + 3) / 4 * 4;

	res = calloc(1, sizeof *res);
	cnt_n = malloc(J * sizeof *cnt_n);
	cnt_r = malloc(J * sizeof *cnt_r);
	x = malloc(J * sizeof *x);
	is_free = malloc(J);
	if (!res || !cnt_n || !cnt_r || !x || !is_free ||
	    !(res->items = calloc(J, sizeof *res->items)) || !(res->at_bound = calloc(J, sizeof *res->at_bound)) ||
	    !(res->hist_loglik = malloc((size_t)opts.max_iter * sizeof(double))) ||
	    !(res->hist_change = malloc((size_t)opts.max_iter * sizeof(double)))) {
		rs_error_set("out of memory setting up the calibration");
		rc = RS_ENOMEM;
		goto done;
	}
	res->model = model;
	res->n_items = J;
	ib_data_item_counts(d, cnt_n, cnt_r);

	/* Starting values, fixed items and the checks that name an item. */
	size_t n_free = 0;
	for (size_t j = 0; j < J; j++) {
		struct ib_item_par *p = &res->items[j];
		long fi = opts.fixed ? ib_params_find(opts.fixed, d->item_ids[j]) : -1;
		if (fi >= 0) {
			*p = opts.fixed->par[fi];
			p->fixed = 1;
			p->d = -p->a * p->b;
			is_free[j] = 0;
			res->n_fixed++;
			continue;
		}
		is_free[j] = 1;
		n_free++;
		if (cnt_r[j] <= 0 || cnt_r[j] >= cnt_n[j]) {
			rs_error_set("item '%s': all %.0f responses are %s, so its parameters cannot be "
			             "estimated (remove the item or hold it fixed with --fixed)",
			             d->item_ids[j], cnt_n[j], cnt_r[j] <= 0 ? "wrong" : "right");
			rc = RS_EINVAL;
			goto done;
		}
		double c0 = model == IB_3PL ? (pr.c ? (pr.c_al - 1) / (pr.c_al + pr.c_be - 2) : 0.1) : 0;
		if (!(c0 > 0.001) && model == IB_3PL)
			c0 = 0.1;
		double pv = (cnt_r[j] / cnt_n[j] - c0) / (1 - c0);
		pv = pv < 0.02 ? 0.02 : pv > 0.98 ? 0.98 : pv;
		x[j][0] = 1.0;
		x[j][1] = ib_logit(pv) * 1.16;
		x[j][2] = model == IB_3PL ? ib_logit(c0) : 0;
		p->a = 1.0;
		p->d = x[j][1];
		p->c = c0;
		p->b = -p->d / p->a;
		p->se_a = p->se_b = p->se_c = p->cov_ab = NAN;
	}
	if (n_free == 0) {
		rs_error_set("every item is held fixed: nothing to calibrate");
		rc = RS_EINVAL;
		goto done;
	}
	int est_mean = res->n_fixed > 0;
	int est_sd = res->n_fixed > 0 || model == IB_RASCH;
	double mean = 0, sd = 1;
	int mask = model == IB_3PL ? 7 : model == IB_2PL ? 3 : 2;
	double common_a = 1.0;

	/* Quadrature grid and E-step blocks. */
	em.d = d;
	em.J = J;
	em.Q = Q;
	em.Qp = Qp;
	em.is_free = is_free;
	size_t per_block = 2 * J * (size_t)Qp * sizeof(double);
	em.nb = IB_NB_MAX;
	while (em.nb > 1 && (size_t)em.nb * per_block > IB_ACC_BUDGET)
		em.nb--;
	if ((size_t)em.nb > d->n_persons)
		em.nb = (int)d->n_persons;
	em.theta = calloc((size_t)Qp, sizeof(double));
	em.logw = calloc((size_t)Qp, sizeof(double));
	em.T = malloc(2 * J * (size_t)Qp * sizeof(double));
	em.bstart = malloc(((size_t)em.nb + 1) * sizeof(size_t));
	em.acc = malloc((size_t)em.nb * 2 * J * (size_t)Qp * sizeof(double));
	em.mass = malloc((size_t)em.nb * (size_t)Qp * sizeof(double));
	em.ll = calloc((size_t)em.nb, sizeof(double));
	A = malloc(2 * J * (size_t)Qp * sizeof(double));
	mass = malloc((size_t)Qp * sizeof(double));
	if (!em.theta || !em.logw || !em.T || !em.bstart || !em.acc || !em.mass || !em.ll || !A ||
	    !mass) {
		rs_error_set("out of memory: %zu items x %d quadrature points", J, Q);
		rc = RS_ENOMEM;
		goto done;
	}
	for (int q = 0; q < Q; q++)
		em.theta[q] = -opts.quad_lim + 2 * opts.quad_lim * q / (Q - 1);
	/* Blocks of equal response counts (balanced work, fixed by the data alone). */
	{
		size_t b = 0;
		em.bstart[0] = 0;
		for (size_t i = 0; i < d->n_persons && b + 1 < (size_t)em.nb; i++)
			if (d->row_start[i + 1] * (size_t)em.nb >= (b + 1) * d->n_resp)
				em.bstart[++b] = i + 1;
		while (b < (size_t)em.nb)
			em.bstart[++b] = d->n_persons;
		em.bstart[em.nb] = d->n_persons;
		for (size_t i = 0; i < d->n_persons; i++) {
			size_t nr = d->row_start[i + 1] - d->row_start[i];
			em.max_row = nr > em.max_row ? nr : em.max_row;
		}
	}

	/* EM cycles. */
	int it;
	double ll = -INFINITY;
	res->converged = 0;
	for (it = 1; it <= opts.max_iter; it++) {
		ib_set_latent(&em, mean, sd);
		ib_fill_table(&em, res->items);
		if ((rc = ib_estep(&em, opts.threads)))
			goto done;
		memcpy(A, em.acc, 2 * J * (size_t)Qp * sizeof *A);
		memcpy(mass, em.mass, (size_t)Qp * sizeof *mass);
		ll = em.ll[0];
		for (int b = 1; b < em.nb; b++) {
			const double *src = em.acc + (size_t)b * 2 * J * (size_t)Qp;
			for (size_t k = 0; k < 2 * J * (size_t)Qp; k++)
				A[k] += src[k];
			for (int q = 0; q < Qp; q++)
				mass[q] += em.mass[(size_t)b * (size_t)Qp + q];
			ll += em.ll[b];
		}
		/* M-step. */
		double change = 0, gmax = 0;
		double nq[256], rq[256];
		for (size_t j = 0; j < J; j++) {
			if (!is_free[j])
				continue;
			const double *a0 = A + 2 * j * (size_t)Qp, *a1 = a0 + Qp;
			for (int q = 0; q < Q; q++) {
				nq[q] = a0[q] + a1[q];
				rq[q] = a1[q];
			}
			double old[3] = { x[j][0], x[j][1], x[j][2] };
			if (model == IB_1PL || model == IB_RASCH)
				x[j][0] = common_a;
			int mj = (res->at_bound[j] & 4) ? mask & ~4 : mask;
			/* The marginal gradient at the current parameters (before this M-step), with
			 * c on its own scale; a c at its lower bound with the gradient pointing below
			 * it is held there (as c = 0, the 2PL) from now on. */
			if (model != IB_1PL) {
				double gg[3], H[9];
				ib_item_eval(x[j], mj, nq, rq, em.theta, Q, &pr, gg, H);
				for (int u = 0; u < 3; u++) {
					if (!(mj & (1 << u)))
						continue;
					double gu = gg[u];
					if (u == 2) {
						double c = cat_logistic(x[j][2]);
						gu = gg[2] / (c * (1 - c));
						if (c < 1e-3 && gu < 0 && !pr.c) {
							res->at_bound[j] |= 4;
							mj = mask & ~4;
							x[j][2] = old[2] = 0; /* c itself now (mask bit 4 off) */
							continue;
						}
					}
					/* a slope on its box bound (the M-step keeps 1e-3 < a < 50) with the
					 * gradient pointing outside: the maximum lies on the bound */
					if (u == 0 && ((x[j][0] < 1.01e-3 && gu < 0) || (x[j][0] > 49.9 && gu > 0))) {
						res->at_bound[j] |= 1;
						continue;
					}
					gu = fabs(gu) / (double)d->n_persons;
					gmax = gu > gmax ? gu : gmax;
				}
			}
			ib_item_mstep(x[j], mj, nq, rq, em.theta, Q, &pr);
			for (int u = 0; u < 3; u++) {
				double dv = fabs(x[j][u] - old[u]);
				if (u == 2 && (mj & 4))
					dv = fabs(cat_logistic(x[j][2]) - cat_logistic(old[2]));
				change = dv > change ? dv : change;
			}
		}
		if (model == IB_1PL) {
			/* One Newton step (with halving) on the common slope. */
			double f = 0, g = 0, h = 0, gg[3], H[9];
			for (size_t j = 0; j < J; j++) {
				if (!is_free[j])
					continue;
				const double *a0 = A + 2 * j * (size_t)Qp, *a1 = a0 + Qp;
				for (int q = 0; q < Q; q++) {
					nq[q] = a0[q] + a1[q];
					rq[q] = a1[q];
				}
				struct ib_priors np = pr;
				np.a = 0;
				f += ib_item_eval(x[j], 1, nq, rq, em.theta, Q, &np, gg, H);
				g += gg[0];
				h += H[0];
			}
			if (pr.a) {
				double la = log(common_a) - pr.a_mu, v = pr.a_sd * pr.a_sd;
				g += -1.0 / common_a - la / (v * common_a);
				h += 1.0 / (v * common_a * common_a);
			}
			double step = h > 0 ? g / h : 0;
			if (step > 0.5)
				step = 0.5;
			if (step < -0.5)
				step = -0.5;
			double na = common_a + step;
			while (na <= 0.01)
				na = common_a + (step *= 0.5);
			change = fabs(na - common_a) > change ? fabs(na - common_a) : change;
			common_a = na;
			for (size_t j = 0; j < J; j++)
				if (is_free[j])
					x[j][0] = common_a;
			(void)f;
		}
		if (est_mean || est_sd) {
			double s0 = 0, s1 = 0, s2 = 0;
			for (int q = 0; q < Q; q++) {
				s0 += mass[q];
				s1 += mass[q] * em.theta[q];
			}
			double nm = est_mean ? s1 / s0 : 0;
			for (int q = 0; q < Q; q++)
				s2 += mass[q] * (em.theta[q] - nm) * (em.theta[q] - nm);
			double nsd = est_sd ? sqrt(s2 / s0) : 1;
			if (!(nsd > 0.05))
				nsd = 0.05;
			change = fabs(nm - mean) > change ? fabs(nm - mean) : change;
			change = fabs(nsd - sd) > change ? fabs(nsd - sd) : change;
			mean = nm;
			sd = nsd;
		}
		for (size_t j = 0; j < J; j++) {
			if (!is_free[j])
				continue;
			struct ib_item_par *p = &res->items[j];
			p->a = x[j][0];
			p->d = x[j][1];
			p->c = model == IB_3PL && !(res->at_bound[j] & 4) ? cat_logistic(x[j][2]) : 0;
			p->b = -p->d / p->a;
		}
		double dll = it > 1 ? fabs(ll - res->hist_loglik[it - 2]) : INFINITY;
		res->loglik_change = dll;
		res->max_gradient = gmax;
		res->hist_loglik[it - 1] = ll;
		res->hist_change[it - 1] = change;
		res->n_hist = it;
		if (opts.progress)
			opts.progress(opts.progress_ctx, it, ll, change, ib_now() - t0);
		/* all three: parameters, log-likelihood (relative to the sample) and gradient */
		if (change < opts.tol && dll < opts.tol && gmax < opts.tol) {
			res->converged = 1;
			break;
		}
	}
	res->iterations = it > opts.max_iter ? opts.max_iter : it;

	/* Final pass at the estimates: log-likelihood and the XPD information. */
	ib_set_latent(&em, mean, sd);
	ib_fill_table(&em, res->items);
	em.se_mode = 1;
	em.sd = sd;
	em.common = model == IB_1PL ? IB_COMMON_SLOPE : model == IB_RASCH && !est_mean ? IB_COMMON_SD
	                                                                               : IB_COMMON_NONE;
	free(em.acc);
	em.acc = NULL;
	em.Ga = malloc(2 * J * (size_t)Qp * sizeof(double));
	em.Gd = malloc(2 * J * (size_t)Qp * sizeof(double));
	em.Gg = malloc(2 * J * (size_t)Qp * sizeof(double));
	em.Gs = calloc((size_t)Qp, sizeof(double));
	em.xpd = calloc((size_t)em.nb * J * 9, sizeof(double));
	em.xa = calloc((size_t)em.nb * J, sizeof(double));
	em.xaa = calloc((size_t)em.nb, sizeof(double));
	if (!em.Ga || !em.Gd || !em.Gg || !em.Gs || !em.xpd || !em.xa || !em.xaa) {
		rs_error_set("out of memory computing standard errors");
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t j = 0; j < J; j++) {
		const struct ib_item_par *p = &res->items[j];
		for (int xv = 0; xv < 2; xv++) {
			size_t row = (2 * j + (size_t)xv) * (size_t)Qp;
			for (int q = 0; q < Qp; q++) {
				if (q >= Q) {
					em.Ga[row + q] = em.Gd[row + q] = em.Gg[row + q] = 0;
					continue;
				}
				double s = cat_logistic(p->a * em.theta[q] + p->d);
				double P = p->c + (1 - p->c) * s;
				P = P < 1e-12 ? 1e-12 : P > 1 - 1e-12 ? 1 - 1e-12 : P;
				double k = (xv - P) / (P * (1 - P));
				double ds = (1 - p->c) * s * (1 - s);
				em.Ga[row + q] = k * ds * em.theta[q];
				em.Gd[row + q] = k * ds;
				em.Gg[row + q] = k * (1 - s) * p->c * (1 - p->c);
			}
		}
	}
	for (int q = 0; q < Q; q++)
		em.Gs[q] = em.theta[q] * em.theta[q] / (sd * sd * sd) - 1 / sd;
	if ((rc = ib_estep(&em, opts.threads)))
		goto done;
	ll = 0;
	for (int b = 0; b < em.nb; b++)
		ll += em.ll[b];
	res->loglik = ll;
	/* Reduce the XPD blocks in order into block 0. */
	for (int b = 1; b < em.nb; b++) {
		for (size_t k = 0; k < J * 9; k++)
			em.xpd[k] += em.xpd[(size_t)b * J * 9 + k];
		for (size_t k = 0; k < J; k++)
			em.xa[k] += em.xa[(size_t)b * J + k];
		em.xaa[0] += em.xaa[b];
	}
	double s_inv = NAN, common_info = em.xaa[0];
	if (em.common == IB_COMMON_SLOPE && pr.a)
		common_info += 1.0 / (pr.a_sd * pr.a_sd * common_a * common_a);
	if (em.common != IB_COMMON_NONE) {
		double schur = common_info;
		for (size_t j = 0; j < J; j++)
			if (is_free[j] && em.xpd[j * 9 + 4] > 0)
				schur -= em.xa[j] * em.xa[j] / em.xpd[j * 9 + 4];
		s_inv = schur > 0 ? 1 / schur : NAN;
	}
	for (size_t j = 0; j < J; j++) {
		if (!is_free[j])
			continue;
		struct ib_item_par *p = &res->items[j];
		double *X = em.xpd + j * 9, V[9];
		if (pr.a && (mask & 1))
			X[0] += 1.0 / (pr.a_sd * pr.a_sd * p->a * p->a);
		if (pr.c && (mask & 4)) {
			double h = (pr.c_al + pr.c_be - 2) * p->c * (1 - p->c);
			X[8] += h > 0 ? h : 0;
		}
		p->se_a = p->se_b = p->se_c = p->cov_ab = NAN;
		if (em.common != IB_COMMON_NONE) {
			double D = X[4];
			if (!(D > 0))
				continue;
			double u = em.xa[j] / D;
			double vd = 1 / D + u * u * s_inv;
			double vad = -u * s_inv;
			double va = em.common == IB_COMMON_SLOPE ? s_inv : 0;
			if (model == IB_RASCH) {
				p->se_b = sqrt(vd);
			} else {
				p->se_a = sqrt(va);
				p->se_b = sqrt((p->b * p->b * va + 2 * p->b * vad + vd)) / p->a;
				if (va > 0) /* b = -d / a: cov(a, b) = -(b var a + cov(a, d)) / a (delta method) */
					p->cov_ab = -(p->b * va + vad) / p->a;
			}
			continue;
		}
		if (ib_invert3(X, (res->at_bound[j] & 4) ? mask & ~4 : mask, V))
			continue;
		if (model == IB_RASCH) {
			p->se_b = V[4] > 0 ? sqrt(V[4]) : NAN;
			continue;
		}
		p->se_a = V[0] > 0 ? sqrt(V[0]) : NAN;
		double vb = (p->b * p->b * V[0] + 2 * p->b * V[1] + V[4]) / (p->a * p->a);
		p->se_b = vb > 0 ? sqrt(vb) : NAN;
		if (V[0] > 0 && vb > 0) /* b = -d / a: cov(a, b) = -(b var a + cov(a, d)) / a */
			p->cov_ab = -(p->b * V[0] + V[1]) / p->a;
		if (model == IB_3PL && !(res->at_bound[j] & 4))
			p->se_c = V[8] > 0 ? sqrt(V[8]) * p->c * (1 - p->c) : NAN;
	}
	if (model == IB_RASCH) {
		/* Report the Rasch items on a slope of 1; the scale lives in the latent SD. */
		for (size_t j = 0; j < J; j++)
			if (is_free[j])
				res->items[j].se_a = NAN;
	}
	for (size_t j = 0; j < J; j++)
		res->n_at_bound += res->at_bound[j] != 0;
	res->latent_mean = mean;
	res->latent_sd = sd;
	res->seconds = ib_now() - t0;
done:
	free(em.theta);
	free(em.logw);
	free(em.T);
	free(em.bstart);
	free(em.acc);
	free(em.mass);
	free(em.ll);
	free(em.Ga);
	free(em.Gd);
	free(em.Gg);
	free(em.Gs);
	free(em.xpd);
	free(em.xa);
	free(em.xaa);
	free(A);
	free(mass);
	free(cnt_n);
	free(cnt_r);
	free(x);
	free(is_free);
	if (rc) {
		ib_calib_result_free(res);
		return rc;
	}
	*out = res;
	return 0;
}

int ib_eap(double *theta_out, double *se_out, const struct ib_data *d,
           const struct ib_item_par *par, double mean, double sd)
{
	enum { QE = 61 };
	double th[QE], lw[QE], lp[QE];
	double *T = malloc(2 * d->n_items * QE * sizeof *T);
	if (!T) {
		rs_error_set("out of memory scoring abilities");
		return RS_ENOMEM;
	}
	for (int q = 0; q < QE; q++) {
		th[q] = -6.0 + 12.0 * q / (QE - 1);
		double z = (th[q] - mean) / sd;
		lw[q] = -0.5 * z * z;
	}
	for (size_t j = 0; j < d->n_items; j++) {
		for (int q = 0; q < QE; q++) {
			double P = ib_prob(&par[j], th[q]);
			P = P < 1e-300 ? 1e-300 : P > 1 - 1e-16 ? 1 - 1e-16 : P;
			T[(2 * j) * QE + q] = log1p(-P);
			T[(2 * j + 1) * QE + q] = log(P);
		}
	}
	for (size_t i = 0; i < d->n_persons; i++) {
		memcpy(lp, lw, sizeof lp);
		for (size_t k = d->row_start[i]; k < d->row_start[i + 1]; k++) {
			const double *row = T + (size_t)d->resp[k] * QE;
			for (int q = 0; q < QE; q++)
				lp[q] += row[q];
		}
		double m = lp[0];
		for (int q = 1; q < QE; q++)
			m = lp[q] > m ? lp[q] : m;
		double s = 0, s1 = 0, s2 = 0;
		for (int q = 0; q < QE; q++) {
			double w = exp(lp[q] - m);
			s += w;
			s1 += w * th[q];
			s2 += w * th[q] * th[q];
		}
		double mu = s1 / s;
		theta_out[i] = mu;
		if (se_out) {
			double v = s2 / s - mu * mu;
			se_out[i] = v > 0 ? sqrt(v) : 0;
		}
	}
	free(T);
	return 0;
}
