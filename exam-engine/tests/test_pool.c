/* Unit tests (issue 13): the real SG exam file, a-stratified selection with b-blocking, the
 * random start, trial items per part, the SPRT stop at the cut and the exposure
 * feasibility check, each against an independent computation in the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cat_test_util.h"

#define SG_REAL RS_SOURCE_ROOT "/exam-engine/exams/sg.json"
#define SG_VAR RS_SOURCE_ROOT "/exam-engine/exams/sg-variable.json"

static struct cat_exam *load_exam(const char *path)
{
	size_t len = 0;
	char *t = ctu_read(path, &len);
	assert_non_null(t);
	struct cat_exam *e = NULL;
	if (cat_exam_parse(&e, t, len) != 0)
		fail_msg("%s: %s", path, cat_error_last());
	free(t);
	return e;
}

/* The published facts: 60 items in 120 minutes, 48 in part A and 12 in part B, 56 scored
 * and 4 unscored trial items among the 60, the same length for everyone. */
static void test_sg_is_the_real_exam(void **st)
{
	(void)st;
	struct cat_exam *e = load_exam(SG_REAL);
	assert_int_equal(e->time_limit_s, 120 * 60);
	assert_int_equal(e->min_items, e->max_items);
	assert_int_equal(e->max_items + e->pretest_items, 60);
	assert_int_equal(e->pretest_items, 4);
	assert_int_equal(e->nparts, 2);
	assert_int_equal(e->parts[0].min + e->parts[0].trial, 48);
	assert_int_equal(e->parts[0].max, e->parts[0].min);
	assert_int_equal(e->parts[1].min + e->parts[1].trial, 12);
	assert_false(e->ci_rule);
	assert_true(e->se_target == 0);
	assert_true(e->selection == CAT_SEL_ASTR);
	cat_exam_free(e);
}

/* Stratum of each operational item computed here from scratch: sort by the theta of the
 * item's maximum information (found by a grid search, not the closed form), blocks of K,
 * rank by maximum information within the block. */
struct pool_item { size_t idx; double bstar, imax; };
static int by_bstar(const void *x, const void *y)
{
	const struct pool_item *a = x, *b = y;
	return a->bstar < b->bstar ? -1 : a->bstar > b->bstar ? 1 : (a->idx > b->idx) - (a->idx < b->idx);
}
static int by_imax(const void *x, const void *y)
{
	const struct pool_item *a = x, *b = y;
	return a->imax < b->imax ? -1 : a->imax > b->imax ? 1 : (a->idx > b->idx) - (a->idx < b->idx);
}

/* stratum[i] (1..K, 0 = not operational) and bstar[i] for every bank item. */
static void brute_strata(const struct cat_bank *b, int K, int *stratum, double *bstar)
{
	struct pool_item *p = calloc(b->n, sizeof *p);
	size_t np = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (b->items[i].status != CAT_OPERATIONAL)
			continue;
		double best = -1, at = 0;
		for (double t = -6; t <= 6; t += 0.0005) {
			double inf = cat_info(&b->items[i].irt, t);
			if (inf > best) { best = inf; at = t; }
		}
		p[np].idx = i;
		p[np].bstar = bstar[i] = at;
		p[np].imax = best;
		np++;
	}
	qsort(p, np, sizeof *p, by_bstar);
	for (size_t b0 = 0; b0 + (size_t)K <= np; b0 += (size_t)K) {
		qsort(p + b0, (size_t)K, sizeof *p, by_imax);
		for (int k = 0; k < K; k++)
			stratum[p[b0 + (size_t)k].idx] = k + 1;
	}
	free(p);
}

static struct cat_exam *sg_real_with(const char *from, const char *to)
{
	size_t len = 0;
	char *t = ctu_read(SG_REAL, &len);
	assert_non_null(t);
	char *at = strstr(t, from);
	assert_non_null(at);
	size_t fl = strlen(from), tl = strlen(to);
	assert_true(tl <= fl);
	memcpy(at, to, tl);
	memset(at + tl, ' ', fl - tl);
	struct cat_exam *e = NULL;
	if (cat_exam_parse(&e, t, len) != 0)
		fail_msg("sg.json edited: %s", cat_error_last());
	free(t);
	return e;
}

static void test_a_stratified(void **st)
{
	(void)st;
	/* without the near-the-cut rule: pure a-stratification */
	struct cat_exam *e = sg_real_with("\"near_cut_z\": 1", "\"near_cut_z\": 0");
	struct cat_bank *b = ctu_bank(2000, 91, 0.08, 0.0);
	struct cat_engine *g;
	assert_int_equal(cat_engine_new(&g, e, b), 0);
	int *stratum = calloc(b->n, sizeof *stratum);
	double *bstar = calloc(b->n, sizeof *bstar);
	const int K = e->strata;
	brute_strata(b, K, stratum, bstar);
	/* Over many candidates, stage k's items come from stratum k (unless the blueprint or a
	 * candidate near the cut calls for another), and the mean slope rises by stage. */
	double in_stratum[CAT_MAX_STRATA] = { 0 }, cnt[CAT_MAX_STRATA] = { 0 }, slope[CAT_MAX_STRATA] = { 0 };
	uint64_t rs = 5;
	for (uint64_t seed = 1; seed <= 60; seed++) {
		struct cat_session *s;
		assert_int_equal(cat_session_new(&s, g, seed), 0);
		double theta = 1.5 * ctu_n(&rs);

		size_t it;
		int nop = 0;
		while (!cat_session_done(s) && cat_session_next(s, &it) == 0) {
			bool pre = b->items[it].status == CAT_PRETEST;
			if (!pre) {
				int stage = 0, acc = 0;
				for (int k = 0; k < K; k++) {
					acc += e->stratum_items[k];
					if (nop >= acc) stage = k + 1;
				}
				if (nop >= 2 && stratum[it] > 0) { /* after the random start */
					cnt[stage]++;
					in_stratum[stage] += stratum[it] == stage + 1;
					slope[stage] += b->items[it].irt.a;
				}
				nop++;
			}
			assert_int_equal(cat_session_answer(s, it, ctu_answer(&b->items[it].irt, theta, &rs), 0), 0);
		}
		cat_session_free(s);
	}
	for (int k = 0; k < K; k++) {
		print_message("stage %d: %.0f items, %.1f %% from stratum %d, mean a %.3f\n", k + 1, cnt[k],
		              100 * in_stratum[k] / cnt[k], k + 1, slope[k] / cnt[k]);
		assert_true(in_stratum[k] / cnt[k] > 0.6);
		if (k > 0)
			assert_true(slope[k] / cnt[k] > slope[k - 1] / cnt[k - 1]);
	}
	free(stratum);
	free(bstar);
	cat_engine_free(g);
	cat_bank_free(b);
	cat_exam_free(e);
}

/* Random start: candidates do not all meet the same first item, and every first item is
 * one of the start_set items of the first stratum whose best theta is closest to the cut
 * (the start estimate 0 +- 1 sits within near_cut_z SE of the cut), found here by brute
 * force over the bank. */
static void test_random_start_and_trials(void **st)
{
	(void)st;
	struct cat_exam *e = load_exam(SG_REAL);
	struct cat_bank *b = ctu_bank(2000, 92, 0.08, 0.0);
	struct cat_engine *g;
	assert_int_equal(cat_engine_new(&g, e, b), 0);
	int *stratum = calloc(b->n, sizeof *stratum);
	double *bstar = calloc(b->n, sizeof *bstar);
	brute_strata(b, e->strata, stratum, bstar);
	int distinct = 0;
	size_t firsts[80];
	uint64_t rs = 9;
	for (uint64_t seed = 0; seed < 80; seed++) {
		struct cat_session *s;
		assert_int_equal(cat_session_new(&s, g, 1000 + seed), 0);
		size_t it, first = SIZE_MAX;
		int pre_a = 0, pre_b = 0, op_a = 0, op_b = 0;
		double theta = ctu_n(&rs);
		while (!cat_session_done(s) && cat_session_next(s, &it) == 0) {
			const struct cat_bank_item *bi = &b->items[it];
			if (bi->status == CAT_PRETEST) {
				if (bi->part[0] == 'A') pre_a++; else pre_b++;
			} else {
				if (first == SIZE_MAX) first = it;
				if (bi->part[0] == 'A') op_a++; else op_b++;
			}
			assert_int_equal(cat_session_answer(s, it, ctu_answer(&bi->irt, theta, &rs), 0), 0);
		}
		/* 60 items: 44 + 4 trial in part A, 12 in part B */
		assert_int_equal(op_a, 44);
		assert_int_equal(op_b, 12);
		assert_int_equal(pre_a, 4);
		assert_int_equal(pre_b, 0);
		cat_session_free(s);
		int rank = 0;
		assert_int_equal(stratum[first], 1);
		for (size_t i = 0; i < b->n; i++)
			rank += stratum[i] == 1 && fabs(bstar[i] - e->cut_theta) < fabs(bstar[first] - e->cut_theta) - 1e-3;
		assert_true(rank < e->start_set);
		int seen = 0;
		for (int k = 0; k < distinct; k++)
			seen |= firsts[k] == first;
		if (!seen)
			firsts[distinct++] = first;
	}
	print_message("80 candidates met %d different first items\n", distinct);
	assert_true(distinct >= 10);
	free(stratum);
	free(bstar);
	cat_engine_free(g);
	cat_bank_free(b);
	cat_exam_free(e);
}

/* SPRT: the test recomputes the log likelihood ratio at cut +- delta from the responses;
 * a test that stopped by the SPRT has it beyond a bound on the estimate's side, and one
 * answer earlier it had not (or a minimum was still open). */
static void test_sprt(void **st)
{
	(void)st;
	struct cat_exam *e = load_exam(SG_VAR);
	assert_true(e->sprt && e->select_at_cut);
	struct cat_bank *b = ctu_bank(2000, 93, 0.0, 0.0);
	struct cat_engine *g;
	assert_int_equal(cat_engine_new(&g, e, b), 0);
	double hi = log((1 - e->sprt_beta) / e->sprt_alpha), lo = log(e->sprt_beta / (1 - e->sprt_alpha));
	uint64_t rs = 17;
	int sprt_stops = 0, total = 0;
	for (uint64_t seed = 0; seed < 60; seed++) {
		struct cat_session *s;
		assert_int_equal(cat_session_new(&s, g, seed), 0);
		double theta = 1.2 * ctu_n(&rs) - 0.5, llr = 0, prev = 0;
		size_t it;
		while (!cat_session_done(s) && cat_session_next(s, &it) == 0) {
			int x = ctu_answer(&b->items[it].irt, theta, &rs);
			prev = llr;
			llr += cat_loglik(&b->items[it].irt, e->cut_theta + e->sprt_delta, x) -
			       cat_loglik(&b->items[it].irt, e->cut_theta - e->sprt_delta, x);
			assert_int_equal(cat_session_answer(s, it, x, 0), 0);
		}
		struct cat_result r;
		assert_int_equal(cat_session_result(s, &r), 0);
		total++;
		if (r.stop == CAT_STOP_SPRT) {
			sprt_stops++;
			assert_true(r.pass ? llr >= hi : llr <= lo);
			assert_true(r.operational >= e->min_items);
			if (r.operational > e->min_items)
				assert_true(prev < hi && prev > lo);
		} else {
			assert_int_equal(r.stop, CAT_STOP_MAX_LENGTH);
		}
		cat_session_free(s);
	}
	print_message("%d of %d tests stopped by the SPRT\n", sprt_stops, total);
	assert_true(sprt_stops > total / 2);
	cat_engine_free(g);
	cat_bank_free(b);
	cat_exam_free(e);
}

/* Feasibility: a test of L items from n usable items cannot keep every exposure under r
 * when L > r n; the thin groups are named. */
static void test_feasibility(void **st)
{
	(void)st;
	struct cat_exam *e = load_exam(SG_REAL);
	struct cat_bank *small = ctu_bank(200, 94, 0.1, 0.0), *big = ctu_bank(2000, 94, 0.08, 0.0);
	struct cat_engine *g;
	struct cat_feasibility f;
	assert_int_equal(cat_engine_new(&g, e, small), 0);
	cat_exposure_feasibility(&f, g, 0.25);
	size_t nop = 0, nb = 0;
	for (size_t i = 0; i < small->n; i++)
		if (small->items[i].status == CAT_OPERATIONAL) {
			nop++;
			nb += small->items[i].part[0] == 'B';
		}
	assert_false(f.feasible);
	assert_string_equal(f.group[0].name, "test");
	assert_int_equal(f.group[0].need, 56);
	assert_int_equal(f.group[0].have, (int)nop);
	assert_int_equal(f.group[0].have_needed, 224);
	assert_true(f.group[0].thin == (56 > 0.25 * (double)nop));
	assert_string_equal(f.group[2].name, "part B");
	assert_int_equal(f.group[2].need, 12);
	assert_true(f.group[2].thin == (12 > 0.25 * (double)nb));
	double lb = 56.0 / (double)nop;
	assert_true(f.min_max_exposure >= lb - 1e-12);
	cat_engine_free(g);
	assert_int_equal(cat_engine_new(&g, e, big), 0);
	cat_exposure_feasibility(&f, g, 0.25);
	assert_true(f.feasible);
	for (int k = 0; k < f.ngroups; k++)
		assert_false(f.group[k].thin);
	cat_engine_free(g);
	cat_bank_free(small);
	cat_bank_free(big);
	cat_exam_free(e);
}


/* sg.json with texts replaced (any length): n pairs from, to. */
static struct cat_exam *sg_real_edit(int n, const char *const *pairs)
{
	size_t len = 0;
	char *t = ctu_read(SG_REAL, &len);
	assert_non_null(t);
	for (int k = 0; k < n; k++) {
		const char *from = pairs[2 * k], *to = pairs[2 * k + 1];
		char *at = strstr(t, from);
		assert_non_null(at);
		size_t fl = strlen(from), tl = strlen(to), nl = len - fl + tl, off = (size_t)(at - t);
		char *u = malloc(nl + 1);
		assert_non_null(u);
		memcpy(u, t, off);
		memcpy(u + off, to, tl);
		memcpy(u + off + tl, at + fl, len - off - fl);
		u[nl] = 0;
		free(t);
		t = u;
		len = nl;
	}
	struct cat_exam *e = NULL;
	if (cat_exam_parse(&e, t, len) != 0)
		fail_msg("sg.json edited: %s", cat_error_last());
	free(t);
	return e;
}

/* Blueprint of one form counted here from the bank's own fields. */
static void assert_form_meets_blueprint(const struct cat_exam *e, const struct cat_bank *b, const size_t *items, size_t n)
{
	int dn[CAT_MAX_DOMAINS] = { 0 }, pn[CAT_MAX_PARTS] = { 0 };
	assert_int_equal((int)n, e->max_items);
	for (size_t k = 0; k < n; k++) {
		const struct cat_bank_item *it = &b->items[items[k]];
		assert_int_equal(it->status, CAT_OPERATIONAL);
		int d = -1;
		for (int t = 0; t < e->ndomains; t++)
			if (strcmp(e->domains[t].name, it->domain) == 0) d = t;
		assert_true(d >= 0);
		dn[d]++;
		pn[e->domains[d].part]++;
	}
	for (int d = 0; d < e->ndomains; d++)
		assert_true(dn[d] >= e->domains[d].min && dn[d] <= e->domains[d].max);
	for (int p = 0; p < e->nparts; p++)
		assert_true(pn[p] >= e->parts[p].min && pn[p] <= e->parts[p].max);
}

/* Parallel forms at the cut: disjoint, each meeting the blueprint, the first one being
 * the single fixed form's best item, and close in information at the cut (no form much
 * weaker than another); a bank too small for F disjoint forms is refused. */
static void test_parallel_forms(void **st)
{
	(void)st;
	struct cat_exam *e = load_exam(SG_REAL);
	struct cat_bank *b = ctu_bank(2000, 95, 0.08, 0.0);
	struct cat_engine *g;
	assert_int_equal(cat_engine_new(&g, e, b), 0);
	const int F = 4;
	size_t L = (size_t)e->max_items, fn[CAT_MAX_FORMS], one[512], n1 = 0;
	size_t *f = malloc(8 * L * sizeof *f); /* room for the 8 forms asked of the small bank */
	assert_int_equal(cat_parallel_forms(f, fn, F, false, g), 0);
	assert_int_equal(cat_fixed_form(one, &n1, g), 0);
	assert_int_equal(one[0], f[0]); /* form 1 picks first: the most informative item at the cut */
	int *owner = calloc(b->n, sizeof *owner);
	double info[CAT_MAX_FORMS] = { 0 }, lo = HUGE_VAL, hi = 0;
	for (int k = 0; k < F; k++) {
		assert_form_meets_blueprint(e, b, f + (size_t)k * L, fn[k]);
		for (size_t m = 0; m < fn[k]; m++) {
			size_t it = f[(size_t)k * L + m];
			assert_int_equal(owner[it], 0); /* disjoint */
			owner[it] = k + 1;
			info[k] += cat_info(&b->items[it].irt, e->cut_theta);
		}
		if (info[k] < lo) lo = info[k];
		if (info[k] > hi) hi = info[k];
		print_message("form %d: test information at the cut %.2f\n", k + 1, info[k]);
	}
	double single = 0;
	for (size_t m = 0; m < n1; m++)
		single += cat_info(&b->items[one[m]].irt, e->cut_theta);
	print_message("single fixed form: %.2f\n", single);
	assert_true(hi / lo < 1.1);
	assert_true(single >= hi);
	/* a bank of 300 items has no 8 disjoint 56-item forms in it under the blueprint */
	struct cat_bank *small = ctu_bank(300, 96, 0.05, 0.0);
	struct cat_engine *gs;
	assert_int_equal(cat_engine_new(&gs, e, small), 0);
	assert_int_equal(cat_parallel_forms(f, fn, 8, false, gs), CAT_EINVAL);
	assert_non_null(strstr(cat_error_last(), "parallel forms"));
	cat_engine_free(gs);
	cat_bank_free(small);
	free(owner);
	free(f);
	cat_engine_free(g);
	cat_bank_free(b);
	cat_exam_free(e);
}

/* Cut reservation: the reserved items are the parallel forms' items, and a candidate takes
 * one only while the rule (recomputed here from the session's estimate) calls them near the
 * cut: |theta - cut| < z SE after the first near_cut_after items. Candidates far from the
 * cut thus never take one after the start; those at the cut do. Replay reproduces it. */
static void test_cut_reservation(void **st)
{
	(void)st;
	static const char *const edits[] = { "\"near_cut_z\": 1,", "\"near_cut_z\": 1.5, \"near_cut_after\": 10,",
		                                     "\"target\": 0.25", "\"target\": 0.25, \"reserve_forms\": 3" };
	struct cat_exam *ex = sg_real_edit(2, edits);
	assert_int_equal(ex->reserve_forms, 3);
	struct cat_bank *b = ctu_bank(2000, 97, 0.08, 0.0);
	struct cat_engine *g;
	assert_int_equal(cat_engine_new(&g, ex, b), 0);
	size_t L = (size_t)ex->max_items, fn[CAT_MAX_FORMS];
	size_t *f = malloc(3 * L * sizeof *f);
	assert_int_equal(cat_parallel_forms(f, fn, 3, false, g), 0);
	uint8_t *res = calloc(b->n, 1);
	for (size_t k = 0; k < 3 * L; k++)
		res[f[k]] = 1;
	size_t nres = 0;
	for (size_t i = 0; i < b->n; i++) {
		assert_int_equal(cat_engine_reserved(g, i), res[i] != 0);
		nres += res[i];
	}
	assert_int_equal(nres, 3 * L);
	uint64_t rs = 21;
	int far_reserved = 0, near_reserved = 0, near_picks = 0;
	for (uint64_t seed = 0; seed < 40; seed++) {
		struct cat_session *s;
		assert_int_equal(cat_session_new(&s, g, seed), 0);
		double theta = seed % 2 ? ex->cut_theta + 0.05 * ctu_n(&rs) : (seed % 4 == 0 ? 2.5 : -3.0);
		size_t it;
		int nop = 0;
		while (!cat_session_done(s) && cat_session_next(s, &it) == 0) {
			double th, se;
			cat_session_theta(s, &th, &se);
			bool pre = b->items[it].status == CAT_PRETEST;
			bool near = fabs(th - ex->cut_theta) < ex->near_cut_z * se && nop >= ex->near_cut_after;
			if (!pre) {
				if (res[it] && !near) far_reserved++;
				if (near) {
					near_picks++;
					near_reserved += res[it];
				}
				nop++;
			}
			assert_int_equal(cat_session_answer(s, it, ctu_answer(&b->items[it].irt, theta, &rs), 0), 0);
		}
		unsigned char buf[CAT_STATE_MAX_BYTES];
		size_t blen;
		struct cat_session *r;
		assert_int_equal(cat_session_encode(s, buf, sizeof buf, &blen), 0);
		assert_int_equal(cat_session_decode(&r, g, buf, blen), 0);
		cat_session_free(r);
		cat_session_free(s);
	}
	print_message("reserved items taken while not near the cut: %d; near-cut picks %d, %d of them reserved\n",
	              far_reserved, near_picks, near_reserved);
	assert_int_equal(far_reserved, 0);
	assert_true(near_picks > 0 && near_reserved > near_picks / 2);
	free(res);
	free(f);
	cat_engine_free(g);
	cat_bank_free(b);
	cat_exam_free(ex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sg_is_the_real_exam),
		cmocka_unit_test(test_a_stratified),
		cmocka_unit_test(test_random_start_and_trials),
		cmocka_unit_test(test_sprt),
		cmocka_unit_test(test_feasibility),
		cmocka_unit_test(test_parallel_forms),
		cmocka_unit_test(test_cut_reservation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
