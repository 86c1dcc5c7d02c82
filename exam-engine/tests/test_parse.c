/* Unit tests: bank lines, exam definitions and binding, each bad input giving one clear
 * error; the JSON reader's bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cat_test_util.h"

static int parse_bank(const char *text, struct cat_bank **out)
{
	return cat_bank_parse(out, text, strlen(text));
}

static void test_bank_good(void **st)
{
	(void)st;
	const char *t =
		"# a comment\n"
		"{\"id\":\"X1\",\"model\":\"3pl\",\"a\":1.2,\"b\":-0.5,\"c\":0.2,\"domain\":\"law\",\"part\":\"A\",\"type\":\"mc4\",\"status\":\"operational\",\"sh_k\":0.5}\n"
		"\n"
		"{\"id\":\"X2\",\"model\":\"gpcm\",\"a\":0.9,\"steps\":[-1,0.5],\"domain\":\"scenario\",\"enemy\":\"E1\",\"status\":\"pretest\"}\r\n"
		"{\"id\":\"X3\",\"model\":\"1pl\",\"b\":0.25,\"domain\":\"law\",\"D\":1.702}";
	struct cat_bank *b;
	assert_int_equal(parse_bank(t, &b), 0);
	assert_int_equal(b->n, 3);
	assert_string_equal(b->items[0].id, "X1");
	assert_true(b->items[0].irt.model == CAT_3PL && b->items[0].irt.c == 0.2 && b->items[0].sh_k == 0.5);
	assert_true(b->items[1].irt.model == CAT_GPCM && b->items[1].irt.nsteps == 2 && b->items[1].status == CAT_PRETEST);
	assert_string_equal(b->items[1].enemy, "E1");
	assert_true(b->items[2].irt.a == 1 && b->items[2].irt.D == 1.702 && b->items[2].sh_k == 1);
	assert_int_equal(cat_bank_find(b, "X3"), 2);
	/* format -> parse round trip is exact, so the bank version is stable */
	char line[CAT_BANK_MAX_LINE];
	for (size_t i = 0; i < b->n; i++) {
		struct cat_bank_item back;
		int l = cat_bank_item_format(line, sizeof line, &b->items[i]);
		assert_true(l > 0);
		assert_int_equal(cat_bank_item_parse(&back, line, (size_t)l), 0);
		assert_memory_equal(&back.irt, &b->items[i].irt, sizeof back.irt);
		assert_true(back.sh_k == b->items[i].sh_k);
	}
	uint64_t v = b->version;
	b->items[0].sh_k = 0.4;
	cat_bank_rehash(b);
	assert_true(v != b->version);
	cat_bank_free(b);
}

static void expect_bank_error(const char *text, const char *needle)
{
	struct cat_bank *b = NULL;
	int rc = parse_bank(text, &b);
	assert_true(rc < 0);
	assert_null(b);
	if (!strstr(cat_error_last(), needle))
		fail_msg("error \"%s\" does not mention \"%s\"", cat_error_last(), needle);
}

static void test_bank_bad(void **st)
{
	(void)st;
	/* NaN parameters: not JSON, and numbers that overflow to infinity */
	expect_bank_error("{\"id\":\"X\",\"model\":\"2pl\",\"a\":NaN,\"b\":0,\"domain\":\"law\"}", "line 1");
	expect_bank_error("{\"id\":\"X\",\"model\":\"2pl\",\"a\":1,\"b\":1e999,\"domain\":\"law\"}", "finite");
	expect_bank_error("{\"id\":\"X\",\"model\":\"2pl\",\"a\":-1,\"b\":0,\"domain\":\"law\"}", "slope");
	expect_bank_error("{\"id\":\"X\",\"model\":\"4pl\",\"a\":1,\"b\":0,\"domain\":\"law\"}", "unknown model");
	expect_bank_error("{\"id\":\"X\",\"model\":\"2pl\",\"a\":1,\"domain\":\"law\"}", "\"b\"");
	expect_bank_error("{\"id\":\"X\",\"model\":\"2pl\",\"a\":1,\"b\":0,\"domain\":\"law\",\"sh_k\":0}", "sh_k");
	expect_bank_error("{\"id\":\"X\",\"model\":\"2pl\",\"a\":1,\"b\":0,\"domain\":\"law\"}\n"
	                  "{\"id\":\"X\",\"model\":\"2pl\",\"a\":1,\"b\":0,\"domain\":\"law\"}", "duplicate");
	expect_bank_error("{\"id\":\"X\",\"model\":\"2pl\",\"a\":1,\"b\":0,\"domain\":\"law\"}\n[1,2]", "line 2");
	expect_bank_error("", "no items");
	expect_bank_error("{\"id\":\"X\",\"model\":\"gpcm\",\"a\":1,\"steps\":[],\"domain\":\"law\"}", "steps");
	expect_bank_error("{\"id\":\"X\",\"model\":\"2pl\",\"a\":1,\"b\":0,\"domain\":\"law\",\"status\":\"live\"}", "status");
	/* a line over the bound */
	char *big = malloc(CAT_BANK_MAX_LINE + 100);
	memset(big, ' ', CAT_BANK_MAX_LINE + 99);
	big[0] = '{';
	big[CAT_BANK_MAX_LINE + 98] = '}';
	big[CAT_BANK_MAX_LINE + 99] = 0;
	expect_bank_error(big, "longer");
	free(big);
}

static void test_json_reader(void **st)
{
	(void)st;
	struct cat_json j;
	const char *ok = "{\"a\":[1,2.5e3,-0.5],\"s\":\"x\\u00e9\\ud83d\\ude00\\n\",\"t\":true,\"n\":null}";
	assert_int_equal(cat_json_parse(&j, ok, strlen(ok)), 0);
	const struct cat_jnode *a = cat_json_get(&j, &j.nodes[0], "a");
	assert_int_equal(a->count, 3);
	assert_true(cat_json_child(&j, a, 1)->num == 2500);
	assert_string_equal(cat_json_get(&j, &j.nodes[0], "s")->str, "x\xc3\xa9\xf0\x9f\x98\x80\n");
	cat_json_free(&j);
	const char *bad[] = { "", "{", "{\"a\":}", "[1,]", "01", "\"\\ud800\"", "\"\x01\"", "\"\xff\"", "{} x",
	                      "\"\\u0000\"", "tru", "[1 2]", "-", "1.", "1e" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_true(cat_json_parse(&j, bad[i], strlen(bad[i])) < 0);
		assert_true(strlen(cat_error_last()) > 0);
		cat_json_free(&j);
	}
	/* nesting bound */
	char deep[200];
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	assert_int_equal(cat_json_parse(&j, deep, 200), CAT_EPARSE);
	assert_non_null(strstr(cat_error_last(), "deep"));
	cat_json_free(&j);
}

static void test_exam_sg(void **st)
{
	(void)st;
	struct cat_exam *e = ctu_sg_exam(NULL, NULL);
	assert_non_null(e);
	assert_string_equal(e->id, "SG");
	assert_int_equal(e->time_limit_s, 120 * 60);
	assert_int_equal(e->max_items + e->pretest_items, 60);
	assert_int_equal(e->pretest_items, 6);
	assert_int_equal(e->ndomains, 8);
	assert_int_equal(e->nparts, 2);
	assert_int_equal(e->scale_cut, 600);
	assert_true(e->exposure == CAT_EXPO_SH && e->exposure_target == 0.25);
	/* scale: cut theta -> 600, clamped at both ends, monotone */
	assert_int_equal(cat_scale(e, e->cut_theta), 600);
	assert_int_equal(cat_scale(e, e->cut_theta - 1e-9), 599);
	assert_int_equal(cat_scale(e, -50), 0);
	assert_int_equal(cat_scale(e, 50), 1000);
	assert_true(cat_scale(e, 0.5) > cat_scale(e, 0.4));
	cat_exam_free(e);
}

static void expect_exam_error(const char *from, const char *to, const char *needle)
{
	struct cat_exam *e = ctu_sg_exam(from, to);
	if (e)
		fail_msg("exam with \"%s\" -> \"%s\" was accepted", from, to);
	if (!strstr(cat_error_last(), needle))
		fail_msg("error \"%s\" does not mention \"%s\"", cat_error_last(), needle);
}

static void test_exam_bad(void **st)
{
	(void)st;
	expect_exam_error("\"length\": { \"min\": 30, \"max\": 54 }", "\"length\": { \"min\": 60, \"max\": 54 }", "min 60");
	expect_exam_error("\"min\": 30", "\"min\": 30.5", "whole number");
	expect_exam_error("\"part\": \"B\", \"min\": 6", "\"part\": \"C\", \"min\": 6", "part \"C\"");
	expect_exam_error("\"method\": \"sympson-hetter\"", "\"method\": \"magic\"", "method");
	expect_exam_error("\"target\": 0.25", "\"target\": 1.5", "target");
	expect_exam_error("\"cut_theta\": -0.5", "\"cut_theta\": \"low\"", "cut_theta");
	expect_exam_error("\"final\": \"eap\"", "\"final\": \"ml\"", "final");
	expect_exam_error("{ \"name\": \"A\", \"min\": 24, \"max\": 43", "{ \"name\": \"A\", \"min\": 24, \"max\": 10", "part");
	expect_exam_error("\"ci_rule\": true", "\"ci_rule\": 1", "ci_rule");
	expect_exam_error("\"id\": \"SG\",", "", "\"id\"");
	expect_exam_error("\"parts\": [", "\"parts\": [[", "JSON");
	/* truncated document */
	size_t len = 0;
	char *t = ctu_read(CTU_SG, &len);
	assert_non_null(t);
	struct cat_exam *e;
	for (size_t cut = 0; cut < len; cut += 97) {
		assert_true(cat_exam_parse(&e, t, cut) < 0);
		assert_true(strlen(cat_error_last()) > 0);
	}
	free(t);
}

/* Group labels: {"ja", "en"} in the shipped sg.json, one string in older files (then the
 * same text in both languages), none at all (the caller falls back to the identifier). */
static void test_exam_labels(void **st)
{
	(void)st;
	size_t len = 0;
	char *t = ctu_read(RS_SOURCE_ROOT "/exam-engine/exams/sg.json", &len);
	assert_non_null(t);
	struct cat_exam *e = NULL;
	assert_int_equal(cat_exam_parse(&e, t, len), 0);
	free(t);
	assert_string_equal(cat_group_label(e, CAT_FEAS_PART, 0, 0), "科目A");
	assert_string_equal(cat_group_label(e, CAT_FEAS_PART, 1, 1), "Part B");
	assert_string_equal(e->domains[3].name, "law");
	assert_string_equal(cat_group_label(e, CAT_FEAS_DOMAIN, 3, 0), "法規・基準");
	assert_string_equal(cat_group_label(e, CAT_FEAS_DOMAIN, 3, 1), "Law, regulation and standards");
	for (int d = 0; d < e->ndomains; d++)
		assert_true(e->domains[d].label_ja[0] && e->domains[d].label_en[0] &&
		            strcmp(e->domains[d].label_ja, e->domains[d].label_en) != 0);
	assert_null(cat_group_label(e, CAT_FEAS_TEST, -1, 0));
	cat_exam_free(e);
	/* the former file: one string per domain, no part labels */
	e = ctu_sg_exam(NULL, NULL);
	assert_non_null(e);
	assert_string_equal(e->domains[3].label_ja, "Law, regulation and standards (法規・基準)");
	assert_string_equal(e->domains[3].label_en, e->domains[3].label_ja);
	assert_null(cat_group_label(e, CAT_FEAS_PART, 0, 0));
	cat_exam_free(e);
	e = ctu_sg_exam("\"label\": \"Law, regulation and standards (法規・基準)\"",
	                "\"label\": { \"en\": \"Law\", \"ja\": \"法規\" }");
	assert_non_null(e);
	assert_string_equal(cat_group_label(e, CAT_FEAS_DOMAIN, 3, 0), "法規");
	assert_string_equal(cat_group_label(e, CAT_FEAS_DOMAIN, 3, 1), "Law");
	cat_exam_free(e);
	e = ctu_sg_exam(", \"label\": \"Law, regulation and standards (法規・基準)\"", "");
	assert_non_null(e);
	assert_null(cat_group_label(e, CAT_FEAS_DOMAIN, 3, 1));
	cat_exam_free(e);
	/* both languages or neither */
	expect_exam_error("\"label\": \"Law, regulation and standards (法規・基準)\"", "\"label\": { \"en\": \"Law\" }",
	                  "exam domain 4 label: missing \"ja\"");
	expect_exam_error("\"label\": \"Law, regulation and standards (法規・基準)\"",
	                  "\"label\": { \"ja\": \"\", \"en\": \"Law\" }", "a Japanese and an English text");
	expect_exam_error("\"label\": \"Law, regulation and standards (法規・基準)\"", "\"label\": 7",
	                  "exam domain 4: \"label\" must be a string or");
	expect_exam_error("{ \"name\": \"A\",", "{ \"name\": \"A\", \"label\": [\"A\"],", "exam part 1: \"label\"");
}

static void test_blueprint_unsatisfiable(void **st)
{
	(void)st;
	struct cat_exam *e = ctu_sg_exam(NULL, NULL);
	/* 40 items: every domain has a few, but not the scenario minimum of 6 once enemies and
	 * pretest items are excluded */
	struct cat_bank *b = ctu_bank(40, 5, 0.2, 0.0);
	struct cat_engine *g = NULL;
	assert_int_equal(cat_engine_new(&g, e, b), CAT_EINVAL);
	assert_null(g);
	assert_non_null(strstr(cat_error_last(), "blueprint cannot be satisfied"));
	cat_bank_free(b);
	/* a big bank where every item is in an enemy set cannot fill minima either */
	b = ctu_bank(2000, 5, 0.1, 1.0);
	assert_int_equal(cat_engine_new(&g, e, b), CAT_EINVAL);
	assert_non_null(strstr(cat_error_last(), "blueprint cannot be satisfied"));
	cat_bank_free(b);
	/* a bank item with NaN parameters is refused at bind time */
	b = ctu_bank(2000, 5, 0.1, 0.05);
	b->items[17].irt.b = NAN;
	assert_int_equal(cat_engine_new(&g, e, b), CAT_EINVAL);
	assert_non_null(strstr(cat_error_last(), "T00017"));
	b->items[17].irt.b = 0;
	/* no pretest items while the exam seeds 6 */
	for (size_t i = 0; i < b->n; i++) b->items[i].status = CAT_OPERATIONAL;
	assert_int_equal(cat_engine_new(&g, e, b), CAT_EINVAL);
	assert_non_null(strstr(cat_error_last(), "pretest"));
	cat_bank_free(b);
	cat_exam_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bank_good),
		cmocka_unit_test(test_bank_bad),
		cmocka_unit_test(test_json_reader),
		cmocka_unit_test(test_exam_sg),
		cmocka_unit_test(test_exam_bad),
		cmocka_unit_test(test_exam_labels),
		cmocka_unit_test(test_blueprint_unsatisfiable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
