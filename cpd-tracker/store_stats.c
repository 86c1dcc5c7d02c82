/* Queries behind cpd_stats.h: the last job run's standings, completions per provider and kind. */
#include "cpd_stats.h"

#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Providers' rows of r (id, names, online, practical, month in columns 0-5) into *out; r is
 * cleared. */
static int cpd_st_rows(struct cpd_stats_provider **out, int *n, PGresult *r)
{
	int nr = PQntuples(r);
	struct cpd_stats_provider *rows = calloc((size_t)(nr ? nr : 1), sizeof *rows);
	if (!rows) {
		PQclear(r);
		return RS_ENOMEM;
	}
	for (int i = 0; i < nr; i++) {
		snprintf(rows[i].key, sizeof rows[i].key, "%s", PQgetvalue(r, i, 0));
		snprintf(rows[i].name_ja, sizeof rows[i].name_ja, "%s", PQgetvalue(r, i, 1));
		snprintf(rows[i].name_en, sizeof rows[i].name_en, "%s", PQgetvalue(r, i, 2));
		rows[i].online = atoll(PQgetvalue(r, i, 3));
		rows[i].practical = atoll(PQgetvalue(r, i, 4));
		snprintf(rows[i].month, sizeof rows[i].month, "%s", PQgetvalue(r, i, 5));
	}
	PQclear(r);
	*out = rows;
	*n = nr;
	return 0;
}

int cpd_stats_standing(struct cpd_stats_standing *out, rs_db *db)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_st_standing",
	                    "SELECT coalesce((summary #>> '{states,on_track}')::bigint, 0), "
	                    "coalesce((summary #>> '{states,action_needed}')::bigint, 0), "
	                    "coalesce((summary #>> '{states,overdue}')::bigint, 0), "
	                    "coalesce((summary #>> '{states,renewable}')::bigint, 0), "
	                    "to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
	                    "FROM cpd.job_runs ORDER BY id DESC LIMIT 1", 0, NULL);
	if (rc != 0)
		return rc;
	memset(out, 0, sizeof *out);
	if (PQntuples(r) == 1) {
		out->on_track = atoll(PQgetvalue(r, 0, 0));
		out->action_needed = atoll(PQgetvalue(r, 0, 1));
		out->overdue = atoll(PQgetvalue(r, 0, 2));
		out->renewable = atoll(PQgetvalue(r, 0, 3));
		snprintf(out->as_of, sizeof out->as_of, "%s", PQgetvalue(r, 0, 4));
	}
	PQclear(r);
	return 0;
}

int cpd_stats_completions_months(struct cpd_stats_provider **out, int *n, char *as_of, rs_db *db)
{
	PGresult *r = NULL, *t = NULL;
	int rc = rs_db_exec(&r, db, "cpd_st_completions_months",
	                    "SELECT pr.id, pr.name_ja, pr.name_en, s.online, s.practical, to_char(s.month, 'YYYY-MM') "
	                    "FROM cpd.stats_completions s JOIN cpd.providers pr ON pr.id = s.provider_id "
	                    "ORDER BY s.month, pr.id", 0, NULL);
	if (rc == 0)
		rc = rs_db_exec(&t, db, "cpd_st_asof",
		                "SELECT to_char(refreshed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
		                "FROM cpd.stats_refresh", 0, NULL);
	if (rc != 0) {
		PQclear(r);
		return rc;
	}
	snprintf(as_of, 40, "%s", PQntuples(t) ? PQgetvalue(t, 0, 0) : "");
	PQclear(t);
	return cpd_st_rows(out, n, r);
}

static int cpd_st_refresh_tx(rs_db *db, void *arg)
{
	(void)arg;
	int rc = rs_db_exec(NULL, db, "cpd_st_refresh", "REFRESH MATERIALIZED VIEW CONCURRENTLY cpd.stats_completions", 0, NULL);
	if (rc == 0)
		rc = rs_db_exec(NULL, db, "cpd_st_refreshed",
		                "INSERT INTO cpd.stats_refresh (one, refreshed_at) VALUES (true, now()) "
		                "ON CONFLICT (one) DO UPDATE SET refreshed_at = excluded.refreshed_at", 0, NULL);
	return rc;
}

int cpd_stats_refresh(rs_db *db)
{
	return rs_db_tx(db, RS_DB_REPEATABLE_READ, 3, cpd_st_refresh_tx, NULL);
}
