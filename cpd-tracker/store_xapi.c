/* cpd-tracker: SQL for the xAPI statement store (schema xapi). */
#include "store_xapi.h"
#include "store.h"

#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XS_PID(buf, id) snprintf(buf, sizeof buf, "%lld", (long long)(id))

int cpd_xs_existing(rs_db *db, int64_t provider_id, const char *ids_arr,
                    void (*fn)(void *ctx, const char *id, const char *body, int is_voiding), void *ctx)
{
	char pid[24];
	XS_PID(pid, provider_id);
	const char *v[] = { pid, ids_arr };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "xapi_existing",
	                    "SELECT s.id::text, s.body, s.is_voiding FROM unnest($2::uuid[]) AS r(id) "
	                    "JOIN xapi.statements s ON s.provider_id = $1::bigint AND s.id = r.id", 2, v);
	if (rc != 0)
		return rc;
	for (int r = 0; r < PQntuples(res); r++)
		fn(ctx, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1), PQgetvalue(res, r, 2)[0] == 't');
	PQclear(res);
	return 0;
}

int cpd_xs_insert(rs_db *db, size_t *out_n, int64_t provider_id, const char *rows_json)
{
	char pid[24];
	XS_PID(pid, provider_id);
	const char *v[] = { pid, rows_json };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "xapi_insert",
	                    "INSERT INTO xapi.statements (provider_id, id, stored, verb_id, activity_id, registration, "
	                    "target_id, is_voiding, agents, rel_agents, rel_activities, body) "
	                    "SELECT $1::bigint, r.id, r.stored, r.verb_id, r.activity_id, r.registration, r.target_id, "
	                    "r.is_voiding, r.agents, r.rel_agents, r.rel_activities, r.body::text "
	                    "FROM json_to_recordset($2::json) AS r(id uuid, stored timestamptz, verb_id text, "
	                    "activity_id text, registration uuid, target_id uuid, is_voiding boolean, agents text[], "
	                    "rel_agents text[], rel_activities text[], body json) "
	                    "ON CONFLICT (provider_id, id) DO NOTHING", 2, v);
	if (rc != 0)
		return rc;
	*out_n = (size_t)strtoull(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return 0;
}

int cpd_xs_void(rs_db *db, int64_t provider_id, const char *ids_arr)
{
	char pid[24];
	XS_PID(pid, provider_id);
	const char *v[] = { pid, ids_arr };
	return rs_db_exec(NULL, db, "xapi_void",
	                  "UPDATE xapi.statements SET voided = true WHERE provider_id = $1::bigint "
	                  "AND id = ANY($2::uuid[]) AND NOT voided AND NOT is_voiding", 2, v);
}

int cpd_xs_attachment_put(rs_db *db, int64_t provider_id, const char *sha2, const char *ctype, const char *hex)
{
	char pid[24];
	XS_PID(pid, provider_id);
	const char *v[] = { pid, sha2, ctype, hex };
	return rs_db_exec(NULL, db, "xapi_attachment_put",
	                  "INSERT INTO xapi.attachments (provider_id, sha2, content_type, content) "
	                  "VALUES ($1::bigint, $2, $3, decode($4, 'hex')) ON CONFLICT DO NOTHING", 4, v);
}

int cpd_xs_attachments_get(rs_db *db, int64_t provider_id, const char *sha_arr,
                           void (*fn)(void *ctx, const char *sha2, const char *ctype, const unsigned char *data,
                                      size_t len), void *ctx)
{
	char pid[24];
	XS_PID(pid, provider_id);
	const char *v[] = { pid, sha_arr };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "xapi_attachments_get",
	                    "SELECT sha2, content_type, encode(content, 'hex') FROM xapi.attachments "
	                    "WHERE provider_id = $1::bigint AND sha2 = ANY($2::text[])", 2, v);
	if (rc != 0)
		return rc;
	for (int r = 0; r < PQntuples(res); r++) {
		const char *hex = PQgetvalue(res, r, 2);
		size_t n = strlen(hex) / 2;
		unsigned char *buf = malloc(n ? n : 1);
		if (!buf) {
			rc = RS_ENOMEM;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			unsigned hi = (unsigned)(hex[2 * i] <= '9' ? hex[2 * i] - '0' : hex[2 * i] - 'a' + 10);
			unsigned lo = (unsigned)(hex[2 * i + 1] <= '9' ? hex[2 * i + 1] - '0' : hex[2 * i + 1] - 'a' + 10);
			buf[i] = (unsigned char)(hi << 4 | lo);
		}
		fn(ctx, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1), buf, n);
		free(buf);
	}
	PQclear(res);
	return rc;
}

int cpd_xs_course_hours(rs_db *db, int64_t provider_id, const char *codes_arr,
                        void (*fn)(void *ctx, const char *code, int hours10), void *ctx)
{
	char pid[24];
	XS_PID(pid, provider_id);
	const char *v[] = { pid, codes_arr };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "xapi_course_hours",
	                    "SELECT code, (hours * 10)::int FROM cpd.courses WHERE provider_id = $1::bigint "
	                    "AND code = ANY($2::text[])", 2, v);
	if (rc != 0)
		return rc;
	for (int r = 0; r < PQntuples(res); r++)
		fn(ctx, PQgetvalue(res, r, 0), atoi(PQgetvalue(res, r, 1)));
	PQclear(res);
	return 0;
}

int cpd_xs_outcomes_put(rs_db *db, int64_t provider_id, const char *rows_json)
{
	char pid[24];
	XS_PID(pid, provider_id);
	const char *v[] = { pid, rows_json };
	return rs_db_exec(NULL, db, "xapi_outcomes_put",
	                  "INSERT INTO xapi.outcomes (provider_id, statement_id, outcome, reason, completion_id) "
	                  "SELECT $1::bigint, r.statement_id, r.outcome, r.reason, r.completion_id "
	                  "FROM json_to_recordset($2::json) AS r(statement_id uuid, outcome text, reason text, "
	                  "completion_id bigint) ON CONFLICT (provider_id, statement_id) DO UPDATE SET "
	                  "outcome = EXCLUDED.outcome, reason = EXCLUDED.reason, completion_id = EXCLUDED.completion_id, "
	                  "at = now() WHERE xapi.outcomes.outcome = 'unmatched'", 2, v);
}

int cpd_xs_own_actors(rs_db *db, char **out, int64_t provider_id, const char *key, int limit)
{
	char pid[24], lim[16];
	XS_PID(pid, provider_id);
	snprintf(lim, sizeof lim, "%d", limit);
	const char *v[] = { pid, key, lim };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "xapi_own_actors",
	                    "WITH r AS (SELECT DISTINCT c.regno FROM xapi.statements s JOIN xapi.outcomes o "
	                    "ON o.provider_id = s.provider_id AND o.statement_id = s.id JOIN cpd.completions c "
	                    "ON c.id = o.completion_id AND c.provider_id = $1::bigint AND c.state <> 'voided' "
	                    "WHERE s.provider_id = $1::bigint AND s.rel_agents @> ARRAY[$2::text] AND $2 = ANY(s.agents)), "
	                    "ids AS (SELECT CASE WHEN c.via = 'xapi' THEN c.provider_record_id::uuid END AS id "
	                    "FROM cpd.completions c JOIN r ON r.regno = c.regno "
	                    "WHERE c.provider_id = $1::bigint AND c.via = 'xapi' AND c.state <> 'voided') "
	                    "SELECT coalesce(json_agg(a), '[]')::text FROM (SELECT DISTINCT s.body::jsonb -> 'actor' AS a "
	                    "FROM ids JOIN xapi.statements s ON s.provider_id = $1::bigint AND s.id = ids.id "
	                    "LIMIT $3::int) q", 3, v);
	if (rc != 0)
		return rc;
	*out = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return *out ? 0 : RS_ENOMEM;
}

int cpd_xs_unmatched_mbox(rs_db *db, const char *address, const char *sha1, int64_t after_pid, int64_t after_seq,
                          int limit, void (*fn)(void *ctx, int64_t pid, int64_t seq, const char *id, const char *body),
                          void *ctx)
{
	char ap[24], as[24], lim[16];
	XS_PID(ap, after_pid);
	XS_PID(as, after_seq);
	snprintf(lim, sizeof lim, "%d", limit);
	const char *v[] = { address, sha1, ap, as, lim };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "xapi_unmatched_mbox",
	                    "SELECT s.provider_id, s.seq, s.id::text, s.body FROM xapi.outcomes o "
	                    "JOIN xapi.statements s ON s.provider_id = o.provider_id AND s.id = o.statement_id "
	                    "WHERE o.outcome = 'unmatched' AND o.reason = 'xapi.unmatched.mbox' AND NOT s.voided "
	                    "AND (s.provider_id, s.seq) > ($3::bigint, $4::bigint) "
	                    "AND ($1::text IS NULL OR lower(s.body::json -> 'actor' ->> 'mbox') = 'mailto:' || $1 "
	                    "OR lower(s.body::json -> 'actor' ->> 'mbox_sha1sum') = $2) "
	                    "ORDER BY s.provider_id, s.seq LIMIT $5::int", 5, v);
	if (rc != 0)
		return rc;
	for (int r = 0; r < PQntuples(res); r++)
		fn(ctx, strtoll(PQgetvalue(res, r, 0), NULL, 10), strtoll(PQgetvalue(res, r, 1), NULL, 10),
		   PQgetvalue(res, r, 2), PQgetvalue(res, r, 3));
	PQclear(res);
	return 0;
}

int cpd_xs_outcomes_void(rs_db *db, int64_t provider_id, const char *ids_arr, void (*fn)(void *ctx, int64_t cid),
                         void *ctx)
{
	char pid[24];
	XS_PID(pid, provider_id);
	const char *v[] = { pid, ids_arr };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "xapi_outcomes_void",
	                    "UPDATE xapi.outcomes SET outcome = 'voided', at = now() WHERE provider_id = $1::bigint "
	                    "AND statement_id = ANY($2::uuid[]) AND outcome = 'credited' RETURNING completion_id", 2, v);
	if (rc != 0)
		return rc;
	for (int r = 0; r < PQntuples(res); r++)
		fn(ctx, strtoll(PQgetvalue(res, r, 0), NULL, 10));
	PQclear(res);
	return 0;
}

/* The filters; $1 provider, $2 agent, $3 verb, $4 activity, $5 registration, $6 since,
 * $7 until, $8 after, $9 related_agents, $10 related_activities, $11 limit, $12 upto.
 * A statement also matches when it targets (StatementRef) a statement that matches the
 * agent/verb/activity/registration filters, voided or not (Communication 2.1.3). */
#define XS_MATCH(a) \
	"($2::text IS NULL OR (" a ".rel_agents @> ARRAY[$2::text] AND ($9::boolean OR " a ".agents @> ARRAY[$2::text]))) " \
	"AND ($3::text IS NULL OR " a ".verb_id = $3) " \
	"AND ($4::text IS NULL OR (CASE WHEN $10::boolean THEN " a ".rel_activities @> ARRAY[$4::text] " \
	"ELSE " a ".activity_id = $4 END)) " \
	"AND ($5::uuid IS NULL OR " a ".registration = $5::uuid) "
#define XS_WHERE \
	"WHERE s.provider_id = $1::bigint AND NOT s.voided " \
	"AND ($6::timestamptz IS NULL OR s.stored > $6::timestamptz) " \
	"AND ($7::timestamptz IS NULL OR s.stored <= $7::timestamptz) " \
	"AND ($12::bigint IS NULL OR s.seq <= $12::bigint) " \
	"AND ((" XS_MATCH("s") ") OR (s.target_id IS NOT NULL " \
	"AND ($2::text IS NOT NULL OR $3::text IS NOT NULL OR $4::text IS NOT NULL OR $5::uuid IS NOT NULL) " \
	"AND EXISTS (SELECT 1 FROM xapi.statements t WHERE t.provider_id = $1::bigint AND t.id = s.target_id " \
	"AND " XS_MATCH("t") "))) "

int cpd_xs_query(rs_db *db, int64_t provider_id, const struct cpd_xs_filter *f,
                 void (*fn)(void *ctx, int64_t seq, const char *body), void *ctx)
{
	char pid[24], lim[16];
	XS_PID(pid, provider_id);
	PGresult *res = NULL;
	int rc;
	if (f->statement_id) {
		const char *v[] = { pid, f->statement_id, f->voided ? "t" : "f" };
		rc = rs_db_exec(&res, db, "xapi_by_id",
		                "SELECT seq, body FROM xapi.statements WHERE provider_id = $1::bigint "
		                "AND id = $2::uuid AND voided = $3::boolean", 3, v);
	} else {
		snprintf(lim, sizeof lim, "%d", f->limit);
		const char *v[] = { pid, f->agent, f->verb, f->activity, f->registration, f->since, f->until, f->after,
			            f->related_agents ? "t" : "f", f->related_activities ? "t" : "f", lim, f->upto };
		rc = f->ascending
			? rs_db_exec(&res, db, "xapi_query_asc",
			             "SELECT s.seq, s.body FROM xapi.statements s " XS_WHERE
			             "AND ($8::bigint IS NULL OR s.seq > $8::bigint) ORDER BY s.seq LIMIT $11::int", 12, v)
			: rs_db_exec(&res, db, "xapi_query_desc",
			             "SELECT s.seq, s.body FROM xapi.statements s " XS_WHERE
			             "AND ($8::bigint IS NULL OR s.seq < $8::bigint) ORDER BY s.seq DESC LIMIT $11::int", 12, v);
	}
	if (rc != 0)
		return rc;
	for (int r = 0; r < PQntuples(res); r++)
		fn(ctx, strtoll(PQgetvalue(res, r, 0), NULL, 10), PQgetvalue(res, r, 1));
	PQclear(res);
	return 0;
}

int cpd_xs_max_seq(rs_db *db, int64_t *out, int64_t provider_id)
{
	char pid[24];
	XS_PID(pid, provider_id);
	const char *v[] = { pid };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "xapi_max_seq",
	                    "SELECT coalesce(max(seq), 0) FROM xapi.statements WHERE provider_id = $1::bigint", 1, v);
	if (rc != 0)
		return rc;
	*out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

int cpd_xs_unmatched(rs_db *db, char **out, int64_t provider_id, int limit)
{
	char pid[24], lim[16];
	XS_PID(pid, provider_id);
	snprintf(lim, sizeof lim, "%d", limit);
	const char *v[] = { pid, lim };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "xapi_unmatched",
	                    "SELECT coalesce(json_agg(j ORDER BY at DESC), '[]'::json)::text FROM ("
	                    "SELECT o.at, json_build_object('statement_id', o.statement_id, 'stored', " CPD_SQL_TS("s.stored") ", "
	                    "'verb', s.verb_id, 'activity', s.activity_id, 'actor', s.body::json -> 'actor', "
	                    "'reason', o.reason, 'message_id', o.reason, 'args', json_build_array(CASE o.reason "
	                    "WHEN 'cpd.record.course_unknown' THEN s.activity_id "
	                    "WHEN 'cpd.record.regno_unknown' THEN s.body::json -> 'actor' -> 'account' ->> 'name' "
	                    "ELSE s.body::json ->> 'timestamp' END)) AS j FROM xapi.outcomes o JOIN xapi.statements s "
	                    "ON s.provider_id = o.provider_id AND s.id = o.statement_id "
	                    "WHERE o.provider_id = $1::bigint AND o.outcome = 'unmatched' "
	                    "ORDER BY o.at DESC LIMIT $2::int) q", 2, v);
	if (rc != 0)
		return rc;
	*out = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return *out ? 0 : RS_ENOMEM;
}
