/* Store tests of the register against the real PostgreSQL (RISS_TEST_PG_URL, set by
 * ./deploy/dev test; skipped with 77 without it), in a scratch database holding only the
 * audit (0001) and registry (004x) migrations: registration numbers stay gap-free when
 * registrars register at the same moment, a rolled-back number is given out again, and no
 * credential is ever recorded without its log leaf (signer failing mid-batch). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cert_keys.h"
#include "reg_issue.h"
#include "reg_workflow.h"
#include "rs_db.h"
#include "rs_error.h"
#include "rs_testdb.h"

static char conninfo[1200], keydir[64];

static long long q_int(rs_db *db, const char *sql)
{
	PGresult *r = PQexec(rs_db_pg(db), sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	long long v = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

/* A scratch database with migrations 0001 (audit) and 004x (registry) applied. */
static int setup_db(void **state)
{
	(void)state;
	static const char *const migrations[] = { "0001_", "004", NULL };
	if (rs_testdb_create(conninfo, sizeof conninfo, "reg", migrations) != 0) {
		fprintf(stderr, "scratch database: %s\n", rs_error_last());
		return -1;
	}
	return 0;
}

static int teardown_all(void **state)
{
	(void)state;
	char cmd[100];
	rs_testdb_drop("reg");
	if (!keydir[0])
		return 0;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", keydir);
	return system(cmd) == 0 ? 0 : -1;
}

static const struct reg_actor who = { .actor = "staff:test", .role = "registrar", .request_id = NULL };

/* Apply and approve an application for person k; returns its id. */
static int64_t approved_app(rs_db *db, int k)
{
	char ref[32], latn[32];
	snprintf(ref, sizeof ref, "exam-%d-%d", (int)getpid(), k);
	snprintf(latn, sizeof latn, "Tanaka Ichiro");
	struct reg_application app = { .exam_result_ref = ref, .exam_pass_date = "2026-01-20", .name = "田中 一郎",
	                               .name_kana = "タナカ イチロウ", .name_latn = latn,
	                               .date_of_birth = "1990-05-05", .published = REG_PUB_NAME | REG_PUB_NAME_LATN };
	int64_t id = 0;
	if (reg_wf_apply(&id, db, &app, &who) != 0 || reg_wf_review(db, id, 1, "ok", &who) != 0)
		fail_msg("application %d: %s", k, rs_error_last());
	return id;
}

struct reg_thread {
	pthread_barrier_t *start;
	int64_t apps[8];
	int n;
	char regnos[8][REG_REGNO_LEN + 1];
	int rc;
};

static void *register_thread(void *arg)
{
	struct reg_thread *t = arg;
	rs_db *db = NULL;
	t->rc = rs_db_open(&db, conninfo);
	pthread_barrier_wait(t->start);
	for (int i = 0; t->rc == 0 && i < t->n; i++)
		t->rc = reg_wf_register(t->regnos[i], db, t->apps[i], NULL, (int64_t)time(NULL), &who);
	rs_db_close(db);
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_numbers_gap_free_under_concurrency(void **state)
{
	(void)state;
	rs_db *db = NULL;
	assert_int_equal(rs_db_open(&db, conninfo), 0);
	enum { T = 4, PER = 6 };
	struct reg_thread th[T];
	pthread_t tid[T];
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, T);
	memset(th, 0, sizeof th);
	for (int t = 0; t < T; t++) {
		th[t].start = &start;
		th[t].n = PER;
		for (int i = 0; i < PER; i++)
			th[t].apps[i] = approved_app(db, t * PER + i);
	}
	long long before = q_int(db, "SELECT last_number FROM registry.regno_counter");
	for (int t = 0; t < T; t++)
		pthread_create(&tid[t], NULL, register_thread, &th[t]);
	for (int t = 0; t < T; t++) {
		pthread_join(tid[t], NULL);
		if (th[t].rc != 0)
			fail_msg("thread %d: %s", t, rs_error_last());
	}
	pthread_barrier_destroy(&start);
	/* Every number from before+1 to before+T*PER exactly once: no gap, no duplicate. */
	char all[T * PER][REG_REGNO_LEN + 1];
	for (int t = 0; t < T; t++)
		for (int i = 0; i < PER; i++)
			memcpy(all[t * PER + i], th[t].regnos[i], REG_REGNO_LEN + 1);
	qsort(all, T * PER, sizeof all[0], cmp_str);
	for (int k = 0; k < T * PER; k++) {
		char want[24];
		snprintf(want, sizeof want, "%06lld", before + 1 + k);
		assert_string_equal(all[k], want);
	}
	assert_int_equal(q_int(db, "SELECT count(*) FROM registry.registrants"), before + T * PER);

	/* Two registrars at the same instant get consecutive numbers. */
	struct reg_thread two[2];
	memset(two, 0, sizeof two);
	pthread_barrier_init(&start, NULL, 2);
	for (int t = 0; t < 2; t++) {
		two[t].start = &start;
		two[t].n = 1;
		two[t].apps[0] = approved_app(db, 100 + t);
		pthread_create(&tid[t], NULL, register_thread, &two[t]);
	}
	for (int t = 0; t < 2; t++)
		pthread_join(tid[t], NULL);
	pthread_barrier_destroy(&start);
	assert_int_equal(two[0].rc, 0);
	assert_int_equal(two[1].rc, 0);
	long a = atol(two[0].regnos[0]), b = atol(two[1].regnos[0]);
	assert_int_equal(labs(a - b), 1);
	assert_int_equal(a > b ? a : b, before + T * PER + 2);

	/* A registration that rolls back gives its number back: the next one gets it. */
	long long last = q_int(db, "SELECT last_number FROM registry.regno_counter");
	assert_int_equal(rs_db_exec_plain(db, "BEGIN"), 0);
	assert_int_equal(q_int(db, "UPDATE registry.regno_counter SET last_number = last_number + 1 RETURNING last_number"),
	                 last + 1);
	assert_int_equal(rs_db_exec_plain(db, "ROLLBACK"), 0);
	char regno[REG_REGNO_LEN + 1];
	assert_int_equal(reg_wf_register(regno, db, approved_app(db, 200), NULL, (int64_t)time(NULL), &who), 0);
	assert_int_equal(atol(regno), last + 1);
	rs_db_close(db);
}

/* A signer that works for the first `budget` signatures, then reports riss-signd gone. */
struct flaky {
	struct cert_signer real;
	int budget;
};

static int flaky_sign(void *ctx, unsigned char out_sig[CERT_SIG_LEN], const char *kid, const unsigned char *msg,
                      size_t len)
{
	struct flaky *f = ctx;
	if (f->budget-- <= 0) {
		rs_error_set("riss-signd connection lost: killed");
		return RS_EUNAVAIL;
	}
	return f->real.sign(f->real.ctx, out_sig, kid, msg, len);
}

static void test_no_credential_without_its_leaf(void **state)
{
	(void)state;
	rs_db *db = NULL;
	assert_int_equal(rs_db_open(&db, conninfo), 0);
	struct cert_keydir kd;
	struct cert_keyring *kr = NULL;
	char kid[CERT_KID_MAX + 1];
	snprintf(keydir, sizeof keydir, "/tmp/reg-store-keys-XXXXXX");
	assert_non_null(mkdtemp(keydir));
	int64_t now = (int64_t)time(NULL);
	assert_int_equal(cert_keydir_load(&kd, keydir), 0);
	assert_int_equal(cert_keydir_new(kid, &kd, now), 0);
	assert_int_equal(cert_keyring_load(&kr, keydir), 0);
	struct flaky f = { .real = cert_keyring_signer(kr), .budget = 0 };
	struct cert_signer flaky = { .sign = flaky_sign, .ctx = &f };
	struct reg_issuer is = { .base_url = "https://riss.test.example", .kid = kid, .signer = &flaky };

	enum { N = 40 };
	char regnos[N][REG_REGNO_LEN + 1];
	const char *ptr[N];
	for (int i = 0; i < N; i++) {
		assert_int_equal(reg_wf_register(regnos[i], db, approved_app(db, 300 + i), NULL, now, &who), 0);
		ptr[i] = regnos[i];
	}
	long long creds0 = q_int(db, "SELECT count(*) FROM registry.credentials");
	long long leaves0 = q_int(db, "SELECT count(*) FROM registry.tlog_leaves");
	long long size0 = q_int(db, "SELECT size FROM registry.tlog_state");
	long long entries0 = q_int(db, "SELECT count(*) FROM registry.status_entries");

	/* The signer dies after 25 of 40 signatures: the whole batch leaves nothing behind. */
	char *jws[N];
	f.budget = 25;
	assert_int_equal(reg_issue_batch(jws, db, ptr, N, &is, now, &who), RS_EUNAVAIL);
	for (int i = 0; i < N; i++)
		assert_null(jws[i]);
	assert_int_equal(q_int(db, "SELECT count(*) FROM registry.credentials"), creds0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM registry.tlog_leaves"), leaves0);
	assert_int_equal(q_int(db, "SELECT size FROM registry.tlog_state"), size0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM registry.status_entries"), entries0);

	/* With a working signer: N credentials, N issuance leaves, each credential's leaf the
	 * issuance of exactly that token, and the whole-log audit agrees. */
	f.budget = 1000000;
	assert_int_equal(reg_issue_batch(jws, db, ptr, N, &is, now, &who), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM registry.credentials"), creds0 + N);
	assert_int_equal(q_int(db, "SELECT count(*) FROM registry.tlog_leaves WHERE kind = 'issue'"), leaves0 + N);
	assert_int_equal(q_int(db, "SELECT size FROM registry.tlog_state"), size0 + N);
	assert_int_equal(q_int(db, "SELECT count(*) FROM registry.credentials c JOIN registry.tlog_leaves l "
	                           "ON l.idx = c.leaf_idx WHERE l.kind = 'issue' AND convert_from(l.data, 'UTF8')::json"
	                           "->>'jws_sha256' = encode(c.jws_sha256, 'hex') AND convert_from(l.data, 'UTF8')::json"
	                           "->>'sub' = c.regno"),
	                 creds0 + N);
	assert_int_equal(q_int(db, "SELECT count(DISTINCT (list_id, status_idx)) FROM registry.credentials"), creds0 + N);
	struct reg_keys keys;
	assert_int_equal(reg_keys_load(&keys, keydir, now), 0);
	json_t *report = NULL;
	assert_int_equal(reg_log_audit(&report, db, &keys.jwks, is.base_url), 0);
	assert_true(json_is_true(json_object_get(report, "ok")));
	json_decref(report);
	reg_keys_free(&keys);
	for (int i = 0; i < N; i++)
		free(jws[i]);

	/* The schema itself refuses a credential pointing at no leaf. */
	PGresult *r = PQexec(rs_db_pg(db),
	                     "INSERT INTO registry.credentials (regno, jws, jws_sha256, kid, list_id, status_idx, iat, exp, "
	                     "leaf_idx) SELECT regno, jws || 'x', sha256(jws_sha256), kid, list_id, status_idx, iat, exp, "
	                     "999999999 FROM registry.credentials LIMIT 1");
	assert_int_not_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	cert_keyring_free(kr);
	cert_keydir_free(&kd);
	rs_db_close(db);
}

int main(void)
{
	rs_testdb_url(); /* skips (77) without a database */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_gap_free_under_concurrency),
		cmocka_unit_test(test_no_credential_without_its_leaf),
	};
	return cmocka_run_group_tests(tests, setup_db, teardown_all);
}
