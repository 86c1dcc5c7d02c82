/* cpd-tracker: SQL of the LRS frame — xAPI credentials, documents, activity definitions. */
#include "store_lrs.h"

#include "rs_encode.h"
#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cpd_lrs_kind_names[] = { "state", "activity_profile", "agent_profile" };

int cpd_store_lrs_cred_insert(rs_db *db, int64_t provider_id, const char *username, const char *pass_sha256_hex)
{
	char pid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	const char *v[] = { pid, username, pass_sha256_hex };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "cpd_lrs_cred_revoke",
	                    "UPDATE xapi.credentials SET revoked_at = now() WHERE provider_id = $1::bigint "
	                    "AND revoked_at IS NULL", 1, v);
	rs_db_clear(res);
	if (rc != 0)
		return rc;
	res = NULL;
	rc = rs_db_exec(&res, db, "cpd_lrs_cred_insert",
	                "INSERT INTO xapi.credentials (provider_id, username, password_sha256) "
	                "VALUES ($1::bigint, $2, decode($3, 'hex'))", 3, v);
	rs_db_clear(res);
	return rc;
}

int cpd_store_lrs_cred_get(rs_db *db, int64_t *out_provider, char out_hash_hex[65], int *out_active,
                           const char *username)
{
	const char *v[] = { username };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "cpd_lrs_cred_get",
	                    "SELECT c.provider_id, encode(c.password_sha256, 'hex'), p.state = 'active' "
	                    "FROM xapi.credentials c JOIN cpd.providers p ON p.id = c.provider_id "
	                    "WHERE c.username = $1 AND c.revoked_at IS NULL", 1, v);
	if (rc != 0)
		return rc;
	if (PQntuples(res) != 1 || strlen(PQgetvalue(res, 0, 1)) != 64) {
		PQclear(res);
		rs_error_set("no such xAPI credential");
		return RS_ENOTFOUND;
	}
	memcpy(out_hash_hex, PQgetvalue(res, 0, 1), 65);
	*out_provider = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*out_active = PQgetvalue(res, 0, 2)[0] == 't';
	PQclear(res);
	return 0;
}

/* Parameters $1..$6 of a document key: provider, kind, activity, agent, registration, id. */
struct cpd_lrs_kp {
	char pid[24];
	const char *v[9];
};

static void cpd_lrs_key_params(struct cpd_lrs_kp *p, const struct cpd_lrs_doc_key *k)
{
	snprintf(p->pid, sizeof p->pid, "%lld", (long long)k->provider_id);
	p->v[0] = p->pid;
	p->v[1] = cpd_lrs_kind_names[k->kind];
	p->v[2] = k->activity_id ? k->activity_id : "";
	p->v[3] = k->agent_key ? k->agent_key : "";
	p->v[4] = k->registration;
	p->v[5] = k->doc_id;
}

#define CPD_LRS_KEY_WHERE \
	"provider_id = $1::bigint AND kind = $2 AND activity_id = $3 AND agent_key = $4 " \
	"AND COALESCE(registration, '00000000-0000-0000-0000-000000000000') = " \
	"COALESCE($5::uuid, '00000000-0000-0000-0000-000000000000') "

int cpd_store_lrs_doc_get(rs_db *db, struct cpd_lrs_doc *out, const struct cpd_lrs_doc_key *k, int lock)
{
	struct cpd_lrs_kp p;
	cpd_lrs_key_params(&p, k);
	PGresult *res = NULL;
	int rc = lock ? rs_db_exec(&res, db, "cpd_lrs_doc_get_lock",
	                           "SELECT content_type, etag, content, "
	                           "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
	                           "FROM xapi.documents WHERE " CPD_LRS_KEY_WHERE "AND doc_id = $6 FOR UPDATE", 6, p.v)
	              : rs_db_exec(&res, db, "cpd_lrs_doc_get",
	                           "SELECT content_type, etag, content, "
	                           "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
	                           "FROM xapi.documents WHERE " CPD_LRS_KEY_WHERE "AND doc_id = $6", 6, p.v);
	if (rc != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		rs_error_msg("lrs.doc.not_found", NULL);
		return RS_ENOTFOUND;
	}
	size_t n = 0;
	unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 2), &n);
	char *content = raw ? malloc(n + 1) : NULL;
	if (!content) {
		PQfreemem(raw);
		PQclear(res);
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	memcpy(content, raw, n);
	content[n] = '\0';
	PQfreemem(raw);
	memset(out, 0, sizeof *out);
	out->content = content;
	out->len = n;
	snprintf(out->content_type, sizeof out->content_type, "%s", PQgetvalue(res, 0, 0));
	snprintf(out->etag, sizeof out->etag, "%s", PQgetvalue(res, 0, 1));
	snprintf(out->updated, sizeof out->updated, "%s", PQgetvalue(res, 0, 3));
	PQclear(res);
	return 0;
}

int cpd_store_lrs_doc_put(rs_db *db, const struct cpd_lrs_doc_key *k, const char *ctype, const char *body, size_t len,
                          const char *etag)
{
	struct cpd_lrs_kp p;
	cpd_lrs_key_params(&p, k);
	char *hex = malloc(2 * len + 1);
	if (!hex) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	rs_hex_encode(hex, (const unsigned char *)body, len);
	p.v[6] = ctype;
	p.v[7] = hex;
	p.v[8] = etag;
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "cpd_lrs_doc_put",
	                    "INSERT INTO xapi.documents (provider_id, kind, activity_id, agent_key, registration, doc_id, "
	                    "content_type, content, etag) VALUES ($1::bigint, $2, $3, $4, $5::uuid, $6, $7, "
	                    "decode($8, 'hex'), $9) ON CONFLICT (provider_id, kind, activity_id, agent_key, "
	                    "COALESCE(registration, '00000000-0000-0000-0000-000000000000'), doc_id) DO UPDATE SET "
	                    "content_type = EXCLUDED.content_type, content = EXCLUDED.content, etag = EXCLUDED.etag, "
	                    "updated_at = clock_timestamp()", 9, p.v);
	rs_db_clear(res);
	free(hex);
	return rc;
}

int cpd_store_lrs_doc_delete(rs_db *db, const struct cpd_lrs_doc_key *k)
{
	struct cpd_lrs_kp p;
	cpd_lrs_key_params(&p, k);
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "cpd_lrs_doc_delete",
	                    "DELETE FROM xapi.documents WHERE " CPD_LRS_KEY_WHERE "AND ($6::text IS NULL OR doc_id = $6)",
	                    6, p.v);
	rs_db_clear(res);
	return rc;
}

int cpd_store_lrs_doc_ids(rs_db *db, json_t **out, const struct cpd_lrs_doc_key *k, int64_t since_us)
{
	struct cpd_lrs_kp p;
	cpd_lrs_key_params(&p, k);
	char since[24];
	snprintf(since, sizeof since, "%lld", (long long)since_us);
	p.v[5] = since;
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "cpd_lrs_doc_ids",
	                    "SELECT COALESCE(json_agg(doc_id ORDER BY doc_id), '[]') FROM xapi.documents WHERE "
	                    CPD_LRS_KEY_WHERE "AND updated_at > to_timestamp($6::bigint / 1e6)", 6, p.v);
	if (rc != 0)
		return rc;
	json_error_t je;
	json_t *v = PQntuples(res) == 1 ? json_loads(PQgetvalue(res, 0, 0), 0, &je) : NULL;
	PQclear(res);
	if (!v) {
		rs_error_set("the database answered no id list");
		return RS_EINTERNAL;
	}
	*out = v;
	return 0;
}

int cpd_store_lrs_activity_get(rs_db *db, json_t **out_def, int64_t provider_id, const char *activity_id, int lock)
{
	char pid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	const char *v[] = { pid, activity_id };
	PGresult *res = NULL;
	int rc = lock ? rs_db_exec(&res, db, "cpd_lrs_activity_get_lock",
	                           "SELECT definition::text FROM xapi.activities WHERE provider_id = $1::bigint "
	                           "AND activity_id = $2 FOR UPDATE", 2, v)
	              : rs_db_exec(&res, db, "cpd_lrs_activity_get",
	                           "SELECT definition::text FROM xapi.activities WHERE provider_id = $1::bigint "
	                           "AND activity_id = $2", 2, v);
	if (rc != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		rs_error_msg("lrs.activity.not_found", NULL);
		return RS_ENOTFOUND;
	}
	json_error_t je;
	json_t *d = json_loads(PQgetvalue(res, 0, 0), 0, &je);
	PQclear(res);
	if (!d) {
		rs_error_set("stored activity definition is not JSON");
		return RS_EINTERNAL;
	}
	*out_def = d;
	return 0;
}

int cpd_store_lrs_activities_get(rs_db *db, json_t **out, int64_t provider_id, const char *ids_arr)
{
	char pid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	const char *v[] = { pid, ids_arr };
	return rs_db_json(out, db, "cpd_lrs_activities_get",
	                  "SELECT coalesce(jsonb_object_agg(activity_id, definition), '{}')::text FROM xapi.activities "
	                  "WHERE provider_id = $1::bigint AND activity_id = ANY($2::text[])", 2, v);
}

int cpd_store_lrs_activity_put(rs_db *db, int64_t provider_id, const char *activity_id, const char *def_json)
{
	char pid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	const char *v[] = { pid, activity_id, def_json };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "cpd_lrs_activity_put",
	                    "INSERT INTO xapi.activities (provider_id, activity_id, definition) "
	                    "VALUES ($1::bigint, $2, COALESCE($3::jsonb, '{}')) ON CONFLICT (provider_id, activity_id) "
	                    "DO UPDATE SET definition = COALESCE($3::jsonb, xapi.activities.definition), "
	                    "updated_at = now() WHERE $3 IS NOT NULL", 3, v);
	rs_db_clear(res);
	return rc;
}
