/* Unit tests of item-bank analysis: classical statistics, distractors,
 * Mantel–Haenszel DIF with ETS classes, Stocking–Lord linking. */
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

#define LSAT7 RS_SOURCE_ROOT "/../shared/data/lsat7.tsv"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classical_lsat7),
		cmocka_unit_test(test_distractor_flag),
		cmocka_unit_test(test_dif_mantel_haenszel),
		cmocka_unit_test(test_stocking_lord_recovers_constants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
