/* delivery: a stored exam result as evidence for the skill profiles of cpd-tracker. */
#include "dlv.h"

#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

int dlv_result_evidence(json_t **out, rs_db *db, int64_t session)
{
	char sid[24];
	snprintf(sid, sizeof sid, "%lld", (long long)session);
	const char *p[] = { sid };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "dlv_result_evidence",
	                    "SELECT exam_code, passed, complete, (finished_at AT TIME ZONE 'Asia/Tokyo')::date::text, "
	                    "domains::text FROM exam.results WHERE session_id = $1::bigint",
	                    1, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		rs_error_set("no result for sitting %lld", (long long)session);
		return RS_ENOTFOUND;
	}
	json_t *doms = json_loads(PQgetvalue(r, 0, 4), 0, NULL);
	json_t *list = json_array();
	size_t i;
	json_t *d;
	json_array_foreach(doms, i, d) json_array_append_new(list, json_pack("{s:O?, s:O?}", "name",
	                                                                     json_object_get(d, "name"), "band",
	                                                                     json_object_get(d, "band")));
	json_decref(doms);
	*out = json_pack("{s:s, s:b, s:b, s:s, s:o}", "exam_code", PQgetvalue(r, 0, 0), "passed",
	                 strcmp(PQgetvalue(r, 0, 1), "t") == 0, "complete", strcmp(PQgetvalue(r, 0, 2), "t") == 0,
	                 "pass_date", PQgetvalue(r, 0, 3), "domains", list);
	PQclear(r);
	return *out ? 0 : RS_ENOMEM;
}
