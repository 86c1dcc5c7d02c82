/* Unit tests: ability estimates against brute-force integration and grid searches, the
 * LSAT7 EAP against an independent quadrature, extreme patterns, and a recovery study. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cat_test_util.h"

/* Independent 2PL/3PL log-likelihood written from the textbook formula. */
static double ind_ll(const struct cat_item *it, double th, int x)
{
	double p = it->c + (1 - it->c) / (1 + exp(-it->D * it->a * (th - it->b)));
	return x ? log(p) : log(1 - p);
}

/* Posterior mean and SD by Simpson's rule on [-10, 10] with 20001 points. */
static void brute_eap(const struct cat_item *const *its, const int *x, size_t n, double *m, double *sd)
{
	double s0 = 0, s1 = 0, s2 = 0, h = 20.0 / 20000;
	for (int k = 0; k <= 20000; k++) {
		double th = -10 + h * k, l = -0.5 * th * th;
		for (size_t i = 0; i < n; i++)
			l += ind_ll(its[i], th, x[i]);
		double w = (k == 0 || k == 20000) ? 1 : (k % 2 ? 4 : 2);
		double f = w * exp(l);
		s0 += f;
		s1 += f * th;
		s2 += f * th * th;
	}
	*m = s1 / s0;
	*sd = sqrt(s2 / s0 - *m * *m);
}

static void test_lsat7_eap(void **st)
{
	(void)st;
	/* Published LSAT7 2PL estimates (tests/data/README.md): a, d with b = -d/a. */
	static const double a[5] = { 0.988, 1.081, 1.706, 0.765, 0.736 }, d[5] = { 1.856, 0.808, 1.804, 0.486, 1.855 };
	struct cat_item items[5];
	const struct cat_item *its[5];
	for (int i = 0; i < 5; i++) {
		items[i] = (struct cat_item){ .model = CAT_2PL, .a = a[i], .b = -d[i] / a[i], .D = 1, .nsteps = 1 };
		its[i] = &items[i];
	}
	for (int pat = 0; pat < 32; pat++) {
		int x[5];
		for (int i = 0; i < 5; i++)
			x[i] = (pat >> (4 - i)) & 1;
		struct cat_estimate e;
		assert_int_equal(cat_estimate(&e, CAT_EAP, NULL, its, x, 5), 0);
		double m, sd;
		brute_eap(its, x, 5, &m, &sd);
		assert_true(fabs(e.theta - m) < 1e-4);
		assert_true(fabs(e.se - sd) < 1e-4);
	}
	/* All wrong is below all right, and the order follows the sum score for equal-slope-ish
	 * items: a visible sanity check. */
	int x0[5] = { 0 }, x1[5] = { 1, 1, 1, 1, 1 };
	struct cat_estimate e0, e1;
	cat_estimate(&e0, CAT_EAP, NULL, its, x0, 5);
	cat_estimate(&e1, CAT_EAP, NULL, its, x1, 5);
	assert_true(e0.theta < -1.5 && e1.theta > 0.5);
}

static void mk_test(struct cat_item *items, const struct cat_item **its, int *x, size_t n, uint64_t seed, double theta, bool three)
{
	for (size_t i = 0; i < n; i++) {
		items[i] = (struct cat_item){ .model = three ? CAT_3PL : CAT_2PL, .a = 0.6 + 1.4 * ctu_u(&seed),
		                              .b = -2 + 4 * ctu_u(&seed), .c = three ? 0.2 : 0, .D = 1, .nsteps = 1 };
		its[i] = &items[i];
		x[i] = ctu_answer(&items[i], theta, &seed);
	}
}

/* argmax over a 1e-4 grid of f(theta) = sum ll + extra(theta). */
static double grid_max(const struct cat_item *const *its, const int *x, size_t n, int kind)
{
	double best = -INFINITY, bt = 0;
	for (int k = 0; k <= 120000; k++) {
		double th = -6 + 1e-4 * k, l = 0, inf = 0;
		for (size_t i = 0; i < n; i++) {
			l += ind_ll(its[i], th, x[i]);
			double p = 1 / (1 + exp(-its[i]->a * (th - its[i]->b)));
			inf += its[i]->a * its[i]->a * p * (1 - p);
		}
		if (kind == 1) l -= 0.5 * th * th;     /* MAP, N(0,1) prior */
		if (kind == 2) l += 0.5 * log(inf);    /* WLE (2PL): Warm's penalised likelihood */
		if (l > best) { best = l; bt = th; }
	}
	return bt;
}

static void test_mle_map_wle_grid(void **st)
{
	(void)st;
	struct cat_item items[30];
	const struct cat_item *its[30];
	int x[30];
	for (int rep = 0; rep < 4; rep++) {
		mk_test(items, its, x, 30, 100 + (uint64_t)rep, -1.5 + rep, false);
		struct cat_estimate e;
		assert_int_equal(cat_estimate(&e, CAT_MLE, NULL, its, x, 30), 0);
		assert_true(fabs(e.theta - grid_max(its, x, 30, 0)) < 2e-4);
		assert_int_equal(e.flags & CAT_EST_FALLBACK, 0);
		assert_int_equal(cat_estimate(&e, CAT_MAP, NULL, its, x, 30), 0);
		assert_true(fabs(e.theta - grid_max(its, x, 30, 1)) < 2e-4);
		assert_int_equal(cat_estimate(&e, CAT_WLE, NULL, its, x, 30), 0);
		assert_true(fabs(e.theta - grid_max(its, x, 30, 2)) < 2e-4);
		/* MLE SE = 1/sqrt(test information) */
		assert_int_equal(cat_estimate(&e, CAT_MLE, NULL, its, x, 30), 0);
		double inf = 0;
		for (int i = 0; i < 30; i++) inf += cat_info(its[i], e.theta);
		assert_true(fabs(e.se - 1 / sqrt(inf)) < 1e-9);
	}
	/* 3PL MLE against the grid as well */
	mk_test(items, its, x, 30, 7, 0.5, true);
	struct cat_estimate e;
	assert_int_equal(cat_estimate(&e, CAT_MLE, NULL, its, x, 30), 0);
	assert_true(fabs(e.theta - grid_max(its, x, 30, 0)) < 2e-4);
	/* EAP against brute force on a 3PL test too */
	double m, sd;
	assert_int_equal(cat_estimate(&e, CAT_EAP, NULL, its, x, 30), 0);
	brute_eap(its, x, 30, &m, &sd);
	assert_true(fabs(e.theta - m) < 1e-4 && fabs(e.se - sd) < 1e-4);
}

static void test_extreme_patterns(void **st)
{
	(void)st;
	struct cat_item items[10];
	const struct cat_item *its[10];
	int x[10];
	mk_test(items, its, x, 10, 3, 0, false);
	for (int i = 0; i < 10; i++) x[i] = 1;
	struct cat_estimate e, eap;
	assert_int_equal(cat_estimate(&e, CAT_MLE, NULL, its, x, 10), 0);
	assert_true(e.flags & CAT_EST_FALLBACK);
	cat_estimate(&eap, CAT_EAP, NULL, its, x, 10);
	assert_true(e.theta == eap.theta && isfinite(e.se));
	/* WLE stays finite for all-right under 2PL */
	assert_int_equal(cat_estimate(&e, CAT_WLE, NULL, its, x, 10), 0);
	assert_true(isfinite(e.theta) && e.theta > 1 && e.theta <= 6);
	for (int i = 0; i < 10; i++) x[i] = -1; /* nothing presented */
	assert_int_equal(cat_estimate(&e, CAT_MLE, NULL, its, x, 10), 0);
	assert_true(fabs(e.theta) < 1e-9 && fabs(e.se - 1) < 1e-3);
	x[0] = 2; /* not a 0/1 score */
	assert_int_equal(cat_estimate(&e, CAT_EAP, NULL, its, x, 10), CAT_EINVAL);
	assert_true(strstr(cat_error_last(), "score") != NULL);
	enum cat_method m;
	assert_int_equal(cat_method_parse(&m, "ml"), CAT_EINVAL);
}

/* Extreme items and patterns never give NaN or Inf from any estimator. */
static void test_extreme_items(void **st)
{
	(void)st;
	struct cat_item items[12];
	const struct cat_item *its[12];
	int x[12];
	double as[3] = { 0.01, 1, 20 }, bs[4] = { -20, -3, 3, 20 };
	for (int i = 0; i < 12; i++) {
		items[i] = (struct cat_item){ .model = i % 3 == 0 ? CAT_3PL : CAT_2PL, .a = as[i % 3], .b = bs[i % 4],
		                              .c = i % 3 == 0 ? 0.999 : 0, .D = 1.702, .nsteps = 1 };
		its[i] = &items[i];
	}
	for (int pat = 0; pat < 64; pat++) {
		for (int i = 0; i < 12; i++)
			x[i] = (pat >> (i % 6)) & 1;
		for (int m = CAT_EAP; m <= CAT_WLE; m++) {
			struct cat_estimate e;
			assert_int_equal(cat_estimate(&e, (enum cat_method)m, NULL, its, x, 12), 0);
			assert_true(isfinite(e.theta) && isfinite(e.se) && e.se > 0);
			assert_true(e.theta >= -6 && e.theta <= 6);
		}
	}
}

/* Recovery: RMSE of EAP over 400 simulees falls as the test lengthens 5 -> 15 -> 45. */
static void test_recovery(void **st)
{
	(void)st;
	static struct cat_item items[45];
	const struct cat_item *its[45];
	int x[45];
	double rmse[3];
	size_t lens[3] = { 5, 15, 45 };
	for (int L = 0; L < 3; L++) {
		uint64_t s = 99;
		double sq = 0;
		for (int p = 0; p < 400; p++) {
			double th = ctu_n(&s);
			mk_test(items, its, x, lens[L], s + (uint64_t)p * 7919, th, false);
			struct cat_estimate e;
			cat_estimate(&e, CAT_EAP, NULL, its, x, lens[L]);
			sq += (e.theta - th) * (e.theta - th);
		}
		rmse[L] = sqrt(sq / 400);
	}
	print_message("recovery RMSE: 5 items %.3f, 15 items %.3f, 45 items %.3f\n", rmse[0], rmse[1], rmse[2]);
	assert_true(rmse[0] > rmse[1] && rmse[1] > rmse[2]);
	assert_true(rmse[2] < 0.4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lsat7_eap),
		cmocka_unit_test(test_mle_map_wle_grid),
		cmocka_unit_test(test_extreme_patterns),
		cmocka_unit_test(test_extreme_items),
		cmocka_unit_test(test_recovery),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
