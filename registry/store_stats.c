/* Sums over registry.stats_cube for the register statistics, and its refresh (reg_stats.h). */
#include "reg_stats.h"

#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

#define REG_ST_SUMS \
	"sum(n) FILTER (WHERE kind = 'live'), " \
	"sum(n) FILTER (WHERE kind = 'new' AND ($2::date IS NULL OR month >= $2::date) AND ($3::date IS NULL OR month <= $3::date)), " \
	"sum(n) FILTER (WHERE kind = 'renewal' AND ($2::date IS NULL OR month >= $2::date) AND ($3::date IS NULL OR month <= $3::date)), " \
	"sum(n) FILTER (WHERE kind = 'lapse' AND ($2::date IS NULL OR month >= $2::date) AND ($3::date IS NULL OR month <= $3::date)), " \
	"sum(n) FILTER (WHERE kind = 'cancellation' AND ($2::date IS NULL OR month >= $2::date) AND ($3::date IS NULL OR month <= $3::date)) " \
	"FROM registry.stats_cube WHERE dim = $1 "

static const char *const reg_st_dims[] = {
	[REG_STATS_TOTAL] = "all", [REG_STATS_REG_DATE] = "reg_date", [REG_STATS_PREFECTURE] = "all",
	[REG_STATS_INDUSTRY] = "industry", [REG_STATS_AGE] = "age", [REG_STATS_PASS_YEAR] = "pass_year",
};

int reg_stats_register(struct reg_stats_row **out, int *n, char *as_of, rs_db *db, enum reg_stats_dim dim,
                       const char *from_month, const char *to_month, const char *prefecture)
{
	if ((unsigned)dim > REG_STATS_PASS_YEAR) {
		rs_error_set("register statistics: unknown dimension %d", (int)dim);
		return RS_EINVAL;
	}
	const char *p[] = { reg_st_dims[dim], from_month, to_month, prefecture };
	PGresult *r = NULL, *t = NULL;
	struct reg_stats_row *rows = NULL;
	int rc;
	if (dim == REG_STATS_TOTAL)
		rc = rs_db_exec(&r, db, "reg_st_total", "SELECT '', " REG_ST_SUMS "AND prefecture = coalesce($4::text, '*')", 4, p);
	else if (dim == REG_STATS_PREFECTURE)
		rc = rs_db_exec(&r, db, "reg_st_pref", "SELECT prefecture, " REG_ST_SUMS
		                "AND (($4::text IS NULL AND prefecture <> '*') OR prefecture = $4) GROUP BY prefecture ORDER BY prefecture",
		                4, p);
	else
		rc = rs_db_exec(&r, db, "reg_st_value", "SELECT value, " REG_ST_SUMS
		                "AND prefecture = coalesce($4::text, '*') GROUP BY value ORDER BY value", 4, p);
	if (rc == 0)
		rc = rs_db_exec(&t, db, "reg_st_asof",
		                "SELECT to_char(refreshed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
		                "FROM registry.stats_refresh", 0, NULL);
	if (rc != 0)
		goto done;
	int nr = PQntuples(r), k = 0;
	rows = calloc((size_t)(nr ? nr : 1), sizeof *rows);
	if (!rows) {
		rc = RS_ENOMEM;
		goto done;
	}
	for (int i = 0; i < nr; i++) {
		struct reg_stats_row *w = &rows[k];
		snprintf(w->key, sizeof w->key, "%s", PQgetvalue(r, i, 0));
		long long *v[] = { &w->live, &w->registered, &w->renewals, &w->lapses, &w->cancellations };
		int any = 0;
		for (int c = 0; c < 5; c++) {
			*v[c] = PQgetisnull(r, i, 1 + c) ? 0 : atoll(PQgetvalue(r, i, 1 + c));
			any |= *v[c] != 0;
		}
		if (any)
			k++; /* a group with nothing in the period and nobody live is not a row */
	}
	snprintf(as_of, 40, "%s", PQntuples(t) ? PQgetvalue(t, 0, 0) : "");
	*out = rows;
	*n = k;
	rows = NULL;
done:
	free(rows);
	PQclear(r);
	PQclear(t);
	return rc;
}

int reg_stats_register_months(struct reg_stats_row **out, int *n, rs_db *db, enum reg_stats_dim dim,
                              const char *prefecture)
{
	if ((unsigned)dim > REG_STATS_PASS_YEAR) {
		rs_error_set("register statistics: unknown dimension %d", (int)dim);
		return RS_EINVAL;
	}
	const char *p[] = { reg_st_dims[dim], prefecture, dim == REG_STATS_PREFECTURE ? "prefecture" : dim == REG_STATS_TOTAL ? "none" : "value" };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_st_months",
	                    "SELECT to_char(month, 'YYYY-MM'), "
	                    "CASE $3 WHEN 'prefecture' THEN prefecture WHEN 'value' THEN value ELSE '' END, "
	                    "sum(n) FILTER (WHERE kind = 'new'), sum(n) FILTER (WHERE kind = 'renewal'), "
	                    "sum(n) FILTER (WHERE kind = 'lapse'), sum(n) FILTER (WHERE kind = 'cancellation') "
	                    "FROM registry.stats_cube WHERE dim = $1 AND kind <> 'live' AND CASE WHEN $3 = 'prefecture' "
	                    "THEN (($2::text IS NULL AND prefecture <> '*') OR prefecture = $2) "
	                    "ELSE prefecture = coalesce($2::text, '*') END GROUP BY 1, 2 ORDER BY 1, 2",
	                    3, p);
	if (rc != 0)
		return rc;
	int nr = PQntuples(r);
	struct reg_stats_row *rows = calloc((size_t)(nr ? nr : 1), sizeof *rows);
	if (!rows) {
		PQclear(r);
		return RS_ENOMEM;
	}
	for (int i = 0; i < nr; i++) {
		struct reg_stats_row *w = &rows[i];
		snprintf(w->month, sizeof w->month, "%s", PQgetvalue(r, i, 0));
		snprintf(w->key, sizeof w->key, "%s", PQgetvalue(r, i, 1));
		long long *v[] = { &w->registered, &w->renewals, &w->lapses, &w->cancellations };
		for (int c = 0; c < 4; c++)
			*v[c] = PQgetisnull(r, i, 2 + c) ? 0 : atoll(PQgetvalue(r, i, 2 + c));
	}
	PQclear(r);
	*out = rows;
	*n = nr;
	return 0;
}

int reg_stats_stamp(long long *stamp, char *as_of, rs_db *db)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_st_stamp",
	                    "SELECT (extract(epoch FROM refreshed_at) * 1000000)::bigint, "
	                    "to_char(refreshed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
	                    "FROM registry.stats_refresh",
	                    0, NULL);
	if (rc != 0)
		return rc;
	*stamp = PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : 0;
	snprintf(as_of, 40, "%s", PQntuples(r) ? PQgetvalue(r, 0, 1) : "");
	PQclear(r);
	return 0;
}

static int reg_st_refresh_tx(rs_db *db, void *arg)
{
	(void)arg;
	/* The aggregation sorts a million rows: in memory, not in temporary files. */
	int rc = rs_db_exec_plain(db, "SET LOCAL work_mem = '256MB'");
	if (rc == 0)
		rc = rs_db_exec(NULL, db, "reg_st_refresh", "REFRESH MATERIALIZED VIEW CONCURRENTLY registry.stats_cube", 0, NULL);
	if (rc == 0)
		rc = rs_db_exec(NULL, db, "reg_st_refreshed",
		                "INSERT INTO registry.stats_refresh (one, refreshed_at) VALUES (true, now()) "
		                "ON CONFLICT (one) DO UPDATE SET refreshed_at = excluded.refreshed_at", 0, NULL);
	return rc;
}

int reg_stats_refresh(rs_db *db)
{
	return rs_db_tx(db, RS_DB_REPEATABLE_READ, 3, reg_st_refresh_tx, NULL);
}
