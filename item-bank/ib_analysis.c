/* item-bank: classical item analysis, Mantel–Haenszel DIF and Stocking–Lord
 * linking for drift. */
#include "ib_analysis.h"

#include "ib_calib.h"
#include "rs_error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ib_key {
	double v;
	size_t i;
};

static int ib_key_cmp(const void *a, const void *b)
{
	const struct ib_key *x = a, *y = b;
	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Cut persons (ordered by crit, weighted) into ng equal-weight groups:
 * out[i] = group of person i, or -1 when not selected (sel[i] == 0). */
static int ib_groups(int *out, const struct ib_data *d, const double *crit, const uint8_t *sel,
                     int ng)
{
	struct ib_key *k = malloc((d->n_persons ? d->n_persons : 1) * sizeof *k);
	if (!k) {
		rs_error_set("out of memory grouping persons");
		return RS_ENOMEM;
	}
	size_t n = 0;
	double tot = 0;
	for (size_t i = 0; i < d->n_persons; i++) {
		out[i] = -1;
		if (sel && !sel[i])
			continue;
		k[n].v = crit[i];
		k[n++].i = i;
		tot += d->weight[i];
	}
	if (!(tot > 0)) {
		free(k);
		return 0;
	}
	qsort(k, n, sizeof *k, ib_key_cmp);
	double cum = 0;
	for (size_t t = 0; t < n; t++) {
		double w = d->weight[k[t].i];
		int g = (int)((cum + 0.5 * w) / tot * ng);
		/* ties stay together: same value, same group as the previous person */
		if (t > 0 && k[t].v == k[t - 1].v)
			g = out[k[t - 1].i];
		out[k[t].i] = g < 0 ? 0 : g >= ng ? ng - 1 : g;
		cum += w;
	}
	free(k);
	return 0;
}

int ib_classical(struct ib_classical **out, const struct ib_data *d,
                 const struct ib_item_par *par, const double *theta_in)
{
	const size_t J = d->n_items, N = d->n_persons;
	int rc = 0;
	struct ib_classical *c = calloc(J, sizeof *c);
	double *score = calloc(N, sizeof *score), *crit = malloc(N * sizeof *crit);
	double *theta = NULL;
	int *grp = malloc(N * sizeof *grp);
	/* per item sums for the rest-score correlation */
	double *sw = calloc(J, sizeof *sw), *sx = calloc(J, sizeof *sx), *sy = calloc(J, sizeof *sy),
	       *sxy = calloc(J, sizeof *sxy), *syy = calloc(J, sizeof *syy);
	double *fz2 = calloc(J, sizeof *fz2), *fr2 = calloc(J, sizeof *fr2), *fv = calloc(J, sizeof *fv);
	double (*gw)[3] = calloc(J, sizeof *gw);
	if (!c || !score || !crit || !grp || !sw || !sx || !sy || !sxy || !syy || !fz2 || !fr2 || !fv ||
	    !gw) {
		rs_error_set("out of memory in item analysis");
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < N; i++) {
		size_t nr = d->row_start[i + 1] - d->row_start[i];
		for (size_t k = d->row_start[i]; k < d->row_start[i + 1]; k++)
			score[i] += IB_RESP_SCORE(d->resp[k]);
		crit[i] = nr ? score[i] / (double)nr : 0;
	}
	if (par && !theta_in) {
		if (!(theta = malloc(N * sizeof *theta))) {
			rs_error_set("out of memory in item analysis");
			rc = RS_ENOMEM;
			goto done;
		}
		if ((rc = ib_eap(theta, NULL, d, par, 0, 1)))
			goto done;
		theta_in = theta;
	}
	if ((rc = ib_groups(grp, d, theta_in ? theta_in : crit, NULL, 3)))
		goto done;
	for (size_t i = 0; i < N; i++) {
		double w = d->weight[i];
		for (size_t k = d->row_start[i]; k < d->row_start[i + 1]; k++) {
			uint32_t r = d->resp[k], j = IB_RESP_ITEM(r);
			double x = IB_RESP_SCORE(r), y = score[i] - x;
			c[j].n += w;
			sw[j] += w;
			sx[j] += w * x;
			sy[j] += w * y;
			sxy[j] += w * x * y;
			syy[j] += w * y * y;
			gw[j][grp[i]] += w;
			if (d->option && d->option[k] < IB_MAX_OPTIONS) {
				c[j].opt[d->option[k]][grp[i]] += w;
				if (d->option[k] + 1 > c[j].n_options)
					c[j].n_options = d->option[k] + 1;
			}
			if (par && theta_in) {
				double P = ib_prob(&par[j], theta_in[i]);
				double v = P * (1 - P);
				if (v > 1e-12) {
					fz2[j] += w * (x - P) * (x - P) / v;
					fr2[j] += w * (x - P) * (x - P);
					fv[j] += w * v;
				}
			}
		}
	}
	for (size_t j = 0; j < J; j++) {
		double n = sw[j];
		c[j].p = n > 0 ? sx[j] / n : NAN;
		double vx = sx[j] / n - c[j].p * c[j].p;
		double my = sy[j] / n, vy = syy[j] / n - my * my;
		double cov = sxy[j] / n - c[j].p * my;
		c[j].rpb = vx > 0 && vy > 0 ? cov / sqrt(vx * vy) : NAN;
		c[j].infit = par && fv[j] > 0 ? fr2[j] / fv[j] : NAN;
		c[j].outfit = par && n > 0 ? fz2[j] / n : NAN;
		int key = d->key ? d->key[j] : -1;
		for (int o = 0; o < c[j].n_options; o++) {
			for (int g = 0; g < 3; g++)
				c[j].opt[o][g] = gw[j][g] > 0 ? c[j].opt[o][g] / gw[j][g] : NAN;
			if (o != key && c[j].opt[o][2] > c[j].opt[o][0])
				c[j].distractor_flag = 1;
		}
	}
done:
	free(score);
	free(crit);
	free(theta);
	free(grp);
	free(sw);
	free(sx);
	free(sy);
	free(sxy);
	free(syy);
	free(fz2);
	free(fr2);
	free(fv);
	free(gw);
	if (rc) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* MH statistics and ETS class of one item from its S strata of 2x2 cells (A ref right,
 * B ref wrong, C focal right, D focal wrong). */
void ib_mh_cells(struct ib_dif *o, const double (*cell)[4], size_t S)
{
	double sR = 0, sS = 0, sPR = 0, sPSQR = 0, sQS = 0, sA = 0, sE = 0, sV = 0;
	memset(o, 0, sizeof *o);
	for (size_t s = 0; s < S; s++) {
		double A = cell[s][0], B = cell[s][1], C = cell[s][2], D = cell[s][3];
		double T = A + B + C + D, nR = A + B, nF = C + D, m1 = A + C, m0 = B + D;
		o->n_ref += nR;
		o->n_foc += nF;
		if (T < 2 || nR == 0 || nF == 0)
			continue;
		double P = (A + D) / T, Q = (B + C) / T, R = A * D / T, Sv = B * C / T;
		sR += R;
		sS += Sv;
		sPR += P * R;
		sPSQR += P * Sv + Q * R;
		sQS += Q * Sv;
		sA += A;
		sE += nR * m1 / T;
		sV += nR * nF * m1 * m0 / (T * T * (T - 1));
	}
	o->ets = '-';
	o->alpha = o->delta = o->se = o->chi2 = o->p = NAN;
	if (!(sR > 0 && sS > 0 && sV > 0))
		return;
	o->alpha = sR / sS;
	o->delta = -2.35 * log(o->alpha);
	double var = sPR / (2 * sR * sR) + sPSQR / (2 * sR * sS) + sQS / (2 * sS * sS);
	o->se = 2.35 * sqrt(var);
	double dev = fabs(sA - sE) - 0.5;
	o->chi2 = dev > 0 ? dev * dev / sV : 0;
	o->p = erfc(sqrt(o->chi2 / 2));
	double ad = fabs(o->delta);
	if (ad < 1.0 || o->p >= 0.05)
		o->ets = 'A';
	else if (ad >= 1.5 && (ad - 1.0) / o->se > 1.645)
		o->ets = 'C';
	else
		o->ets = 'B';
}

int ib_dif_mh(struct ib_dif **out, const struct ib_data *d, const uint8_t *group,
              const double *theta, int n_strata)
{
	const size_t J = d->n_items, N = d->n_persons;
	if (n_strata < 1 || n_strata > 100) {
		rs_error_set("DIF: 1 to 100 strata");
		return RS_EINVAL;
	}
	int rc = 0;
	size_t S = (size_t)n_strata;
	struct ib_dif *res = calloc(J, sizeof *res);
	int *st = malloc(N * sizeof *st);
	uint8_t *sel = calloc(N ? N : 1, 1);
	double (*cell)[4] = calloc(J * S, sizeof *cell); /* A ref right, B ref wrong, C foc right, D foc wrong */
	if (!res || !st || !sel || !cell) {
		rs_error_set("out of memory in DIF analysis");
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < N; i++)
		sel[i] = group[i] <= 1;
	if ((rc = ib_groups(st, d, theta, sel, n_strata)))
		goto done;
	for (size_t i = 0; i < N; i++) {
		if (st[i] < 0)
			continue;
		for (size_t k = d->row_start[i]; k < d->row_start[i + 1]; k++) {
			uint32_t r = d->resp[k], j = IB_RESP_ITEM(r);
			int idx = group[i] * 2 + (IB_RESP_SCORE(r) ? 0 : 1);
			cell[j * S + (size_t)st[i]][idx] += d->weight[i];
		}
	}
	for (size_t j = 0; j < J; j++)
		ib_mh_cells(&res[j], cell + j * S, S);
done:
	free(st);
	free(sel);
	free(cell);
	if (rc) {
		free(res);
		return rc;
	}
	*out = res;
	return 0;
}

/* Characteristic-curve criterion at (A, B): Stocking–Lord compares the test
 * characteristic curves, Haebara sums the squared differences item by item. */
static _Thread_local int ib_link_haebara;
static double ib_sl_crit(double A, double B, const struct ib_item_par *old,
                         const struct ib_item_par *nw, size_t n)
{
	double f = 0, wsum = 0;
	for (int q = 0; q < 41; q++) {
		double th = -4.0 + 0.2 * q, w = exp(-0.5 * th * th);
		double t1 = 0, t2 = 0, h = 0;
		for (size_t j = 0; j < n; j++) {
			double p1 = ib_prob(&old[j], th);
			struct ib_item_par p = nw[j];
			p.a = nw[j].a / A;
			p.b = A * nw[j].b + B;
			p.d = -p.a * p.b;
			double p2 = ib_prob(&p, th);
			t1 += p1;
			t2 += p2;
			h += (p1 - p2) * (p1 - p2);
		}
		f += w * (ib_link_haebara ? h : (t1 - t2) * (t1 - t2));
		wsum += w;
	}
	return f / wsum;
}

static int ib_cc_link(double *out_A, double *out_B, double *crit, const struct ib_item_par *old,
                      const struct ib_item_par *nw, size_t n);

int ib_link(double *out_A, double *out_B, double *crit, enum ib_link_method m, const struct ib_item_par *old,
            const struct ib_item_par *nw, size_t n)
{
	if (m == IB_LINK_MEAN_SIGMA) {
		if (n < 2) {
			rs_error_set("linking needs at least 2 common items, found %zu", n);
			return RS_EINVAL;
		}
		double mo = 0, mn = 0, vo = 0, vn = 0;
		for (size_t j = 0; j < n; j++) {
			mo += old[j].b;
			mn += nw[j].b;
		}
		mo /= (double)n;
		mn /= (double)n;
		for (size_t j = 0; j < n; j++) {
			vo += (old[j].b - mo) * (old[j].b - mo);
			vn += (nw[j].b - mn) * (nw[j].b - mn);
		}
		double A = vn > 0 && vo > 0 ? sqrt(vo / vn) : 1;
		*out_A = A;
		*out_B = mo - A * mn;
		if (crit)
			*crit = NAN;
		return 0;
	}
	ib_link_haebara = m == IB_LINK_HAEBARA;
	int rc = ib_cc_link(out_A, out_B, crit, old, nw, n);
	ib_link_haebara = 0;
	return rc;
}

int ib_stocking_lord(double *out_A, double *out_B, double *crit, const struct ib_item_par *old,
                     const struct ib_item_par *nw, size_t n)
{
	return ib_link(out_A, out_B, crit, IB_LINK_STOCKING_LORD, old, nw, n);
}

static int ib_cc_link(double *out_A, double *out_B, double *crit, const struct ib_item_par *old,
                      const struct ib_item_par *nw, size_t n)
{
	if (n < 2) {
		rs_error_set("linking needs at least 2 common items, found %zu", n);
		return RS_EINVAL;
	}
	/* Start from mean/sigma on b. */
	double mo = 0, mn = 0, vo = 0, vn = 0;
	for (size_t j = 0; j < n; j++) {
		mo += old[j].b;
		mn += nw[j].b;
	}
	mo /= (double)n;
	mn /= (double)n;
	for (size_t j = 0; j < n; j++) {
		vo += (old[j].b - mo) * (old[j].b - mo);
		vn += (nw[j].b - mn) * (nw[j].b - mn);
	}
	double A = vn > 0 && vo > 0 ? sqrt(vo / vn) : 1, B;
	if (!(A > 0.2 && A < 5))
		A = 1;
	B = mo - A * mn;
	/* Newton with finite-difference derivatives and step halving. */
	double f = ib_sl_crit(A, B, old, nw, n);
	for (int it = 0; it < 100; it++) {
		const double h = 1e-5;
		double fa1 = ib_sl_crit(A + h, B, old, nw, n), fa0 = ib_sl_crit(A - h, B, old, nw, n);
		double fb1 = ib_sl_crit(A, B + h, old, nw, n), fb0 = ib_sl_crit(A, B - h, old, nw, n);
		double fab = ib_sl_crit(A + h, B + h, old, nw, n);
		double ga = (fa1 - fa0) / (2 * h), gb = (fb1 - fb0) / (2 * h);
		double haa = (fa1 - 2 * f + fa0) / (h * h), hbb = (fb1 - 2 * f + fb0) / (h * h);
		double hab = (fab - fa1 - fb1 + f) / (h * h);
		double det = haa * hbb - hab * hab;
		double da, db;
		if (haa > 0 && det > 0) {
			da = -(hbb * ga - hab * gb) / det;
			db = -(haa * gb - hab * ga) / det;
		} else {
			da = -ga * 0.1;
			db = -gb * 0.1;
		}
		double step = 1, fn = f, An = A, Bn = B;
		for (int k = 0; k < 30; k++, step *= 0.5) {
			An = A + step * da;
			Bn = B + step * db;
			if (An <= 0.05)
				continue;
			fn = ib_sl_crit(An, Bn, old, nw, n);
			if (fn <= f)
				break;
		}
		if (!(fn <= f))
			break;
		double moved = fabs(An - A) + fabs(Bn - B);
		A = An;
		B = Bn;
		f = fn;
		if (moved < 1e-9)
			break;
	}
	*out_A = A;
	*out_B = B;
	if (crit)
		*crit = f;
	return 0;
}

int ib_lord_chi2(double *out_chi2, double *out_p, const struct ib_item_par *old, const struct ib_item_par *nw,
                 double A, double B)
{
	*out_chi2 = *out_p = NAN;
	double va = nw->se_a * nw->se_a / (A * A) + old->se_a * old->se_a;
	double vb = A * A * nw->se_b * nw->se_b + old->se_b * old->se_b;
	double cab = nw->cov_ab + old->cov_ab; /* (1/A)(A) cov(a, b) for the linked new estimates */
	double det = va * vb - cab * cab;
	if (!isfinite(va) || !isfinite(vb) || !isfinite(cab) || !(va > 0) || !(vb > 0) || !(det > 0) || !(A > 0)) {
		rs_error_set("Lord's chi-square needs both estimates' standard errors and a-b covariance");
		return RS_EINVAL;
	}
	double da = nw->a / A - old->a, db = A * nw->b + B - old->b;
	double chi2 = (vb * da * da - 2 * cab * da * db + va * db * db) / det;
	*out_chi2 = chi2;
	*out_p = exp(-chi2 / 2);
	return 0;
}

static uint8_t ib_drift_flag(const struct ib_item_par *old, const struct ib_item_par *nw, double A, double B,
                             const struct ib_drift_opts *o)
{
	uint8_t f = 0;
	double chi2, p;
	if (o->z > 0 && ib_lord_chi2(&chi2, &p, old, nw, A, B) == 0 && p < erfc(o->z / sqrt(2.0)))
		f |= 4;
	double db = A * nw->b + B - old->b, seb = sqrt(A * A * nw->se_b * nw->se_b + old->se_b * old->se_b);
	if (fabs(db) > o->threshold && (!isfinite(seb) || !(seb > 0) || fabs(db) > o->z * seb))
		f |= 1;
	if (o->slope_ratio > 1 && nw->a > 0 && old->a > 0) {
		double lr = log(nw->a / A / old->a);
		double sel = sqrt(pow(nw->se_a / nw->a, 2) + pow(old->se_a / old->a, 2));
		if (fabs(lr) > log(o->slope_ratio) && (!isfinite(sel) || !(sel > 0) || fabs(lr) > o->z * sel))
			f |= 2;
	}
	return f;
}

int ib_drift_link(struct ib_drift *out, uint8_t *flagged, const struct ib_item_par *old, const struct ib_item_par *nw,
                  size_t n, double threshold)
{
	/* the plain rule: |delta b| > threshold alone (no SE test, no slope flags) */
	struct ib_drift_opts o = { .threshold = threshold, .z = 0, .slope_ratio = 0, .boot = 0 };
	struct ib_item_par *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
	if (!a || !b) {
		free(a);
		free(b);
		rs_error_set("out of memory linking");
		return RS_ENOMEM;
	}
	for (size_t t = 0; t < n; t++) {
		a[t] = old[t];
		b[t] = nw[t];
		a[t].se_b = b[t].se_b = NAN;
	}
	int rc = ib_drift_link_opts(out, NULL, flagged, a, b, n, &o);
	free(a);
	free(b);
	return rc;
}

static uint64_t ib_boot_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int ib_drift_link_opts(struct ib_drift *out, struct ib_link_est est[3], uint8_t *flagged,
                       const struct ib_item_par *old, const struct ib_item_par *nw, size_t n,
                       const struct ib_drift_opts *o)
{
	struct ib_item_par *po = calloc(n ? n : 1, sizeof *po), *pn = calloc(n ? n : 1, sizeof *pn);
	struct ib_item_par *bo = calloc(n ? n : 1, sizeof *bo), *bn = calloc(n ? n : 1, sizeof *bn);
	if (!po || !pn || !bo || !bn) {
		free(po);
		free(pn);
		free(bo);
		free(bn);
		rs_error_set("out of memory linking");
		return RS_ENOMEM;
	}
	memset(flagged, 0, n);
	memset(out, 0, sizeof *out);
	int rc = 0;
	size_t m = 0;
	for (int round = 1; round <= IB_DRIFT_MAX_ROUNDS; round++) {
		m = 0;
		for (size_t t = 0; t < n; t++)
			if (!(flagged[t] & 1)) {
				po[m] = old[t];
				pn[m++] = nw[t];
			}
		double A, B, crit;
		if ((rc = ib_stocking_lord(&A, &B, &crit, po, pn, m)))
			break;
		out->A = A;
		out->B = B;
		out->crit = crit;
		out->rounds = round;
		out->linking = m;
		/* Flag against this round's constants; stop when the set no longer changes or
		 * fewer than two items would be left to link on. */
		size_t left = 0, changed = 0;
		for (size_t t = 0; t < n; t++) {
			uint8_t f = ib_drift_flag(&old[t], &nw[t], A, B, o) & 1;
			left += !f;
			changed += f != (flagged[t] & 1);
		}
		if (!changed || left < 2) {
			if (!changed)
				out->converged = 1;
			break;
		}
		for (size_t t = 0; t < n; t++)
			flagged[t] = ib_drift_flag(&old[t], &nw[t], A, B, o) & 1;
	}
	/* The flags reported are those against the final constants. */
	if (rc == 0)
		for (size_t t = 0; t < n; t++)
			flagged[t] = ib_drift_flag(&old[t], &nw[t], out->A, out->B, o);
	if (rc == 0 && est) {
		/* the final linking items (po/pn hold them: m items) under each method, with the
		 * bootstrap SD over resampled item sets */
		for (int k = 0; k < 3; k++) {
			struct ib_link_est *e = &est[k];
			if ((rc = ib_link(&e->A, &e->B, NULL, (enum ib_link_method)k, po, pn, m)))
				break;
			e->se_A = e->se_B = NAN;
			if (o->boot < 2)
				continue;
			uint64_t sd = o->seed ^ (0x51ED27ULL * (uint64_t)(k + 1));
			double sA = 0, sA2 = 0, sB = 0, sB2 = 0;
			int ok = 0;
			for (int r = 0; r < o->boot; r++) {
				for (size_t t = 0; t < m; t++) {
					size_t u = (size_t)(ib_boot_next(&sd) % m);
					bo[t] = po[u];
					bn[t] = pn[u];
				}
				double A, B;
				if (ib_link(&A, &B, NULL, (enum ib_link_method)k, bo, bn, m))
					continue;
				sA += A; sA2 += A * A; sB += B; sB2 += B * B;
				ok++;
			}
			if (ok > 1) {
				e->se_A = sqrt(fmax(0, (sA2 - sA * sA / ok) / (ok - 1)));
				e->se_B = sqrt(fmax(0, (sB2 - sB * sB / ok) / (ok - 1)));
			}
		}
	}
	free(po);
	free(pn);
	free(bo);
	free(bn);
	return rc;
}

int ib_link_person_boot(double out_se[3][2], int *out_ok, const struct ib_data *d, const struct ib_calib_opts *co,
                        const struct ib_item_par *old, const size_t *new_item, size_t m, int reps, uint64_t seed)
{
	for (int k = 0; k < 3; k++)
		out_se[k][0] = out_se[k][1] = NAN;
	*out_ok = 0;
	if (reps < 2 || m < 2 || d->n_persons == 0) {
		rs_error_set("person bootstrap: needs at least 2 replicates, 2 linking items and some persons");
		return RS_EINVAL;
	}
	size_t N = d->n_persons;
	size_t *pick = malloc(N * sizeof *pick);
	struct ib_item_par *pn = malloc(m * sizeof *pn);
	if (!pick || !pn) {
		free(pick);
		free(pn);
		rs_error_set("out of memory in the person bootstrap");
		return RS_ENOMEM;
	}
	double s1[3][2] = { { 0 } }, s2[3][2] = { { 0 } };
	int ok[3] = { 0 }, rc = 0;
	uint64_t sd = seed ^ 0x9E3779B97F4A7C15ULL;
	for (int r = 0; r < reps && rc == 0; r++) {
		size_t nresp = 0;
		for (size_t i = 0; i < N; i++) {
			pick[i] = (size_t)(ib_boot_next(&sd) % N);
			nresp += d->row_start[pick[i] + 1] - d->row_start[pick[i]];
		}
		struct ib_data *b = NULL;
		if ((rc = ib_data_alloc(&b, N, d->n_items, nresp)) != 0)
			break;
		size_t pos = 0;
		for (size_t i = 0; i < N; i++) {
			b->row_start[i] = pos;
			b->weight[i] = d->weight[pick[i]];
			for (size_t k = d->row_start[pick[i]]; k < d->row_start[pick[i] + 1]; k++)
				b->resp[pos++] = d->resp[k];
		}
		b->row_start[N] = pos;
		struct ib_calib_result *cr = NULL;
		int e = ib_calibrate(&cr, b, co);
		ib_data_free(b);
		if (e == RS_ENOMEM) {
			rc = e;
			break;
		}
		if (e) /* a resample in which an item cannot be estimated: this replicate drops out */
			continue;
		for (size_t t = 0; t < m; t++)
			pn[t] = cr->items[new_item[t]];
		ib_calib_result_free(cr);
		for (int k = 0; k < 3; k++) {
			double A, B;
			if (ib_link(&A, &B, NULL, (enum ib_link_method)k, old, pn, m))
				continue;
			s1[k][0] += A; s2[k][0] += A * A;
			s1[k][1] += B; s2[k][1] += B * B;
			ok[k]++;
		}
		(*out_ok)++;
	}
	for (int k = 0; k < 3 && rc == 0; k++)
		if (ok[k] > 1)
			for (int c = 0; c < 2; c++)
				out_se[k][c] = sqrt(fmax(0, (s2[k][c] - s1[k][c] * s1[k][c] / ok[k]) / (ok[k] - 1)));
	free(pick);
	free(pn);
	return rc;
}
