/* Queries behind ib_stats.h: pool health over bank.items and bank.responses. */
#include "ib_stats.h"

#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

int ib_stats_pool(struct ib_stats_status **out, int *n, char *as_of, rs_db *db, const char *exam)
{
	char ready[16];
	snprintf(ready, sizeof ready, "%d", IB_STATS_READY_N);
	const char *p[] = { exam, ready };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "ib_st_pool",
	                    "SELECT i.status, count(*), count(*) FILTER (WHERE i.exposure_count > 0), "
	                    "coalesce(sum(i.exposure_count), 0), count(*) FILTER (WHERE coalesce(rs.n, 0) >= $2::int), "
	                    "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	                    "count(*) FILTER (WHERE fd.flag <> ''), count(*) FILTER (WHERE fr.flag <> '') "
	                    "FROM bank.items i LEFT JOIN (SELECT item_id, count(*) AS n FROM bank.responses GROUP BY item_id) rs "
	                    "ON rs.item_id = i.id "
	                    /* The latest recorded result of each analysis (store_analysis.c). */
	                    "LEFT JOIN LATERAL (SELECT ar.flag FROM bank.analysis_results ar JOIN bank.analysis_runs r "
	                    "ON r.id = ar.run_id WHERE ar.item_id = i.id AND r.kind = 'dif' ORDER BY ar.run_id DESC LIMIT 1) fd ON true "
	                    "LEFT JOIN LATERAL (SELECT ar.flag FROM bank.analysis_results ar JOIN bank.analysis_runs r "
	                    "ON r.id = ar.run_id WHERE ar.item_id = i.id AND r.kind = 'drift' ORDER BY ar.run_id DESC LIMIT 1) fr ON true "
	                    "WHERE ($1::text IS NULL OR i.exam = $1) GROUP BY i.status "
	                    "ORDER BY array_position(ARRAY['draft', 'review', 'pretest', 'operational', 'retired'], i.status)",
	                    2, p);
	if (rc != 0)
		return rc;
	int nr = PQntuples(r);
	struct ib_stats_status *rows = calloc((size_t)(nr ? nr : 1), sizeof *rows);
	if (!rows) {
		PQclear(r);
		return RS_ENOMEM;
	}
	for (int i = 0; i < nr; i++) {
		snprintf(rows[i].status, sizeof rows[i].status, "%s", PQgetvalue(r, i, 0));
		rows[i].items = atoll(PQgetvalue(r, i, 1));
		rows[i].used = atoll(PQgetvalue(r, i, 2));
		rows[i].exposures = atoll(PQgetvalue(r, i, 3));
		rows[i].ready = atoll(PQgetvalue(r, i, 4));
		rows[i].flagged_dif = atoll(PQgetvalue(r, i, 6));
		rows[i].flagged_drift = atoll(PQgetvalue(r, i, 7));
	}
	snprintf(as_of, 40, "%s", nr ? PQgetvalue(r, 0, 5) : "");
	PQclear(r);
	*out = rows;
	*n = nr;
	return 0;
}

int ib_stats_exposure(long long bands[IB_STATS_EXPOSURE_BANDS], rs_db *db, const char *exam)
{
	const char *p[] = { exam };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "ib_st_exposure",
	                    "SELECT CASE WHEN exposure_count = 0 THEN 0 ELSE least(floor(log(exposure_count::float8)) + 1, 5) END::int, "
	                    "count(*) FROM bank.items WHERE status = 'operational' AND ($1::text IS NULL OR exam = $1) GROUP BY 1",
	                    1, p);
	if (rc != 0)
		return rc;
	for (int b = 0; b < IB_STATS_EXPOSURE_BANDS; b++)
		bands[b] = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		int b = atoi(PQgetvalue(r, i, 0));
		if (b >= 0 && b < IB_STATS_EXPOSURE_BANDS)
			bands[b] = atoll(PQgetvalue(r, i, 1));
	}
	PQclear(r);
	return 0;
}
