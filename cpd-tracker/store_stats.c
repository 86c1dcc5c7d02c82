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

int cpd_stats_completions_months(struct cpd_stats_provider **out, int *n, rs_db *db)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_st_completions_months",
	                    "SELECT pr.id, pr.name_ja, pr.name_en, count(*) FILTER (WHERE co.kind = 'online'), "
	                    "count(*) FILTER (WHERE co.kind = 'practical'), to_char(c.completed_on, 'YYYY-MM') "
	                    "FROM cpd.completions c JOIN cpd.courses co ON co.id = c.course_id "
	                    "JOIN cpd.providers pr ON pr.id = c.provider_id WHERE c.state = 'accepted' "
	                    "GROUP BY 6, pr.id ORDER BY 6, pr.id", 0, NULL);
	if (rc != 0)
		return rc;
	return cpd_st_rows(out, n, r);
}
