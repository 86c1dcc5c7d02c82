/* PostgreSQL array literals for multi-row inserts (rs_pgarr.h). */
#include "rs_pgarr.h"

#include "rs_db.h"
#include "rs_error.h"

#include <libpq-fe.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rs_pgarr_raw(struct rs_pgarr *a, const char *s, size_t n)
{
	if (a->oom)
		return;
	if (a->len + n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap : 4096;
		while (a->len + n + 2 > cap)
			cap *= 2;
		char *nb = realloc(a->buf, cap);
		if (!nb) {
			a->oom = 1;
			return;
		}
		a->buf = nb;
		a->cap = cap;
	}
	memcpy(a->buf + a->len, s, n);
	a->len += n;
	a->buf[a->len] = '\0';
}

void rs_pgarr_add(struct rs_pgarr *a, const char *s)
{
	rs_pgarr_raw(a, a->n++ ? "," : "{", 1);
	if (!s) {
		rs_pgarr_raw(a, "NULL", 4);
		return;
	}
	rs_pgarr_raw(a, "\"", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			rs_pgarr_raw(a, "\\", 1);
		rs_pgarr_raw(a, p, 1);
	}
	rs_pgarr_raw(a, "\"", 1);
}

void rs_pgarr_int(struct rs_pgarr *a, long long v)
{
	char s[32];
	int n = snprintf(s, sizeof s, "%lld", v);
	rs_pgarr_raw(a, a->n++ ? "," : "{", 1);
	rs_pgarr_raw(a, s, (size_t)n);
}

const char *rs_pgarr_end(struct rs_pgarr *a)
{
	if (a->closed)
		return a->oom ? NULL : a->buf;
	a->closed = 1;
	if (a->n)
		rs_pgarr_raw(a, "}", 1);
	else
		rs_pgarr_raw(a, "{}", 2);
	return a->oom ? NULL : a->buf;
}

void rs_pgarr_free(struct rs_pgarr *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].buf);
		memset(&a[i], 0, sizeof a[i]);
	}
}

int rs_pgarr_exec(struct rs_db *db, const char *name, const char *sql, struct rs_pgarr *cols, size_t n)
{
	const char *p[16];
	if (n > 16) {
		rs_error_set("rs_pgarr_exec: %zu columns, at most 16", n);
		return RS_EINTERNAL;
	}
	for (size_t i = 0; i < n; i++)
		if (!(p[i] = rs_pgarr_end(&cols[i]))) {
			rs_error_set("out of memory");
			return RS_ENOMEM;
		}
	return rs_db_exec(NULL, db, name, sql, (int)n, p);
}

int rs_pgarr_ids(long long *out, struct rs_db *db, const char *table, size_t n)
{
	if (n == 0)
		return 0;
	char ns[24];
	snprintf(ns, sizeof ns, "%zu", n);
	const char *p[] = { table, ns };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "rs_pgarr_ids",
	                    "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2::int)", 2, p);
	if (rc != 0)
		return rc;
	if ((size_t)PQntuples(r) != n) {
		PQclear(r);
		rs_error_set("the sequence of %s gave too few ids", table);
		return RS_EINTERNAL;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = strtoll(PQgetvalue(r, (int)i, 0), NULL, 10);
	PQclear(r);
	return 0;
}
