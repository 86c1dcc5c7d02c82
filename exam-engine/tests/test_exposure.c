/* Unit tests: the Sympson-Hetter procedure brings the maximum exposure under its target,
 * and the simulation's figures behave as a psychometrician expects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cat_test_util.h"

/* A short exam of 12 scored items over the SG domains (9 in part A, 3 in part B), SH at a
 * target of 0.25 with the given exposure method: the simulation tests here need many
 * candidates, not long tests (the 60-item figures are the benchmarks'). */
static struct cat_exam *short_exam(const char *method)
{
	char t[4096];
	snprintf(t, sizeof t,
	         "{\"id\": \"SHORT\", \"title\": \"short\", \"version\": \"1\", \"time_limit_minutes\": 30,"
	         " \"length\": {\"min\": 12, \"max\": 12}, \"pretest_items\": 0,"
	         " \"stopping\": {\"se_target\": 0, \"ci_rule\": false},"
	         " \"estimation\": {\"final\": \"eap\", \"quad_points\": 41, \"quad_lo\": -5, \"quad_hi\": 5,"
	         " \"prior_mean\": 0, \"prior_sd\": 1, \"theta_min\": -5, \"theta_max\": 5},"
	         " \"exposure\": {\"method\": \"%s\", \"target\": 0.25},"
	         " \"scale\": {\"cut_theta\": -0.5, \"slope\": 120, \"cut\": 600, \"min\": 0, \"max\": 1000, \"band_width\": 1.0},"
	         " \"parts\": [{\"name\": \"A\", \"min\": 9, \"max\": 9, \"types\": [\"mc4\"]},"
	         " {\"name\": \"B\", \"min\": 3, \"max\": 3, \"types\": [\"scenario\"]}],"
	         " \"domains\": [{\"name\": \"basics\", \"part\": \"A\", \"min\": 1, \"max\": 3},"
	         " {\"name\": \"management\", \"part\": \"A\", \"min\": 1, \"max\": 3},"
	         " {\"name\": \"countermeasures\", \"part\": \"A\", \"min\": 1, \"max\": 3},"
	         " {\"name\": \"law\", \"part\": \"A\", \"min\": 1, \"max\": 2},"
	         " {\"name\": \"technology\", \"part\": \"A\", \"min\": 0, \"max\": 2},"
	         " {\"name\": \"it_management\", \"part\": \"A\", \"min\": 0, \"max\": 2},"
	         " {\"name\": \"strategy\", \"part\": \"A\", \"min\": 0, \"max\": 2},"
	         " {\"name\": \"scenario\", \"part\": \"B\", \"min\": 3, \"max\": 3}]}",
	         method);
	struct cat_exam *e = NULL;
	if (cat_exam_parse(&e, t, strlen(t)) != 0) {
		print_message("short exam: %s\n", cat_error_last());
		return NULL;
	}
	return e;
}

static void test_sympson_hetter(void **st)
{
	(void)st;
	/* a short test on a small bank so the unit suite stays quick (the 2,000-item figures are
	 * bench-cat-pool's) */
	struct cat_exam *e = short_exam("sympson-hetter");
	assert_non_null(e);
	struct cat_bank *b = ctu_bank(200, 61, 0, 0.05);
	struct cat_engine *g;
	assert_int_equal(cat_engine_new(&g, e, b), 0);
	struct cat_sim_acc acc;
	struct cat_sim_report rep;
	const size_t N = 600;
	double first_max = 0, aim = e->exposure_target - 0.05;
	for (int round = 0; round < 5; round++) {
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
	assert_int_equal(cat_sim_run(&acc, g, 777, CAT_DIST_NORMAL, 0, 800, NULL, 0), 0);
	cat_sim_report(&rep, &acc, g);
	cat_sim_acc_free(&acc);
	print_message("max exposure: %.3f without control, %.3f after Sympson-Hetter (target %.2f); rmse %.3f\n",
	              first_max, rep.expo_max, e->exposure_target, rep.rmse);
	assert_true(first_max > 0.9);
	assert_true(rep.expo_max <= e->exposure_target);
	assert_true(rep.violations == 0);
	assert_true(rep.rmse < 0.5); /* 12 items: a standard error of about 0.45 */
	cat_engine_free(g);
	cat_bank_free(b);
	cat_exam_free(e);
}

/* CAT_DIST_STRATA: the same number of candidates in each theta stratum, each inside its
 * stratum (the default cuts -1.5 -0.5 0.5 1.5 are edges of the 0.5-wide report bands, so the
 * bands' counts say where the thetas fell). */
static void test_strata_draw(void **st)
{
	(void)st;
	struct cat_exam *e = ctu_sg_exam("\"method\": \"sympson-hetter\"", "\"method\": \"sympson-hetter-conditional\"");
	assert_non_null(e);
	assert_int_equal(e->sh_nstrata, 5);
	struct cat_bank *b = ctu_bank(300, 63, 0.08, 0);
	struct cat_engine *g;
	assert_int_equal(cat_engine_new(&g, e, b), 0);
	struct cat_sim_acc acc;
	assert_int_equal(cat_sim_acc_init(&acc, b->n), 0);
	assert_int_equal(cat_sim_run(&acc, g, 9, CAT_DIST_STRATA, 0, 60, NULL, 0), 0);
	/* bands 0-2: below -1.5; 3-4: -1.5..-0.5; 5-6; 7-8; 9-11: from 1.5 */
	static const int first_band[6] = { 0, 3, 5, 7, 9, 12 };
	for (int k = 0; k < 5; k++) {
		double in = 0;
		for (int bd = first_band[k]; bd < first_band[k + 1]; bd++)
			in += acc.b_n[bd];
		assert_true(acc.c_n[k] == 12);
		assert_true(in == 12);
	}
	cat_sim_acc_free(&acc);
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

/* Administrations expected from the lottery within stratum k: each facing of item i is
 * administered with probability sh_kc[k] (summed over the items), against those counted. */
static void ctu_lottery_check(const struct cat_sim_acc *acc, const struct cat_bank *b, int k, double *expected,
                              double *admin)
{
	*expected = *admin = 0;
	for (size_t i = 0; i < b->n; i++) {
		double kc = k < b->items[i].nkc ? b->items[i].sh_kc[k] : 1.0;
		*expected += acc->c_sel[(size_t)k * acc->nitems + i] * kc;
		*admin += acc->c_admin[(size_t)k * acc->nitems + i];
	}
}

/* The conditional procedure (Stocking & Lewis) on a small bank and the short exam: equal simulees per stratum,
 * each simulee's lottery on the k of its true stratum. The largest exposure within a theta
 * stratum comes down far below unconditional Sympson-Hetter's and near the target in every
 * stratum, outer ones included; what the lottery administers matches the k of the stratum the
 * selections were counted in; the procedure is deterministic. */
static void test_sh_conditional_procedure(void **st)
{
	(void)st;
	struct cat_exam *e = short_exam("sympson-hetter");
	assert_non_null(e);
	struct cat_bank *b = ctu_bank(300, 61, 0, 0.05);
	struct cat_engine *g;
	assert_int_equal(cat_engine_new(&g, e, b), 0);
	/* unconditional SH needs fewer rounds to show what it leaves within the strata */
	struct cat_sh_opts o[2] = { { .examinees = 300, .max_rounds = 2, .margin = 0.04, .seed = 3 },
	                            { .examinees = 1000, .max_rounds = 5, .margin = 0.04, .seed = 3 } };
	struct cat_sh_outcome out;
	struct cat_sim_report rep[2];
	for (int cond = 0; cond < 2; cond++) {
		e->exposure = cond ? CAT_EXPO_SH_COND : CAT_EXPO_SH;
		assert_int_equal(cat_sh_calibrate(&out, b, g, &o[cond]), 0);
		struct cat_sim_acc acc;
		assert_int_equal(cat_sim_acc_init(&acc, b->n), 0);
		acc.lottery_true_theta = true;
		assert_int_equal(cat_sim_run(&acc, g, 777, CAT_DIST_STRATA, 0, 1000, NULL, 0), 0);
		cat_sim_report(&rep[cond], &acc, g);
		print_message("%s: max within a stratum %.3f (", cond ? "conditional SH" : "SH", rep[cond].stratum_expo_max);
		for (int k = 0; k < rep[cond].nstrata; k++)
			print_message("%s%.3f", k ? " " : "", rep[cond].stratum[k].expo_max);
		print_message("), rmse %.3f\n", rep[cond].rmse);
		assert_true(rep[cond].violations == 0);
		if (cond)
			for (int k = 0; k < rep[cond].nstrata; k++) {
				double want, got;
				ctu_lottery_check(&acc, b, k, &want, &got);
				print_message("  stratum %d: %.0f administered, %.1f expected from the lottery\n", k, got, want);
				/* a rejection that would break the blueprint is administered anyway: a few */
				assert_true(fabs(got - want) <= 0.03 * want);
				/* 200 candidates per stratum: the largest of a few hundred rates aimed at
				 * 0.21 carries a few standard errors (0.03 each) of noise */
				assert_true(rep[cond].stratum[k].expo_max <= e->exposure_target + 0.1);
			}
		cat_sim_acc_free(&acc);
	}
	assert_true(rep[0].stratum_expo_max > 0.6);
	assert_true(rep[1].stratum_expo_max < rep[0].stratum_expo_max - 0.3);
	/* the same seed gives the same parameters (a quick run twice) */
	struct cat_sh_opts q = { .examinees = 50, .max_rounds = 2, .margin = 0.04, .seed = 5 };
	assert_int_equal(cat_sh_calibrate(&out, b, g, &q), 0);
	uint64_t ver = b->version;
	assert_int_equal(cat_sh_calibrate(&out, b, g, &q), 0);
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
		cmocka_unit_test(test_strata_draw),
		cmocka_unit_test(test_sh_conditional_by_hand),
		cmocka_unit_test(test_sh_conditional_procedure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
