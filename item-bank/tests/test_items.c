/* Unit tests of the item file reader/validator and canonical writer (docs/item-format.md):
 * every bad-line case is reported by its line number, nothing is returned for a bad file,
 * and canonical input is written back byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ib_items.h"
#include "rs_error.h"
#include "rs_util.h"

#define SCEN "{\"record\":\"scenario\",\"id\":\"S-1\",\"version\":1,\"exam\":\"SG\",\"title\":{\"ja\":\"事例\",\"en\":\"Case\"}," \
             "\"passage\":{\"ja\":\"A社は…\\n第2段落\",\"en\":\"Company A…\\nSecond paragraph\"},\"author\":\"x\",\"reviewer\":\"y\"}\n"
#define META "{\"record\":\"meta\",\"format\":\"riss-items\",\"format_version\":1,\"exam\":\"SG\",\"title\":\"test bank\"}\n"

/* A valid, canonical item line; part is "A" or "B" (B refers to scenario S-1). */
static char *item_line(const char *id, const char *part, const char *enemy)
{
	static char buf[8][2048];
	static int k;
	char *b = buf[k++ % 8];
	snprintf(b, sizeof buf[0],
	         "{\"record\":\"item\",\"id\":\"%s\",\"version\":1,\"exam\":\"SG\",\"status\":\"operational\","
	         "\"type\":\"single_choice\",\"domain\":\"measures\",\"part\":\"%s\"%s,\"enemy\":[%s],"
	         "\"stem\":{\"ja\":\"問 %s\",\"en\":\"Question %s \\\"quoted\\\"\"},"
	         "\"options\":[{\"ja\":\"ア\",\"en\":\"a\"},{\"ja\":\"イ\",\"en\":\"b\"},{\"ja\":\"ウ\",\"en\":\"c\"},{\"ja\":\"エ\",\"en\":\"d\"}],"
	         "\"key\":2,\"rationale\":{\"ja\":\"理由\",\"en\":\"why\"},\"author\":\"x\",\"reviewer\":\"y\","
	         "\"params\":{\"model\":\"3pl\",\"a\":1.25,\"b\":-0.3,\"c\":0.2}}\n",
	         id, part, part[0] == 'B' ? ",\"scenario\":\"S-1\"" : "", enemy ? enemy : "", id, id);
	return b;
}

/* Replace the first occurrence of from by to in s (into a new buffer). */
static char *subst(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	assert_non_null(p);
	size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
	char *r = malloc(n);
	assert_non_null(r);
	snprintf(r, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return r;
}

static char *write_set(const struct ib_itemset *set)
{
	char *data = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&data, &len);
	assert_non_null(f);
	assert_int_equal(ib_items_write(f, set), 0);
	fclose(f);
	return data;
}

/* The diagnostic for a line, or NULL. */
static const char *diag_at(const struct ib_diags *d, int line)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].line == line && !d->v[i].warning)
			return d->v[i].msg;
	return NULL;
}

static void test_valid_file_round_trips_exactly(void **state)
{
	(void)state;
	char text[16384];
	/* Canonical: meta, scenario, its items in id order, then part-A items in id order; the
	 * enemy pair is written on the later id. */
	snprintf(text, sizeof text, "%s%s%s%s%s%s", META, SCEN, item_line("B-1", "B", NULL), item_line("B-2", "B", NULL),
	         item_line("A-1", "A", NULL), item_line("A-2", "A", "\"A-1\""));
	struct ib_itemset *set = NULL;
	struct ib_diags d = { 0 };
	assert_int_equal(ib_items_parse(&set, &d, text, strlen(text), 0), 0);
	assert_int_equal(d.n_errors, 0);
	assert_int_equal(set->n_items, 4);
	assert_int_equal(set->n_scenarios, 1);
	assert_string_equal(set->items[1].scenario, "S-1");
	assert_string_equal(set->scenarios[0].passage.ja, "A社は…\n第2段落");
	assert_int_equal(set->items[0].key, 2);
	char *out = write_set(set);
	assert_string_equal(out, text);
	free(out);
	ib_itemset_free(set);
	ib_diags_free(&d);
}

static void test_writer_makes_order_and_enemies_canonical(void **state)
{
	(void)state;
	/* Items out of order, the enemy listed on the earlier id: the writer sorts and moves it. */
	char text[16384], want[16384];
	snprintf(text, sizeof text, "%s%s%s", item_line("A-2", "A", NULL), item_line("A-1", "A", "\"A-2\""),
	         item_line("A-3", "A", NULL));
	snprintf(want, sizeof want, "%s%s%s", item_line("A-1", "A", NULL), item_line("A-2", "A", "\"A-1\""),
	         item_line("A-3", "A", NULL));
	struct ib_itemset *set = NULL;
	struct ib_diags d = { 0 };
	assert_int_equal(ib_items_parse(&set, &d, text, strlen(text), 0), 0);
	char *out = write_set(set);
	assert_string_equal(out, want);
	free(out);
	ib_itemset_free(set);
	ib_diags_free(&d);
}

static void test_params_are_written_short_with_a_point(void **state)
{
	(void)state;
	char b[32];
	ib_items_fmt_param(b, sizeof b, 1.0);
	assert_string_equal(b, "1.0");
	ib_items_fmt_param(b, sizeof b, -0.35);
	assert_string_equal(b, "-0.35");
	ib_items_fmt_param(b, sizeof b, 0.123456);
	assert_string_equal(b, "0.1235");
	ib_items_fmt_param(b, sizeof b, -0.00001);
	assert_string_equal(b, "0.0");
	ib_items_fmt_param(b, sizeof b, 2);
	assert_string_equal(b, "2.0");
}

/* Every bad-line case of the brief, each on its own line, with good lines between: every
 * one is reported with its number and the file yields nothing. */
static void test_every_bad_line_is_reported(void **state)
{
	(void)state;
	char big[IB_ITEMS_MAX_LINE + 100];
	memset(big, 'x', sizeof big - 2);
	big[sizeof big - 2] = '\n';
	big[sizeof big - 1] = 0;
	char *l_key = subst(item_line("A-3", "A", NULL), "\"key\":2", "\"key\":4");
	char *l_dom = subst(item_line("A-4", "A", NULL), "\"domain\":\"measures\"", "\"domain\":\"cooking\"");
	char *l_miss = subst(item_line("A-5", "A", NULL), "\"rationale\":{\"ja\":\"理由\",\"en\":\"why\"},", "");
	char *l_dang = subst(item_line("B-9", "B", NULL), "\"scenario\":\"S-1\"", "\"scenario\":\"S-404\"");
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	fputs(SCEN, f);                              /* 1 good */
	fputs(item_line("B-1", "B", NULL), f);       /* 2 good */
	fputs("{\"record\":\"item\",\"id\":\n", f);  /* 3 bad JSON */
	fputs(l_miss, f);                            /* 4 missing rationale */
	fputs(l_key, f);                             /* 5 key 4 */
	fputs(l_dom, f);                             /* 6 unknown domain */
	fputs(item_line("B-1", "B", NULL), f);       /* 7 duplicate id */
	fputs(l_dang, f);                            /* 8 dangling scenario */
	fputs(big, f);                               /* 9 oversize line */
	fputs(item_line("A-9", "A", NULL), f);       /* 10 good */
	fclose(f);
	struct ib_itemset *set = (struct ib_itemset *)0x1;
	struct ib_diags d = { 0 };
	assert_int_equal(ib_items_parse(&set, &d, text, len, 0), RS_EINVAL);
	assert_ptr_equal(set, (struct ib_itemset *)0x1); /* nothing handed out */
	assert_int_equal(d.n_errors, 7);
	assert_null(diag_at(&d, 1));
	assert_null(diag_at(&d, 2));
	assert_non_null(strstr(diag_at(&d, 3), "not valid JSON"));
	assert_non_null(strstr(diag_at(&d, 4), "rationale: missing"));
	assert_non_null(strstr(diag_at(&d, 5), "key: 4 is outside 0..3"));
	assert_non_null(strstr(diag_at(&d, 6), "domain: unknown domain \"cooking\""));
	assert_non_null(strstr(diag_at(&d, 7), "duplicate id \"B-1\" (first on line 2)"));
	assert_non_null(strstr(diag_at(&d, 8), "no scenario \"S-404\""));
	assert_non_null(strstr(diag_at(&d, 9), "over the 65536-byte bound"));
	assert_null(diag_at(&d, 10));
	/* The printed form names file and line. */
	char *pr = NULL;
	size_t pl = 0;
	FILE *pf = open_memstream(&pr, &pl);
	ib_diags_print(&d, "bank.jsonl", pf);
	fclose(pf);
	assert_non_null(strstr(pr, "bank.jsonl:5: key: 4 is outside 0..3\n"));
	free(pr);
	ib_diags_free(&d);
	free(text);
	free(l_key);
	free(l_dom);
	free(l_miss);
	free(l_dang);
}

static void test_empty_file_is_refused(void **state)
{
	(void)state;
	struct ib_itemset *set = NULL;
	struct ib_diags d = { 0 };
	assert_int_equal(ib_items_parse(&set, &d, "", 0, 0), RS_EINVAL);
	assert_int_equal(d.n_errors, 1);
	assert_non_null(strstr(d.v[0].msg, "holds no items"));
	ib_diags_free(&d);
	/* A meta line alone holds no items either. */
	assert_int_equal(ib_items_parse(&set, &d, META, strlen(META), 0), RS_EINVAL);
	assert_non_null(strstr(d.v[0].msg, "holds no items"));
	ib_diags_free(&d);
}

struct bad_case {
	const char *from, *to;     /* substitution in a good part-A item line */
	const char *want;          /* part of the message */
};

static void test_single_line_rules(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "\"key\":2", "\"key\":2,\"optoins\":1", "\"optoins\": unknown member" },
		{ "\"reviewer\":\"y\"", "\"reviewer\":\"x\"", "reviewer: must differ from author" },
		{ "\"reviewer\":\"y\",", "", "reviewer: required when status is operational" },
		{ ",\"params\":{\"model\":\"3pl\",\"a\":1.25,\"b\":-0.3,\"c\":0.2}", "", "params: required for an operational item" },
		{ "\"c\":0.2", "\"c\":0.6", "params.c: 0.6 is outside" },
		{ "\"model\":\"3pl\"", "\"model\":\"2pl\"", "params.c: must be 0.0 unless the model is 3pl" },
		{ "\"part\":\"A\"", "\"part\":\"A\",\"scenario\":\"S-1\"", "scenario: not allowed on a part A item" },
		{ "{\"ja\":\"イ\",\"en\":\"b\"}", "{\"ja\":\"ア\",\"en\":\"b\"}", "options: options 0 and 1 are the same" },
		{ "{\"ja\":\"イ\",\"en\":\"b\"},", "", "options: must be an array of exactly 4" },
		{ "\"en\":\"why\"", "\"en\":\" why\"", "rationale.en: has white space" },
		{ "\"en\":\"why\"", "\"en\":\"\"", "rationale.en: is empty" },
		{ "\"status\":\"operational\"", "\"status\":\"live\"", "status: \"live\" is not" },
		{ "\"version\":1", "\"version\":1.5", "version: must be a whole number" },
		{ "\"id\":\"A-1\"", "\"id\":\"-bad id\"", "id: \"-bad id\" is not" },
		{ "\"enemy\":[]", "\"enemy\":[\"A-1\"]", "enemy: an item may not list itself" },
		{ "\"enemy\":[]", "\"enemy\":[\"Z-1\"]", "enemy: no item \"Z-1\" in this file" },
		{ "\"record\":\"item\",", "", "record: missing" },
		{ "\"key\":2", "\"key\":2,\"key\":3", "not valid JSON" },
		{ "\"ja\":\"ア\"", "\"ja\":\"ア\\nイ\"", "options[0].ja: must be one line" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *l = subst(item_line("A-1", "A", NULL), cases[i].from, cases[i].to);
		struct ib_itemset *set = NULL;
		struct ib_diags d = { 0 };
		int rc = ib_items_parse(&set, &d, l, strlen(l), 0);
		if (rc != RS_EINVAL || d.n_errors != 1 || !strstr(d.v[0].msg, cases[i].want))
			fail_msg("case %zu: rc %d, %zu errors, first \"%s\", want \"%s\"", i, rc, d.n_errors,
			         d.n ? d.v[0].msg : "", cases[i].want);
		assert_int_equal(d.v[0].line, 1);
		ib_diags_free(&d);
		free(l);
	}
}

static void test_file_level_rules(void **state)
{
	(void)state;
	struct ib_itemset *set = NULL;
	struct ib_diags d = { 0 };
	/* Orphan scenario; CRLF line end; missing final newline; meta not on line 1. */
	char text[8192];
	char *crlf = subst(item_line("A-2", "A", NULL), "}}\n", "}}\r\n");
	char *nonl = subst(item_line("A-3", "A", NULL), "}}\n", "}}");
	snprintf(text, sizeof text, "%s%s%s%s%s", SCEN, item_line("A-1", "A", NULL), META, crlf, nonl);
	assert_int_equal(ib_items_parse(&set, &d, text, strlen(text), 0), RS_EINVAL);
	assert_non_null(strstr(diag_at(&d, 1), "scenario \"S-1\" is used by no item"));
	assert_null(diag_at(&d, 2));
	assert_non_null(strstr(diag_at(&d, 3), "meta record may only be line 1"));
	assert_non_null(strstr(diag_at(&d, 4), "\\r\\n"));
	assert_non_null(strstr(diag_at(&d, 5), "does not end in \\n"));
	ib_diags_free(&d);
	free(crlf);
	free(nonl);
	/* An item of another exam than the meta line says; an enemy outside the file is fine
	 * when the caller (import) checks it against the bank. */
	char *other = subst(item_line("A-1", "A", "\"X-1\""), "\"exam\":\"SG\"", "\"exam\":\"AP\"");
	snprintf(text, sizeof text, "%s%s", META, other);
	assert_int_equal(ib_items_parse(&set, &d, text, strlen(text), IB_ITEMS_ENEMY_EXTERNAL), RS_EINVAL);
	assert_non_null(strstr(diag_at(&d, 2), "exam: \"AP\" differs from the file's exam \"SG\""));
	ib_diags_free(&d);
	free(other);
	snprintf(text, sizeof text, "%s", item_line("A-1", "A", "\"X-1\""));
	assert_int_equal(ib_items_parse(&set, &d, text, strlen(text), IB_ITEMS_ENEMY_EXTERNAL), 0);
	ib_itemset_free(set);
	ib_diags_free(&d);
}

static void test_size_bounds(void **state)
{
	(void)state;
	struct ib_itemset *set = NULL;
	struct ib_diags d = { 0 };
	/* A file over 64 MiB is refused as a whole, before any line is read. */
	size_t big = IB_ITEMS_MAX_BYTES + 1;
	char *buf = malloc(big);
	assert_non_null(buf);
	memset(buf, '\n', big);
	assert_int_equal(ib_items_parse(&set, &d, buf, big, 0), RS_ETOOBIG);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 0);
	assert_non_null(strstr(d.v[0].msg, "over the 67108864-byte bound"));
	ib_diags_free(&d);
	/* More than 100,000 lines: reading stops at the first line over the bound; the kept
	 * problems are bounded too. */
	size_t n = 2 * (IB_ITEMS_MAX_LINES + 5);
	for (size_t i = 0; i < n; i += 2)
		buf[i] = 'x', buf[i + 1] = '\n';
	assert_int_equal(ib_items_parse(&set, &d, buf, n, 0), RS_ETOOBIG);
	assert_int_equal(d.n, IB_ITEMS_MAX_DIAGS);
	assert_true(d.dropped > 0);
	assert_int_equal(d.n_errors, IB_ITEMS_MAX_LINES + 1);
	assert_non_null(strstr(d.v[d.n - 1].msg, "more than 100000 lines"));
	ib_diags_free(&d);
	free(buf);
}

static void test_unusual_params_warn_but_pass(void **state)
{
	(void)state;
	char *l = subst(item_line("A-1", "A", NULL), "\"a\":1.25", "\"a\":3.1");
	struct ib_itemset *set = NULL;
	struct ib_diags d = { 0 };
	assert_int_equal(ib_items_parse(&set, &d, l, strlen(l), 0), 0);
	assert_int_equal(d.n_errors, 0);
	assert_int_equal(d.n_warnings, 1);
	assert_non_null(strstr(d.v[0].msg, "params.a: 3.1 is unusual"));
	ib_itemset_free(set);
	ib_diags_free(&d);
	free(l);
}

/* The shipped demo bank is valid, and canonical: written back byte for byte. */
static void test_demo_bank_is_valid_and_canonical(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	if (rs_read_file(&text, &len, RS_SOURCE_ROOT "/item-bank/demo/items.jsonl", IB_ITEMS_MAX_BYTES) != 0)
		skip();
	struct ib_itemset *set = NULL;
	struct ib_diags d = { 0 };
	int rc = ib_items_parse(&set, &d, text, len, 0);
	if (rc)
		ib_diags_print(&d, "items.jsonl", stderr);
	assert_int_equal(rc, 0);
	assert_true(set->n_items >= 150);
	char *out = write_set(set);
	/* Report the first differing line, if any. */
	size_t i = 0;
	while (out[i] && out[i] == text[i])
		i++;
	if (out[i] != text[i]) {
		size_t ls = i;
		while (ls > 0 && text[ls - 1] != '\n')
			ls--;
		fail_msg("export differs from the demo file at byte %zu:\n  demo: %.200s\n  ours: %.200s", i, text + ls, out + ls);
	}
	free(out);
	free(text);
	ib_itemset_free(set);
	ib_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_file_round_trips_exactly),
		cmocka_unit_test(test_writer_makes_order_and_enemies_canonical),
		cmocka_unit_test(test_params_are_written_short_with_a_point),
		cmocka_unit_test(test_every_bad_line_is_reported),
		cmocka_unit_test(test_empty_file_is_refused),
		cmocka_unit_test(test_single_line_rules),
		cmocka_unit_test(test_file_level_rules),
		cmocka_unit_test(test_size_bounds),
		cmocka_unit_test(test_unusual_params_warn_but_pass),
		cmocka_unit_test(test_demo_bank_is_valid_and_canonical),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
