/* Queries behind cpd_stats.h: the last job run's standings, completions per provider and kind. */
#include "cpd_stats.h"

#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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

int cpd_stats_completions(struct cpd_stats_provider **out, int *n, char *as_of, rs_db *db, const char *from_month,
                          const char *to_month)
{
	const char *p[] = { from_month, to_month };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_st_completions",
	                    "SELECT pr.id, pr.name_ja, pr.name_en, count(*) FILTER (WHERE co.kind = 'online'), "
	                    "count(*) FILTER (WHERE co.kind = 'practical'), "
	                    "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
	                    "FROM cpd.completions c JOIN cpd.courses co ON co.id = c.course_id "
	                    "JOIN cpd.providers pr ON pr.id = c.provider_id "
	                    "WHERE c.state = 'accepted' AND ($1::date IS NULL OR c.completed_on >= $1::date) "
	                    "AND ($2::date IS NULL OR c.completed_on < $2::date + interval '1 month') "
	                    "GROUP BY pr.id ORDER BY pr.id", 2, p);
	if (rc != 0)
		return rc;
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
	}
	if (nr)
		snprintf(as_of, 40, "%s", PQgetvalue(r, 0, 5));
	else
		as_of[0] = 0;
	PQclear(r);
	*out = rows;
	*n = nr;
	return 0;
}
