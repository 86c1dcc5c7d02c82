/* Unit tests: IRT model values against closed forms, derivatives against finite
 * differences, and numerical safety at extreme abilities and parameters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "cat.h"

static struct cat_item mk(enum cat_model m, double a, double b, double c)
{
	struct cat_item it = { .model = m, .a = a, .b = b, .c = c, .D = 1, .nsteps = 1 };
	return it;
}

static void test_closed_forms(void **st)
{
	(void)st;
	/* 2PL information at theta = b is a^2/4; with D it is D^2 a^2 / 4. */
	struct cat_item it = mk(CAT_2PL, 1.7, 0.3, 0);
	assert_true(fabs(cat_info(&it, 0.3) - 1.7 * 1.7 / 4) < 1e-12);
	it.D = 1.702;
	assert_true(fabs(cat_info(&it, 0.3) - 1.702 * 1.702 * 1.7 * 1.7 / 4) < 1e-12);
	assert_true(fabs(cat_prob(&it, 0.3) - 0.5) < 1e-15);
	/* Rasch: P = e^(t-b) / (1 + e^(t-b)) */
	struct cat_item r = mk(CAT_1PL, 1, -0.5, 0);
	assert_true(fabs(cat_prob(&r, 1.0) - exp(1.5) / (1 + exp(1.5))) < 1e-15);
	/* 3PL at theta = b: c + (1-c)/2; information there: a^2 (1-c) / (4 (1+c)) ... check by
	 * the general formula P'^2 / (P Q). */
	struct cat_item t = mk(CAT_3PL, 1.2, 0.5, 0.2);
	assert_true(fabs(cat_prob(&t, 0.5) - 0.6) < 1e-15);
	double P = 0.6, Q = 0.4, dP = 0.8 * 1.2 * 0.25;
	assert_true(fabs(cat_info(&t, 0.5) - dP * dP / (P * Q)) < 1e-12);
	/* Birnbaum: the 3PL information peaks at b + ln((1 + sqrt(1 + 8c)) / 2) / (D a). */
	double tmax = 0.5 + log((1 + sqrt(1 + 8 * 0.2)) / 2) / 1.2;
	assert_true(cat_info(&t, tmax) > cat_info(&t, tmax - 1e-3));
	assert_true(cat_info(&t, tmax) > cat_info(&t, tmax + 1e-3));
}

static void test_gpcm(void **st)
{
	(void)st;
	struct cat_item g = { .model = CAT_GPCM, .a = 1.3, .D = 1, .nsteps = 2, .steps = { -0.5, 0.8 } };
	double th = 0.2, p[3];
	cat_prob_cats(&g, th, p);
	/* by hand: z0 = 0, z1 = a(t-b1), z2 = z1 + a(t-b2) */
	double z1 = 1.3 * (0.2 + 0.5), z2 = z1 + 1.3 * (0.2 - 0.8);
	double den = 1 + exp(z1) + exp(z2);
	assert_true(fabs(p[0] - 1 / den) < 1e-14);
	assert_true(fabs(p[1] - exp(z1) / den) < 1e-14);
	assert_true(fabs(p[2] - exp(z2) / den) < 1e-14);
	/* information = a^2 Var(K) */
	double m = p[1] + 2 * p[2], v = p[1] + 4 * p[2] - m * m;
	assert_true(fabs(cat_info(&g, th) - 1.69 * v) < 1e-12);
	/* loglik of category 1 */
	assert_true(fabs(cat_loglik(&g, th, 1) - log(p[1])) < 1e-12);
	/* a 1-step GPCM is the 2PL */
	struct cat_item g1 = { .model = CAT_GPCM, .a = 0.9, .D = 1, .nsteps = 1, .steps = { 0.4 } };
	struct cat_item t2 = mk(CAT_2PL, 0.9, 0.4, 0);
	assert_true(fabs(cat_info(&g1, -1.1) - cat_info(&t2, -1.1)) < 1e-12);
}

/* Analytic derivatives of the log-likelihood agree with central differences. */
static void test_derivatives(void **st)
{
	(void)st;
	struct cat_item items[4] = { mk(CAT_1PL, 1, 0.2, 0), mk(CAT_2PL, 1.5, -0.7, 0), mk(CAT_3PL, 1.1, 0.4, 0.25),
	                             { .model = CAT_GPCM, .a = 0.8, .D = 1, .nsteps = 3, .steps = { -1, 0, 1.2 } } };
	for (int i = 0; i < 4; i++)
		for (double th = -3; th <= 3; th += 0.5)
			for (int x = 0; x <= items[i].nsteps; x++) {
				double h = 1e-5, d1, d2;
				cat_loglik_deriv(&items[i], th, x, &d1, &d2);
				double n1 = (cat_loglik(&items[i], th + h, x) - cat_loglik(&items[i], th - h, x)) / (2 * h);
				double n2 = (cat_loglik(&items[i], th + h, x) - 2 * cat_loglik(&items[i], th, x) +
				             cat_loglik(&items[i], th - h, x)) / (h * h);
				assert_true(fabs(d1 - n1) < 1e-6);
				assert_true(fabs(d2 - n2) < 1e-3);
			}
}

/* No NaN or Inf for |theta| up to 10 and extreme parameters. */
static void test_extremes(void **st)
{
	(void)st;
	double as[] = { 0.01, 1, 20 }, bs[] = { -20, 0, 20 }, cs[] = { 0, 0.5, 0.999 };
	for (int m = CAT_1PL; m <= CAT_GPCM; m++)
		for (size_t ia = 0; ia < 3; ia++)
			for (size_t ib = 0; ib < 3; ib++)
				for (size_t ic = 0; ic < 3; ic++) {
					struct cat_item it = mk((enum cat_model)m, as[ia], bs[ib], m == CAT_3PL ? cs[ic] : 0);
					if (m == CAT_GPCM) {
						it.nsteps = 3;
						it.steps[0] = bs[ib];
						it.steps[1] = -bs[ib];
						it.steps[2] = 0;
					}
					it.D = ic == 2 ? 1.702 : 1;
					assert_int_equal(cat_item_check(&it), 0);
					for (double th = -10; th <= 10; th += 0.25)
						for (int x = 0; x <= it.nsteps; x++) {
							double d1, d2;
							double p = cat_prob(&it, th), l = cat_loglik(&it, th, x), inf = cat_info(&it, th);
							cat_loglik_deriv(&it, th, x, &d1, &d2);
							assert_true(isfinite(p) && p >= 0 && p <= 1);
							assert_true(isfinite(l) && l <= 0);
							assert_true(isfinite(inf) && inf >= 0);
							assert_true(isfinite(d1) && isfinite(d2));
						}
				}
}

static void test_item_check(void **st)
{
	(void)st;
	struct cat_item it = mk(CAT_2PL, NAN, 0, 0);
	assert_int_equal(cat_item_check(&it), CAT_EINVAL);
	assert_true(strstr(cat_error_last(), "finite") != NULL);
	it = mk(CAT_2PL, 1, INFINITY, 0);
	assert_int_equal(cat_item_check(&it), CAT_EINVAL);
	it = mk(CAT_2PL, -1, 0, 0);
	assert_int_equal(cat_item_check(&it), CAT_EINVAL);
	it = mk(CAT_3PL, 1, 0, 1.0);
	assert_int_equal(cat_item_check(&it), CAT_EINVAL);
	it = mk(CAT_2PL, 1, 0, 0.2); /* c only for 3PL */
	assert_int_equal(cat_item_check(&it), CAT_EINVAL);
}

/* The engine's own exp/log/log1p (used so replay is bit-exact across machines) agree with
 * the C library to a few ulps over the whole range the engine uses. */
double cat_exp(double x);
double cat_log(double x);
double cat_log1p(double x);

static void test_own_math(void **st)
{
	(void)st;
	uint64_t s = 1;
	double worst = 0;
	for (int i = 0; i < 200000; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		double u = (double)(s >> 11) * 0x1.0p-53;
		double x = -740 + 1449 * u, y = exp(u * 1400 - 700), z = u * u * u - 0.999;
		double e1 = fabs(cat_exp(x) - exp(x)) / exp(x);
		double e2 = fabs(cat_log(y) - log(y)) / fmax(fabs(log(y)), 1e-300);
		double e3 = fabs(cat_log1p(z) - log1p(z)) / fmax(fabs(log1p(z)), 1e-300);
		if (exp(x) > 0x1.0p-1020 && e1 > worst) worst = e1;
		if (fabs(log(y)) > 1e-300 && e2 > worst) worst = e2;
		if (e3 > worst) worst = e3;
	}
	print_message("worst relative error against libm: %.3g (%.2f ulp)\n", worst, worst / 0x1.0p-52);
	assert_true(worst < 4 * 0x1.0p-52);
	assert_true(cat_exp(0) == 1 && cat_log(1) == 0 && cat_log1p(0) == 0);
	assert_true(cat_exp(-800) == 0 && isinf(cat_exp(800)) && isinf(cat_log(0)));
	assert_true(fabs(cat_log1p(1e-20) - 1e-20) < 1e-36);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_closed_forms),
		cmocka_unit_test(test_gpcm),
		cmocka_unit_test(test_derivatives),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_item_check),
		cmocka_unit_test(test_own_math),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
