/* Unit tests of item-bank calibration: the published LSAT7 2PL and 1PL fits,
 * parameter recovery on simulated dense and sparse data, fixed-item
 * calibration, thread-count independence and the items it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ib_calib.h"
#include "ib_sim.h"
#include "rs_error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LSAT7 RS_SOURCE_ROOT "/tests/data/lsat7.tsv"

static struct ib_calib_result *ib_t_fit(const struct ib_data *d, enum ib_model m, double tol,
                                        const struct ib_params *fixed, int threads)
{
	struct ib_calib_opts o;
	ib_calib_opts_init(&o, m);
	o.tol = tol;
	o.fixed = fixed;
	o.threads = threads;
	struct ib_calib_result *r = NULL;
	int rc = ib_calibrate(&r, d, &o);
	if (rc)
		fail_msg("calibration failed: %s", rs_error_last());
	return r;
}

static void ib_t_close(double got, double want, double tol, const char *what, size_t j)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s of item %zu: %.4f, published %.4f", what, j + 1, got, want);
}

static void test_lsat7_2pl_published(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	assert_int_equal(ib_data_load(&d, LSAT7, 0, NULL), 0);
	struct ib_calib_result *r = ib_t_fit(d, IB_2PL, 1e-6, NULL, 2);
	const double a[5] = { 0.988, 1.081, 1.706, 0.765, 0.736 };
	const double dd[5] = { 1.856, 0.808, 1.804, 0.486, 1.855 };
	assert_true(r->converged);
	for (size_t j = 0; j < 5; j++) {
		ib_t_close(r->items[j].a, a[j], 0.01, "a", j);
		ib_t_close(r->items[j].d, dd[j], 0.01, "d", j);
		assert_true(fabs(r->items[j].d + r->items[j].a * r->items[j].b) < 1e-9);
		assert_true(r->items[j].se_a > 0.05 && r->items[j].se_a < 0.6);
		assert_true(r->items[j].se_b > 0.05 && r->items[j].se_b < 1.0);
		assert_true(isnan(r->items[j].se_c));
	}
	if (fabs(r->loglik - -2658.805) > 0.01)
		fail_msg("loglik %.4f, published -2658.805", r->loglik);
	ib_calib_result_free(r);
	ib_data_free(d);
}

static void test_lsat7_1pl_and_rasch(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	assert_int_equal(ib_data_load(&d, LSAT7, 0, NULL), 0);
	struct ib_calib_result *r = ib_t_fit(d, IB_1PL, 1e-6, NULL, 1);
	const double dd[5] = { 1.868, 0.791, 1.461, 0.521, 1.993 };
	for (size_t j = 0; j < 5; j++) {
		ib_t_close(r->items[j].a, 1.011, 0.01, "common a", j);
		ib_t_close(r->items[j].d, dd[j], 0.01, "d", j);
	}
	/* Rasch with an estimated ability SD is the same model: same likelihood,
	 * same intercepts, slope 1 and the SD taking the common slope's place. */
	struct ib_calib_result *ra = ib_t_fit(d, IB_RASCH, 1e-6, NULL, 1);
	assert_true(fabs(ra->loglik - r->loglik) < 0.01);
	assert_true(fabs(ra->latent_sd - 1.011) < 0.01);
	for (size_t j = 0; j < 5; j++) {
		assert_true(ra->items[j].a == 1.0);
		ib_t_close(ra->items[j].d, dd[j], 0.01, "rasch d", j);
		assert_true(ra->items[j].se_b > 0);
	}
	ib_calib_result_free(ra);
	ib_calib_result_free(r);
	ib_data_free(d);
}

static void ib_t_rmse(const struct ib_calib_result *r, const struct ib_item_par *t, size_t from,
                      double *ra, double *rb)
{
	double sa = 0, sb = 0;
	size_t n = 0;
	for (size_t j = from; j < r->n_items; j++, n++) {
		sa += pow(r->items[j].a - t[j].a, 2);
		sb += pow(r->items[j].b - t[j].b, 2);
	}
	*ra = sqrt(sa / (double)n);
	*rb = sqrt(sb / (double)n);
}

static void test_recovery_dense_2pl(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	struct ib_item_par *t = NULL;
	struct ib_sim_opts so = { 5000, 20, 0, IB_2PL, 7 };
	assert_int_equal(ib_sim(&d, &t, NULL, &so), 0);
	struct ib_calib_result *r = ib_t_fit(d, IB_2PL, 1e-4, NULL, 2);
	double ra, rb;
	ib_t_rmse(r, t, 0, &ra, &rb);
	if (ra > 0.08 || rb > 0.08)
		fail_msg("RMSE a %.3f b %.3f", ra, rb);
	/* SEs are of the size of the actual errors. */
	double mse = 0;
	for (size_t j = 0; j < 20; j++)
		mse += r->items[j].se_a * r->items[j].se_a;
	assert_true(sqrt(mse / 20) > 0.3 * ra && sqrt(mse / 20) < 3 * ra);
	ib_calib_result_free(r);
	ib_data_free(d);
	free(t);
}

static void test_recovery_sparse_2pl(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	struct ib_item_par *t = NULL;
	struct ib_sim_opts so = { 20000, 100, 20, IB_2PL, 8 };
	assert_int_equal(ib_sim(&d, &t, NULL, &so), 0);
	assert_int_equal(d->n_resp, 20000 * 20);
	struct ib_calib_result *r = ib_t_fit(d, IB_2PL, 1e-4, NULL, 2);
	double ra, rb;
	ib_t_rmse(r, t, 0, &ra, &rb);
	if (ra > 0.12 || rb > 0.12)
		fail_msg("sparse RMSE a %.3f b %.3f", ra, rb);
	ib_calib_result_free(r);
	ib_data_free(d);
	free(t);
}

static void test_recovery_3pl(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	struct ib_item_par *t = NULL;
	struct ib_sim_opts so = { 10000, 20, 0, IB_3PL, 9 };
	assert_int_equal(ib_sim(&d, &t, NULL, &so), 0);
	struct ib_calib_result *r = ib_t_fit(d, IB_3PL, 1e-4, NULL, 2);
	double ra, rb, sc = 0;
	ib_t_rmse(r, t, 0, &ra, &rb);
	for (size_t j = 0; j < 20; j++) {
		sc += pow(r->items[j].c - t[j].c, 2);
		assert_true(r->items[j].se_c > 0);
	}
	if (ra > 0.2 || rb > 0.2 || sqrt(sc / 20) > 0.08)
		fail_msg("3PL RMSE a %.3f b %.3f c %.3f", ra, rb, sqrt(sc / 20));
	ib_calib_result_free(r);
	ib_data_free(d);
	free(t);
}

/* Issue 13: a 3PL fit without a prior on c, on data with no guessing (2PL data), must not
 * stop short of the maximum: the 3PL nests the 2PL at c = 0, so its log-likelihood is at
 * least the 2PL fit's (an independent fit of the same data). Items whose c goes to the
 * bound are flagged, and convergence is reported only with a small gradient. */
static void test_3pl_convergence_at_bound(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	struct ib_item_par *t = NULL;
	struct ib_sim_opts so = { 2000, 10, 0, IB_2PL, 21 };
	assert_int_equal(ib_sim(&d, &t, NULL, &so), 0);
	struct ib_calib_result *r2 = ib_t_fit(d, IB_2PL, 1e-6, NULL, 2);
	struct ib_calib_opts o;
	ib_calib_opts_init(&o, IB_3PL);
	o.tol = 1e-6;
	o.no_prior_c = 1;
	o.prior_c = 0;
	o.max_iter = 5000;
	o.threads = 2;
	struct ib_calib_result *r3 = NULL;
	assert_int_equal(ib_calibrate(&r3, d, &o), 0);
	print_message("2PL loglik %.4f; 3PL loglik %.4f after %d cycles (converged %d, gradient %.2e, %zu items at c = 0)\n",
	              r2->loglik, r3->loglik, r3->iterations, r3->converged, r3->max_gradient, r3->n_at_bound);
	assert_true(r3->loglik >= r2->loglik - 1e-3);
	assert_true(r3->n_at_bound > 0);
	if (r3->converged)
		assert_true(r3->max_gradient < 1e-6 && r3->loglik_change < 1e-6);
	for (size_t j = 0; j < 10; j++)
		if (r3->at_bound[j] & 4) {
			assert_true(r3->items[j].c == 0);
			assert_true(isnan(r3->items[j].se_c) && r3->items[j].se_a > 0);
		}
	ib_calib_result_free(r2);
	ib_calib_result_free(r3);
	ib_data_free(d);
	free(t);
}

static void test_threads_bit_identical(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	struct ib_item_par *t = NULL;
	struct ib_sim_opts so = { 3000, 15, 8, IB_2PL, 10 };
	assert_int_equal(ib_sim(&d, &t, NULL, &so), 0);
	struct ib_calib_result *r1 = ib_t_fit(d, IB_2PL, 1e-5, NULL, 1);
	struct ib_calib_result *r3 = ib_t_fit(d, IB_2PL, 1e-5, NULL, 3);
	assert_int_equal(r1->iterations, r3->iterations);
	assert_memory_equal(&r1->loglik, &r3->loglik, sizeof(double));
	for (size_t j = 0; j < 15; j++) {
		assert_memory_equal(&r1->items[j].a, &r3->items[j].a, sizeof(double));
		assert_memory_equal(&r1->items[j].b, &r3->items[j].b, sizeof(double));
		assert_memory_equal(&r1->items[j].se_b, &r3->items[j].se_b, sizeof(double));
	}
	ib_calib_result_free(r1);
	ib_calib_result_free(r3);
	ib_data_free(d);
	free(t);
}

static void test_fixed_item_calibration(void **state)
{
	(void)state;
	/* A population of mean 0.5 and SD 1.3 answers 10 operational items whose true
	 * values are held fixed and 10 pretest items: the pretest items must come out
	 * on the operational scale (not re-standardised to N(0, 1)). */
	struct ib_data *d = NULL;
	struct ib_item_par *t = NULL;
	double *theta = NULL;
	struct ib_sim_opts so = { 8000, 20, 0, IB_2PL, 21 };
	assert_int_equal(ib_sim(&d, &t, &theta, &so), 0);
	struct ib_rng rng;
	ib_rng_seed(&rng, 5);
	for (size_t i = 0; i < d->n_persons; i++) {
		double th = 0.5 + 1.3 * theta[i];
		for (size_t k = d->row_start[i]; k < d->row_start[i + 1]; k++) {
			uint32_t j = IB_RESP_ITEM(d->resp[k]);
			d->resp[k] = IB_RESP(j, ib_rng_unif(&rng) < ib_prob(&t[j], th));
		}
	}
	struct ib_params fx = { .n = 10, .ids = d->item_ids, .par = t, .model = IB_2PL };
	struct ib_calib_result *r = ib_t_fit(d, IB_2PL, 1e-4, &fx, 2);
	assert_int_equal(r->n_fixed, 10);
	assert_true(fabs(r->latent_mean - 0.5) < 0.08);
	assert_true(fabs(r->latent_sd - 1.3) < 0.1);
	for (size_t j = 0; j < 10; j++)
		assert_true(r->items[j].a == t[j].a && r->items[j].b == t[j].b);
	double ra, rb;
	ib_t_rmse(r, t, 10, &ra, &rb);
	if (ra > 0.1 || rb > 0.1)
		fail_msg("pretest items RMSE a %.3f b %.3f", ra, rb);
	ib_calib_result_free(r);
	ib_data_free(d);
	free(t);
	free(theta);
}

static void test_all_correct_item_refused(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	const char *s = "id\tq1\teasy\tq3\np1\t1\t1\t0\np2\t0\t1\t1\np3\t1\t1\t0\np4\t0\t1\t1\n";
	assert_int_equal(ib_data_read_wide(&d, s, strlen(s), NULL), 0);
	struct ib_calib_opts o;
	ib_calib_opts_init(&o, IB_2PL);
	struct ib_calib_result *r = NULL;
	assert_int_equal(ib_calibrate(&r, d, &o), RS_EINVAL);
	assert_null(r);
	assert_non_null(strstr(rs_error_last(), "item 'easy'"));
	assert_non_null(strstr(rs_error_last(), "right"));
	ib_data_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lsat7_2pl_published),
		cmocka_unit_test(test_lsat7_1pl_and_rasch),
		cmocka_unit_test(test_recovery_dense_2pl),
		cmocka_unit_test(test_recovery_sparse_2pl),
		cmocka_unit_test(test_recovery_3pl),
		cmocka_unit_test(test_3pl_convergence_at_bound),
		cmocka_unit_test(test_threads_bit_identical),
		cmocka_unit_test(test_fixed_item_calibration),
		cmocka_unit_test(test_all_correct_item_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
