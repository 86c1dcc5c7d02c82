/* PostgreSQL connections, prepared statements and retried transactions. */
#include "rs_db.h"
#include "rs_error.h"
#include "rs_log.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RS_DB_MAX_PREPARED 256

struct rs_db {
	PGconn *pg;
	int nprepared;
	const char *prepared[RS_DB_MAX_PREPARED]; /* statement names (string literals) */
};

/* Server notices (e.g. "already exists, skipping") are not errors; keep them off stderr. */
static void rs_db_ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int rs_db_open(rs_db **out, const char *conninfo)
{
	rs_db *db = calloc(1, sizeof *db);
	if (!db) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	db->pg = PQconnectdb(conninfo);
	if (PQstatus(db->pg) != CONNECTION_OK) {
		char msg[300];
		snprintf(msg, sizeof msg, "%s", PQerrorMessage(db->pg));
		msg[strcspn(msg, "\n")] = '\0';
		rs_error_internal("cannot connect to the database: %s", msg);
		rs_db_close(db);
		return RS_EUNAVAIL;
	}
	PQsetNoticeProcessor(db->pg, rs_db_ignore_notice, NULL);
	*out = db;
	return 0;
}

void rs_db_close(rs_db *db)
{
	if (!db)
		return;
	if (db->pg)
		PQfinish(db->pg);
	free(db);
}

struct pg_conn *rs_db_pg(rs_db *db)
{
	return db->pg;
}

int rs_db_ok(rs_db *db)
{
	if (PQstatus(db->pg) == CONNECTION_OK) {
		/* An idle connection has nothing to read; if it has, the server (or HAProxy in
		 * front of it, after a failover or a replica stop) said goodbye and closed it.
		 * Seeing that here costs one poll and spares the next request a 503. */
		struct pollfd pf = { .fd = PQsocket(db->pg), .events = POLLIN };
		if (poll(&pf, 1, 0) <= 0)
			return 1;
		if (PQconsumeInput(db->pg) == 1 && PQstatus(db->pg) == CONNECTION_OK)
			return 1;
	}
	PQreset(db->pg);
	db->nprepared = 0; /* a new server session knows no statements */
	return PQstatus(db->pg) == CONNECTION_OK;
}

void rs_db_clear(struct pg_result *res)
{
	if (res)
		PQclear(res);
}

/* Map a failed result (or connection) to an error code and message. */
static int rs_db_fail(rs_db *db, PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char msg[300];
	snprintf(msg, sizeof msg, "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(db->pg));
	msg[strcspn(msg, "\n")] = '\0';
	int rc = RS_EDB;
	if (PQstatus(db->pg) != CONNECTION_OK || (state && strncmp(state, "08", 2) == 0) ||
	    (state && strcmp(state, "57P01") == 0))
		rc = RS_EUNAVAIL;
	else if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
		rc = RS_ECONFLICT;
	else if (state && strcmp(state, "23505") == 0)
		rc = RS_EEXIST;
	else if (state && (strcmp(state, "23514") == 0 || strcmp(state, "23503") == 0 ||
	                   strcmp(state, "23502") == 0 || strncmp(state, "22", 2) == 0))
		rc = RS_EINVAL;
	rs_error_internal("%s: %s%s%s", what, msg, state ? " SQLSTATE " : "", state ? state : "");
	return rc;
}

static int rs_db_is_prepared(rs_db *db, const char *name)
{
	for (int i = 0; i < db->nprepared; i++)
		if (db->prepared[i] == name || strcmp(db->prepared[i], name) == 0)
			return 1;
	return 0;
}

int rs_db_exec(struct pg_result **out, rs_db *db, const char *name, const char *sql,
               int nparams, const char *const *params)
{
	if (PQstatus(db->pg) != CONNECTION_OK) {
		rs_error_msg("db.lost", NULL);
		return RS_EUNAVAIL;
	}
	if (!rs_db_is_prepared(db, name)) {
		PGresult *p = PQprepare(db->pg, name, sql, nparams, NULL);
		if (PQresultStatus(p) != PGRES_COMMAND_OK) {
			int rc = rs_db_fail(db, p, name);
			PQclear(p);
			return rc;
		}
		PQclear(p);
		if (db->nprepared < RS_DB_MAX_PREPARED)
			db->prepared[db->nprepared++] = name;
	}
	PGresult *res = PQexecPrepared(db->pg, name, nparams, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		int rc = rs_db_fail(db, res, name);
		PQclear(res);
		return rc;
	}
	if (out)
		*out = res;
	else
		PQclear(res);
	return 0;
}

int rs_db_exec_plain(rs_db *db, const char *sql)
{
	PGresult *res = PQexec(db->pg, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = rs_db_fail(db, res, "statement");
	PQclear(res);
	return rc;
}

static void rs_db_pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int rs_db_tx(rs_db *db, enum rs_db_isolation iso, int retries,
             int (*fn)(rs_db *db, void *arg), void *arg)
{
	static const char *begin[] = {
		"BEGIN ISOLATION LEVEL READ COMMITTED",
		"BEGIN ISOLATION LEVEL REPEATABLE READ",
		"BEGIN ISOLATION LEVEL SERIALIZABLE",
	};
	int rc = 0;
	for (int attempt = 0;; attempt++) {
		if (PQstatus(db->pg) != CONNECTION_OK && !rs_db_ok(db)) {
			rs_error_msg("db.lost", NULL);
			rc = RS_EUNAVAIL;
		} else {
			rc = rs_db_exec_plain(db, begin[iso]);
			if (rc == 0)
				rc = fn(db, arg);
			if (rc == 0)
				rc = rs_db_exec_plain(db, "COMMIT");
			if (rc == 0)
				return 0;
			if (PQstatus(db->pg) == CONNECTION_OK && PQtransactionStatus(db->pg) != PQTRANS_IDLE) {
				PGresult *r = PQexec(db->pg, "ROLLBACK");
				PQclear(r);
			}
		}
		if ((rc != RS_ECONFLICT && rc != RS_EUNAVAIL) || attempt >= retries)
			return rc;
		rs_debug("transaction retry %d after: %s", attempt + 1, rs_error_last());
		rs_db_pause_ms(5 << attempt);
		if (rc == RS_EUNAVAIL)
			rs_db_ok(db);
	}
}

int rs_db_ping(rs_db *db)
{
	return rs_db_exec(NULL, db, "rs_db_ping", "SELECT 1", 0, NULL);
}

/* ---- COPY FROM STDIN (bulk writes: cpd-tracker's renewal job) ---- */

int rs_db_copy_in(rs_db *db, const char *sql, const char *data, size_t len)
{
	if (PQstatus(db->pg) != CONNECTION_OK) {
		rs_error_msg("db.lost", NULL);
		return RS_EUNAVAIL;
	}
	PGresult *res = PQexec(db->pg, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		int rc = rs_db_fail(db, res, "copy");
		PQclear(res);
		return rc;
	}
	PQclear(res);
	int ok = 1;
	for (size_t off = 0; ok && off < len;) {
		size_t n = len - off < (1u << 20) ? len - off : (1u << 20);
		ok = PQputCopyData(db->pg, data + off, (int)n) == 1;
		off += n;
	}
	ok = PQputCopyEnd(db->pg, ok ? NULL : "client could not send the data") == 1 && ok;
	int rc = 0;
	while ((res = PQgetResult(db->pg)) != NULL) {
		if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = rs_db_fail(db, res, "copy");
		PQclear(res);
	}
	if (rc == 0 && !ok)
		rc = rs_db_fail(db, NULL, "copy");
	return rc;
}
