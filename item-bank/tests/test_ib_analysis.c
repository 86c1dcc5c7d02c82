/* Unit tests of item-bank analysis: classical statistics, distractors,
 * Mantel–Haenszel DIF with ETS classes, Stocking–Lord linking, S-X² fit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ib_analysis.h"
#include "ib_calib.h"
#include "ib_sim.h"
#include "rs_error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LSAT7 RS_SOURCE_ROOT "/tests/data/lsat7.tsv"

static void test_classical_lsat7(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	struct ib_classical *c = NULL;
	assert_int_equal(ib_data_load(&d, LSAT7, 0, NULL), 0);
	assert_int_equal(ib_classical(&c, d, NULL, NULL), 0);
	const double p[5] = { .828, .658, .772, .606, .843 };
	for (int j = 0; j < 5; j++) {
		assert_true(fabs(c[j].p - p[j]) < 0.0005);
		assert_true(c[j].n == 1000);
		assert_true(c[j].rpb > 0.1 && c[j].rpb < 0.6);
		assert_true(isnan(c[j].infit));
	}
	free(c);
	ib_data_free(d);
}

static void test_distractor_flag(void **state)
{
	(void)state;
	/* q2's distractor C is chosen by the strongest persons: flagged. */
	const char *s = "id\tq1\tq2\tq3\tq4\nKEY\tA\tB\tA\tA\n"
	                "p1\tB\tD\tB\tB\np2\tB\tD\tC\tB\np3\tA\tB\tB\tB\n"
	                "p4\tA\tB\tB\tB\np5\tA\tC\tA\tA\np6\tA\tC\tA\tA\n";
	struct ib_read_opts o = { .allow_options = 1 };
	struct ib_data *d = NULL;
	struct ib_classical *c = NULL;
	assert_int_equal(ib_data_read_wide(&d, s, strlen(s), &o), 0);
	assert_int_equal(ib_classical(&c, d, NULL, NULL), 0);
	assert_int_equal(c[1].n_options, 4);
	assert_true(c[1].distractor_flag);
	assert_false(c[0].distractor_flag);
	assert_true(c[1].opt[2][2] == 1.0); /* all of the high third chose C */
	free(c);
	ib_data_free(d);
}

static void test_dif_mantel_haenszel(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	struct ib_item_par *t = NULL;
	double *theta = NULL;
	struct ib_sim_opts so = { 6000, 20, 0, IB_2PL, 31 };
	assert_int_equal(ib_sim(&d, &t, &theta, &so), 0);
	/* Half the persons are focal; item 4 is one logit harder for them. */
	uint8_t *g = malloc(d->n_persons);
	struct ib_rng rng;
	ib_rng_seed(&rng, 77);
	for (size_t i = 0; i < d->n_persons; i++) {
		g[i] = i % 2;
		for (size_t k = d->row_start[i]; k < d->row_start[i + 1]; k++) {
			uint32_t j = IB_RESP_ITEM(d->resp[k]);
			struct ib_item_par p = t[j];
			if (j == 4 && g[i]) {
				p.b += 1.0 / p.a;
				p.d = -p.a * p.b;
			}
			d->resp[k] = IB_RESP(j, ib_rng_unif(&rng) < ib_prob(&p, theta[i]));
		}
	}
	struct ib_calib_opts o;
	ib_calib_opts_init(&o, IB_2PL);
	struct ib_calib_result *r = NULL;
	assert_int_equal(ib_calibrate(&r, d, &o), 0);
	double *eap = malloc(d->n_persons * sizeof *eap);
	assert_int_equal(ib_eap(eap, NULL, d, r->items, 0, 1), 0);
	struct ib_dif *dif = NULL;
	assert_int_equal(ib_dif_mh(&dif, d, g, eap, 10), 0);
	/* One logit: MH D-DIF about -2.35, class C. */
	assert_true(dif[4].delta < -1.7 && dif[4].delta > -3.0);
	assert_int_equal(dif[4].ets, 'C');
	int a_count = 0;
	for (size_t j = 0; j < 20; j++)
		a_count += j != 4 && dif[j].ets == 'A';
	assert_true(a_count >= 17);
	free(dif);
	free(eap);
	free(g);
	ib_calib_result_free(r);
	ib_data_free(d);
	free(t);
	free(theta);
}

static void test_stocking_lord_recovers_constants(void **state)
{
	(void)state;
	struct ib_item_par old[8], nw[8];
	const double A = 1.25, B = -0.4;
	for (int j = 0; j < 8; j++) {
		old[j] = (struct ib_item_par){ .a = 0.7 + 0.1 * j, .b = -1.5 + 0.4 * j, .c = 0.1 };
		old[j].d = -old[j].a * old[j].b;
		nw[j] = old[j];
		nw[j].a = old[j].a * A;          /* the same items on a scale θ_new = (θ_old - B) / A */
		nw[j].b = (old[j].b - B) / A;
		nw[j].d = -nw[j].a * nw[j].b;
	}
	double a, b, crit;
	assert_int_equal(ib_stocking_lord(&a, &b, &crit, old, nw, 8), 0);
	assert_true(fabs(a - A) < 1e-3);
	assert_true(fabs(b - B) < 1e-3);
	assert_true(crit < 1e-8);
	assert_int_equal(ib_stocking_lord(&a, &b, &crit, old, nw, 1), RS_EINVAL);
}

/* Two of twelve items drift by +0.8 logits: a single link is pulled toward them, the
 * purified link drops them and recovers the true constants. */
static void test_drift_purification(void **state)
{
	(void)state;
	enum { N = 12 };
	struct ib_item_par old[N], nw[N];
	const double A = 1.1, B = 0.35;
	for (int j = 0; j < N; j++) {
		old[j] = (struct ib_item_par){ .a = 0.7 + 0.08 * j, .b = -2 + 0.35 * j, .c = 0.15 };
		old[j].d = -old[j].a * old[j].b;
		nw[j] = old[j];
		nw[j].a = old[j].a * A;
		nw[j].b = (old[j].b - B) / A;
		nw[j].d = -nw[j].a * nw[j].b;
	}
	for (int j = 3; j <= 9; j += 6) { /* items 3 and 9 harder now */
		nw[j].b += 0.8 / A;
		nw[j].d = -nw[j].a * nw[j].b;
	}
	double A1, B1, crit;
	assert_int_equal(ib_stocking_lord(&A1, &B1, &crit, old, nw, N), 0);
	assert_true(fabs(B1 - B) > 0.05); /* one pass is biased by the drifted items */
	struct ib_drift dr;
	uint8_t flagged[N];
	assert_int_equal(ib_drift_link(&dr, flagged, old, nw, N, 0.3), 0);
	assert_true(dr.converged);
	assert_true(dr.rounds >= 2);
	assert_int_equal(dr.linking, N - 2);
	assert_true(fabs(dr.A - A) < 1e-3);
	assert_true(fabs(dr.B - B) < 1e-3);
	for (int j = 0; j < N; j++)
		assert_int_equal(flagged[j], j == 3 || j == 9);
	/* Nothing drifted: one pass, nothing flagged. */
	for (int j = 3; j <= 9; j += 6) {
		nw[j].b -= 0.8 / A;
		nw[j].d = -nw[j].a * nw[j].b;
	}
	assert_int_equal(ib_drift_link(&dr, flagged, old, nw, N, 0.3), 0);
	assert_int_equal(dr.rounds, 1);
	assert_int_equal(dr.linking, N);
	for (int j = 0; j < N; j++)
		assert_int_equal(flagged[j], 0);
	assert_int_equal(ib_drift_link(&dr, flagged, old, nw, 1, 0.3), RS_EINVAL);
}

static void test_chi2_upper_tail(void **state)
{
	(void)state;
	/* The familiar 5 % critical values, and df = 1 against erfc. */
	assert_true(fabs(ib_chi2_upper(3.841459, 1) - 0.05) < 1e-6);
	assert_true(fabs(ib_chi2_upper(5.991465, 2) - 0.05) < 1e-6);
	assert_true(fabs(ib_chi2_upper(18.307038, 10) - 0.05) < 1e-6);
	assert_true(fabs(ib_chi2_upper(2.0, 2) - exp(-1.0)) < 1e-12); /* df 2: exp(-x/2) */
	for (double x = 0.1; x < 40; x *= 1.7)
		assert_true(fabs(ib_chi2_upper(x, 1) - erfc(sqrt(x / 2))) < 1e-10);
	assert_true(ib_chi2_upper(0, 3) == 1);
	assert_true(ib_chi2_upper(200, 3) < 1e-40);
	assert_true(isnan(ib_chi2_upper(1, 0)));
}

/* The expected table of S-X² against brute force over all 2^5 answer patterns of a
 * small 3PL form, and the identity that the expected right answers of a score group
 * add up to its score. */
static void test_sx2_expected_table(void **state)
{
	(void)state;
	enum { J = 5, Q = 61 };
	struct ib_item_par par[J];
	for (int j = 0; j < J; j++) {
		par[j] = (struct ib_item_par){ .a = 0.6 + 0.35 * j, .b = -1.2 + 0.6 * j, .c = j % 2 ? 0.2 : 0 };
		par[j].d = -par[j].a * par[j].b;
	}
	double e[(J + 1) * J];
	const double mean = 0.3, sd = 1.2;
	assert_int_equal(ib_sx2_expected(e, par, J, mean, sd), 0);
	double num[J + 1][J], den[J + 1];
	memset(num, 0, sizeof num);
	memset(den, 0, sizeof den);
	double wsum = 0;
	for (int q = 0; q < Q; q++) {
		double z = -6 + 12.0 * q / (Q - 1);
		wsum += exp(-0.5 * z * z);
	}
	for (int q = 0; q < Q; q++) {
		double z = -6 + 12.0 * q / (Q - 1), w = exp(-0.5 * z * z) / wsum;
		for (unsigned x = 0; x < 1u << J; x++) {
			double l = w;
			int k = 0;
			for (int j = 0; j < J; j++) {
				double P = ib_prob(&par[j], mean + sd * z);
				l *= x >> j & 1 ? P : 1 - P;
				k += x >> j & 1;
			}
			den[k] += l;
			for (int j = 0; j < J; j++)
				if (x >> j & 1)
					num[k][j] += l;
		}
	}
	for (int k = 0; k <= J; k++) {
		double sum = 0;
		for (int j = 0; j < J; j++) {
			assert_true(fabs(e[k * J + j] - num[k][j] / den[k]) < 1e-12);
			sum += e[k * J + j];
		}
		assert_true(fabs(sum - k) < 1e-12);
	}
	assert_int_equal(ib_sx2_expected(e, par, J, 0, 0), RS_EINVAL);
}

/* S-X² on data simulated from the very parameters it is given: no item should look
 * misfitting; then one item's parameters are made wrong and only that item stands out. */
static void test_sx2_fits_true_model_and_finds_a_wrong_item(void **state)
{
	(void)state;
	struct ib_sim_opts so = { .n_persons = 5000, .n_items = 20, .model = IB_2PL, .seed = 77 };
	struct ib_data *d = NULL;
	struct ib_item_par *par = NULL;
	assert_int_equal(ib_sim(&d, &par, NULL, &so), 0);
	struct ib_sx2 *f = NULL;
	assert_int_equal(ib_sx2(&f, d, par, NULL, 0, 1), 0);
	double ratio = 0;
	int rejected = 0;
	for (int j = 0; j < 20; j++) {
		assert_true(f[j].n == 5000);
		assert_true(f[j].df >= 10 && f[j].df <= 17);
		assert_true(isfinite(f[j].sx2) && f[j].p >= 0 && f[j].p <= 1);
		ratio += f[j].sx2 / f[j].df / 20;
		rejected += f[j].p < 0.01;
	}
	assert_true(ratio > 0.6 && ratio < 1.5);
	assert_true(rejected <= 2); /* 0.2 expected at the 1 % level */
	free(f);
	/* Item 3 claimed far flatter than it is. */
	par[3].a *= 0.25;
	par[3].d = -par[3].a * par[3].b;
	assert_int_equal(ib_sx2(&f, d, par, NULL, 0, 1), 0);
	assert_true(f[3].p < 1e-6);
	int others = 0;
	for (int j = 0; j < 20; j++)
		others += j != 3 && f[j].p < 1e-6;
	assert_int_equal(others, 0);
	free(f);
	free(par);
	ib_data_free(d);
}

/* Persons who did not see the whole form have no summed score: CAT-like data gives
 * no statistic; too long a form is refused with a clear error. */
static void test_sx2_needs_complete_forms(void **state)
{
	(void)state;
	struct ib_sim_opts so = { .n_persons = 500, .n_items = 20, .per_person = 10, .model = IB_2PL, .seed = 5 };
	struct ib_data *d = NULL;
	struct ib_item_par *par = NULL;
	assert_int_equal(ib_sim(&d, &par, NULL, &so), 0);
	struct ib_sx2 *f = NULL;
	assert_int_equal(ib_sx2(&f, d, par, NULL, 0, 1), 0);
	for (int j = 0; j < 20; j++) {
		assert_true(f[j].n == 0);
		assert_true(isnan(f[j].sx2));
		assert_true(isnan(f[j].p));
	}
	free(f);
	free(par);
	ib_data_free(d);
	struct ib_sim_opts big = { .n_persons = 10, .n_items = IB_SX2_MAX_ITEMS + 1, .model = IB_2PL, .seed = 5 };
	assert_int_equal(ib_sim(&d, &par, NULL, &big), 0);
	assert_int_equal(ib_sx2(&f, d, par, NULL, 0, 1), RS_EINVAL);
	assert_non_null(strstr(rs_error_last(), "items"));
	free(par);
	ib_data_free(d);
}

/* Dense 2PL responses of n persons (theta ~ N(mu, sd)) to the J items par, from seed. */
static struct ib_data *ib_t_dense(const struct ib_item_par *par, size_t J, size_t n, uint64_t seed, double mu, double sd)
{
	struct ib_data *d = NULL;
	assert_int_equal(ib_data_alloc(&d, n, J, n * J), 0);
	struct ib_rng rng;
	ib_rng_seed(&rng, seed);
	size_t pos = 0;
	for (size_t i = 0; i < n; i++) {
		double th = mu + sd * ib_rng_norm(&rng);
		d->row_start[i] = pos;
		for (size_t j = 0; j < J; j++)
			d->resp[pos++] = IB_RESP(j, ib_rng_unif(&rng) < ib_prob(&par[j], th));
	}
	d->row_start[n] = pos;
	return d;
}

/* Lord's chi-square computed another way: Cholesky of the summed covariance, solve, square. */
static double ib_t_lord_brute(const struct ib_item_par *o, const struct ib_item_par *nw, double A, double B)
{
	double s11 = nw->se_a * nw->se_a / (A * A) + o->se_a * o->se_a, s12 = nw->cov_ab + o->cov_ab;
	double s22 = A * A * nw->se_b * nw->se_b + o->se_b * o->se_b;
	double l11 = sqrt(s11), l21 = s12 / l11, l22 = sqrt(s22 - l21 * l21);
	double v1 = nw->a / A - o->a, v2 = A * nw->b + B - o->b;
	double y1 = v1 / l11, y2 = (v2 - l21 * y1) / l22;
	return y1 * y1 + y2 * y2;
}

/* The a-b covariance of calibration against simulated recovery: the same 8 items
 * calibrated on 40 independent samples; the covariance the calibrations report (from the
 * information matrix) agrees with the covariance of the 40 estimates, item by item. Pairs
 * of those calibrations (no drift, same scale: A = 1, B = 0) give Lord's chi-square with
 * its 2-df null distribution (mean 2, about 5 % below p = .05), and it equals a brute
 * force computation; an item given a real shift in a and b is found. */
static void test_cov_ab_and_lord_chi2(void **st)
{
	(void)st;
	enum { J = 8, R = 40, N = 1000 };
	struct ib_item_par par[J];
	static const double a0[J] = { 0.6, 0.9, 1.2, 1.6, 2.0, 0.8, 1.4, 1.1 };
	static const double b0[J] = { -1.8, -1.0, -0.4, 0.0, 0.5, 1.0, 1.5, 2.0 };
	for (int j = 0; j < J; j++) {
		memset(&par[j], 0, sizeof par[j]);
		par[j].a = a0[j];
		par[j].b = b0[j];
		par[j].d = -a0[j] * b0[j];
	}
	static struct ib_item_par est[R][J];
	for (int r = 0; r < R; r++) {
		struct ib_data *d = ib_t_dense(par, J, N, 1000 + (uint64_t)r, 0.0, 1.0);
		struct ib_calib_opts o;
		ib_calib_opts_init(&o, IB_2PL);
		o.threads = 1;
		struct ib_calib_result *cr = NULL;
		if (ib_calibrate(&cr, d, &o))
			fail_msg("calibration: %s", rs_error_last());
		for (int j = 0; j < J; j++) {
			est[r][j] = cr->items[j];
			assert_true(isfinite(cr->items[j].cov_ab));
		}
		ib_calib_result_free(cr);
		ib_data_free(d);
	}
	for (int j = 0; j < J; j++) {
		double ma = 0, mb = 0, rep = 0, sa = 0, sb = 0;
		for (int r = 0; r < R; r++) {
			ma += est[r][j].a / R;
			mb += est[r][j].b / R;
			rep += est[r][j].cov_ab / R;
			sa += est[r][j].se_a * est[r][j].se_a / R;
			sb += est[r][j].se_b * est[r][j].se_b / R;
		}
		double emp = 0;
		for (int r = 0; r < R; r++)
			emp += (est[r][j].a - ma) * (est[r][j].b - mb) / (R - 1);
		double scale = sqrt(sa * sb); /* the covariance's natural unit */
		print_message("item %d (a %.1f, b %+.1f): cov(a, b) reported %+.5f, over %d samples %+.5f "
		              "(correlation %+.2f vs %+.2f)\n", j + 1, a0[j], b0[j], rep, R, emp, rep / scale, emp / scale);
		/* the empirical covariance of 40 samples has an SE of about 0.16 scale */
		assert_true(fabs(rep - emp) < 0.45 * scale);
		/* b = -d / a: a larger slope estimate pulls b towards 0, so easy items' a and b
		 * estimates move together and hard items' against each other */
		if (fabs(b0[j]) >= 1)
			assert_true(b0[j] * rep < 0);
	}
	double sum = 0, below05 = 0;
	int cnt = 0;
	for (int r = 0; r + 1 < R; r += 2)
		for (int j = 0; j < J; j++) {
			double chi2, p;
			assert_int_equal(ib_lord_chi2(&chi2, &p, &est[r][j], &est[r + 1][j], 1.0, 0.0), 0);
			assert_true(fabs(chi2 - ib_t_lord_brute(&est[r][j], &est[r + 1][j], 1.0, 0.0)) < 1e-9 * (1 + chi2));
			assert_true(fabs(p - exp(-chi2 / 2)) < 1e-15);
			sum += chi2;
			below05 += p < 0.05;
			cnt++;
		}
	print_message("Lord's chi-square, no drift: mean %.3f over %d (2 df: 2), %.1f %% with p < .05\n", sum / cnt,
	              cnt, 100 * below05 / cnt);
	assert_true(sum / cnt > 1.4 && sum / cnt < 2.7);
	assert_true(below05 / cnt < 0.12);
	/* a linked pair: brute force under A, B != 1, 0, too */
	struct ib_item_par lk = est[1][3];
	lk.a = est[1][3].a * 1.3;
	lk.b = (est[1][3].b - 0.2) / 1.3;
	lk.se_a *= 1.3;
	lk.se_b /= 1.3;
	double chi2, p;
	assert_int_equal(ib_lord_chi2(&chi2, &p, &est[0][3], &lk, 1.3, 0.2), 0);
	assert_true(fabs(chi2 - ib_t_lord_brute(&est[0][3], &lk, 1.3, 0.2)) < 1e-9 * (1 + chi2));
	/* real drift: the same item with a + 0.6 and b + 0.5 in the new calibration */
	struct ib_item_par dr = est[1][3];
	dr.a += 0.6;
	dr.b += 0.5;
	assert_int_equal(ib_lord_chi2(&chi2, &p, &est[0][3], &dr, 1.0, 0.0), 0);
	print_message("shifted item: chi-square %.1f, p %.2g\n", chi2, p);
	assert_true(p < 0.001);
	/* without a covariance there is no test */
	dr.cov_ab = NAN;
	assert_int_equal(ib_lord_chi2(&chi2, &p, &est[0][3], &dr, 1.0, 0.0), RS_EINVAL);
	assert_true(isnan(chi2) && isnan(p));
}

/* Person bootstrap of the linking constants against simulated recovery: a new form's
 * population is N(0.4, 1.25²) on the active scale, so calibrating it alone (N(0, 1))
 * gives theta_active = 1.25 theta_new + 0.4. Over 30 independent samples the Stocking-Lord
 * constants vary by some SD; the person bootstrap of one sample (resample, recalibrate,
 * relink) estimates that SD from that sample alone. */
static void test_person_bootstrap_linking(void **st)
{
	(void)st;
	enum { J = 10, R = 30, N = 600 };
	struct ib_item_par par[J];
	size_t li[J];
	for (int j = 0; j < J; j++) {
		memset(&par[j], 0, sizeof par[j]);
		par[j].a = 0.8 + 0.1 * j;
		par[j].b = -1.6 + 0.35 * j;
		par[j].d = -par[j].a * par[j].b;
		par[j].se_a = par[j].se_b = par[j].cov_ab = NAN;
		li[j] = (size_t)j;
	}
	struct ib_calib_opts o;
	ib_calib_opts_init(&o, IB_2PL);
	o.threads = 1;
	double sA = 0, sA2 = 0, sB = 0, sB2 = 0;
	struct ib_data *first = NULL;
	for (int r = 0; r < R; r++) {
		struct ib_data *d = ib_t_dense(par, J, N, 500 + (uint64_t)r, 0.4, 1.25);
		struct ib_calib_result *cr = NULL;
		if (ib_calibrate(&cr, d, &o))
			fail_msg("calibration: %s", rs_error_last());
		double A, B;
		assert_int_equal(ib_link(&A, &B, NULL, IB_LINK_STOCKING_LORD, par, cr->items, J), 0);
		sA += A; sA2 += A * A; sB += B; sB2 += B * B;
		ib_calib_result_free(cr);
		if (r == 0)
			first = d;
		else
			ib_data_free(d);
	}
	double mA = sA / R, mB = sB / R;
	double sdA = sqrt((sA2 - sA * sA / R) / (R - 1)), sdB = sqrt((sB2 - sB * sB / R) / (R - 1));
	double se[3][2];
	int ok = 0;
	assert_int_equal(ib_link_person_boot(se, &ok, first, &o, par, li, J, 30, 7), 0);
	print_message("Stocking-Lord over %d samples: A %.4f (SD %.4f), B %.4f (SD %.4f); person bootstrap of one "
	              "sample: SE A %.4f, SE B %.4f (%d replicates)\n", R, mA, sdA, mB, sdB, se[0][0], se[0][1], ok);
	assert_int_equal(ok, 30);
	assert_true(fabs(mA - 1.25) < 0.05 && fabs(mB - 0.4) < 0.05);
	/* each SD from 30 draws is good to about 13 %: the ratio within 0.6..1.6 */
	assert_true(se[0][0] / sdA > 0.6 && se[0][0] / sdA < 1.6);
	assert_true(se[0][1] / sdB > 0.6 && se[0][1] / sdB < 1.6);
	for (int k = 1; k < 3; k++) /* Haebara and mean/sigma get theirs too */
		assert_true(se[k][0] > 0 && se[k][1] > 0);
	/* deterministic in the seed */
	double again[3][2], once[3][2];
	assert_int_equal(ib_link_person_boot(once, &ok, first, &o, par, li, J, 4, 7), 0);
	assert_int_equal(ib_link_person_boot(again, &ok, first, &o, par, li, J, 4, 7), 0);
	assert_true(again[0][0] == once[0][0] && again[2][1] == once[2][1]);
	assert_int_equal(ib_link_person_boot(again, &ok, first, &o, par, li, J, 1, 7), RS_EINVAL);
	ib_data_free(first);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classical_lsat7),
		cmocka_unit_test(test_distractor_flag),
		cmocka_unit_test(test_dif_mantel_haenszel),
		cmocka_unit_test(test_stocking_lord_recovers_constants),
		cmocka_unit_test(test_drift_purification),
		cmocka_unit_test(test_cov_ab_and_lord_chi2),
		cmocka_unit_test(test_person_bootstrap_linking),
		cmocka_unit_test(test_chi2_upper_tail),
		cmocka_unit_test(test_sx2_expected_table),
		cmocka_unit_test(test_sx2_fits_true_model_and_finds_a_wrong_item),
		cmocka_unit_test(test_sx2_needs_complete_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
