/* Unit tests: the Sympson-Hetter procedure brings the maximum exposure under its target,
 * and the simulation's figures behave as a psychometrician expects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cat_test_util.h"

static void test_sympson_hetter(void **st)
{
	(void)st;
	/* shorter test so the unit suite stays quick */
	struct cat_exam *e = ctu_sg_exam("\"length\": { \"min\": 30, \"max\": 54 }", "\"length\": { \"min\": 30, \"max\": 30 }");
	assert_non_null(e);
	struct cat_bank *b = ctu_bank(600, 61, 0.08, 0.05);
	struct cat_engine *g;
	assert_int_equal(cat_engine_new(&g, e, b), 0);
	struct cat_sim_acc acc;
	struct cat_sim_report rep;
	const size_t N = 3000;
	double first_max = 0, aim = e->exposure_target - 0.03;
	for (int round = 0; round < 6; round++) {
		assert_int_equal(cat_sim_acc_init(&acc, b->n), 0);
		assert_int_equal(cat_sim_run(&acc, g, 1000 + (uint64_t)round, CAT_DIST_NORMAL, 0, N, NULL, 0), 0);
		cat_sim_report(&rep, &acc, g);
		if (round == 0)
			first_max = rep.expo_max;
		cat_sh_update(b, &acc, aim);
		cat_sim_acc_free(&acc);
	}
	/* a fresh check run with other candidates */
	assert_int_equal(cat_sim_acc_init(&acc, b->n), 0);
	assert_int_equal(cat_sim_run(&acc, g, 777, CAT_DIST_NORMAL, 0, 3000, NULL, 0), 0);
	cat_sim_report(&rep, &acc, g);
	cat_sim_acc_free(&acc);
	print_message("max exposure: %.3f without control, %.3f after Sympson-Hetter (target %.2f); rmse %.3f\n",
	              first_max, rep.expo_max, e->exposure_target, rep.rmse);
	assert_true(first_max > 0.9);
	assert_true(rep.expo_max <= e->exposure_target);
	assert_true(rep.violations == 0);
	assert_true(rep.rmse < 0.4);
	cat_engine_free(g);
	cat_bank_free(b);
	cat_exam_free(e);
}

static void test_batches_add_up(void **st)
{
	(void)st;
	struct cat_exam *e = ctu_sg_exam(NULL, NULL);
	struct cat_bank *b = ctu_bank(1000, 62, 0.08, 0.05);
	struct cat_engine *g;
	assert_int_equal(cat_engine_new(&g, e, b), 0);
	struct cat_sim_acc one, two, three;
	cat_sim_acc_init(&one, b->n);
	cat_sim_acc_init(&two, b->n);
	cat_sim_acc_init(&three, b->n);
	cat_sim_run(&one, g, 5, CAT_DIST_UNIFORM, 0, 200, NULL, 0);
	cat_sim_run(&two, g, 5, CAT_DIST_UNIFORM, 0, 77, NULL, 0);
	cat_sim_run(&three, g, 5, CAT_DIST_UNIFORM, 77, 123, NULL, 0);
	cat_sim_acc_merge(&two, &three);
	assert_memory_equal(one.admin, two.admin, b->n * sizeof one.admin[0]);
	assert_true(fabs(one.sum_sq - two.sum_sq) < 1e-9);
	/* fixed form: full length, within the blueprint, exposure 1 for its items */
	size_t form[100], nf;
	assert_int_equal(cat_fixed_form(form, &nf, g), 0);
	assert_int_equal(nf, (size_t)e->max_items);
	struct cat_sim_acc fa;
	struct cat_sim_report fr, ar;
	cat_sim_acc_init(&fa, b->n);
	cat_sim_run(&fa, g, 5, CAT_DIST_UNIFORM, 0, 200, form, nf);
	cat_sim_report(&fr, &fa, g);
	cat_sim_report(&ar, &one, g);
	assert_true(fr.expo_max == 1.0 && fabs(fr.overlap - 1.0) < 1e-12);
	assert_true(ar.overlap < 0.6 && ar.len_mean < nf);
	cat_sim_acc_free(&fa);
	cat_sim_acc_free(&one);
	cat_sim_acc_free(&two);
	cat_sim_acc_free(&three);
	cat_engine_free(g);
	cat_bank_free(b);
	cat_exam_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sympson_hetter),
		cmocka_unit_test(test_batches_add_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
