/* Unit tests of the item-bank store against the real PostgreSQL (RISS_TEST_PG_URL, set by
 * ./deploy/dev test): exact import/export round trip, all-or-nothing import, lifecycle rules,
 * audited reads, parameter history. Each run works in a scratch database of its own with
 * only the audit and bank migrations. Skipped (exit 77) without a database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ib_items.h"
#include "ib_store.h"
#include "rs_error.h"
#include "rs_testdb.h"
#include "rs_util.h"

#define DEMO RS_SOURCE_ROOT "/item-bank/demo/items.jsonl"

/* A fresh scratch database with migrations 0001 (audit) and 002x (bank) applied. */
static rs_db *fresh_db(void)
{
	static const char *const migrations[] = { "0001_", "002", NULL };
	char ci[1200];
	if (rs_testdb_create(ci, sizeof ci, "bank", migrations) != 0)
		fail_msg("scratch database: %s", rs_error_last());
	rs_db *db = NULL;
	assert_int_equal(rs_db_open(&db, ci), 0);
	return db;
}

static long long q_int(rs_db *db, const char *sql)
{
	PGresult *r = PQexec(rs_db_pg(db), sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	long long v = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

static struct ib_itemset *parse_text(const char *text, size_t len)
{
	struct ib_itemset *set = NULL;
	struct ib_diags d = { 0 };
	int rc = ib_items_parse(&set, &d, text, len, IB_ITEMS_ENEMY_EXTERNAL);
	if (rc)
		ib_diags_print(&d, "input", stderr);
	assert_int_equal(rc, 0);
	ib_diags_free(&d);
	return set;
}

static char *export_text(rs_db *db, const char *status)
{
	struct ib_itemset *set = NULL;
	assert_int_equal(ib_store_export(&set, db, "staff:tester", "psychometrician", status, NULL), 0);
	char *data = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&data, &len);
	assert_int_equal(ib_items_write(f, set), 0);
	fclose(f);
	ib_itemset_free(set);
	return data;
}

static void import_ok(rs_db *db, const struct ib_itemset *set, struct ib_store_import_stats *st)
{
	struct ib_diags d = { 0 };
	int rc = ib_store_import(st, db, "staff:tester", "psychometrician", set, &d);
	if (rc) {
		ib_diags_print(&d, "import", stderr);
		fail_msg("import: %s", rs_error_last());
	}
	ib_diags_free(&d);
}

static void test_import_export_round_trip_is_exact(void **state)
{
	(void)state;
	rs_db *db = fresh_db();
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(rs_read_file(&text, &len, DEMO, IB_ITEMS_MAX_BYTES), 0);
	struct ib_itemset *set = parse_text(text, len);
	struct ib_store_import_stats st;
	import_ok(db, set, &st);
	assert_int_equal(st.items_new, set->n_items);
	assert_int_equal(st.scenarios_new, set->n_scenarios);
	assert_int_equal(q_int(db, "SELECT count(*) FROM bank.items"), (long long)set->n_items);
	char *out = export_text(db, NULL);
	assert_int_equal(strlen(out), len);
	assert_memory_equal(out, text, len);
	free(out);
	/* Importing the same file again changes nothing and records no new step. */
	long long steps = q_int(db, "SELECT count(*) FROM bank.transitions");
	long long runs = q_int(db, "SELECT count(*) FROM bank.calibration_runs");
	import_ok(db, set, &st);
	assert_int_equal(st.items_new + st.items_updated, 0);
	assert_int_equal(st.items_same, set->n_items);
	assert_int_equal(st.params_new, 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM bank.transitions"), steps);
	assert_int_equal(q_int(db, "SELECT count(*) FROM bank.calibration_runs"), runs);
	/* Every import and export is in the audit trail. */
	assert_int_equal(q_int(db, "SELECT count(*) FROM audit.events WHERE action = 'bank.items.import' AND actor = 'staff:tester'"), 2);
	assert_int_equal(q_int(db, "SELECT count(*) FROM audit.events WHERE action = 'bank.items.export'"), 1);
	/* Export by status: only those items (and the scenarios they use). */
	out = export_text(db, "pretest");
	size_t lines = 0;
	for (char *p = out; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, (size_t)q_int(db, "SELECT count(*) FROM bank.items WHERE status = 'pretest'") + 1 /* meta */ +
	                        (size_t)q_int(db, "SELECT count(DISTINCT scenario_id) FROM bank.items WHERE status = 'pretest'"));
	free(out);
	ib_itemset_free(set);
	free(text);
	rs_db_close(db);
}

/* A file whose lines are each valid but one conflicts with the bank: nothing is imported,
 * and the conflicting line is named. */
static void test_one_bad_line_imports_nothing(void **state)
{
	(void)state;
	rs_db *db = fresh_db();
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(rs_read_file(&text, &len, DEMO, IB_ITEMS_MAX_BYTES), 0);
	struct ib_itemset *set = parse_text(text, len);
	/* First import all but the last 10 items (part A, no enemies): then change one stored
	 * item's stem without a new version, in a file that also brings the 10 others. */
	size_t all = set->n_items;
	set->n_items = all - 10;
	struct ib_store_import_stats st;
	import_ok(db, set, &st);
	set->n_items = all;
	struct ib_item *victim = &set->items[3];
	free(victim->stem.en);
	victim->stem.en = strdup("A changed stem without a new version");
	victim->line = 4242;
	struct ib_diags d = { 0 };
	assert_int_equal(ib_store_import(&st, db, "staff:tester", "psychometrician", set, &d), RS_EINVAL);
	assert_int_equal(d.n_errors, 1);
	assert_int_equal(d.v[0].line, 4242);
	assert_non_null(strstr(d.v[0].msg, "version must be above 1"));
	ib_diags_free(&d);
	assert_int_equal(q_int(db, "SELECT count(*) FROM bank.items"), (long long)all - 10);
	/* With a new version the change goes in, and the old version is kept. */
	victim->version = 2;
	import_ok(db, set, &st);
	assert_int_equal(st.items_updated, 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM bank.items"), (long long)all);
	assert_int_equal(q_int(db, "SELECT count(*) FROM bank.item_versions WHERE item_id = (SELECT id FROM bank.items "
	                           "WHERE stem_en = 'A changed stem without a new version')"), 2);
	/* An older version than the bank's is refused too. */
	victim->version = 1;
	assert_int_equal(ib_store_import(&st, db, "staff:tester", "psychometrician", set, &d), RS_EINVAL);
	assert_non_null(strstr(d.v[0].msg, "older than the bank's version 2"));
	ib_diags_free(&d);
	ib_itemset_free(set);
	free(text);
	rs_db_close(db);
}

static const char *draft_file =
	"{\"record\":\"item\",\"id\":\"T-1\",\"version\":1,\"exam\":\"SG\",\"status\":\"draft\",\"type\":\"single_choice\","
	"\"domain\":\"basics\",\"part\":\"A\",\"enemy\":[],\"stem\":{\"ja\":\"問\",\"en\":\"Q\"},\"options\":[{\"ja\":\"ア\","
	"\"en\":\"a\"},{\"ja\":\"イ\",\"en\":\"b\"},{\"ja\":\"ウ\",\"en\":\"c\"},{\"ja\":\"エ\",\"en\":\"d\"}],\"key\":1,"
	"\"rationale\":{\"ja\":\"理由\",\"en\":\"why\"},\"author\":\"alice\",\"reviewer\":\"bob\"}\n";

static void test_lifecycle_rejects_illegal_steps(void **state)
{
	(void)state;
	rs_db *db = fresh_db();
	struct ib_itemset *set = parse_text(draft_file, strlen(draft_file));
	struct ib_store_import_stats st;
	import_ok(db, set, &st);
	const char *who = "staff:carol", *role = "psychometrician";
	/* Skipping steps is refused, and leaves the item as it was. */
	assert_int_equal(ib_store_transition(db, who, role, "T-1", "operational", NULL, NULL), RS_ESTATE);
	assert_non_null(strstr(rs_error_last(), "illegal lifecycle step draft -> operational"));
	assert_int_equal(ib_store_transition(db, who, role, "T-1", "pretest", NULL, NULL), RS_ESTATE);
	assert_int_equal(q_int(db, "SELECT count(*) FROM bank.items WHERE id = 'T-1' AND status = 'draft'"), 1);
	/* The legal path, each step with who and when. */
	assert_int_equal(ib_store_transition(db, who, role, "T-1", "review", "ready", NULL), 0);
	assert_int_equal(ib_store_transition(db, who, role, "T-1", "pretest", NULL, NULL), 0);
	/* Operational needs active parameters. */
	assert_int_equal(ib_store_transition(db, who, role, "T-1", "operational", NULL, NULL), RS_ESTATE);
	assert_non_null(strstr(rs_error_last(), "without active parameters"));
	assert_int_equal(ib_store_transition(db, who, role, "T-1", "retired", NULL, NULL), 0);
	/* Nothing comes back from retired. */
	assert_int_equal(ib_store_transition(db, who, role, "T-1", "review", NULL, NULL), RS_ESTATE);
	assert_int_equal(ib_store_transition(db, who, role, "T-404", "review", NULL, NULL), RS_ENOTFOUND);
	struct ib_store_step *h = NULL;
	size_t n = 0;
	assert_int_equal(ib_store_history(&h, &n, db, "T-1"), 0);
	assert_int_equal(n, 4);
	assert_string_equal(h[0].from, "");
	assert_string_equal(h[0].to, "draft");
	assert_string_equal(h[0].actor, "staff:tester");
	assert_string_equal(h[1].to, "review");
	assert_string_equal(h[3].to, "retired");
	assert_string_equal(h[3].actor, "staff:carol");
	assert_true(strlen(h[3].at) >= 20);
	free(h);
	/* The schema itself refuses an unrecorded or illegal status change. */
	PGresult *r = PQexec(rs_db_pg(db), "UPDATE bank.items SET status = 'draft' WHERE id = 'T-1'");
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
	/* An import that would move an item illegally names the line. */
	char *back = strdup(draft_file);
	struct ib_itemset *set2 = parse_text(back, strlen(back));
	struct ib_diags d = { 0 };
	assert_int_equal(ib_store_import(&st, db, "staff:tester", "psychometrician", set2, &d), RS_EINVAL);
	assert_int_equal(d.v[0].line, 1);
	assert_non_null(strstr(d.v[0].msg, "illegal lifecycle step retired -> draft"));
	ib_diags_free(&d);
	ib_itemset_free(set2);
	free(back);
	ib_itemset_free(set);
	rs_db_close(db);
}

static void test_reading_item_text_is_audited_and_staff_only(void **state)
{
	(void)state;
	rs_db *db = fresh_db();
	struct ib_itemset *set = parse_text(draft_file, strlen(draft_file));
	struct ib_store_import_stats st;
	import_ok(db, set, &st);
	long long before = q_int(db, "SELECT count(*) FROM audit.events");
	struct ib_item *it = NULL;
	if (ib_store_item_get(&it, db, "staff:dave", "psychometrician", "T-1", "req-7") != 0)
		fail_msg("item_get: %s", rs_error_last());
	assert_string_equal(it->stem.en, "Q");
	assert_int_equal(it->key, 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM audit.events WHERE action = 'bank.item.read' AND "
	                           "actor = 'staff:dave' AND object = 'item:T-1' AND request_id = 'req-7'"), 1);
	ib_item_clear(it);
	free(it);
	/* A candidate (or a proctor) gets nothing, and no read happened to audit. */
	it = NULL;
	assert_int_equal(ib_store_item_get(&it, db, "candidate:S-1", "candidate", "T-1", NULL), RS_EPERM);
	assert_null(it);
	assert_int_equal(ib_store_item_get(&it, db, "staff:pat", "proctor", "T-1", NULL), RS_EPERM);
	struct ib_itemset *ex = NULL;
	assert_int_equal(ib_store_export(&ex, db, "public", "public", NULL, NULL), RS_EPERM);
	assert_null(ex);
	assert_int_equal(q_int(db, "SELECT count(*) FROM audit.events"), before + 1);
	ib_itemset_free(set);
	rs_db_close(db);
}

static void test_parameter_history_and_responses(void **state)
{
	(void)state;
	rs_db *db = fresh_db();
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(rs_read_file(&text, &len, DEMO, IB_ITEMS_MAX_BYTES), 0);
	struct ib_itemset *set = parse_text(text, len);
	struct ib_store_import_stats st;
	import_ok(db, set, &st);
	/* At most one active parameter set per item, enforced by the schema. */
	PGresult *r = PQexec(rs_db_pg(db), "INSERT INTO bank.item_params (run_id, item_id, model, a, b, c, active) "
	                                   "SELECT run_id, item_id, model, a, b, c, true FROM bank.item_params "
	                                   "WHERE item_id = 'SG-A-0001'");
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
	/* Stored responses come back in the calibration layout. */
	const char *persons[] = { "s1", "s2", "s3" };
	for (int p = 0; p < 3; p++)
		for (int i = 1; i <= 4; i++) {
			char id[16];
			snprintf(id, sizeof id, "SG-A-%04d", i + p);
			assert_int_equal(ib_store_response_add(db, persons[p], id, (i + p) % 2), 0);
		}
	assert_int_equal(ib_store_response_add(db, "s1", "SG-A-0001", 1), RS_EEXIST);
	struct ib_data *data = NULL;
	assert_int_equal(ib_store_responses_load(&data, db, "SG"), 0);
	assert_int_equal(data->n_persons, 3);
	assert_int_equal(data->n_items, 6);
	assert_int_equal(data->n_resp, 12);
	/* A calibration run saved with activation replaces the active values of free items
	 * and keeps the old ones as history. */
	struct ib_item_par par[2] = {
		{ .a = 1.5, .b = 0.25, .c = 0.1, .se_a = 0.1, .se_b = 0.05, .se_c = NAN, .cov_ab = -0.0031 },
		{ .a = 1.0, .b = 0.0, .c = 0.2, .se_a = NAN, .se_b = NAN, .se_c = NAN, .cov_ab = NAN, .fixed = 1 },
	};
	struct ib_calib_result res = { .model = IB_3PL, .n_items = 2, .items = par, .loglik = -1234.5, .iterations = 17,
	                               .converged = 1, .latent_sd = 1 };
	char id1[] = "SG-A-0001", id2[] = "SG-A-0002", id3[] = "NO-SUCH";
	char *ids[] = { id1, id2 };
	long long run = 0;
	assert_int_equal(ib_store_save_calibration(&run, db, "staff:psy", &res, ids, 3, 1), 0);
	assert_true(run > 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM bank.item_params WHERE item_id = 'SG-A-0001'"), 2);
	assert_int_equal(q_int(db, "SELECT (a * 1000)::int FROM bank.item_params WHERE item_id = 'SG-A-0001' AND active"), 1500);
	assert_int_equal(q_int(db, "SELECT count(*) FROM bank.item_params WHERE item_id = 'SG-A-0002' AND active "
	                           "AND run_id <> (SELECT max(id) FROM bank.calibration_runs)"), 1);
	char *bad[] = { id1, id3 };
	assert_int_equal(ib_store_save_calibration(NULL, db, "staff:psy", &res, bad, 3, 1), RS_ENOTFOUND);
	assert_non_null(strstr(rs_error_last(), "NO-SUCH"));
	struct ib_params *ap = NULL;
	assert_int_equal(ib_store_active_params(&ap, db, "SG"), 0);
	long k = ib_params_find(ap, "SG-A-0001");
	assert_true(k >= 0);
	assert_true(fabs(ap->par[k].a - 1.5) < 1e-12);
	/* the calibration's standard errors and a-b covariance come back with the parameters */
	assert_true(ap->par[k].se_b == 0.05 && ap->par[k].cov_ab == -0.0031 && isnan(ap->par[k].se_c));
	ib_params_free(ap);
	/* a covariance above se_a * se_b is refused by the schema */
	r = PQexec(rs_db_pg(db), "UPDATE bank.item_params SET cov_ab = 0.0051 WHERE item_id = 'SG-A-0001' AND active");
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
	/* Publishing: operational and pretest items with parameters; enemies grouped. */
	struct ib_pub_item *pub = NULL;
	size_t n = 0;
	assert_int_equal(ib_store_publishable(&pub, &n, db, "SG"), 0);
	assert_int_equal(n, (size_t)q_int(db, "SELECT count(*) FROM bank.items WHERE status IN ('operational', 'pretest')"));
	size_t grouped = 0;
	for (size_t i = 0; i < n; i++)
		grouped += pub[i].enemy_set[0] != 0;
	assert_int_equal(grouped, 2 * (size_t)q_int(db, "SELECT count(*) FROM bank.enemies"));
	free(pub);
	assert_int_equal(ib_store_exposure_add(db, "SG-A-0001", 3), 0);
	assert_int_equal(q_int(db, "SELECT exposure_count FROM bank.items WHERE id = 'SG-A-0001'"), 3);
	ib_data_free(data);
	ib_itemset_free(set);
	free(text);
	rs_db_close(db);
}

static int teardown_all(void **state)
{
	(void)state;
	rs_testdb_drop("bank");
	return 0;
}

int main(void)
{
	rs_testdb_url(); /* skips (77) without a database */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_export_round_trip_is_exact),
		cmocka_unit_test(test_one_bad_line_imports_nothing),
		cmocka_unit_test(test_lifecycle_rejects_illegal_steps),
		cmocka_unit_test(test_reading_item_text_is_audited_and_staff_only),
		cmocka_unit_test(test_parameter_history_and_responses),
	};
	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
