/* Unit tests of the database layer against the real private PostgreSQL (RISS_TEST_PG_URL,
 * set by ./deploy/dev test): the migration runner and retried transactions. Each test
 * works in a scratch database of its own. Skipped (exit 77) without a database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_db.h"
#include "rs_error.h"

#define FIXTURES RS_SOURCE_ROOT "/common/tests"

static const char *pg_url;

/* Create a fresh scratch database and open a connection to it. */
static rs_db *scratch_db(const char *tag, char *conninfo, size_t len)
{
	char admin[1024], name[64];
	snprintf(name, sizeof name, "riss_scratch_%s_%d", tag, (int)getpid());
	snprintf(admin, sizeof admin, "%s dbname=postgres", pg_url);
	PGconn *c = PQconnectdb(admin);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	char sql[200];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
	PQclear(PQexec(c, sql));
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	PGresult *r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(c);
	snprintf(conninfo, len, "%s dbname=%s", pg_url, name);
	rs_db *db = NULL;
	assert_int_equal(rs_db_open(&db, conninfo), 0);
	return db;
}

static long long query_int(rs_db *db, const char *sql)
{
	PGresult *r = PQexec(rs_db_pg(db), sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	long long v = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

static void test_migrate_applies_once(void **state)
{
	(void)state;
	char ci[1024];
	rs_db *db = scratch_db("ok", ci, sizeof ci);
	int applied = -1;
	assert_int_equal(rs_migrate_check(db, FIXTURES "/migrations-ok"), RS_ESCHEMA);
	assert_non_null(strstr(rs_error_last(), "0001_first.sql"));
	assert_int_equal(rs_migrate(db, FIXTURES "/migrations-ok", &applied), 0);
	assert_int_equal(applied, 2);
	assert_int_equal(rs_migrate(db, FIXTURES "/migrations-ok", &applied), 0);
	assert_int_equal(applied, 0);
	assert_int_equal(rs_migrate_check(db, FIXTURES "/migrations-ok"), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM public.schema_migrations WHERE length(checksum) = 64"), 2);
	rs_db_close(db);
}

static void test_migration_failing_halfway_leaves_nothing(void **state)
{
	(void)state;
	char ci[1024];
	rs_db *db = scratch_db("bad", ci, sizeof ci);
	int applied = -1;
	assert_int_equal(rs_migrate(db, FIXTURES "/migrations-bad", &applied), RS_EDB);
	assert_int_equal(applied, 1);
	assert_non_null(strstr(rs_error_last(), "0002_halfway.sql failed"));
	assert_non_null(strstr(rs_error_last(), "division by zero"));
	/* The first migration stays; nothing of the second does. */
	assert_int_equal(query_int(db, "SELECT count(*) FROM public.schema_migrations"), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 't' AND tablename = 'half'"), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 't' AND tablename = 'a'"), 1);
	assert_int_equal(rs_migrate_check(db, FIXTURES "/migrations-bad"), RS_ESCHEMA);
	assert_non_null(strstr(rs_error_last(), "0002_halfway.sql is not applied"));
	rs_db_close(db);
}

static void test_edited_migration_is_refused(void **state)
{
	(void)state;
	char ci[1024], dir[] = "/tmp/riss-mig-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/0001_x.sql", dir);
	FILE *f = fopen(path, "w");
	fputs("CREATE TABLE x (id int);\n", f);
	fclose(f);
	rs_db *db = scratch_db("edit", ci, sizeof ci);
	int applied;
	assert_int_equal(rs_migrate(db, dir, &applied), 0);
	f = fopen(path, "w");
	fputs("CREATE TABLE x (id bigint);\n", f);
	fclose(f);
	assert_int_equal(rs_migrate(db, dir, &applied), RS_ESCHEMA);
	assert_non_null(strstr(rs_error_last(), "changed after it was applied"));
	unlink(path);
	rmdir(dir);
	rs_db_close(db);
}

struct tx_ctx {
	rs_db *other;
	int attempts;
	int kill_connection;
};

/* First attempt: another session changes the row (or kills our backend) mid-transaction. */
static int tx_body(rs_db *db, void *arg)
{
	struct tx_ctx *ctx = arg;
	ctx->attempts++;
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "t_read", "SELECT v FROM counter WHERE id = 1", 0, NULL);
	if (rc != 0)
		return rc;
	PQclear(r);
	if (ctx->attempts == 1) {
		char sql[128];
		if (ctx->kill_connection)
			snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)", PQbackendPID(rs_db_pg(db)));
		else
			snprintf(sql, sizeof sql, "UPDATE counter SET v = v + 100 WHERE id = 1");
		assert_int_equal(rs_db_exec_plain(ctx->other, sql), 0);
		if (ctx->kill_connection)
			usleep(100000);
	}
	return rs_db_exec(NULL, db, "t_bump", "UPDATE counter SET v = v + 1 WHERE id = 1", 0, NULL);
}

static void test_tx_retries_serialization_failure(void **state)
{
	(void)state;
	char ci[1024];
	rs_db *db = scratch_db("tx", ci, sizeof ci);
	assert_int_equal(rs_db_exec_plain(db, "CREATE TABLE counter (id int PRIMARY KEY, v int); INSERT INTO counter VALUES (1, 0)"), 0);
	struct tx_ctx ctx = { 0 };
	assert_int_equal(rs_db_open(&ctx.other, ci), 0);
	assert_int_equal(rs_db_tx(db, RS_DB_REPEATABLE_READ, 3, tx_body, &ctx), 0);
	assert_int_equal(ctx.attempts, 2);
	assert_int_equal(query_int(db, "SELECT v FROM counter WHERE id = 1"), 101);

	/* Without retries the conflict reaches the caller as RS_ECONFLICT, with nothing committed. */
	ctx.attempts = 0;
	assert_int_equal(rs_db_tx(db, RS_DB_REPEATABLE_READ, 0, tx_body, &ctx), RS_ECONFLICT);
	assert_int_equal(query_int(db, "SELECT v FROM counter WHERE id = 1"), 201);
	rs_db_close(ctx.other);
	rs_db_close(db);
}

static void test_tx_survives_lost_connection(void **state)
{
	(void)state;
	char ci[1024];
	rs_db *db = scratch_db("lost", ci, sizeof ci);
	assert_int_equal(rs_db_exec_plain(db, "CREATE TABLE counter (id int PRIMARY KEY, v int); INSERT INTO counter VALUES (1, 0)"), 0);
	struct tx_ctx ctx = { .kill_connection = 1 };
	assert_int_equal(rs_db_open(&ctx.other, ci), 0);
	assert_int_equal(rs_db_tx(db, RS_DB_READ_COMMITTED, 3, tx_body, &ctx), 0);
	assert_int_equal(ctx.attempts, 2);
	assert_int_equal(query_int(db, "SELECT v FROM counter WHERE id = 1"), 1); /* applied exactly once */
	rs_db_close(ctx.other);
	rs_db_close(db);
}

static void test_pool_reports_unreachable_database(void **state)
{
	(void)state;
	rs_db_pool *pool = NULL;
	assert_int_equal(rs_db_pool_new(&pool, "host=/nonexistent-socket-dir port=1 dbname=x connect_timeout=2", 2), 0);
	rs_db *db = NULL;
	assert_int_equal(rs_db_pool_get(&db, pool, 1000), RS_EUNAVAIL);
	assert_non_null(strstr(rs_error_last(), "cannot connect"));
	struct rs_db_pool_stats st;
	rs_db_pool_stats(pool, &st);
	assert_int_equal(st.in_use, 0); /* the failed slot went back */
	rs_db_pool_free(pool);
}

int main(void)
{
	pg_url = getenv("RISS_TEST_PG_URL");
	if (!pg_url || !pg_url[0]) {
		fprintf(stderr, "RISS_TEST_PG_URL is not set: run through ./deploy/dev test\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_applies_once),
		cmocka_unit_test(test_migration_failing_halfway_leaves_nothing),
		cmocka_unit_test(test_edited_migration_is_refused),
		cmocka_unit_test(test_tx_retries_serialization_failure),
		cmocka_unit_test(test_tx_survives_lost_connection),
		cmocka_unit_test(test_pool_reports_unreachable_database),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
