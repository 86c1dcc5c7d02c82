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

/* Conditional Sympson-Hetter (Stocking & Lewis), a case checked by hand: strata cut at 0;
 * stratum 0 has 10 candidates, stratum 1 has 20; target 0.25.
 *   item 0 faced the lottery for 5 of stratum 0 (0.5 -> k = 0.25/0.5 = 0.5) and 2 of
 *          stratum 1 (0.1 -> k = 1);
 *   item 1: 1 of 10 (0.1 -> 1) and 20 of 20 (1.0 -> 0.25);
 *   item 2: never (1, 1). */
static void test_sh_conditional_by_hand(void **st)
{
	(void)st;
	struct cat_exam *e = ctu_sg_exam("\"method\": \"sympson-hetter\"",
	                                 "\"method\": \"sympson-hetter-conditional\", \"theta_strata\": [0]");
	assert_non_null(e);
	assert_int_equal(e->exposure, CAT_EXPO_SH_COND);
	assert_int_equal(e->sh_nstrata, 2);
	assert_int_equal(cat_sh_stratum(e, -0.01), 0);
	assert_int_equal(cat_sh_stratum(e, 0.0), 1); /* a cut belongs to the stratum above it */
	assert_int_equal(cat_sh_stratum(e, 9.0), 1);
	struct cat_bank *b = ctu_bank(3, 5, 0, 0);
	struct cat_sim_acc acc;
	assert_int_equal(cat_sim_acc_init(&acc, 3), 0);
	acc.c_n[0] = 10;
	acc.c_n[1] = 20;
	acc.c_sel[0 * 3 + 0] = 5;
	acc.c_sel[1 * 3 + 0] = 2;
	acc.c_sel[0 * 3 + 1] = 1;
	acc.c_sel[1 * 3 + 1] = 20;
	uint64_t v0 = b->version;
	cat_sh_update_cond(b, &acc, e, 0.25);
	cat_sim_acc_free(&acc);
	assert_int_equal(b->items[0].nkc, 2);
	assert_true(b->items[0].sh_kc[0] == 0.5 && b->items[0].sh_kc[1] == 1.0);
	assert_true(b->items[1].sh_kc[0] == 1.0 && b->items[1].sh_kc[1] == 0.25);
	assert_true(b->items[2].sh_kc[0] == 1.0 && b->items[2].sh_kc[1] == 1.0);
	assert_true(b->items[0].sh_k == 1.0); /* the unconditional parameter is left alone */
	assert_true(b->version != v0);        /* the parameters are part of the bank version */
	/* the bank format carries them and reads them back */
	char line[CAT_BANK_MAX_LINE];
	int l = cat_bank_item_format(line, sizeof line, &b->items[1]);
	assert_true(l > 0 && strstr(line, "\"sh_kc\":[1,0.25]"));
	struct cat_bank_item back;
	assert_int_equal(cat_bank_item_parse(&back, line, (size_t)l), 0);
	assert_true(back.nkc == 2 && back.sh_kc[0] == 1.0 && back.sh_kc[1] == 0.25);
	const char *bad = "{\"id\":\"X\",\"model\":\"2pl\",\"a\":1,\"b\":0,\"domain\":\"law\",\"sh_kc\":[1,0]}";
	assert_int_not_equal(cat_bank_item_parse(&back, bad, strlen(bad)), 0);
	cat_bank_free(b);
	cat_exam_free(e);
}

/* The conditional procedure on a 600-item bank: the largest exposure within a theta stratum
 * comes down far below unconditional Sympson-Hetter's, and the procedure is deterministic. */
static void test_sh_conditional_procedure(void **st)
{
	(void)st;
	struct cat_exam *e = ctu_sg_exam("\"length\": { \"min\": 30, \"max\": 54 }", "\"length\": { \"min\": 30, \"max\": 30 }");
	assert_non_null(e);
	struct cat_bank *b = ctu_bank(600, 61, 0.08, 0.05);
	struct cat_engine *g;
	assert_int_equal(cat_engine_new(&g, e, b), 0);
	struct cat_sh_opts o = { .examinees = 1500, .max_rounds = 5, .margin = 0.03, .seed = 3 };
	struct cat_sh_outcome out;
	double smax[2];
	uint64_t ver = 0;
	for (int cond = 0; cond < 2; cond++) {
		e->exposure = cond ? CAT_EXPO_SH_COND : CAT_EXPO_SH;
		assert_int_equal(cat_sh_calibrate(&out, b, g, &o), 0);
		if (cond)
			ver = b->version;
		struct cat_sim_acc acc;
		struct cat_sim_report rep;
		assert_int_equal(cat_sim_acc_init(&acc, b->n), 0);
		assert_int_equal(cat_sim_run(&acc, g, 777, CAT_DIST_NORMAL, 0, 1500, NULL, 0), 0);
		cat_sim_report(&rep, &acc, g);
		cat_sim_acc_free(&acc);
		smax[cond] = rep.stratum_expo_max;
		print_message("%s: max exposure %.3f, max within a stratum %.3f, rmse %.3f, accuracy %.4f\n",
		              cond ? "conditional SH" : "SH", rep.expo_max, rep.stratum_expo_max, rep.rmse, rep.accuracy);
		assert_true(rep.violations == 0);
		assert_true(rep.expo_max <= e->exposure_target + 0.02);
	}
	assert_true(smax[0] > 0.6);
	assert_true(smax[1] < smax[0] - 0.2);
	/* the same seed gives the same parameters */
	assert_int_equal(cat_sh_calibrate(&out, b, g, &o), 0);
	assert_true(b->version == ver);
	cat_engine_free(g);
	cat_bank_free(b);
	cat_exam_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sympson_hetter),
		cmocka_unit_test(test_batches_add_up),
		cmocka_unit_test(test_sh_conditional_by_hand),
		cmocka_unit_test(test_sh_conditional_procedure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
