/* Sums over exam.stats_cube for the statistics tables, and its refresh (dlv_stats.h). */
#include "dlv_stats.h"

#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DLV_ST_SUMS \
	"sum(applicants), sum(examinees), sum(passers), sum(sum_scaled), sum(sumsq_scaled), " \
	"sum(hist[1]), sum(hist[2]), sum(hist[3]), sum(hist[4]), sum(hist[5]), sum(hist[6]), sum(hist[7]), " \
	"sum(hist[8]), sum(hist[9]), sum(hist[10]) FROM exam.stats_cube "
#define DLV_ST_WHERE \
	"($2::date IS NULL OR month >= $2::date) AND ($3::date IS NULL OR month <= $3::date) " \
	"AND ($4::text IS NULL OR exam_code = $4) AND ($5::text IS NULL OR centre_code = $5) "
/* One prefecture's rows, or the roll-up over all of them. */
#define DLV_ST_PREF " AND prefecture = coalesce($6::text, '*') "

struct dlv_st_query {
	const char *name, *sql;
};

/* $1 = dimension name in the cube. Column 0 key, 1 label, then the sums. */
static const struct dlv_st_query dlv_st_queries[] = {
	[DLV_STATS_TOTAL] = { "dlv_st_total",
		"SELECT '', '', " DLV_ST_SUMS "WHERE dim = $1 AND " DLV_ST_WHERE DLV_ST_PREF },
	[DLV_STATS_WINDOW] = { "dlv_st_window",
		"SELECT g.value, coalesce(w.name, ''), g.a, g.e, g.p, g.s, g.q, g.h1, g.h2, g.h3, g.h4, g.h5, g.h6, g.h7, g.h8, g.h9, g.h10 "
		"FROM (SELECT value, sum(applicants) a, sum(examinees) e, sum(passers) p, sum(sum_scaled) s, sum(sumsq_scaled) q, "
		"sum(hist[1]) h1, sum(hist[2]) h2, sum(hist[3]) h3, sum(hist[4]) h4, sum(hist[5]) h5, sum(hist[6]) h6, "
		"sum(hist[7]) h7, sum(hist[8]) h8, sum(hist[9]) h9, sum(hist[10]) h10 FROM exam.stats_cube "
		"WHERE dim = $1 AND " DLV_ST_WHERE DLV_ST_PREF "GROUP BY value) g "
		"LEFT JOIN exam.windows w ON w.id = g.value::bigint ORDER BY w.opens_on, g.value" },
	[DLV_STATS_MONTH] = { "dlv_st_month",
		"SELECT to_char(month, 'YYYY-MM'), '', " DLV_ST_SUMS "WHERE dim = $1 AND " DLV_ST_WHERE DLV_ST_PREF
		"GROUP BY month ORDER BY month" },
	[DLV_STATS_CENTRE] = { "dlv_st_centre",
		"SELECT g.centre_code, coalesce(c.name, ''), g.a, g.e, g.p, g.s, g.q, g.h1, g.h2, g.h3, g.h4, g.h5, g.h6, g.h7, g.h8, g.h9, g.h10 "
		"FROM (SELECT centre_code, sum(applicants) a, sum(examinees) e, sum(passers) p, sum(sum_scaled) s, sum(sumsq_scaled) q, "
		"sum(hist[1]) h1, sum(hist[2]) h2, sum(hist[3]) h3, sum(hist[4]) h4, sum(hist[5]) h5, sum(hist[6]) h6, "
		"sum(hist[7]) h7, sum(hist[8]) h8, sum(hist[9]) h9, sum(hist[10]) h10 FROM exam.stats_cube "
		"WHERE dim = $1 AND " DLV_ST_WHERE DLV_ST_PREF "GROUP BY centre_code) g "
		"LEFT JOIN exam.centres c ON c.code = g.centre_code ORDER BY g.centre_code" },
	[DLV_STATS_PREFECTURE] = { "dlv_st_pref",
		"SELECT prefecture, '', " DLV_ST_SUMS "WHERE dim = $1 AND " DLV_ST_WHERE
		"AND (($6::text IS NULL AND prefecture <> '*') OR prefecture = $6) GROUP BY prefecture ORDER BY prefecture" },
	[DLV_STATS_AGE] = { "dlv_st_age",
		"SELECT value, '', " DLV_ST_SUMS "WHERE dim = $1 AND " DLV_ST_WHERE DLV_ST_PREF "GROUP BY value ORDER BY value" },
};

static const char *const dlv_st_dims[] = {
	[DLV_STATS_TOTAL] = "all", [DLV_STATS_WINDOW] = "window", [DLV_STATS_MONTH] = "all",
	[DLV_STATS_CENTRE] = "all", [DLV_STATS_PREFECTURE] = "all", [DLV_STATS_AGE] = "age",
	[DLV_STATS_OCCUPATION] = "occupation", [DLV_STATS_INDUSTRY] = "industry",
	[DLV_STATS_EMPLOYER] = "employer", [DLV_STATS_ATTEMPT] = "attempt",
};

static void dlv_st_copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src);
}

/* Rows for every tuple of r (at least one); NULL, with r cleared, when memory runs out. */
static struct dlv_stats_row *dlv_st_rows(PGresult *r)
{
	int nr = PQntuples(r);
	struct dlv_stats_row *rows = calloc((size_t)(nr ? nr : 1), sizeof *rows);
	if (!rows)
		PQclear(r);
	return rows;
}

/* Month by group: the key column as the dimension's query has it. */
#define DLV_ST_MKEY "CASE $7::text WHEN 'centre' THEN centre_code WHEN 'prefecture' THEN prefecture " \
	"WHEN 'value' THEN value ELSE '' END"

int dlv_stats_exam_months(struct dlv_stats_row **out, int *n, rs_db *db, enum dlv_stats_dim dim,
                          const struct dlv_stats_filter *f)
{
	if ((unsigned)dim > DLV_STATS_ATTEMPT) {
		rs_error_set("exam statistics: unknown dimension %d", (int)dim);
		return RS_EINVAL;
	}
	const char *key = dim == DLV_STATS_CENTRE ? "centre" : dim == DLV_STATS_PREFECTURE ? "prefecture"
	                : dim == DLV_STATS_MONTH || dim == DLV_STATS_TOTAL ? "none" : "value";
	const char *p[] = { dlv_st_dims[dim], f->from_month, f->to_month, f->exam, f->centre, f->prefecture, key };
	PGresult *r = NULL;
	int rc = dim == DLV_STATS_PREFECTURE
		? rs_db_exec(&r, db, "dlv_st_months_pref",
		             "SELECT to_char(month, 'YYYY-MM'), " DLV_ST_MKEY ", " DLV_ST_SUMS "WHERE dim = $1 AND " DLV_ST_WHERE
		             "AND (($6::text IS NULL AND prefecture <> '*') OR prefecture = $6) GROUP BY 1, 2 ORDER BY 1, 2", 7, p)
		: rs_db_exec(&r, db, "dlv_st_months",
		             "SELECT to_char(month, 'YYYY-MM'), " DLV_ST_MKEY ", " DLV_ST_SUMS "WHERE dim = $1 AND " DLV_ST_WHERE
		             DLV_ST_PREF "GROUP BY 1, 2 ORDER BY 1, 2", 7, p);
	if (rc != 0)
		return rc;
	int nr = PQntuples(r);
	struct dlv_stats_row *rows = dlv_st_rows(r);
	if (!rows)
		return RS_ENOMEM;
	int k = 0;
	for (int i = 0; i < nr; i++) {
		if (PQgetisnull(r, i, 2))
			continue;
		struct dlv_stats_row *w = &rows[k++];
		dlv_st_copy(w->label, sizeof w->label, PQgetvalue(r, i, 0)); /* the month */
		dlv_st_copy(w->key, sizeof w->key, PQgetvalue(r, i, 1));
		w->applicants = atoll(PQgetvalue(r, i, 2));
		w->examinees = atoll(PQgetvalue(r, i, 3));
		w->passers = atoll(PQgetvalue(r, i, 4));
		w->sum_scaled = atof(PQgetvalue(r, i, 5));
		w->sumsq_scaled = atof(PQgetvalue(r, i, 6));
		for (int b = 0; b < DLV_STATS_BANDS; b++)
			w->hist[b] = atoll(PQgetvalue(r, i, 7 + b));
	}
	PQclear(r);
	*out = rows;
	*n = k;
	return 0;
}

int dlv_stats_exams(struct dlv_stats_row **out, int *n, rs_db *db)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "dlv_st_exams",
	                    "SELECT DISTINCT exam_code FROM exam.stats_cube WHERE dim = 'all' AND prefecture = '*' ORDER BY 1",
	                    0, NULL);
	if (rc != 0)
		return rc;
	int nr = PQntuples(r);
	struct dlv_stats_row *rows = dlv_st_rows(r);
	if (!rows)
		return RS_ENOMEM;
	for (int i = 0; i < nr; i++)
		dlv_st_copy(rows[i].key, sizeof rows[i].key, PQgetvalue(r, i, 0));
	PQclear(r);
	*out = rows;
	*n = nr;
	return 0;
}

int dlv_stats_exam(struct dlv_stats_row **out, int *n, char *as_of, rs_db *db, enum dlv_stats_dim dim,
                   const struct dlv_stats_filter *f)
{
	if ((unsigned)dim > DLV_STATS_ATTEMPT) {
		rs_error_set("exam statistics: unknown dimension %d", (int)dim);
		return RS_EINVAL;
	}
	/* The value dimensions share one statement (the key is the cube's value column). */
	const struct dlv_st_query *q = &dlv_st_queries[dim > DLV_STATS_AGE ? DLV_STATS_AGE : dim];
	const char *p[] = { dlv_st_dims[dim], f->from_month, f->to_month, f->exam, f->centre, f->prefecture };
	PGresult *r = NULL, *t = NULL;
	struct dlv_stats_row *rows = NULL;
	int rc = rs_db_exec(&r, db, q->name, q->sql, 6, p);
	if (rc == 0)
		rc = rs_db_exec(&t, db, "dlv_st_asof",
		                "SELECT to_char(refreshed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
		                "FROM exam.stats_refresh", 0, NULL);
	if (rc != 0)
		goto done;
	int nr = PQntuples(r);
	rows = calloc((size_t)(nr ? nr : 1), sizeof *rows);
	if (!rows) {
		rc = RS_ENOMEM;
		goto done;
	}
	int k = 0;
	for (int i = 0; i < nr; i++) {
		if (PQgetisnull(r, i, 2))
			continue; /* the total over no rows */
		struct dlv_stats_row *w = &rows[k++];
		dlv_st_copy(w->key, sizeof w->key, PQgetvalue(r, i, 0));
		dlv_st_copy(w->label, sizeof w->label, PQgetvalue(r, i, 1));
		w->applicants = atoll(PQgetvalue(r, i, 2));
		w->examinees = atoll(PQgetvalue(r, i, 3));
		w->passers = atoll(PQgetvalue(r, i, 4));
		w->sum_scaled = atof(PQgetvalue(r, i, 5));
		w->sumsq_scaled = atof(PQgetvalue(r, i, 6));
		for (int b = 0; b < DLV_STATS_BANDS; b++)
			w->hist[b] = atoll(PQgetvalue(r, i, 7 + b));
	}
	dlv_st_copy(as_of, 40, PQntuples(t) ? PQgetvalue(t, 0, 0) : "");
	*out = rows;
	*n = k;
	rows = NULL;
done:
	free(rows);
	PQclear(r);
	PQclear(t);
	return rc;
}

int dlv_stats_exam_stamp(long long *stamp, char *as_of, rs_db *db)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "dlv_st_stamp",
	                    "SELECT (extract(epoch FROM refreshed_at) * 1000000)::bigint, "
	                    "to_char(refreshed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM exam.stats_refresh",
	                    0, NULL);
	if (rc != 0)
		return rc;
	*stamp = PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : 0;
	dlv_st_copy(as_of, 40, PQntuples(r) ? PQgetvalue(r, 0, 1) : "");
	PQclear(r);
	return 0;
}

/* Replace the cube's months from the earliest one noted in exam.stats_dirty on (every month
 * on a first refresh); one refresh at a time (the lock on exam.stats_refresh, which only the
 * job writes: readers and the writers of bookings never wait on it). */
static int dlv_st_refresh_tx(rs_db *db, void *arg)
{
	(void)arg;
	/* The aggregation sorts up to a million rows: in memory, not in temporary files. */
	int rc = rs_db_exec_plain(db, "SET LOCAL work_mem = '256MB'");
	if (rc == 0)
		rc = rs_db_exec_plain(db, "LOCK TABLE exam.stats_refresh IN EXCLUSIVE MODE");
	PGresult *r = NULL;
	if (rc == 0)
		rc = rs_db_exec(&r, db, "dlv_st_dirty",
		                "SELECT CASE WHEN EXISTS (SELECT 1 FROM exam.stats_refresh) THEN min(month)::text ELSE 'all' END, "
		                "coalesce(max(id), 0)::text FROM exam.stats_dirty", 0, NULL);
	if (rc != 0) {
		PQclear(r);
		return rc;
	}
	char since[16] = "", upto[24];
	int todo = !PQgetisnull(r, 0, 0);
	dlv_st_copy(since, sizeof since, todo ? PQgetvalue(r, 0, 0) : "");
	dlv_st_copy(upto, sizeof upto, PQgetvalue(r, 0, 1));
	PQclear(r);
	const char *ps[] = { strcmp(since, "all") == 0 ? NULL : since };
	if (todo)
		rc = rs_db_exec(NULL, db, "dlv_st_refill", "SELECT exam.stats_cube_refill($1::date)", 1, ps);
	const char *pu[] = { upto };
	if (rc == 0)
		rc = rs_db_exec(NULL, db, "dlv_st_taken", "DELETE FROM exam.stats_dirty WHERE id <= $1::bigint", 1, pu);
	if (rc == 0)
		rc = rs_db_exec(NULL, db, "dlv_st_refreshed",
		                "INSERT INTO exam.stats_refresh (one, refreshed_at) VALUES (true, now()) "
		                "ON CONFLICT (one) DO UPDATE SET refreshed_at = excluded.refreshed_at", 0, NULL);
	return rc;
}

int dlv_stats_refresh(rs_db *db)
{
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, dlv_st_refresh_tx, NULL);
}
