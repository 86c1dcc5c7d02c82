/* Unit tests: sessions through the SG exam: determinism, bit-exact replay from the
 * serialised state, corrupt states, blueprint with zero violations, pretest seeding,
 * stopping rules, the run-out-of-time rule, and bad answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cat_test_util.h"

struct fx {
	struct cat_exam *exam;
	struct cat_bank *bank;
	struct cat_engine *eng;
};

static struct fx fx_new(const char *from, const char *to, size_t nitems, uint64_t seed)
{
	struct fx f;
	f.exam = ctu_sg_exam(from, to);
	assert_non_null(f.exam);
	f.bank = ctu_bank(nitems, seed, 0.08, 0.1);
	assert_int_equal(cat_engine_new(&f.eng, f.exam, f.bank), 0);
	return f;
}

static void fx_free(struct fx *f)
{
	cat_engine_free(f->eng);
	cat_bank_free(f->bank);
	cat_exam_free(f->exam);
}

/* Run one candidate; records items and thetas (up to 80). Returns count. */
static size_t run(const struct fx *f, uint64_t seed, double theta, uint64_t rs, size_t *items, double *thetas,
                  struct cat_result *res)
{
	struct cat_session *s;
	assert_int_equal(cat_session_new(&s, f->eng, seed), 0);
	size_t n = 0, it;
	while (!cat_session_done(s)) {
		if (cat_session_next(s, &it) != 0)
			break;
		assert_true(n < 80);
		items[n] = it;
		int x = ctu_answer(&f->bank->items[it].irt, theta, &rs);
		assert_int_equal(cat_session_answer(s, it, x, (uint32_t)(n * 60)), 0);
		double se;
		cat_session_theta(s, &thetas[n], &se);
		n++;
	}
	if (res)
		assert_int_equal(cat_session_result(s, res), 0);
	cat_session_free(s);
	return n;
}

static void test_determinism(void **st)
{
	(void)st;
	struct fx f = fx_new(NULL, NULL, 2000, 11);
	size_t a[80], b[80];
	double ta[80], tb[80];
	size_t na = run(&f, 42, 0.3, 7, a, ta, NULL), nb = run(&f, 42, 0.3, 7, b, tb, NULL);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na * sizeof a[0]);
	assert_memory_equal(ta, tb, na * sizeof ta[0]);
	/* another seed gives another test (pretest positions and the SH lottery differ) */
	size_t nc = run(&f, 43, 0.3, 7, b, tb, NULL);
	assert_true(nc != na || memcmp(a, b, na * sizeof a[0]) != 0);
	fx_free(&f);
}

static void test_replay_state(void **st)
{
	(void)st;
	struct fx f = fx_new(NULL, NULL, 2000, 12);
	struct cat_session *s, *r;
	assert_int_equal(cat_session_new(&s, f.eng, 99), 0);
	uint64_t rs = 5;
	size_t it, it2;
	unsigned char buf[CAT_STATE_MAX_BYTES];
	size_t len;
	int step = 0;
	while (!cat_session_done(s)) {
		assert_int_equal(cat_session_next(s, &it), 0);
		/* at every step the decoded session agrees bit for bit */
		assert_int_equal(cat_session_encode(s, buf, sizeof buf, &len), 0);
		assert_true(len <= 40 + 6 * cat_session_count(s));
		assert_int_equal(cat_session_decode(&r, f.eng, buf, len), 0);
		assert_int_equal(cat_session_next(r, &it2), 0);
		assert_int_equal(it, it2);
		double t1, s1, t2, s2;
		cat_session_theta(s, &t1, &s1);
		cat_session_theta(r, &t2, &s2);
		assert_memory_equal(&t1, &t2, sizeof t1);
		assert_memory_equal(&s1, &s2, sizeof s1);
		cat_session_free(r);
		int x = ctu_answer(&f.bank->items[it].irt, -0.2, &rs);
		assert_int_equal(cat_session_answer(s, it, x, (uint32_t)(step++ * 50)), 0);
	}
	assert_int_equal(cat_session_encode(s, buf, sizeof buf, &len), 0);
	assert_int_equal(cat_session_decode(&r, f.eng, buf, len), 0);
	assert_true(cat_session_done(r));
	struct cat_result r1, r2;
	cat_session_result(s, &r1);
	cat_session_result(r, &r2);
	assert_memory_equal(&r1, &r2, sizeof r1);
	cat_session_free(r);

	/* corrupt states: every single-bit flip, every truncation: one clear error, no crash */
	for (size_t i = 0; i < len; i++)
		for (int bit = 0; bit < 8; bit += 3) {
			buf[i] ^= (unsigned char)(1 << bit);
			r = NULL;
			assert_true(cat_session_decode(&r, f.eng, buf, len) < 0);
			assert_null(r);
			buf[i] ^= (unsigned char)(1 << bit);
		}
	for (size_t l = 0; l < len; l++)
		assert_true(cat_session_decode(&r, f.eng, buf, l) < 0);
	assert_int_equal(cat_session_decode(&r, f.eng, (const unsigned char *)"garbage", 7), CAT_EPARSE);
	/* another bank version is refused */
	struct fx g = fx_new(NULL, NULL, 2000, 13);
	assert_int_equal(cat_session_decode(&r, g.eng, buf, len), CAT_ESTATE);
	assert_non_null(strstr(cat_error_last(), "another exam or bank"));
	fx_free(&g);
	cat_session_free(s);
	fx_free(&f);
}

/* Count blueprint violations independently of the engine. */
static int violations(const struct fx *f, const struct cat_session *s)
{
	int dn[CAT_MAX_DOMAINS] = { 0 }, pn[CAT_MAX_PARTS] = { 0 }, n = 0, bad = 0;
	const struct cat_exam *e = f->exam;
	for (size_t k = 0; k < cat_session_count(s); k++) {
		size_t it;
		bool pre;
		cat_session_response(s, k, &it, NULL, &pre);
		const struct cat_bank_item *bi = &f->bank->items[it];
		for (size_t m = 0; m < k; m++) {
			size_t o;
			cat_session_response(s, m, &o, NULL, NULL);
			if (o == it || (bi->enemy[0] && strcmp(bi->enemy, f->bank->items[o].enemy) == 0))
				bad++;
		}
		if (pre) {
			bad += bi->status != CAT_PRETEST;
			continue;
		}
		bad += bi->status != CAT_OPERATIONAL;
		for (int d = 0; d < e->ndomains; d++)
			if (strcmp(e->domains[d].name, bi->domain) == 0) {
				dn[d]++;
				pn[e->domains[d].part]++;
				const struct cat_part *p = &e->parts[e->domains[d].part];
				bad += strcmp(p->types[0], bi->type) != 0;
			}
		n++;
	}
	for (int d = 0; d < e->ndomains; d++)
		bad += dn[d] < e->domains[d].min || dn[d] > e->domains[d].max;
	for (int p = 0; p < e->nparts; p++)
		bad += pn[p] < e->parts[p].min || pn[p] > e->parts[p].max;
	bad += n < e->min_items || n > e->max_items;
	return bad;
}

static void test_blueprint_zero_violations(void **st)
{
	(void)st;
	/* A tight bank (barely more than the minima in small domains) with aggressive SH
	 * parameters, candidates across the range: the invariant must hold every time. */
	struct fx f = fx_new(NULL, NULL, 700, 21);
	for (size_t i = 0; i < f.bank->n; i++)
		f.bank->items[i].sh_k = 0.05 + 0.3 * (double)(i % 4);
	uint64_t rs = 1;
	for (int c = 0; c < 300; c++) {
		struct cat_session *s;
		assert_int_equal(cat_session_new(&s, f.eng, (uint64_t)c), 0);
		double th = -3 + 6 * ctu_u(&rs);
		size_t it;
		int pre = 0;
		while (!cat_session_done(s) && cat_session_next(s, &it) == 0) {
			double t0, s0, t1, s1;
			cat_session_theta(s, &t0, &s0);
			bool is_pre = f.bank->items[it].status == CAT_PRETEST;
			assert_int_equal(cat_session_answer(s, it, ctu_answer(&f.bank->items[it].irt, th, &rs), 0), 0);
			cat_session_theta(s, &t1, &s1);
			if (is_pre) {
				pre++;
				assert_true(t0 == t1); /* pretest answers are unscored */
			}
		}
		assert_int_equal(violations(&f, s), 0);
		assert_int_equal(pre, 6);
		struct cat_result r;
		cat_session_result(s, &r);
		assert_int_equal(r.pretest, 6);
		assert_true(r.complete && r.scaled >= 0 && r.scaled <= 1000);
		assert_true(r.pass == (r.theta >= f.exam->cut_theta));
		cat_session_free(s);
	}
	fx_free(&f);
}

static void test_stopping(void **st)
{
	(void)st;
	size_t items[80];
	double th[80];
	struct cat_result r;
	/* fixed length: min = max = 40, no SE/CI rule */
	struct fx f = fx_new("\"ci_rule\": true", "\"ci_rule\": false", 2000, 31);
	f.exam->min_items = f.exam->max_items = 40;
	cat_engine_free(f.eng);
	assert_int_equal(cat_engine_new(&f.eng, f.exam, f.bank), 0);
	assert_int_equal(run(&f, 1, 1.0, 3, items, th, &r), 46);
	assert_int_equal(r.operational, 40);
	assert_int_equal(r.stop, CAT_STOP_MAX_LENGTH);
	fx_free(&f);
	/* CI rule: a very able candidate stops at the minimum with a pass */
	f = fx_new(NULL, NULL, 2000, 32);
	size_t n = run(&f, 2, 3.0, 4, items, th, &r);
	assert_int_equal(r.stop, CAT_STOP_CI);
	assert_int_equal(r.operational, 30);
	assert_int_equal(n, 36);
	assert_true(r.pass && r.scaled > 600);
	/* a very weak one fails, below 600, with a domain band below */
	run(&f, 3, -3.5, 5, items, th, &r);
	assert_true(!r.pass && r.scaled < 600 && r.operational == 30);
	int below = 0;
	for (int d = 0; d < r.ndomains; d++) below += r.domains[d].band == CAT_BAND_BELOW;
	assert_true(below >= 1);
	fx_free(&f);
	/* SE target alone: stops once SE <= 0.35 (after the minimum) */
	f = fx_new("\"se_target\": 0, \"ci_rule\": true", "\"se_target\": 0.35, \"ci_rule\": false", 2000, 33);
	run(&f, 4, 0.0, 6, items, th, &r);
	assert_int_equal(r.stop, CAT_STOP_SE);
	assert_true(r.se <= 0.35);
	fx_free(&f);
}

static void test_time_and_bad_answers(void **st)
{
	(void)st;
	struct fx f = fx_new(NULL, NULL, 2000, 41);
	struct cat_session *s;
	size_t it;
	assert_int_equal(cat_session_new(&s, f.eng, 5), 0);
	assert_int_equal(cat_session_next(s, &it), 0);
	/* an item that was not administered */
	assert_int_equal(cat_session_answer(s, (it + 1) % f.bank->n, 1, 10), CAT_EINVAL);
	assert_non_null(strstr(cat_error_last(), "not administered"));
	assert_int_equal(cat_session_answer(s, it, 2, 10), CAT_EINVAL);
	assert_int_equal(cat_session_answer(s, it, 1, 10), 0);
	assert_int_equal(cat_session_answer(s, it, 1, 20), CAT_EINVAL); /* already answered */
	assert_int_equal(cat_session_next(s, &it), 0);
	assert_int_equal(cat_session_answer(s, it, 1, 5), CAT_EINVAL);  /* time went backwards */
	/* all answers right, but time runs out after 10 items: incomplete, fail, below 600 */
	for (int k = 0; k < 9; k++) {
		assert_int_equal(cat_session_next(s, &it), 0);
		assert_int_equal(cat_session_answer(s, it, 1, (uint32_t)(20 + k)), 0);
	}
	assert_int_equal(cat_session_time_up(s, 7200), 0);
	assert_true(cat_session_done(s));
	assert_int_equal(cat_session_next(s, &it), CAT_ESTATE);
	struct cat_result r;
	cat_session_result(s, &r);
	assert_true(!r.complete && !r.pass && r.scaled < 600 && r.stop == CAT_STOP_TIME);
	assert_true(r.theta > f.exam->cut_theta); /* the estimate itself was high */
	/* the time-out survives serialisation */
	unsigned char buf[CAT_STATE_MAX_BYTES];
	size_t len;
	struct cat_session *r2;
	assert_int_equal(cat_session_encode(s, buf, sizeof buf, &len), 0);
	assert_int_equal(cat_session_decode(&r2, f.eng, buf, len), 0);
	assert_true(cat_session_done(r2));
	struct cat_result rr;
	cat_session_result(r2, &rr);
	assert_true(!rr.complete && rr.stop == CAT_STOP_TIME);
	cat_session_free(r2);
	cat_session_free(s);
	/* time running out after the minimum: scored as usual */
	assert_int_equal(cat_session_new(&s, f.eng, 6), 0);
	uint64_t rs = 9;
	for (int k = 0; k < 45 && !cat_session_done(s); k++) {
		assert_int_equal(cat_session_next(s, &it), 0);
		assert_int_equal(cat_session_answer(s, it, ctu_answer(&f.bank->items[it].irt, -0.45, &rs),
		                                     k == 44 ? 7200 : (uint32_t)k), 0);
	}
	assert_true(cat_session_done(s));
	cat_session_result(s, &r);
	assert_true(r.complete);
	assert_true(r.pass == (r.theta >= f.exam->cut_theta));
	cat_session_free(s);
	fx_free(&f);
}

static void test_randomesque(void **st)
{
	(void)st;
	struct fx f = fx_new("\"method\": \"sympson-hetter\"", "\"method\": \"randomesque\"", 2000, 51);
	/* the first operational item varies across candidates, among at most k = 5 */
	size_t firsts[5] = { 0 };
	int distinct = 0;
	for (uint64_t c = 0; c < 60; c++) {
		size_t items[80];
		double th[80];
		run(&f, c, 0, c, items, th, NULL);
		size_t first = 0;
		for (int k = 0; k < 80; k++)
			if (f.bank->items[items[k]].status == CAT_OPERATIONAL) { first = items[k]; break; }
		int seen = 0;
		for (int k = 0; k < distinct; k++) seen |= firsts[k] == first;
		if (!seen) {
			assert_true(distinct < 5);
			firsts[distinct++] = first;
		}
	}
	assert_true(distinct >= 2);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_replay_state),
		cmocka_unit_test(test_blueprint_zero_violations),
		cmocka_unit_test(test_stopping),
		cmocka_unit_test(test_time_and_bad_answers),
		cmocka_unit_test(test_randomesque),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
