/* The link from exam results (schema exam, written by exam delivery) to the register:
 * an application that names "exam:<session id>" must rest on a real, complete, passed and
 * not yet registered result of the same person, and registration marks the result. Other
 * references (results from before computer-based testing) are kept as given. */
#include "store.h"

#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The session id of an "exam:<digits>" reference, or 0 when the reference is not one. */
static long long reg_exam_ref_session(const char *ref)
{
	if (strncmp(ref, "exam:", 5) != 0 || !ref[5] || strlen(ref) > 5 + 18 || strspn(ref + 5, "0123456789") != strlen(ref + 5))
		return 0;
	return atoll(ref + 5);
}

int reg_store_exam_result_check(rs_db *db, const char *ref, const char *name, const char *date_of_birth,
                                const char *exam_pass_date)
{
	long long sid = reg_exam_ref_session(ref);
	if (sid <= 0)
		return 0;
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", sid);
	const char *p[] = { ids };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_exam_result_check",
	                    "SELECT x.passed, x.complete, x.registered, c.name_kanji, c.birth_date::text, "
	                    "(x.finished_at AT TIME ZONE 'Asia/Tokyo')::date::text "
	                    "FROM exam.results x JOIN exam.candidates c ON c.id = x.candidate_id "
	                    "WHERE x.session_id = $1::bigint FOR UPDATE OF x", 1, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		rs_error_msg("reg.exam_result_not_found", ref, NULL);
		rc = RS_ENOTFOUND;
	} else if (PQgetvalue(r, 0, 0)[0] != 't' || PQgetvalue(r, 0, 1)[0] != 't') {
		rs_error_msg("reg.exam_result_not_pass", ref, NULL);
		rc = RS_ESTATE;
	} else if (PQgetvalue(r, 0, 2)[0] == 't') {
		rs_error_msg("reg.exam_result_registered", ref, NULL);
		rc = RS_ESTATE;
	} else if (strcmp(PQgetvalue(r, 0, 3), name) != 0 || strcmp(PQgetvalue(r, 0, 4), date_of_birth) != 0) {
		rs_error_msg("reg.exam_result_person", ref, NULL);
		rc = RS_EINVAL;
	} else if (exam_pass_date && strcmp(PQgetvalue(r, 0, 5), exam_pass_date) != 0) {
		rs_error_msg("reg.exam_result_date", ref, PQgetvalue(r, 0, 5), exam_pass_date, NULL);
		rc = RS_EINVAL;
	}
	PQclear(r);
	return rc;
}

int reg_store_exam_result_mark(rs_db *db, const char *ref)
{
	long long sid = reg_exam_ref_session(ref);
	if (sid <= 0)
		return 0;
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", sid);
	const char *p[] = { ids };
	return rs_db_exec(NULL, db, "reg_exam_result_mark",
	                  "UPDATE exam.results SET registered = true WHERE session_id = $1::bigint", 1, p);
}

int reg_store_exam_results_passed(rs_db *db, json_t **out)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_exam_results_passed",
	                    "SELECT 'exam:' || x.session_id, (x.finished_at AT TIME ZONE 'Asia/Tokyo')::date::text, "
	                    "x.scaled, c.name_kanji, c.name_kana, c.name_romaji, c.birth_date::text "
	                    "FROM exam.results x JOIN exam.candidates c ON c.id = x.candidate_id "
	                    "WHERE x.passed AND x.complete AND NOT x.registered AND NOT EXISTS "
	                    "(SELECT 1 FROM registry.applications a WHERE a.exam_result_ref = 'exam:' || x.session_id "
	                    "AND a.state <> 'rejected') ORDER BY x.finished_at LIMIT 500", 0, NULL);
	if (rc != 0)
		return rc;
	json_t *list = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "exam_result_ref", PQgetvalue(r, i, 0),
		                                      "exam_pass_date", PQgetvalue(r, i, 1), "scaled", atoi(PQgetvalue(r, i, 2)),
		                                      "name", PQgetvalue(r, i, 3), "name_kana", PQgetvalue(r, i, 4),
		                                      "name_latn", PQgetvalue(r, i, 5), "date_of_birth", PQgetvalue(r, i, 6)));
	PQclear(r);
	*out = list;
	return 0;
}
